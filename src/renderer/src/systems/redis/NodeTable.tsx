import { Badge, Group, Pagination, Text, TextInput } from '@mantine/core'
import { memo, useMemo, useState } from 'react'
import type { RedisNode } from '../../../../shared/systems/redis'
import { bytesOrDash } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'
import { MiniSpark } from '../../components/MiniSpark'
import { StatusBadge } from '../../components/StatusBadge'
import { useSeries, type SeriesStore } from '../../hooks/series-store'
import { linkedNode } from '../../routes'

const PAGE = 25
const RANK = { critical: 0, warn: 1, unknown: 2, ok: 3 } as const

/** What a row shows: it repaints only when this changes, not on every poll of a large cluster. */
const shown = (n: RedisNode) =>
  JSON.stringify([
    n.id,
    n.addr,
    n.masterId,
    n.status,
    n.error,
    n.role,
    n.flags,
    n.lagBytes,
    n.linkState,
    n.stats?.masterLinkStatus,
    bytesOrDash(n.stats?.usedMemory),
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

const sameNode = (a: RedisNode, b: RedisNode) => shown(a) === shown(b)

const FLAG_SHOWN = (f: string) => !['myself', 'master', 'slave', 'replica'].includes(f)
const flagColor = (f: string) => (f === 'fail' ? 'red' : f === 'fail?' || f === 'pfail' ? 'yellow' : 'gray')

function nodeColumns(addr: (id: string | null) => string, ops: SeriesStore): Column<RedisNode>[] {
  return [
    {
      title: 'Node',
      cell: (n) => (
        <>
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
        </>
      ),
    },
    { title: 'Role', cell: (n) => (n.role === 'master' ? 'master' : `replica of ${addr(n.masterId)}`) },
    {
      title: 'Flags',
      cell: (n) => (
        <Group gap={2}>
          {n.flags.filter(FLAG_SHOWN).map((f) => (
            <Badge key={f} size="xs" color={flagColor(f)}>
              {f}
            </Badge>
          ))}
        </Group>
      ),
    },
    { title: 'Replica lag', cell: (n) => (n.role === 'replica' ? bytesOrDash(n.lagBytes) : '') },
    { title: 'Link', cell: (n) => (n.role === 'replica' ? (n.stats?.masterLinkStatus ?? '—') : n.linkState) },
    {
      title: 'Memory',
      cell: (n) => `${bytesOrDash(n.stats?.usedMemory)}${n.stats?.memoryFraction != null ? ` (${Math.round(n.stats.memoryFraction * 100)}%)` : ''}`,
    },
    { title: 'Clients', cell: (n) => n.stats?.connectedClients ?? '—' },
    { title: 'ops/s', width: 160, cell: (n) => <OpsCell store={ops} id={n.id} known={n.stats !== null} /> },
  ]
}

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
  const [page, setPage] = useState<number>()
  const [linked] = useState(linkedNode)
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase()
    const match = (n: RedisNode) => !q || `${n.addr} ${n.role} ${n.flags.join(' ')} ${n.status} ${addr(n.masterId)}`.toLowerCase().includes(q)
    return nodes.filter(match).sort((a, b) => RANK[a.status] - RANK[b.status])
  }, [nodes, filter, addr])
  const columns = useMemo(() => nodeColumns(addr, ops), [addr, ops])
  const pages = Math.max(1, Math.ceil(shown.length / PAGE))
  const at = linked ? shown.findIndex((n) => n.addr === linked) : -1
  // the page of the node a link named, until another is picked
  const current = Math.min(page ?? (at >= 0 ? Math.floor(at / PAGE) + 1 : 1), pages)
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
      <DataTable
        testId="nodes-table"
        rows={shown.slice((current - 1) * PAGE, current * PAGE)}
        columns={columns}
        rowKey={(n) => n.id}
        rowAttributes={(n) => ({ 'data-status': n.status })}
        sameRow={sameNode}
        focused={(n) => n.addr === linked}
      />
    </>
  )
}, sameNodes)
