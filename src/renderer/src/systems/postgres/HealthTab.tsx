import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Text } from '@mantine/core'
import type { PgHealth, PgStatement } from '../../../../shared/systems/postgres'
import { bytesOrDash, secondsOrDash } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'
import { StatusBadge } from '../../components/StatusBadge'

const STATEMENT_COLUMNS: Column<PgStatement>[] = [
  {
    title: 'Query',
    maxWidth: 600,
    cell: (s) => (
      <Text size="xs" ff="monospace" lineClamp={2}>
        {s.query}
      </Text>
    ),
  },
  { title: 'Calls', cell: (s) => s.calls },
  { title: 'Total', cell: (s) => `${s.totalMs.toFixed(1)} ms` },
  { title: 'Mean', cell: (s) => `${s.meanMs.toFixed(2)} ms` },
]

/** Each node's connections, locks, cache, wraparound, checkpoints and top statements. */
export function HealthTab({ health, onRefresh }: { health: PgHealth; onRefresh: () => void }) {
  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm">{health.reason}</Text>
        <Button size="xs" variant="light" onClick={onRefresh}>
          Refresh
        </Button>
      </Group>
      {health.nodes.map((n) => (
        <Card key={n.name} withBorder data-testid={`pg-health-${n.name}`}>
          <Group justify="space-between" mb="xs">
            <Group gap="xs">
              <Text fw={600} ff="monospace">
                {n.name}
              </Text>
              <Badge variant="outline">{n.role}</Badge>
            </Group>
            <StatusBadge status={n.status} />
          </Group>
          {n.error && <Alert color="red">{n.error.message}</Alert>}
          {n.findings
            .filter((f) => f.status !== 'ok')
            .map((f, i) => (
              <Text key={i} size="sm" c={f.status === 'critical' ? 'red' : 'yellow'}>
                {f.reason}
              </Text>
            ))}
          {n.connections && (
            <SimpleGrid cols={{ base: 2, md: 6 }} mt="xs">
              <Metric label="connections" value={`${n.connections.total}/${n.connections.max}`} />
              <Metric label="active" value={n.connections.active} />
              <Metric label="idle in transaction" value={n.connections.idleInTransaction} />
              <Metric label="waiting on locks" value={n.connections.waitingOnLocks} />
              <Metric label="cache hit" value={n.cacheHitRatio == null ? '—' : `${(n.cacheHitRatio * 100).toFixed(2)}%`} />
              <Metric label="xid age" value={n.xidWraparound ? `${(n.xidWraparound.fraction * 100).toFixed(2)}% (${n.xidWraparound.database})` : '—'} />
              <Metric label="longest query" value={secondsOrDash(n.longestQuery?.seconds)} />
              <Metric label="longest transaction" value={secondsOrDash(n.longestTransaction?.seconds)} />
              <Metric label="checkpoints timed/req" value={n.checkpoints ? `${n.checkpoints.timed}/${n.checkpoints.requested}` : '—'} />
              <Metric label="databases" value={n.databases.map((d) => `${d.name} ${bytesOrDash(d.sizeBytes)}`).join(', ') || '—'} />
            </SimpleGrid>
          )}
          {n.topStatements && (
            <Stack gap={4} mt="sm">
              <Text size="sm" fw={600}>
                Top statements
              </Text>
              {!n.topStatements.available && <Alert color="blue">{n.topStatements.hint}</Alert>}
              {n.topStatements.rows.length > 0 && (
                <DataTable rows={n.topStatements.rows.slice(0, 10)} columns={STATEMENT_COLUMNS} rowKey={(_, i) => String(i)} />
              )}
            </Stack>
          )}
        </Card>
      ))}
    </Stack>
  )
}

function Metric({ label, value }: { label: string; value: string | number }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </Stack>
  )
}
