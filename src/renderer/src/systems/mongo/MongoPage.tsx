import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Menu,
  NumberInput,
  Progress,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core'
import { useMemo, useState } from 'react'
import { formatBytes, formatSeconds } from '../../../../shared/domain/units'
import { verdictText } from '../../../../shared/domain/mongo-balance'
import { memberServes } from '../../../../shared/domain/mongo-findings'
import type { MongoCluster, MongoMember, MongoReplicaSet } from '../../../../shared/systems/mongo'
import { api } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { FindingAlerts, type PageFinding } from '../../components/FindingAlerts'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { SERIES_COLORS } from '../../components/series-colors'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemPageHeader } from '../../components/SystemPageHeader'
import { usePolling } from '../../hooks/usePolling'
import { useStableColors } from '../../hooks/useStableColors'
import { usePaletteActions } from '../../palette/palette-actions'
import { ChunkBalanceChart, MemberLagChart, ShardDataChart } from './MongoCharts'

const POLL_MS = 2500
const secs = (s: number | null) => (s === null ? '—' : formatSeconds(s))
const ago = (at: number, now: number) => formatSeconds(Math.max(0, (now - at) / 1000))

/** MongoDB sharded cluster: chunk balance per collection, the balancer, migrations, replica sets and their lag, and the actions. */
export function MongoPage() {
  const { choice, picker, readOnly, empty } = useEndpointPicker('mongo')
  const range = useHistoryRange('mongo-history-range')
  const polled = usePolling(
    choice && `${choice.environment}/${choice.endpointId}`,
    async () => {
      const target = { name: choice!.environment, endpointId: choice!.endpointId }
      const cluster = await api.request('mongo:cluster', target)
      return { cluster, ...(await api.request('mongo:lag-history', { ...target, sinceMs: range.since() })) }
    },
    POLL_MS,
  )
  const cluster = polled.data?.cluster
  const { act, dialog } = useActionLauncher(choice)
  const shardColor = useStableColors(choice ? `mongo/${choice.environment}/${choice.endpointId}` : '-', cluster?.shards.map((s) => s.id) ?? [], SERIES_COLORS)
  const fix = (f: PageFinding) => f.fix && act(f.fix.request as ActionDraft)

  const paletteActions = useMemo(
    () =>
      cluster
        ? [
            {
              id: 'mongo-balancer',
              label: cluster.balancer.enabled ? 'Stop the MongoDB balancer' : 'Start the MongoDB balancer',
              run: () => act({ kind: 'mongo.balancer', enable: !cluster.balancer.enabled }),
            },
            ...cluster.replicaSets.map((rs) => ({
              id: `mongo-stepdown-${rs.name}`,
              label: `Step down the primary of ${rs.name}`,
              run: () => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 }),
            })),
          ]
        : [],
    [cluster, act],
  )
  usePaletteActions(paletteActions)

  return (
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title="MongoDB"
        status={cluster?.status}
        picker={picker}
        target={choice}
        actionsTestId="mongo-actions"
        actions={
          cluster && (
            <>
              <Menu.Label>Balancer</Menu.Label>
              <Menu.Item onClick={() => act({ kind: 'mongo.balancer', enable: !cluster.balancer.enabled })}>
                {cluster.balancer.enabled ? 'Stop the balancer' : 'Start the balancer'}
              </Menu.Item>
              <Menu.Label>Step down a primary</Menu.Label>
              {cluster.replicaSets.map((rs) => (
                <Menu.Item key={rs.name} onClick={() => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 })}>
                  {rs.name} ({rs.primary ?? 'no primary'})
                </Menu.Item>
              ))}
              <Menu.Label>Shards</Menu.Label>
              {cluster.shards.map((s) => (
                <Menu.Item key={s.id} color="red" onClick={() => act({ kind: 'mongo.remove-shard', shard: s.id })}>
                  {s.draining ? `Continue removing ${s.id}` : `Remove shard ${s.id}`}
                </Menu.Item>
              ))}
            </>
          )
        }
      />
      {empty && <Alert color="blue">No MongoDB endpoint in any environment. Add one under Environments.</Alert>}
      {polled.error && <Alert color="red">{polled.error}</Alert>}
      {cluster && (
        <>
          <Text size="sm" c="dimmed" data-testid="mongo-reason">
            {cluster.reason} · MongoDB {cluster.version} via {cluster.mongos} · read in {cluster.durationMs} ms
          </Text>
          <FindingAlerts findings={cluster.findings} prefix="mongo" onFix={readOnly ? undefined : fix} />
          <Tabs defaultValue="balance">
            <Tabs.List>
              <Tabs.Tab value="balance" data-testid="mongo-balance-tab">
                Chunk balance
              </Tabs.Tab>
              <Tabs.Tab value="shards">Shards</Tabs.Tab>
              <Tabs.Tab value="replication" data-testid="mongo-replication-tab">
                Replica sets
              </Tabs.Tab>
              <Tabs.Tab value="migrations">Migrations</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="balance" pt="md">
              <BalanceTab cluster={cluster} shardColor={shardColor} act={act} readOnly={readOnly} />
            </Tabs.Panel>
            <Tabs.Panel value="shards" pt="md">
              <ShardsTab cluster={cluster} shardColor={shardColor} act={act} readOnly={readOnly} />
            </Tabs.Panel>
            <Tabs.Panel value="replication" pt="md">
              <Stack>
                <Card withBorder>
                  <Group justify="space-between">
                    <Title order={5}>Lag behind the primary</Title>
                    {range.control}
                  </Group>
                  <MemberLagChart samples={polled.data?.samples ?? []} />
                  <HistorySourceNote source={polled.data?.source} />
                </Card>
                {cluster.replicaSets.map((rs) => (
                  <ReplicaSetCard
                    key={rs.name}
                    rs={rs}
                    onStepDown={readOnly ? undefined : () => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 })}
                  />
                ))}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="migrations" pt="md">
              <MigrationsTab cluster={cluster} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
      {dialog}
    </Stack>
  )
}

