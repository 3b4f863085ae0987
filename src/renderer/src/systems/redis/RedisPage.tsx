import { Card, Menu, Progress, SimpleGrid, Stack, Text, TextInput } from '@mantine/core'
import { startTransition, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react'
import { useStableColors } from '../../hooks/useStableColors'
import type { MigrationProgress, RedisTimelineEvent, RedisTopology } from '../../../../shared/systems/redis'
import { api, errorText } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { usePaletteActions } from '../../palette/palette-actions'
import { useEndpointPicker, type EndpointChoice } from '../../components/EndpointPicker'
import { ReasonLine, SystemPage } from '../../components/SystemPage'
import { severityFinding, type PageFinding } from '../../components/FindingAlerts'
import { MASTER_COLORS } from './SlotMap'
import { SlotMapCard } from './SlotMapCard'
import { MastersTable } from './MastersTable'
import { NodeTable } from './NodeTable'
import { RedisHistoryCard } from './RedisHistoryCard'
import { SeriesStore } from '../../hooks/series-store'

const HISTORY = 60

/** Redis Cluster: slot map, masters' balance, nodes with lag and history, findings with fixes, actions. */
export function RedisPage() {
  const { choice, picker, readOnly, empty } = useEndpointPicker('redis-cluster')
  // One view per cluster: switching clusters mounts a fresh one instead of resetting state by hand.
  return choice ? (
    <RedisClusterView key={`${choice.environment}/${choice.endpointId}`} choice={choice} picker={picker} readOnly={readOnly} />
  ) : (
    <RedisClusterView picker={picker} empty={empty} readOnly={false} />
  )
}

function RedisClusterView({ choice, picker, readOnly, empty = false }: { choice?: EndpointChoice; picker: ReactNode; readOnly: boolean; empty?: boolean }) {
  const [topology, setTopology] = useState<RedisTopology>()
  const [polls, setPolls] = useState(0)
  const [timeline, setTimeline] = useState<RedisTimelineEvent[]>([])
  const [ops] = useState(() => new SeriesStore(HISTORY))
  const [migration, setMigration] = useState<MigrationProgress>()
  const [error, setError] = useState<string>()
  const [newNode, setNewNode] = useState('')
  const newAddr = /^(.+):(\d{1,5})$/.exec(newNode.trim())

  useEffect(() => {
    if (!choice) return
    const offTopology = api.on('redis:topology', (e) => {
      if (e.topology.environment !== choice.environment || e.topology.endpointId !== choice.endpointId) return
      // a transition: React renders a large cluster in slices between frames instead of one long task
      startTransition(() => {
        for (const [id, samples] of Object.entries(e.history))
          ops.seed(
            id,
            samples.map((s) => s.opsPerSec ?? 0),
          )
        ops.append(e.topology.nodes.map((n) => [n.id, n.stats?.opsPerSec ?? 0]))
        setTopology(e.topology)
        setPolls((n) => n + 1)
        setTimeline(e.timeline)
        setError(e.topology.error?.message)
      })
    })
    const offMigration = api.on('redis:migration-progress', (p) => {
      if (p.environment === choice.environment && p.endpointId === choice.endpointId) setMigration(p)
    })
    api.request('redis:watch', { ...choice }).catch((e: unknown) => setError(errorText(e)))
    return () => {
      offTopology()
      offMigration()
      void api.request('redis:unwatch', { environment: choice.environment }).catch(() => undefined)
    }
  }, [choice, ops])

  const { act, dialog } = useActionLauncher(choice)
  // keyed on the addresses themselves, so the tables below see the same function until a node changes
  const addrKey = topology?.nodes.map((n) => `${n.id}=${n.addr}`).join(',') ?? ''
  const addrs = useMemo(() => new Map(addrKey ? addrKey.split(',').map((p) => p.split('=') as [string, string]) : []), [addrKey])
  const addr = useCallback((id: string | null) => (id ? (addrs.get(id) ?? id.slice(0, 8)) : '—'), [addrs])
  // keyed on what the actions name, so a poll that changes nothing else leaves the palette alone
  const failoverKey = topology?.masters
    .filter((m) => m.replicas > 0)
    .map((m) => `${m.id}=${m.addr}`)
    .join(',')
  const paletteActions = useMemo(
    () =>
      failoverKey === undefined
        ? []
        : [
            {
              id: 'redis-rebalance',
              label: 'Rebalance slots evenly',
              description: 'move slots until every master holds its share',
              run: () => act({ kind: 'redis.rebalance' }),
            },
            { id: 'redis-fix', label: 'Fix open or uncovered slots', run: () => act({ kind: 'redis.fix' }) },
            ...(failoverKey ? failoverKey.split(',') : []).map((p) => {
              const [id, addr] = p.split('=') as [string, string]
              return {
                id: `redis-failover-${id}`,
                label: `Failover ${addr}`,
                description: 'coordinated CLUSTER FAILOVER to its best replica',
                run: () => act({ kind: 'redis.failover', master: id, mode: 'default' }),
              }
            }),
          ],
    [failoverKey, act],
  )
  usePaletteActions(paletteActions)
  const masterColor = useStableColors(choice ? `${choice.environment}/${choice.endpointId}` : '-', topology?.masters.map((m) => m.id) ?? [], MASTER_COLORS)
  // the history card names masters by address; it draws each in the colour the slot map gives it
  const masterAddrKey = topology?.masters.map((m) => `${m.addr}=${m.id}`).join(',') ?? ''
  const colorOfMasterAddr = useMemo(() => {
    const colors = new Map(
      masterAddrKey
        ? masterAddrKey
            .split(',')
            .map((p) => p.split('=') as [string, string])
            .map(([a, id]) => [a, masterColor(id)])
        : [],
    )
    return (addr: string) => colors.get(addr)
  }, [masterAddrKey, masterColor])

  const findings = useMemo(() => topology?.findings.map(severityFinding), [topology])
  const fix = useCallback((f: PageFinding) => f.fix && act(f.fix.request as ActionDraft), [act])

  const headerActions = useMemo(
    () => (
      <>
        <Menu.Item onClick={() => act({ kind: 'redis.rebalance' })}>Rebalance slots evenly</Menu.Item>
        <Menu.Item onClick={() => act({ kind: 'redis.fix' })}>Fix open slots</Menu.Item>
        <Menu.Label>Scale out: node address</Menu.Label>
        <Menu.Item closeMenuOnClick={false}>
          <TextInput
            size="xs"
            placeholder="host:port of the new node"
            value={newNode}
            onChange={(e) => setNewNode(e.currentTarget.value)}
            onClick={(e) => e.stopPropagation()}
            data-testid="new-node-addr"
          />
        </Menu.Item>
        <Menu.Item disabled={!newAddr} onClick={() => newAddr && act({ kind: 'redis.add-master', node: { host: newAddr[1]!, port: Number(newAddr[2]) } })}>
          Add as master and rebalance
        </Menu.Item>
      </>
    ),
    [act, newNode, newAddr],
  )

  return (
    <SystemPage
      title="Redis Cluster"
      picked={{ picker, choice, readOnly, empty }}
      status={topology?.status}
      actionsTestId="redis-actions"
      actions={headerActions}
      error={error}
      loaded={!!topology}
      reason={
        topology && (
          <ReasonLine ok={topology.status === 'ok'} testId="redis-reason" data-polls={polls} data-checked-at={topology.checkedAt}>
            cluster_state {topology.clusterState} · {topology.reason} · {topology.nodes.length} nodes · checked in {topology.durationMs} ms
          </ReasonLine>
        )
      }
      findings={findings}
      findingsPrefix="redis"
      onFix={fix}
      overlays={dialog}
    >
      {topology && (
        <>
          {migration?.state === 'running' && <MigrationProgressCard migration={migration} />}
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <SlotMapCard topology={topology} choice={choice} colorOf={masterColor} addr={addr} />
            <Stack>
              <Card withBorder>
                <Text fw={600} mb="xs">
                  Masters
                </Text>
                <MastersTable masters={topology.masters} colorOf={masterColor} act={act} />
              </Card>
              <RedisEventsCard timeline={timeline} />
            </Stack>
          </SimpleGrid>
          <Card withBorder>
            <Text fw={600} mb="xs">
              Nodes
            </Text>
            <NodeTable nodes={topology.nodes} ops={ops} addr={addr} />
          </Card>
          {choice && <RedisHistoryCard choice={choice} colorOfMaster={colorOfMasterAddr} />}
        </>
      )}
    </SystemPage>
  )
}

/** Slots moving right now: how many, keys per second, the time left. */
function MigrationProgressCard({ migration }: { migration: MigrationProgress }) {
  return (
    <Card withBorder data-testid="migration-progress">
      <Text size="sm" mb={4}>
        Migrating slots: {migration.slotsDone}/{migration.slotsTotal} · {migration.keysMoved} keys · {Math.round(migration.keysPerSec)} keys/s
        {migration.etaSeconds != null && ` · ETA ${Math.round(migration.etaSeconds)} s`}
      </Text>
      <Progress value={(100 * migration.slotsDone) / Math.max(1, migration.slotsTotal)} animated />
    </Card>
  )
}

/** What changed in the cluster since this view opened, newest first. */
function RedisEventsCard({ timeline }: { timeline: RedisTimelineEvent[] }) {
  return (
    <Card withBorder>
      <Text fw={600} mb="xs">
        Event timeline
      </Text>
      <Stack gap={2} mah={180} style={{ overflowY: 'auto' }} data-testid="redis-timeline">
        {timeline.length === 0 && (
          <Text size="xs" c="dimmed">
            No changes since this view opened.
          </Text>
        )}
        {[...timeline].reverse().map((e, i) => (
          <Text key={i} size="xs">
            <Text span c="dimmed" ff="monospace">
              {new Date(e.at).toLocaleTimeString()}
            </Text>{' '}
            {e.message}
          </Text>
        ))}
      </Stack>
    </Card>
  )
}

export default RedisPage
