import { Badge, Button, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import type { MongoShard } from '../../../../shared/systems/mongo'
import { bytesOrDash } from '../../../../shared/domain/units'
import { ShardDataChart } from './MongoCharts'
import type { TabProps } from './BalanceTab'
import { formatElapsed as ago } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'

const shardColumns = (shardColor: (id: string) => string, now: number): Column<MongoShard>[] => [
  {
    title: 'shard',
    cell: (s) => (
      <Group gap={6} wrap="nowrap">
        <span style={{ width: 10, height: 10, borderRadius: 2, background: shardColor(s.id), display: 'inline-block' }} />
        {s.id}
      </Group>
    ),
  },
  { title: 'chunks', cell: (s) => `${s.chunks}${s.jumboChunks ? ` (${s.jumboChunks} jumbo)` : ''}` },
  { title: 'data', cell: (s) => bytesOrDash(s.dataBytes) },
  { title: 'documents', cell: (s) => s.documents?.toLocaleString() ?? '—' },
  { title: 'primary of', cell: (s) => s.primaryOf.join(', ') || '—' },
  {
    title: 'state',
    cell: (s) =>
      s.draining ? <Badge color="orange">draining{s.drainingSince ? ` ${ago(s.drainingSince, now)}` : ''}</Badge> : <Badge color="teal">active</Badge>,
  },
]

export function ShardsTab({ cluster, shardColor, act, readOnly }: TabProps) {
  const [cs, setCs] = useState('')
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <DataTable testId="shards-table" rows={cluster.shards} columns={shardColumns(shardColor, cluster.checkedAt)} rowKey={(s) => s.id} />
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
