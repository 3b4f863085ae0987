import { Badge, Button, Group, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import { formatBytes } from '../../../../shared/domain/units'
import { ShardDataChart } from './MongoCharts'
import type { TabProps } from './BalanceTab'
import { ago } from './mongo-format'
import { TableHead } from '../../components/TableHead'

export function ShardsTab({ cluster, shardColor, act, readOnly }: TabProps) {
  const [cs, setCs] = useState('')
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Table data-testid="shards-table">
          <TableHead columns={['shard', 'chunks', 'data', 'documents', 'primary of', 'state']} />
          <Table.Tbody>
            {cluster.shards.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <span style={{ width: 10, height: 10, borderRadius: 2, background: shardColor(s.id), display: 'inline-block' }} />
                    {s.id}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {s.chunks}
                  {s.jumboChunks ? ` (${s.jumboChunks} jumbo)` : ''}
                </Table.Td>
                <Table.Td>{formatBytes(s.dataBytes ?? 0)}</Table.Td>
                <Table.Td>{s.documents?.toLocaleString() ?? '—'}</Table.Td>
                <Table.Td>{s.primaryOf.join(', ') || '—'}</Table.Td>
                <Table.Td>
                  {s.draining ? (
                    <Badge color="orange">draining{s.drainingSince ? ` ${ago(s.drainingSince, cluster.checkedAt)}` : ''}</Badge>
                  ) : (
                    <Badge color="teal">active</Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {cluster.dataDistribution ? (
          <ShardDataChart shards={cluster.shards} shardColor={shardColor} />
        ) : (
          <Text c="dimmed">Data size per shard needs MongoDB 6.0.3+ ($shardedDataDistribution).</Text>
        )}
      </SimpleGrid>
      {!readOnly && (
        <Group align="end">
          <TextInput
            label="add a shard: replica-set connection string"
            placeholder="rs3/db7:27018,db8:27018,db9:27018"
            value={cs}
            onChange={(e) => setCs(e.currentTarget.value)}
            w={420}
          />
          <Button disabled={!cs} onClick={() => act({ kind: 'mongo.add-shard', connectionString: cs })}>
            Plan adding it
          </Button>
        </Group>
      )}
    </Stack>
  )
}
