import { Alert, Badge, Button, Card, Code, Group, Menu, NumberInput, SimpleGrid, Stack, Table, Tabs, Text, TextInput } from '@mantine/core'
import { useMemo, useState } from 'react'
import type { PgHealth, PgNodeSnapshot, PgTopology } from '../../../../shared/systems/postgres'
import { api, errorText } from '../../api'
import { useActionLauncher } from '../../components/ActionDialog'
import { usePaletteActions } from '../../palette/palette-actions'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { useEndpointPolling } from '../../hooks/usePolling'
import { FindingAlerts } from '../../components/FindingAlerts'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemPageHeader } from '../../components/SystemPageHeader'
import { LagChart } from './LagChart'
import { PatroniPanel } from './PatroniPanel'
import { TableHead } from '../../components/TableHead'

const bytes = (b: number | null | undefined) =>
  b == null
    ? '—'
    : b >= 1073741824
      ? `${(b / 1073741824).toFixed(1)} GiB`
      : b >= 1048576
        ? `${(b / 1048576).toFixed(1)} MiB`
        : b >= 1024
          ? `${(b / 1024).toFixed(1)} KiB`
          : `${b} B`
const secs = (s: number | null | undefined) => (s == null ? '—' : s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(1)} s`)
const POLL_MS = 2000

/** PostgreSQL: who is primary, who streams from whom, lag in bytes and seconds over time, health, and the actions. */
export function PostgresPage() {
  const { choice, endpoint, picker, readOnly, empty } = useEndpointPicker('postgres')
  const range = useHistoryRange('pg-history-range')
  const [health, setHealth] = useState<PgHealth>()
  const [replica, setReplica] = useState({ name: '', port: 5432, dataDir: '' })

  const polled = useEndpointPolling(
    choice,
    async (target) => {
      const topology = await api.request('pg:topology', target)
      return { topology, ...(await api.request('pg:lag-history', { ...target, sinceMs: range.since() })) }
    },
    POLL_MS,
  )
  const topology = polled.data?.topology
  const samples = polled.data?.samples ?? []
  const error = polled.error
  const setError = polled.setError

  const loadHealth = () =>
    choice && api.request('pg:health', { name: choice.environment, endpointId: choice.endpointId }).then(setHealth, (e: unknown) => setError(errorText(e)))
  const { act, dialog } = useActionLauncher(choice)
  const standbys = useMemo(() => topology?.nodes.filter((n) => n.role === 'standby') ?? [], [topology])
  const patroni = topology?.manager === 'patroni' ? topology.patroni : null
  const replicas = useMemo(() => patroni?.members.filter((m) => m.role !== 'leader') ?? [], [patroni])
  // A Patroni-managed cluster offers only the actions that go through Patroni.
  const paletteActions = useMemo(
    () =>
      patroni
        ? replicas.map((m) => ({
            id: `patroni-switchover-${m.name}`,
            label: `Switchover to ${m.name} through Patroni`,
            run: () => act({ kind: 'pg.patroni-switchover', candidate: m.name }),
          }))
        : [
            ...standbys.map((s) => ({
              id: `pg-switchover-${s.name}`,
              label: `Switchover to ${s.name}`,
              description: 'planned, zero data loss',
              run: () => act({ kind: 'pg.switchover', newPrimary: s.name }),
            })),
            ...(topology ? [{ id: 'pg-failover', label: 'Failover: promote the most advanced standby', run: () => act({ kind: 'pg.failover' }) }] : []),
          ],
    [patroni, replicas, standbys, topology, act],
  )
  usePaletteActions(paletteActions)

  return (
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title="PostgreSQL"
        status={topology?.status}
        picker={picker}
        target={choice}
        actionsTestId="pg-actions"
        actions={
          patroni ? (
            <>
              <Menu.Label>Through Patroni ({patroni.scope ?? 'cluster'})</Menu.Label>
              {replicas.map((m) => (
                <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-switchover', candidate: m.name })} data-testid={`patroni-switchover-${m.name}`}>
                  Switch over to {m.name}
                </Menu.Item>
              ))}
              {replicas.map((m) => (
                <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-failover', candidate: m.name })}>
                  Fail over to {m.name}
                </Menu.Item>
              ))}
              <Menu.Item onClick={() => act({ kind: 'pg.patroni-pause', pause: !patroni.paused })} data-testid="patroni-pause">
                {patroni.paused ? 'Resume automatic failover' : 'Pause automatic failover (maintenance)'}
              </Menu.Item>
              <Menu.Label>Members</Menu.Label>
              {patroni.members.map((m) => (
                <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-restart', member: m.name, onlyIfPending: false })}>
                  Restart {m.name}
                  {m.pendingRestart ? ' (pending)' : ''}
                </Menu.Item>
              ))}
              {replicas.map((m) => (
                <Menu.Item key={m.name} color="red" onClick={() => act({ kind: 'pg.patroni-reinit', member: m.name })}>
                  Reinitialize {m.name} from the leader
                </Menu.Item>
              ))}
            </>
          ) : (
            <>
              <Menu.Label>Switchover (planned, zero loss)</Menu.Label>
              {standbys.map((s) => (
                <Menu.Item key={s.name} onClick={() => act({ kind: 'pg.switchover', newPrimary: s.name })} data-testid={`switchover-${s.name}`}>
                  Promote {s.name}, demote {topology?.primary}
                </Menu.Item>
              ))}
              <Menu.Label>Failover (primary down)</Menu.Label>
              <Menu.Item onClick={() => act({ kind: 'pg.failover' })}>Promote the most advanced standby</Menu.Item>
              <Menu.Label>Replicas</Menu.Label>
              {topology?.nodes
                .filter((n) => n.needsRewind || n.role === 'down')
                .map((n) => (
                  <Menu.Item key={n.name} onClick={() => act({ kind: 'pg.rejoin', node: n.name })}>
                    Rejoin {n.name} as a standby (pg_rewind)
                  </Menu.Item>
                ))}
              {standbys.map((s) => (
                <Menu.Item key={s.name} color="red" onClick={() => act({ kind: 'pg.remove-replica', node: s.name })}>
                  Remove replica {s.name} and drop its slot
                </Menu.Item>
              ))}
            </>
          )
        }
      />
      {empty && <Alert color="blue">No PostgreSQL endpoint in any environment. Add one under Environments.</Alert>}
      {error && <Alert color="red">{error}</Alert>}
      {topology && (
        <Tabs defaultValue="replication" onChange={(t) => t === 'health' && void loadHealth()}>
          <Tabs.List>
            <Tabs.Tab value="replication">Replication</Tabs.Tab>
            <Tabs.Tab value="health" data-testid="pg-health-tab">
              Health
            </Tabs.Tab>
            {!patroni && <Tabs.Tab value="add">Add a replica</Tabs.Tab>}
          </Tabs.List>
          <Tabs.Panel value="replication" pt="md">
            <Stack>
              <Text size="sm" c={topology.status === 'ok' ? 'dimmed' : undefined} data-testid="pg-reason">
                {topology.reason} · checked in {topology.durationMs} ms
              </Text>
              <FindingAlerts findings={topology.findings} prefix="pg" />
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
                <Table data-testid="lag-table">
                  <TableHead columns={['Standby', 'Upstream', 'State', 'Sync', 'Lag (bytes)', 'Lag (time)', 'Status']} />
                  <Table.Tbody>
                    {topology.standbys.map((s) => (
                      <Table.Tr key={s.standby} data-status={s.status}>
                        <Table.Td ff="monospace">{s.standby}</Table.Td>
                        <Table.Td>{s.upstream ?? '—'}</Table.Td>
                        <Table.Td>{s.state}</Table.Td>
                        <Table.Td>{s.syncState ?? '—'}</Table.Td>
                        <Table.Td>{bytes(s.bytes)}</Table.Td>
                        <Table.Td>{secs(s.seconds)}</Table.Td>
                        <Table.Td>
                          <Group gap={6}>
                            <StatusBadge status={s.status} size="xs" />
                            <Text size="xs">{s.label}</Text>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                <Group justify="flex-end" mt="xs">
                  {range.control}
                </Group>
                {samples.length > 1 && <LagChart samples={samples} thresholds={topology.thresholds} />}
                <HistorySourceNote source={polled.data?.source} />
              </Card>
              <SlotsCard topology={topology} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="health" pt="md">
            {health ? (
              <HealthView health={health} onRefresh={() => void loadHealth()} />
            ) : (
              <Text c="dimmed">Reading pg_stat_activity, locks, sizes and statements…</Text>
            )}
          </Tabs.Panel>
          <Tabs.Panel value="add" pt="md">
            <Card withBorder maw={720}>
              <Stack>
                <Text size="sm">
                  Clones the primary with <Code>pg_basebackup -R</Code> and a replication slot over SSH on the primary&apos;s host, starts it and verifies it
                  streams.
                </Text>
                <Group grow>
                  <TextInput label="Name" placeholder="pg4" value={replica.name} onChange={(e) => setReplica({ ...replica, name: e.currentTarget.value })} />
                  <NumberInput label="Port" value={replica.port} onChange={(v) => setReplica({ ...replica, port: Number(v) })} />
                </Group>
                <TextInput
                  label="Data directory"
                  placeholder="/var/lib/postgresql/16/pg4"
                  value={replica.dataDir}
                  onChange={(e) => setReplica({ ...replica, dataDir: e.currentTarget.value })}
                />
                <Group justify="flex-end">
                  <Button
                    disabled={!replica.name.trim() || !replica.dataDir.trim()}
                    onClick={() => {
                      const primary = topology.nodes.find((n) => n.name === topology.primary)
                      const sshHostId = endpoint?.kind === 'postgres' ? endpoint.nodes.find((n) => n.name === topology.primary)?.sshHostId : undefined
                      if (!primary || !sshHostId) {
                        setError('the primary has no SSH host configured: edit the environment to set "Servers run on SSH host"')
                        return
                      }
                      act({ kind: 'pg.add-replica', node: { name: replica.name, host: primary.host, port: replica.port, dataDir: replica.dataDir, sshHostId } })
                    }}
                  >
                    Plan
                  </Button>
                </Group>
              </Stack>
            </Card>
          </Tabs.Panel>
        </Tabs>
      )}
      {dialog}
    </Stack>
  )
}

function NodeCard({ node: n, topology }: { node: PgNodeSnapshot; topology: PgTopology }) {
  const lag = topology.standbys.find((s) => s.standby === n.name)
  return (
    <Card withBorder data-testid={`pg-node-${n.name}`} data-role={n.role}>
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
      <Table>
        <TableHead columns={['Slot', 'On', 'Active', 'WAL retained', 'WAL status']} />
        <Table.Tbody>
          {slots.map((s) => (
            <Table.Tr key={`${s.node}/${s.name}`}>
              <Table.Td ff="monospace">{s.name}</Table.Td>
              <Table.Td>{s.node}</Table.Td>
              <Table.Td>{s.active ? <Badge color="teal">active</Badge> : <Badge color="orange">inactive</Badge>}</Table.Td>
              <Table.Td c={!s.active && (s.retainedBytes ?? 0) > 0 ? 'orange' : undefined}>{bytes(s.retainedBytes)}</Table.Td>
              <Table.Td>{s.walStatus ?? '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  )
}

function HealthView({ health, onRefresh }: { health: PgHealth; onRefresh: () => void }) {
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
              <Metric label="longest query" value={n.longestQuery ? secs(n.longestQuery.seconds) : '—'} />
              <Metric label="longest transaction" value={n.longestTransaction ? secs(n.longestTransaction.seconds) : '—'} />
              <Metric label="checkpoints timed/req" value={n.checkpoints ? `${n.checkpoints.timed}/${n.checkpoints.requested}` : '—'} />
              <Metric label="databases" value={n.databases.map((d) => `${d.name} ${bytes(d.sizeBytes)}`).join(', ') || '—'} />
            </SimpleGrid>
          )}
          {n.topStatements && (
            <Stack gap={4} mt="sm">
              <Text size="sm" fw={600}>
                Top statements
              </Text>
              {!n.topStatements.available && <Alert color="blue">{n.topStatements.hint}</Alert>}
              {n.topStatements.rows.length > 0 && (
                <Table>
                  <TableHead columns={['Query', 'Calls', 'Total', 'Mean']} />
                  <Table.Tbody>
                    {n.topStatements.rows.slice(0, 10).map((s, i) => (
                      <Table.Tr key={i}>
                        <Table.Td maw={600}>
                          <Text size="xs" ff="monospace" lineClamp={2}>
                            {s.query}
                          </Text>
                        </Table.Td>
                        <Table.Td>{s.calls}</Table.Td>
                        <Table.Td>{s.totalMs.toFixed(1)} ms</Table.Td>
                        <Table.Td>{s.meanMs.toFixed(2)} ms</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
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

export default PostgresPage
