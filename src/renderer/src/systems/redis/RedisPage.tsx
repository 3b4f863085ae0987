import { Alert, Badge, Button, Card, Group, Menu, Progress, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core'
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { useStableColors } from '../../hooks/useStableColors'
import type { MigrationProgress, RedisNode, RedisTimelineEvent, RedisTopology } from '../../../../shared/systems/redis'
import { api, errorText } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { usePaletteActions } from '../../palette/palette-actions'
import { Sparkline } from '../../components/EChart'
import { useEndpointPicker, type EndpointChoice } from '../../components/EndpointPicker'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemPageHeader } from '../../components/SystemPageHeader'
import { MASTER_COLORS, SlotMap, type SlotHover } from './SlotMap'

const mib = (b: number | null | undefined) => (b == null ? '—' : `${(b / 1048576).toFixed(1)} MiB`)
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
  const [timeline, setTimeline] = useState<RedisTimelineEvent[]>([])
  const [ops, setOps] = useState<Record<string, number[]>>({})
  const [migration, setMigration] = useState<MigrationProgress>()
  const [error, setError] = useState<string>()
  const [hover, setHover] = useState<SlotHover & { keys?: number | null }>()
  const [newNode, setNewNode] = useState('127.0.0.1:7006')
  const hoverTimer = useRef<ReturnType<typeof setTimeout>>(undefined)

  useEffect(() => {
    if (!choice) return
    const offTopology = api.on('redis:topology', (e) => {
      if (e.topology.environment !== choice.environment || e.topology.endpointId !== choice.endpointId) return
      setTopology(e.topology)
      setTimeline(e.timeline)
      setOps((prev) => Object.fromEntries(e.topology.nodes.map((n) => [n.id, [...(prev[n.id] ?? []), n.stats?.opsPerSec ?? 0].slice(-HISTORY)])))
      setError(e.topology.error?.message)
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
  }, [choice])

  const onHover = (h: SlotHover) => {
    setHover(h)
    clearTimeout(hoverTimer.current)
    if (!choice) return
    hoverTimer.current = setTimeout(() => {
      api.request('redis:slot-keys', { ...choice, start: h.slot, end: h.slot }).then(
        (r) => setHover((cur) => (cur?.slot === h.slot ? { ...cur, keys: r.slots[0]?.keys ?? null } : cur)),
        () => undefined,
      )
    }, 250)
  }

  const { act, dialog } = useActionLauncher(choice)
  const addr = (id: string | null) => topology?.nodes.find((n) => n.id === id)?.addr ?? id?.slice(0, 8) ?? '—'
  const paletteActions = useMemo(
    () =>
      topology
        ? [
            { id: 'redis-rebalance', label: 'Rebalance slots evenly', description: topology.reason, run: () => act({ kind: 'redis.rebalance' }) },
            { id: 'redis-fix', label: 'Fix open or uncovered slots', run: () => act({ kind: 'redis.fix' }) },
            ...topology.masters
              .filter((m) => m.replicas > 0)
              .map((m) => ({
                id: `redis-failover-${m.id}`,
                label: `Failover ${m.addr}`,
                description: 'coordinated CLUSTER FAILOVER to its best replica',
                run: () => act({ kind: 'redis.failover', master: m.id, mode: 'default' }),
              })),
          ]
        : [],
    [topology, act],
  )
  usePaletteActions(paletteActions)
  const masterColor = useStableColors(choice ? `${choice.environment}/${choice.endpointId}` : '-', topology?.masters.map((m) => m.id) ?? [], MASTER_COLORS)

  return (
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title="Redis Cluster"
        status={topology?.status}
        picker={picker}
        actionsTestId="redis-actions"
        actions={
          <>
            <Menu.Item onClick={() => act({ kind: 'redis.rebalance' })}>Rebalance slots evenly</Menu.Item>
            <Menu.Item onClick={() => act({ kind: 'redis.fix' })}>Fix open slots</Menu.Item>
            <Menu.Label>Scale out: node address</Menu.Label>
            <Menu.Item closeMenuOnClick={false}>
              <TextInput size="xs" value={newNode} onChange={(e) => setNewNode(e.currentTarget.value)} onClick={(e) => e.stopPropagation()} />
            </Menu.Item>
            <Menu.Item onClick={() => act({ kind: 'redis.add-master', node: { host: newNode.split(':')[0]!, port: Number(newNode.split(':')[1]) } })}>
              Add as master and rebalance
            </Menu.Item>
          </>
        }
      />
      {empty && <Alert color="blue">No Redis Cluster endpoint in any environment. Add one under Environments.</Alert>}
      {error && <Alert color="red">{error}</Alert>}
      {topology && (
        <>
          <Text size="sm" c={topology.status === 'ok' ? 'dimmed' : undefined} data-testid="redis-reason">
            cluster_state {topology.clusterState} · {topology.reason} · {topology.nodes.length} nodes · checked in {topology.durationMs} ms
          </Text>
          {migration && migration.state === 'running' && (
            <Card withBorder data-testid="migration-progress">
              <Text size="sm" mb={4}>
                Migrating slots: {migration.slotsDone}/{migration.slotsTotal} · {migration.keysMoved} keys · {Math.round(migration.keysPerSec)} keys/s
                {migration.etaSeconds != null && ` · ETA ${Math.round(migration.etaSeconds)} s`}
              </Text>
              <Progress value={(100 * migration.slotsDone) / Math.max(1, migration.slotsTotal)} animated />
            </Card>
          )}
          {topology.findings.length > 0 && (
            <Stack gap={6}>
              {topology.findings.map((f, i) => (
                <Alert key={i} color={f.severity === 'critical' ? 'red' : f.severity === 'warn' ? 'yellow' : 'blue'} p="xs">
                  <Group justify="space-between">
                    <Text size="sm">{f.message}</Text>
                    {f.fix && (
                      <Button size="compact-xs" onClick={() => act({ kind: f.fix!.kind } as ActionDraft)}>
                        {f.fix.label}
                      </Button>
                    )}
                  </Group>
                </Alert>
              ))}
            </Stack>
          )}
          <SimpleGrid cols={{ base: 1, lg: 2 }}>
            <Card withBorder>
              <Group justify="space-between" mb={4}>
                <Text fw={600}>Slot map (16384 slots)</Text>
                <Text size="xs" c="dimmed" data-testid="slot-hover">
                  {hover
                    ? `slot ${hover.slot} · ${addr(hover.owner)}${hover.keys != null ? ` · ${hover.keys} keys` : ''}${hover.migratingTo ? ` · migrating to ${addr(hover.migratingTo)}` : ''}${hover.importingFrom ? ` · importing from ${addr(hover.importingFrom)}` : ''}`
                    : 'hover a slot'}
                </Text>
              </Group>
              <SlotMap topology={topology} colorOf={masterColor} onHover={onHover} />
            </Card>
            <Stack>
              <Card withBorder>
                <Text fw={600} mb="xs">
                  Masters
                </Text>
                <Table.ScrollContainer minWidth={520}>
                  <Table data-testid="masters-table">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Master</Table.Th>
                        <Table.Th>Slots</Table.Th>
                        <Table.Th style={{ whiteSpace: 'nowrap' }}>vs even</Table.Th>
                        <Table.Th>Keys</Table.Th>
                        <Table.Th>Memory</Table.Th>
                        <Table.Th>Replicas</Table.Th>
                        <Table.Th />
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {topology.masters.map((m) => (
                        <Table.Tr key={m.id}>
                          <Table.Td>
                            <Group gap={6} wrap="nowrap">
                              <span
                                data-testid="master-color"
                                style={{ width: 10, height: 10, borderRadius: 2, background: masterColor(m.id), display: 'inline-block' }}
                              />
                              <Text size="sm" ff="monospace">
                                {m.addr}
                              </Text>
                            </Group>
                          </Table.Td>
                          <Table.Td>{m.slots}</Table.Td>
                          <Table.Td
                            c={Math.abs(m.imbalancePct) > 10 ? 'yellow' : undefined}
                          >{`${m.imbalancePct > 0 ? '+' : ''}${m.imbalancePct.toFixed(1)}%`}</Table.Td>
                          <Table.Td>{m.keys ?? '—'}</Table.Td>
                          <Table.Td>{mib(m.usedMemory)}</Table.Td>
                          <Table.Td>{m.replicas}</Table.Td>
                          <Table.Td>
                            <Menu position="bottom-end">
                              <Menu.Target>
                                <Button size="compact-xs" variant="light" data-testid={`failover-${m.addr}`}>
                                  Act…
                                </Button>
                              </Menu.Target>
                              <Menu.Dropdown>
                                <Menu.Label>{m.replicas === 0 ? 'no replica to promote' : `fail over: promote a replica of ${m.addr}`}</Menu.Label>
                                <Menu.Item
                                  disabled={m.replicas === 0}
                                  onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'default' })}
                                  data-testid="failover-default"
                                >
                                  Coordinated failover (safe, master is up)
                                </Menu.Item>
                                <Menu.Item disabled={m.replicas === 0} onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'force' })}>
                                  FORCE failover (master unreachable)
                                </Menu.Item>
                                <Menu.Item
                                  disabled={m.replicas === 0}
                                  color="red"
                                  onClick={() => act({ kind: 'redis.failover', master: m.id, mode: 'takeover' })}
                                >
                                  TAKEOVER failover (no consensus)
                                </Menu.Item>
                                <Menu.Divider />
                                <Menu.Item color="red" onClick={() => act({ kind: 'redis.remove-master', node: m.id })}>
                                  Drain and remove this master
                                </Menu.Item>
                              </Menu.Dropdown>
                            </Menu>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </Card>
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
            </Stack>
          </SimpleGrid>
          <Card withBorder>
            <Text fw={600} mb="xs">
              Nodes
            </Text>
            <NodeTable nodes={topology.nodes} ops={ops} addr={addr} />
          </Card>
        </>
      )}
      {dialog}
    </Stack>
  )
}

