import { Badge, Group, Pagination, Table, Text, TextInput } from '@mantine/core'
import { memo, useMemo, useState } from 'react'
import type { RedisNode } from '../../../../shared/systems/redis'
import { MiniSpark } from '../../components/MiniSpark'
import { StatusBadge } from '../../components/StatusBadge'
import { useSeries, type SeriesStore } from '../../hooks/series-store'

const PAGE = 25
const RANK = { critical: 0, warn: 1, unknown: 2, ok: 3 } as const
export const mib = (b: number | null | undefined) => (b == null ? '—' : `${(b / 1048576).toFixed(1)} MiB`)

/** What a row shows: it repaints only when this changes, not on every poll of a large cluster. */
const shown = (n: RedisNode) =>
  JSON.stringify([
    n.addr,
    n.status,
    n.error,
    n.role,
    n.flags,
    n.lagBytes,
    n.linkState,
    n.stats?.masterLinkStatus,
    mib(n.stats?.usedMemory),
    n.stats?.memoryFraction,
    n.stats?.connectedClients,
    n.stats === null,
  ])

/** ops/s now and over the last polls: fed by the series store, so a poll repaints these cells and not their rows. */
function OpsCell({ store, id, known }: { store: SeriesStore; id: string; known: boolean }) {
  const values = useSeries(store, id)
  return (
    <div style={{ display: 'flex', alignItems: 'center', gap: 6 }}>
      <span style={{ width: 36, fontSize: 'var(--mantine-font-size-xs)' }}>{known ? (values?.at(-1) ?? '—') : '—'}</span>
      {values && <MiniSpark values={values} color="#20c997" />}
    </div>
  )
}

const NodeRow = memo(
  function NodeRow({ n, master, ops }: { n: RedisNode; master: string; ops: SeriesStore }) {
    return (
      <Table.Tr data-status={n.status}>
        <Table.Td>
          <Group gap={6} wrap="nowrap">
            <StatusBadge status={n.status} size="xs" />
            <Text size="sm" ff="monospace">
              {n.addr}
            </Text>
          </Group>
          {n.error && (
            <Text size="xs" c="red">
              {n.error.code}: {n.error.message}
            </Text>
          )}
        </Table.Td>
        <Table.Td>{n.role === 'master' ? 'master' : `replica of ${master}`}</Table.Td>
        <Table.Td>
          <Group gap={2}>
            {n.flags
              .filter((f) => !['myself', 'master', 'slave', 'replica'].includes(f))
              .map((f) => (
                <Badge key={f} size="xs" color={f === 'fail' ? 'red' : f === 'fail?' || f === 'pfail' ? 'yellow' : 'gray'}>
                  {f}
                </Badge>
              ))}
          </Group>
        </Table.Td>
        <Table.Td>{n.role === 'replica' ? (n.lagBytes == null ? '—' : `${n.lagBytes} B`) : ''}</Table.Td>
        <Table.Td>{n.role === 'replica' ? (n.stats?.masterLinkStatus ?? '—') : n.linkState}</Table.Td>
        <Table.Td>
          {mib(n.stats?.usedMemory)}
          {n.stats?.memoryFraction != null && ` (${Math.round(n.stats.memoryFraction * 100)}%)`}
        </Table.Td>
        <Table.Td>{n.stats?.connectedClients ?? '—'}</Table.Td>
        <Table.Td>
          <OpsCell store={ops} id={n.id} known={n.stats !== null} />
        </Table.Td>
      </Table.Tr>
    )
  },
  (a, b) => a.master === b.master && a.ops === b.ops && shown(a.n) === shown(b.n),
)

/**
 * Every node, those needing attention first, a page at a time, with a filter on address, role
 * and flags: a 120-node cluster stays one screen and one cheap repaint per poll.
 */
interface Props {
  nodes: RedisNode[]
  ops: SeriesStore
  addr: (id: string | null) => string
}

const sameNodes = (a: Props, b: Props) =>
  a.ops === b.ops && a.addr === b.addr && a.nodes.length === b.nodes.length && a.nodes.every((n, i) => shown(n) === shown(b.nodes[i]!))

export const NodeTable = memo(function NodeTable({ nodes, ops, addr }: Props) {
  const [filter, setFilter] = useState('')
  const [page, setPage] = useState(1)
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase()
    const match = (n: RedisNode) => !q || `${n.addr} ${n.role} ${n.flags.join(' ')} ${n.status} ${addr(n.masterId)}`.toLowerCase().includes(q)
    return nodes.filter(match).sort((a, b) => RANK[a.status] - RANK[b.status])
  }, [nodes, filter, addr])
  const pages = Math.max(1, Math.ceil(shown.length / PAGE))
  const current = Math.min(page, pages)
  return (
    <>
      {nodes.length > PAGE && (
        <Group justify="space-between" mb="xs">
          <TextInput
            size="xs"
            w={280}
            placeholder="filter: address, role, flag (fail, pfail…)"
            value={filter}
            onChange={(e) => {
              setFilter(e.currentTarget.value)
              setPage(1)
            }}
            data-testid="nodes-filter"
          />
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              {shown.length} of {nodes.length} nodes
            </Text>
            <Pagination size="sm" total={pages} value={current} onChange={setPage} data-testid="nodes-pages" />
          </Group>
        </Group>
      )}
      <Table data-testid="nodes-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Node</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Flags</Table.Th>
            <Table.Th>Replica lag</Table.Th>
            <Table.Th>Link</Table.Th>
            <Table.Th>Memory</Table.Th>
            <Table.Th>Clients</Table.Th>
            <Table.Th w={160}>ops/s</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {shown.slice((current - 1) * PAGE, current * PAGE).map((n) => (
            <NodeRow key={n.id} n={n} master={addr(n.masterId)} ops={ops} />
          ))}
        </Table.Tbody>
      </Table>
    </>
  )
}, sameNodes)
