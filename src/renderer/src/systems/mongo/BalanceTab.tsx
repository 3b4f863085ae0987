import { Badge, Button, Card, Group, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Title, Tooltip } from '@mantine/core'
import { useState } from 'react'
import { formatBytes } from '../../../../shared/domain/units'
import { verdictText } from '../../../../shared/domain/mongo-balance'
import type { MongoCluster, MongoCollectionBalance } from '../../../../shared/systems/mongo'
import { type ActionDraft } from '../../components/ActionDialog'
import { ChunkBalanceChart } from './MongoCharts'
import { DataTable, type Column } from '../../components/DataTable'

const balanceText = (c: MongoCollectionBalance) =>
  c.noBalance ? 'balancing disabled' : c.imbalance.exceeds ? `imbalanced (${c.imbalance.heaviest ?? ''} → ${c.imbalance.lightest ?? ''})` : 'balanced'

const COLLECTION_COLUMNS: Column<MongoCollectionBalance>[] = [
  { title: 'collection', cell: (c) => c.ns },
  {
    title: 'shard key',
    cell: (c) => (
      <Text ff="monospace" size="xs">
        {c.key}
      </Text>
    ),
  },
  { title: 'chunks', cell: (c) => c.chunks },
  { title: 'jumbo', cell: (c) => c.jumbo || '—' },
  {
    title: 'spread / migration threshold',
    cell: (c) =>
      c.imbalance.metric === 'bytes'
        ? `${formatBytes(c.imbalance.spread)} / ${formatBytes(c.imbalance.threshold)}`
        : `${c.imbalance.spread} / ${c.imbalance.threshold} chunks`,
  },
  {
    title: 'balance',
    cell: (c) => (
      <Badge color={c.imbalance.exceeds ? 'yellow' : 'teal'} variant="light">
        {balanceText(c)}
      </Badge>
    ),
  },
  {
    title: 'server says',
    cell: (c) => (
      <Tooltip label={c.verdictNote ?? 'balancerCollectionStatus'} disabled={!c.verdictNote && !c.verdict}>
        <Badge color={!c.verdict ? 'gray' : c.verdict.compliant ? 'teal' : 'yellow'} variant="outline" data-testid={`verdict-${c.ns}`}>
          {verdictText(c.verdict)}
        </Badge>
      </Tooltip>
    ),
  },
]

export interface TabProps {
  cluster: MongoCluster
  shardColor: (shard: string) => string
  act: (draft: ActionDraft) => void
  readOnly: boolean
}

export function BalanceTab({ cluster, shardColor, act, readOnly }: TabProps) {
  const [metric, setMetric] = useState<'chunks' | 'bytes'>('chunks')
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <Card withBorder style={{ gridColumn: 'span 2' }}>
          <Group justify="space-between">
            <Title order={5}>Chunks by shard</Title>
            <SegmentedControl
              size="xs"
              value={metric}
              onChange={(v) => setMetric(v)}
              data={[
                { value: 'chunks', label: 'chunks' },
                { value: 'bytes', label: 'bytes', disabled: !cluster.dataDistribution },
              ]}
            />
          </Group>
          <ChunkBalanceChart collections={cluster.collections} shardColor={shardColor} metric={metric} />
        </Card>
        <BalancerCard cluster={cluster} act={act} readOnly={readOnly} />
      </SimpleGrid>
      <DataTable
        striped
        testId="collections-table"
        rows={cluster.collections}
        columns={COLLECTION_COLUMNS}
        rowKey={(c) => c.ns}
        rowAttributes={(c) => ({ 'data-testid': `collection-${c.ns}` })}
      />
      {!readOnly && <MoveRangeForm cluster={cluster} act={act} />}
    </Stack>
  )
}