function NodeTable({ nodes, ops, addr }: { nodes: RedisNode[]; ops: Record<string, number[]>; addr: (id: string | null) => string }) {
  return (
    <Table data-testid="nodes-table">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Node</Table.Th>
          <Table.Th>Role</Table.Th>
          <Table.Th>Flags</Table.Th>
          <Table.Th>Replica lag</Table.Th>
          <Table.Th>Link</Table.Th>
          <Table.Th>Memory</Table.Th>
          <Table.Th>Clients</Table.Th>
          <Table.Th w={160}>ops/s</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {nodes.map((n) => (
          <Table.Tr key={n.id} data-status={n.status}>
            <Table.Td>
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
            </Table.Td>
            <Table.Td>{n.role === 'master' ? 'master' : `replica of ${addr(n.masterId)}`}</Table.Td>
            <Table.Td>
              <Group gap={2}>
                {n.flags
                  .filter((f) => !['myself', 'master', 'slave', 'replica'].includes(f))
                  .map((f) => (
                    <Badge key={f} size="xs" color={f === 'fail' ? 'red' : f === 'fail?' || f === 'pfail' ? 'yellow' : 'gray'}>
                      {f}
                    </Badge>
                  ))}
              </Group>
            </Table.Td>
            <Table.Td>{n.role === 'replica' ? (n.lagBytes == null ? '—' : `${n.lagBytes} B`) : ''}</Table.Td>
            <Table.Td>{n.role === 'replica' ? (n.stats?.masterLinkStatus ?? '—') : n.linkState}</Table.Td>
            <Table.Td>
              {mib(n.stats?.usedMemory)}
              {n.stats?.memoryFraction != null && ` (${Math.round(n.stats.memoryFraction * 100)}%)`}
            </Table.Td>
            <Table.Td>{n.stats?.connectedClients ?? '—'}</Table.Td>
            <Table.Td>
              <Group gap={6} wrap="nowrap">
                <Text size="xs" w={36}>
                  {n.stats?.opsPerSec ?? '—'}
                </Text>
                <div style={{ width: 110 }}>{(ops[n.id]?.length ?? 0) > 1 && <Sparkline values={ops[n.id]!} color="#20c997" height={24} />}</div>
              </Group>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  )
}

export default RedisPage
