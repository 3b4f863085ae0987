import { Badge, Text } from '@mantine/core'
import { formatSeconds } from '../../../../shared/domain/units'
import type { MongoCluster, MongoMigration } from '../../../../shared/systems/mongo'
import { formatElapsed as ago } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'

const statusColor = (m: MongoMigration) => (m.status === 'failed' ? 'red' : m.status === 'running' ? 'blue' : 'teal')

const migrationColumns = (now: number): Column<MongoMigration>[] => [
  { title: 'when', cell: (m) => `${ago(m.startedAt, now)} ago` },
  { title: 'collection', cell: (m) => m.ns },
  { title: 'range from', cell: (m) => <code>{m.min}</code> },
  { title: 'move', cell: (m) => `${m.from} → ${m.to}` },
  { title: 'took', cell: (m) => (m.durationMs === null ? `${ago(m.startedAt, now)} so far` : formatSeconds(m.durationMs / 1000)) },
  {
    title: 'result',
    cell: (m) => (
      <>
        <Badge color={statusColor(m)} variant="light">
          {m.status}
        </Badge>
        {m.error && <Text size="xs">{m.error}</Text>}
      </>
    ),
  },
]

export function MigrationsTab({ cluster }: { cluster: MongoCluster }) {
  const rows = [...cluster.migrations.running, ...cluster.migrations.recent]
  if (!rows.length) return <Text c="dimmed">No migrations in the changelog.</Text>
  return (
    <DataTable
      testId="migrations-table"
      rows={rows}
      columns={migrationColumns(cluster.checkedAt)}
      rowKey={(m, i) => `${m.ns}${m.min}${String(m.startedAt)}${String(i)}`}
    />
  )
}
