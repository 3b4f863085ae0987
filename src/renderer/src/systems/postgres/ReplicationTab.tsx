import { Badge, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core'
import type { ReactNode } from 'react'
import type { PgLagSample, PgNodeSnapshot, PgSlot, PgStandbyLag, PgTopology } from '../../../../shared/systems/postgres'
import { bytesOrDash, secondsOrDash } from '../../../../shared/domain/units'
import type { HistorySource } from '../../../../shared/history'
import { DataTable, type Column } from '../../components/DataTable'
import { HistorySourceNote } from '../../components/HistoryRange'
import { StatusBadge } from '../../components/StatusBadge'
import { LagChart } from './LagChart'
import { PatroniPanel } from './PatroniPanel'
import { linkedNode } from '../../routes'

const LAG_COLUMNS: Column<PgStandbyLag>[] = [
  { title: 'Standby', mono: true, cell: (s) => s.standby },
  { title: 'Upstream', cell: (s) => s.upstream ?? '—' },
  { title: 'State', cell: (s) => s.state },
  { title: 'Sync', cell: (s) => s.syncState ?? '—' },
  { title: 'Lag (bytes)', cell: (s) => bytesOrDash(s.bytes) },
  { title: 'Lag (time)', cell: (s) => secondsOrDash(s.seconds) },
  {
    title: 'Status',
    cell: (s) => (
      <Group gap={6}>
        <StatusBadge status={s.status} size="xs" />
        <Text size="xs">{s.label}</Text>
      </Group>
    ),
  },
]

const SLOT_COLUMNS: Column<PgSlot & { node: string }>[] = [
  { title: 'Slot', mono: true, cell: (s) => s.name },
  { title: 'On', cell: (s) => s.node },
  { title: 'Active', cell: (s) => (s.active ? <Badge color="teal">active</Badge> : <Badge color="orange">inactive</Badge>) },
  { title: 'WAL retained', cell: (s) => bytesOrDash(s.retainedBytes), color: (s) => (!s.active && (s.retainedBytes ?? 0) > 0 ? 'orange' : undefined) },
  { title: 'WAL status', cell: (s) => s.walStatus ?? '—' },
]

/** Who streams from whom: Patroni's view when it manages the cluster, each node, the lag now and over time, the slots. */
export function ReplicationTab({
  topology,
  samples,
  source,
  rangeControl,
}: {
  topology: PgTopology
  samples: PgLagSample[]
  source?: HistorySource
  rangeControl: ReactNode
}) {
  return (
    <Stack>
      {topology.patroni && <PatroniPanel view={topology.patroni} />}
      <SimpleGrid cols={{ base: 1, md: Math.min(4, topology.nodes.length) }}>
        {topology.nodes.map((n) => (
          <NodeCard key={n.name} node={n} topology={topology} />
        ))}
      </SimpleGrid>
      <Card withBorder>
        <Text fw={600} mb="xs">
          Replication lag
        </Text>
        <DataTable
          testId="lag-table"
          rows={topology.standbys}
          columns={LAG_COLUMNS}
          rowKey={(s) => s.standby}
          rowAttributes={(s) => ({ 'data-status': s.status })}
          focused={(s) => s.standby === linkedNode()}
        />
        <Group justify="flex-end" mt="xs">
          {rangeControl}
        </Group>
        {samples.length > 1 && <LagChart samples={samples} thresholds={topology.thresholds} />}
        <HistorySourceNote source={source} />
      </Card>
      <SlotsCard topology={topology} />
    </Stack>
  )
}

function NodeCard({ node: n, topology }: { node: PgNodeSnapshot; topology: PgTopology }) {
  const lag = topology.standbys.find((s) => s.standby === n.name)
  return (
    <Card
      withBorder
      data-testid={`pg-node-${n.name}`}
      data-role={n.role}
      data-focused={n.name === linkedNode() || undefined}
      style={n.name === linkedNode() ? { borderColor: 'var(--mantine-primary-color-filled)', borderWidth: 2 } : undefined}
    >
      <Group justify="space-between">
        <Text fw={600} ff="monospace">
          {n.name}
        </Text>
        <Badge color={n.role === 'primary' ? 'indigo' : n.role === 'standby' ? 'teal' : 'red'}>{n.role}</Badge>
      </Group>
      <Text size="xs" c="dimmed">
        {n.host}:{n.port} {n.version && `· ${n.version}`} {n.timeline != null && `· timeline ${n.timeline}`}
      </Text>
      {n.error && (
        <Text size="xs" c="red" mt={4}>
          {n.error.code}: {n.error.message}
        </Text>
      )}
      {n.role === 'primary' && (
        <Text size="sm" mt={4}>
          WAL at {n.currentLsn} · {n.replication.length} downstream
        </Text>
      )}
      {n.role === 'standby' && (
        <Text size="sm" mt={4}>
          from {n.upstream ?? '?'} · replayed {n.replayLsn ?? '—'}
          {lag && ` · ${lag.label}`}
        </Text>
      )}
      {n.needsRewind && (
        <Badge color="orange" mt={4}>
          needs pg_rewind before it may return
        </Badge>
      )}
    </Card>
  )
}

function SlotsCard({ topology }: { topology: PgTopology }) {
  const slots = topology.nodes.flatMap((n) => n.slots.map((s) => ({ ...s, node: n.name })))
  if (slots.length === 0) return null
  return (
    <Card withBorder>
      <Text fw={600} mb="xs">
        Replication slots
      </Text>
      <DataTable rows={slots} columns={SLOT_COLUMNS} rowKey={(s) => `${s.node}/${s.name}`} />
    </Card>
  )
}
