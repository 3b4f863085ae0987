import { Group, Menu, Text } from '@mantine/core'
import { memo, useMemo, useState } from 'react'
import type { MasterBalance } from '../../../../shared/systems/redis'
import { bytesOrDash } from '../../../../shared/domain/units'
import type { ActionDraft } from '../../components/ActionDialog'
import { DataTable, type Column } from '../../components/DataTable'
import { RowActionsButton } from '../../components/RowActions'

/** What a row shows: it repaints only when this changes, not on every poll of a large cluster. */
const shown = (m: MasterBalance) => `${m.id} ${m.addr} ${m.slots} ${m.imbalancePct.toFixed(1)} ${m.keys} ${bytesOrDash(m.usedMemory)} ${m.replicas}`
const sameMaster = (a: MasterBalance, b: MasterBalance) => shown(a) === shown(b)

function FailoverMenu({ m, act, onClose }: { m: MasterBalance; act: (d: ActionDraft) => void; onClose: () => void }) {
  return (
    <Menu opened onChange={(o) => !o && onClose()} position="bottom-end">
      <Menu.Target>
        <RowActionsButton subject={m.addr} data-testid={`failover-${m.addr}`} />
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{m.replicas === 0 ? 'no replica to promote' : `fail over: promote a replica of ${m.addr}`}</Menu.Label>
        <Menu.Item disabled={m.replicas === 0} onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'default' })} data-testid="failover-default">
          Coordinated failover (safe, master is up)
        </Menu.Item>
        <Menu.Item disabled={m.replicas === 0} onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'force' })}>
          FORCE failover (master unreachable)
        </Menu.Item>
        <Menu.Item disabled={m.replicas === 0} color="red" onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'takeover' })}>
          TAKEOVER failover (no consensus)
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" onClick={() => act({ kind: 'redis.remove-master', node: m.id })}>
          Drain and remove this master
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  )
}

interface Props {
  masters: MasterBalance[]
  colorOf: (id: string) => string
  act: (d: ActionDraft) => void
}

const sameMasters = (a: Props, b: Props) =>
  a.colorOf === b.colorOf && a.act === b.act && a.masters.length === b.masters.length && a.masters.every((m, i) => shown(m) === shown(b.masters[i]!))

/** Each master's slots against an even share, keys, memory and replicas, with its failover and removal actions; unchanged polls skip it. */
export const MastersTable = memo(function MastersTable({ masters, colorOf, act }: Props) {
  // one menu at a time: a menu per row costs more than the whole table on a 60-master cluster
  const [open, setOpen] = useState<string | null>(null)
  const columns = useMemo<Column<MasterBalance>[]>(
    () => [
      {
        title: 'Master',
        cell: (m) => (
          <Group gap={6} wrap="nowrap">
            {open === m.id ? (
              <FailoverMenu m={m} act={act} onClose={() => setOpen(null)} />
            ) : (
              <RowActionsButton subject={m.addr} data-testid={`failover-${m.addr}`} onClick={() => setOpen(m.id)} />
            )}
            <span data-testid="master-color" style={{ width: 10, height: 10, borderRadius: 2, background: colorOf(m.id), display: 'inline-block' }} />
            <Text size="xs" ff="monospace" data-testid="master-addr">
              {m.addr}
            </Text>
          </Group>
        ),
      },
      { title: 'Slots', cell: (m) => m.slots },
      {
        title: 'vs even',
        cell: (m) => `${m.imbalancePct > 0 ? '+' : ''}${m.imbalancePct.toFixed(1)}%`,
        color: (m) => (Math.abs(m.imbalancePct) > 10 ? 'yellow' : undefined),
      },
      { title: 'Keys', cell: (m) => m.keys ?? '—' },
      { title: 'Memory', cell: (m) => bytesOrDash(m.usedMemory) },
      { title: 'Replicas', cell: (m) => m.replicas },
    ],
    [open, act, colorOf],
  )
  return (
    <DataTable
      testId="masters-table"
      rows={masters}
      columns={columns}
      rowKey={(m) => m.id}
      sameRow={sameMaster}
      minWidth={400}
      maxHeight={masters.length > 12 ? 440 : undefined}
      dense
      nowrap
    />
  )
}, sameMasters)