interface TabProps {
  cluster: MongoCluster
  shardColor: (shard: string) => string
  act: (draft: ActionDraft) => void
  readOnly: boolean
}

function BalanceTab({ cluster, shardColor, act, readOnly }: TabProps) {
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
      <Table data-testid="collections-table" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>collection</Table.Th>
            <Table.Th>shard key</Table.Th>
            <Table.Th>chunks</Table.Th>
            <Table.Th>jumbo</Table.Th>
            <Table.Th>spread / migration threshold</Table.Th>
            <Table.Th>balance</Table.Th>
            <Table.Th>server says</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cluster.collections.map((c) => (
            <Table.Tr key={c.ns} data-testid={`collection-${c.ns}`}>
              <Table.Td>{c.ns}</Table.Td>
              <Table.Td>
                <Text ff="monospace" size="xs">
                  {c.key}
                </Text>
              </Table.Td>
              <Table.Td>{c.chunks}</Table.Td>
              <Table.Td>{c.jumbo || '—'}</Table.Td>
              <Table.Td>
                {c.imbalance.metric === 'bytes'
                  ? `${formatBytes(c.imbalance.spread)} / ${formatBytes(c.imbalance.threshold)}`
                  : `${c.imbalance.spread} / ${c.imbalance.threshold} chunks`}
              </Table.Td>
              <Table.Td>
                <Badge color={c.imbalance.exceeds ? 'yellow' : 'teal'} variant="light">
                  {c.noBalance
                    ? 'balancing disabled'
                    : c.imbalance.exceeds
                      ? `imbalanced (${c.imbalance.heaviest ?? ''} → ${c.imbalance.lightest ?? ''})`
                      : 'balanced'}
                </Badge>
              </Table.Td>
              <Table.Td data-testid={`verdict-${c.ns}`}>
                <Tooltip label={c.verdictNote ?? 'balancerCollectionStatus'} disabled={!c.verdictNote && !c.verdict}>
                  <Badge color={!c.verdict ? 'gray' : c.verdict.compliant ? 'teal' : 'yellow'} variant="outline">
                    {verdictText(c.verdict)}
                  </Badge>
                </Tooltip>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
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
  return (
    <Card withBorder>
      <Title order={5}>Move a range or clear a jumbo chunk</Title>
      <Group align="end" mt="xs">
        <Select label="collection" data={cluster.collections.map((c) => c.ns)} value={ns} onChange={setNs} w={200} />
        <TextInput
          label="chunk lower bound (Extended JSON, as in sh.status)"
          placeholder='{"customerId":{"$minKey":1}}'
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

function ShardsTab({ cluster, shardColor, act, readOnly }: TabProps) {
  const [cs, setCs] = useState('')
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Table data-testid="shards-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>shard</Table.Th>
              <Table.Th>chunks</Table.Th>
              <Table.Th>data</Table.Th>
              <Table.Th>documents</Table.Th>
              <Table.Th>primary of</Table.Th>
              <Table.Th>state</Table.Th>
            </Table.Tr>
          </Table.Thead>
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

function ReplicaSetCard({ rs, onStepDown }: { rs: MongoReplicaSet; onStepDown?: () => void }) {
  return (
    <Card withBorder data-testid={`rs-${rs.name}`}>
      <Group justify="space-between">
        <Group>
          <Title order={5}>{rs.name}</Title>
          <Text size="sm" c="dimmed">
            {rs.role === 'config' ? 'config servers' : `shard ${rs.shard ?? ''}`} · term {rs.term ?? '—'} · election timeout {rs.electionTimeoutMs} ms
          </Text>
          <StatusBadge status={rs.status} />
        </Group>
        {onStepDown && (
          <Button size="xs" variant="light" disabled={!rs.primary} onClick={onStepDown} data-testid={`stepdown-${rs.name}`}>
            Step down {rs.primary ?? 'the primary'}
          </Button>
        )}
      </Group>
      {rs.error && <Alert color="red">{rs.error.message}</Alert>}
      <Table mt="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>member</Table.Th>
            <Table.Th>state</Table.Th>
            <Table.Th>lag</Table.Th>
            <Table.Th>priority / votes</Table.Th>
            <Table.Th>flags</Table.Th>
            <Table.Th>oplog window</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rs.members.map((m) => (
            <Table.Tr key={m.host} data-testid={`member-${m.host}`} data-state={m.state}>
              <Table.Td>{m.host}</Table.Td>
              <Table.Td>
                <Badge color={m.state === 'PRIMARY' ? 'blue' : !m.healthy ? 'red' : memberServes(m) ? 'teal' : 'yellow'} variant="light">
                  {m.state}
                </Badge>
                {m.initialSync && <InitialSyncBar member={m} />}
              </Table.Td>
              <Table.Td>{m.host === rs.primary ? '—' : secs(m.lagSeconds)}</Table.Td>
              <Table.Td>
                {m.priority} / {m.votes}
              </Table.Td>
              <Table.Td>{[m.hidden && 'hidden', m.delaySecs && `delayed ${m.delaySecs} s`, m.arbiter && 'arbiter'].filter(Boolean).join(', ') || '—'}</Table.Td>
              <Table.Td>{m.oplog ? `${m.oplog.windowHours.toFixed(1)} h` : m.error ? m.error.message : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  )
}

/** A member's initial sync as it reports it: bytes copied of the source's data, and the time left. */
function InitialSyncBar({ member }: { member: MongoMember }) {
  const p = member.initialSync!
  return (
    <Stack gap={2} mt={4} data-testid={`initial-sync-${member.host}`}>
      <Progress value={p.percent ?? 0} size="sm" color="yellow" />
      <Text size="xs" c="dimmed">
        initial sync {p.percent === null ? 'starting' : `${Math.floor(p.percent)} %`}
        {p.copiedBytes !== null && p.totalBytes !== null ? ` · ${formatBytes(p.copiedBytes)} of ${formatBytes(p.totalBytes)}` : ''}
        {p.remainingMs !== null ? ` · ${formatSeconds(p.remainingMs / 1000)} left` : ''}
        {p.attempt > 1 ? ` · attempt ${p.attempt}` : ''}
      </Text>
    </Stack>
  )
}

function MigrationsTab({ cluster }: { cluster: MongoCluster }) {
  const rows = [...cluster.migrations.running, ...cluster.migrations.recent]
  if (!rows.length) return <Text c="dimmed">No migrations in the changelog.</Text>
  return (
    <Table data-testid="migrations-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>when</Table.Th>
          <Table.Th>collection</Table.Th>
          <Table.Th>range from</Table.Th>
          <Table.Th>move</Table.Th>
          <Table.Th>took</Table.Th>
          <Table.Th>result</Table.Th>
        </Table.Tr>
      </Table.Thead>
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

export default MongoPage