function BalancerCard({ cluster, act, readOnly }: Omit<TabProps, 'shardColor'>) {
  const b = cluster.balancer
  const [start, setStart] = useState(b.window?.start ?? '23:00')
  const [stop, setStop] = useState(b.window?.stop ?? '06:00')
  const [size, setSize] = useState<number>(b.chunkSizeMB)
  return (
    <Card withBorder data-testid="balancer-card">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>Balancer</Title>
          <Badge color={b.enabled ? 'teal' : 'gray'} data-testid="balancer-mode">
            {b.enabled ? (b.running ? 'on · in a round' : 'on') : 'off'}
          </Badge>
        </Group>
        <Text size="sm">
          {b.rounds} rounds · chunk size {b.chunkSizeMB} MB{b.chunkSizeDefault ? ' (default)' : ''}
        </Text>
        <Text size="sm">window: {b.window ? `${b.window.start}–${b.window.stop} (${b.inWindow ? 'open now' : 'closed now'})` : 'none — any time'}</Text>
        {!readOnly && (
          <>
            <Button
              size="xs"
              color={b.enabled ? 'red' : 'teal'}
              onClick={() => act({ kind: 'mongo.balancer', enable: !b.enabled })}
              data-testid="balancer-toggle"
            >
              {b.enabled ? 'Stop the balancer' : 'Start the balancer'}
            </Button>
            <Group gap="xs" align="end" wrap="nowrap">
              <TextInput size="xs" label="window from" value={start} onChange={(e) => setStart(e.currentTarget.value)} w={80} />
              <TextInput size="xs" label="to" value={stop} onChange={(e) => setStop(e.currentTarget.value)} w={80} />
              <Button size="xs" variant="light" onClick={() => act({ kind: 'mongo.balancer-window', window: { start, stop } })} data-testid="window-set">
                Set
              </Button>
              <Button size="xs" variant="subtle" disabled={!b.window} onClick={() => act({ kind: 'mongo.balancer-window', window: null })}>
                Clear
              </Button>
            </Group>
            <Group gap="xs" align="end" wrap="nowrap">
              <NumberInput size="xs" label="chunk size (MB)" value={size} min={1} max={1024} onChange={(v) => setSize(Number(v))} w={130} />
              <Button size="xs" variant="light" onClick={() => act({ kind: 'mongo.chunk-size', sizeMB: size })}>
                Set
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  )
}

function MoveRangeForm({ cluster, act }: Pick<TabProps, 'cluster' | 'act'>) {
  const [ns, setNs] = useState<string | null>(cluster.collections[0]?.ns ?? null)
  const [min, setMin] = useState('')
  const [to, setTo] = useState<string | null>(null)
  const jumbo = cluster.jumbo.filter((j) => j.ns === ns)
  // the first chunk of the chosen collection, as an example of the bound's form
  const field = Object.keys(JSON.parse(cluster.collections.find((c) => c.ns === ns)?.key ?? '{}') as Record<string, unknown>)[0] ?? '_id'
  return (
    <Card withBorder>
      <Title order={5}>Move a range or clear a jumbo chunk</Title>
      <Group align="end" mt="xs">
        <Select label="collection" data={cluster.collections.map((c) => c.ns)} value={ns} onChange={setNs} w={200} />
        <TextInput
          label="chunk lower bound (Extended JSON, as in sh.status)"
          placeholder={`{"${field}":{"$minKey":1}}`}
          value={min}
          onChange={(e) => setMin(e.currentTarget.value)}
          w={340}
        />
        <Select label="to shard" data={cluster.shards.filter((s) => !s.draining).map((s) => s.id)} value={to} onChange={setTo} w={140} />
        <Button disabled={!ns || !min || !to} onClick={() => ns && to && act({ kind: 'mongo.move-range', ns, min, toShard: to })}>
          Plan the move
        </Button>
      </Group>
      {jumbo.map((j) => (
        <Group key={j.min} mt="xs" gap="xs">
          <Text size="sm">
            jumbo chunk on {j.shard}: <code>{j.min}</code> → <code>{j.max}</code>
          </Text>
          <Button size="xs" variant="light" onClick={() => act({ kind: 'mongo.clear-jumbo', ns: j.ns, min: j.min, split: true })}>
            Split it
          </Button>
          <Button size="xs" variant="subtle" onClick={() => act({ kind: 'mongo.clear-jumbo', ns: j.ns, min: j.min, split: false })}>
            Clear the flag only
          </Button>
        </Group>
      ))}
    </Card>
  )
}
