import { Group, Menu, Table, Text } from '@mantine/core'
import { memo, useState } from 'react'
import type { MasterBalance } from '../../../../shared/systems/redis'
import type { ActionDraft } from '../../components/ActionDialog'
import { RowActionsButton } from '../../components/RowActions'
import { mib } from './NodeTable'

/** What a row shows: it repaints only when this changes, not on every poll of a large cluster. */
const shown = (m: MasterBalance) => `${m.addr} ${m.slots} ${m.imbalancePct.toFixed(1)} ${m.keys} ${mib(m.usedMemory)} ${m.replicas}`

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

const MasterRow = memo(
  function MasterRow({
    m,
    color,
    open,
    onOpen,
    act,
  }: {
    m: MasterBalance
    color: string
    open: boolean
    onOpen: (id: string | null) => void
    act: (d: ActionDraft) => void
  }) {
    return (
      <Table.Tr>
        <Table.Td>
          <Group gap={6} wrap="nowrap">
            {/* the actions first, so a narrow card never cuts them; one menu at a time: a menu per row costs more than the whole table on a 60-master cluster */}
            {open ? (
              <FailoverMenu m={m} act={act} onClose={() => onOpen(null)} />
            ) : (
              <RowActionsButton subject={m.addr} data-testid={`failover-${m.addr}`} onClick={() => onOpen(m.id)} />
            )}
            <span data-testid="master-color" style={{ width: 10, height: 10, borderRadius: 2, background: color, display: 'inline-block' }} />
            <Text size="xs" ff="monospace" data-testid="master-addr">
              {m.addr}
            </Text>
          </Group>
        </Table.Td>
        <Table.Td>{m.slots}</Table.Td>
        <Table.Td c={Math.abs(m.imbalancePct) > 10 ? 'yellow' : undefined}>{`${m.imbalancePct > 0 ? '+' : ''}${m.imbalancePct.toFixed(1)}%`}</Table.Td>
        <Table.Td>{m.keys ?? '—'}</Table.Td>
        <Table.Td>{mib(m.usedMemory)}</Table.Td>
        <Table.Td>{m.replicas}</Table.Td>
      </Table.Tr>
    )
  },
  (a, b) => shown(a.m) === shown(b.m) && a.m.id === b.m.id && a.color === b.color && a.open === b.open && a.act === b.act,
)

interface Props {
  masters: MasterBalance[]
  colorOf: (id: string) => string
  act: (d: ActionDraft) => void
}

const sameMasters = (a: Props, b: Props) =>
  a.colorOf === b.colorOf && a.act === b.act && a.masters.length === b.masters.length && a.masters.every((m, i) => shown(m) === shown(b.masters[i]!))

/** Each master's slots against an even share, keys, memory and replicas, with its failover and removal actions; unchanged polls skip it. */
export const MastersTable = memo(function MastersTable({ masters, colorOf, act }: Props) {
  const [open, setOpen] = useState<string | null>(null)
  return (
    <Table.ScrollContainer type="native" minWidth={400} maxHeight={masters.length > 12 ? 440 : undefined}>
      <Table data-testid="masters-table" stickyHeader horizontalSpacing={6} fz="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Master</Table.Th>
            <Table.Th>Slots</Table.Th>
            <Table.Th style={{ whiteSpace: 'nowrap' }}>vs even</Table.Th>
            <Table.Th>Keys</Table.Th>
            <Table.Th>Memory</Table.Th>
            <Table.Th>Replicas</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {masters.map((m) => (
            <MasterRow key={m.id} m={m} color={colorOf(m.id)} open={open === m.id} onOpen={setOpen} act={act} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  )
}, sameMasters)
