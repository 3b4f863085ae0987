import { Badge, Table, Text } from '@mantine/core'
import { formatSeconds } from '../../../../shared/domain/units'
import type { MongoCluster } from '../../../../shared/systems/mongo'
import { ago } from './mongo-format'
import { TableHead } from '../../components/TableHead'

export function MigrationsTab({ cluster }: { cluster: MongoCluster }) {
  const rows = [...cluster.migrations.running, ...cluster.migrations.recent]
  if (!rows.length) return <Text c="dimmed">No migrations in the changelog.</Text>
  return (
    <Table data-testid="migrations-table">
      <TableHead columns={['when', 'collection', 'range from', 'move', 'took', 'result']} />
      <Table.Tbody>
        {rows.map((m, i) => (
          <Table.Tr key={`${m.ns}${m.min}${String(m.startedAt)}${String(i)}`}>
            <Table.Td>{ago(m.startedAt, cluster.checkedAt)} ago</Table.Td>
            <Table.Td>{m.ns}</Table.Td>
            <Table.Td>
              <code>{m.min}</code>
            </Table.Td>
            <Table.Td>
              {m.from} → {m.to}
            </Table.Td>
            <Table.Td>{m.durationMs === null ? `${ago(m.startedAt, cluster.checkedAt)} so far` : formatSeconds(m.durationMs / 1000)}</Table.Td>
            <Table.Td>
              <Badge color={m.status === 'failed' ? 'red' : m.status === 'running' ? 'blue' : 'teal'} variant="light">
                {m.status}
              </Badge>
              {m.error && <Text size="xs">{m.error}</Text>}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}
