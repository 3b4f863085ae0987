import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  ColorSwatch,
  Drawer,
  Group,
  Menu,
  NumberInput,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Title,
  Tooltip,
} from '@mantine/core'
import { useMemo, useRef, useState } from 'react'
import { formatBytes, formatSeconds } from '../../../../shared/domain/units'
import type { DockerLogLine, Replica, ReplicaGroup } from '../../../../shared/systems/docker'
import type { AppTier, UpstreamBackend, UpstreamView } from '../../../../shared/systems/nginx'
import { api } from '../../api'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { FindingAlerts, type PageFinding } from '../../components/FindingAlerts'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { RowActions } from '../../components/RowActions'
import { STATUS_COLOR } from '../../components/StatusBadge'
import { SystemPageHeader } from '../../components/SystemPageHeader'
import { usePolling } from '../../hooks/usePolling'
import { usePaletteActions } from '../../palette/palette-actions'
import { ConnectionsChart, RequestRateChart } from './AppTierCharts'

const POLL_MS = 3000
const LOG_POLL_MS = 2000
/** The seeds' thresholds, shown in colour next to each replica. */
const CPU_HIGH = 70
const MEM_HIGH = 80

const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(1)} %`)
const ago = (at: number, now: number) => `${formatSeconds(Math.max(0, (now - at) / 1000))} ago`

function groupOf(tier: AppTier, u: UpstreamView): ReplicaGroup | undefined {
  return tier.groups.find((g) => g.key === u.group)
}

/** nginx's upstreams with the containers or Swarm tasks behind each backend, the load on them, and the actions that scale and drain them. */
export function AppTierPage() {
  const { choice, picker, readOnly, empty } = useEndpointPicker('nginx')
  const range = useHistoryRange('app-history-range')
  const polled = usePolling(
    choice && `${choice.environment}/${choice.endpointId}`,
    async () => {
      const target = { name: choice!.environment, endpointId: choice!.endpointId }
      const tier = await api.request('app:tier', target)
      return { tier, ...(await api.request('app:stub-history', { ...target, sinceMs: range.since() })) }
    },
    POLL_MS,
  )
  const tier = polled.data?.tier
  const { act, dialog } = useActionLauncher(choice)
  const [logsOf, setLogsOf] = useState<Replica>()
  const fix = (f: PageFinding) => f.fix && act(f.fix.request as ActionDraft)

  const paletteActions = useMemo(
    () =>
      tier
        ? tier.upstreams.flatMap((u) => {
            const g = groupOf(tier, u)
            if (!g) return []
            const n = g.replicas.filter((r) => r.running).length
            return [
              {
                id: `app-scale-out-${u.name}`,
                label: `Scale ${g.name} out to ${n + 1} (upstream ${u.name})`,
                run: () => act({ kind: 'app.scale', upstream: u.name, replicas: n + 1 }),
              },
              {
                id: `app-restart-${u.name}`,
                label: `Rolling restart of ${g.name} (upstream ${u.name})`,
                run: () => act({ kind: 'app.restart', upstream: u.name }),
              },
            ]
          })
        : [],
    [tier, act],
  )
  usePaletteActions(paletteActions)

  return (
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title="App tier"
        status={tier?.status}
        picker={picker}
        target={choice}
        actionsTestId="app-actions"
        actions={tier?.upstreams.map((u) => (
          <div key={u.name}>
            <Menu.Label>upstream {u.name}</Menu.Label>
            <Menu.Item disabled={!groupOf(tier, u)} onClick={() => act({ kind: 'app.restart', upstream: u.name })}>
              Rolling restart
            </Menu.Item>
          </div>
        ))}
      />
      {empty && <Alert color="blue">No nginx endpoint in any environment. Add one under Environments.</Alert>}
      {polled.error && <Alert color="red">{polled.error}</Alert>}
      {tier && (
        <>
          <Text size="sm" c="dimmed" data-testid="app-reason">
            {tier.reason} · nginx {tier.nginxVersion ?? '?'} · read in {tier.durationMs} ms
          </Text>
          {tier.configError && (
            <Alert color="yellow" title="nginx configuration not read">
              {tier.configError}
            </Alert>
          )}
          <FindingAlerts findings={tier.findings} prefix="app" onFix={readOnly ? undefined : fix} />
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Group justify="space-between">
                <Title order={5}>Requests</Title>
                <Group gap="xs">
                  {tier.stub && (
                    <Text size="sm" c="dimmed">
                      {tier.stub.requestsPerSec === null ? '—' : `${tier.stub.requestsPerSec.toFixed(1)}/s`} now
                    </Text>
                  )}
                  {range.control}
                </Group>
              </Group>
              {tier.stubError ? <Alert color="red">{tier.stubError}</Alert> : <RequestRateChart samples={polled.data?.samples ?? []} />}
              <HistorySourceNote source={polled.data?.source} />
            </Card>
            <Card withBorder>
              <Group justify="space-between">
                <Title order={5}>Client connections</Title>
                {tier.stub && (
                  <Text size="sm" c="dimmed">
                    {tier.stub.active} active
                  </Text>
                )}
              </Group>
              <ConnectionsChart samples={polled.data?.samples ?? []} />
            </Card>
          </SimpleGrid>
          <Tabs defaultValue="upstreams">
            <Tabs.List>
              <Tabs.Tab value="upstreams">Upstreams</Tabs.Tab>
              <Tabs.Tab value="containers" data-testid="containers-tab">
                Containers ({tier.containers.length})
              </Tabs.Tab>
              <Tabs.Tab value="nginx" data-testid="nginx-tab">
                nginx
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="upstreams" pt="md">
              <Stack>
                {tier.upstreams.map((u) => (
                  <UpstreamCard key={u.name} tier={tier} upstream={u} act={act} readOnly={readOnly} onLogs={setLogsOf} />
                ))}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="containers" pt="md">
              <ContainersTab tier={tier} onLogs={setLogsOf} />
            </Tabs.Panel>
            <Tabs.Panel value="nginx" pt="md">
              <NginxTab tier={tier} />
            </Tabs.Panel>
          </Tabs>
        </>
      )}
      {choice && <LogsDrawer key={logsOf?.id ?? 'closed'} environment={choice.environment} replica={logsOf} onClose={() => setLogsOf(undefined)} />}
      {dialog}
    </Stack>
  )
}

function LoadCell({ value, high }: { value: number | null; high: number }) {
  return <Text c={value !== null && value > high ? 'red' : undefined}>{pct(value)}</Text>
}

function ProbeCell({ b }: { b: UpstreamBackend }) {
  if (b.probe.error) return <Text c="red">{b.probe.error}</Text>
  return (
    <Text c={b.health === 'ok' ? undefined : 'red'}>
      HTTP {b.probe.status} · {b.probe.latencyMs} ms
    </Text>
  )
}

function UpstreamCard({
  tier,
  upstream: u,
  act,
  readOnly,
  onLogs,
}: {
  tier: AppTier
  upstream: UpstreamView
  act: (d: ActionDraft) => void
  readOnly: boolean
  onLogs: (r: Replica) => void
}) {
  const group = groupOf(tier, u)
  const running = group?.replicas.filter((r) => r.running).length ?? 0
  // What was typed, for the replica count it was typed against: a new count starts the input over.
  const [draft, setDraft] = useState<{ from: number; value: number | string }>()
  const replicas = draft?.from === running ? draft.value : running
  const setReplicas = (value: number | string) => setDraft({ from: running, value })
  const target = typeof replicas === 'number' ? replicas : Number(replicas)
  return (
    <Card withBorder data-testid={`upstream-${u.name}`}>
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={5}>upstream {u.name}</Title>
          <Badge variant="light">{u.method}</Badge>
          {u.keepalive !== null && <Badge variant="outline">keepalive {u.keepalive}</Badge>}
          <Text size="xs" c="dimmed">
            {u.file}:{u.line}
            {u.front.length > 0 && ` · front ${u.front.join(', ')}`}
          </Text>
        </Group>
        {group ? (
          <Group gap="xs">
            <Badge color={group.running < group.desired ? 'yellow' : 'teal'} variant="light" data-testid={`group-${u.name}`}>
              {group.kind} {group.name} · {group.running}/{group.desired}
              {group.update ? ` · ${group.update}` : ''}
            </Badge>
            {!readOnly && (
              <>
                <Tooltip label={group.notScalable ?? `new replicas listen on ${group.portRule ?? '?'}`}>
                  <NumberInput
                    size="xs"
                    w={80}
                    min={1}
                    max={50}
                    value={replicas}
                    onChange={setReplicas}
                    disabled={!!group.notScalable}
                    data-testid={`scale-input-${u.name}`}
                  />
                </Tooltip>
                <Button
                  size="xs"
                  disabled={!!group.notScalable || !Number.isInteger(target) || target < 1 || target === running}
                  onClick={() => act({ kind: 'app.scale', upstream: u.name, replicas: target })}
                  data-testid={`scale-${u.name}`}
                >
                  Scale
                </Button>
                <Button size="xs" variant="default" disabled={!!group.notRestartable} onClick={() => act({ kind: 'app.restart', upstream: u.name })}>
                  Rolling restart
                </Button>
              </>
            )}
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            no Docker service matched to its backends
          </Text>
        )}
      </Group>
      <Table.ScrollContainer minWidth={760}>
        <Table striped style={{ whiteSpace: 'nowrap' }} data-testid={`backends-${u.name}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>backend</Table.Th>
              <Table.Th>in nginx</Table.Th>
              <Table.Th>probe</Table.Th>
              <Table.Th>errors, 15 min</Table.Th>
              <Table.Th>served by</Table.Th>
              <Table.Th>CPU</Table.Th>
              <Table.Th>memory</Table.Th>
              <Table.Th>
                <Tooltip label="weight / max_fails / fail_timeout in the upstream block">
                  <span>weight · fails · timeout</span>
                </Tooltip>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {u.backends.map((b) => (
              <Table.Tr key={b.address} data-testid={`backend-${b.address}`}>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    {/* the row's actions first: they are never the part of a wide table that gets cut */}
                    {!readOnly && (
                      <RowActions
                        subject={b.address}
                        testId={`actions-${b.address}`}
                        actions={[
                          {
                            label: b.down ? `Return ${b.address} to service` : `Drain ${b.address} (mark it down)`,
                            color: b.down ? 'teal' : 'yellow',
                            onClick: () => act({ kind: 'app.drain', upstream: u.name, server: b.address, down: !b.down }),
                            testId: `drain-${b.address}`,
                          },
                        ]}
                      />
                    )}
                    <ColorSwatch color={`var(--mantine-color-${STATUS_COLOR[b.health]}-6)`} size={10} withShadow={false} data-status={b.health} />
                    <Code>{b.address}</Code>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text c={b.down ? 'yellow' : b.backup ? 'dimmed' : 'teal'} fw={500}>
                    {b.down ? 'down' : b.backup ? 'backup' : 'serving'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ProbeCell b={b} />
                </Table.Td>
                <Table.Td>
                  {b.failures === 0 ? (
                    '0'
                  ) : (
                    <Tooltip label={b.lastFailure?.message ?? ''} multiline w={420}>
                      <Text c="red">
                        {b.failures} (last {b.lastFailure ? ago(b.lastFailure.at, tier.checkedAt) : '?'})
                      </Text>
                    </Tooltip>
                  )}
                </Table.Td>
                <Table.Td>
                  {b.replica ? (
                    <Button variant="subtle" size="compact-xs" onClick={() => onLogs(b.replica!)}>
                      {b.replica.name}
                      {b.replica.health !== 'none' ? ` (${b.replica.health})` : ''}
                    </Button>
                  ) : (
                    <Text c="dimmed">—</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <LoadCell value={b.replica?.cpuPct ?? null} high={CPU_HIGH} />
                </Table.Td>
                <Table.Td>
                  <LoadCell value={b.replica?.memPct ?? null} high={MEM_HIGH} />
                </Table.Td>
                <Table.Td>
                  <Text size="xs">
                    {b.weight} · {b.maxFails} · {b.failTimeout}
                    {b.maxConns !== null ? ` · max_conns ${b.maxConns}` : ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Card>
  )
}

function ContainersTab({ tier, onLogs }: { tier: AppTier; onLogs: (r: Replica) => void }) {
  return (
    <Stack>
      {tier.dockerErrors.map((e) => (
        <Alert key={e.endpointId} color="red">
          {e.endpointId}: {e.message}
        </Alert>
      ))}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        {tier.groups.map((g) => (
          <Card withBorder key={g.key} data-testid={`service-${g.key}`}>
            <Group justify="space-between">
              <Text fw={600}>{g.name}</Text>
              <Badge variant="light">{g.kind}</Badge>
            </Group>
            <Text size="sm">
              {g.running}/{g.desired} running{g.update ? ` · update ${g.update}` : ''}
            </Text>
            <Text size="xs" c="dimmed">
              {g.notScalable ?? `ports: ${g.portRule ?? '?'}`}
            </Text>
          </Card>
        ))}
      </SimpleGrid>
      <Table.ScrollContainer minWidth={1000}>
        <Table striped style={{ whiteSpace: 'nowrap' }} data-testid="containers-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>container</Table.Th>
              <Table.Th>service</Table.Th>
              <Table.Th>state</Table.Th>
              <Table.Th>health</Table.Th>
              <Table.Th>restarts</Table.Th>
              <Table.Th>port</Table.Th>
              <Table.Th>CPU</Table.Th>
              <Table.Th>memory</Table.Th>
              <Table.Th>network</Table.Th>
              <Table.Th>image</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tier.containers.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Tooltip
                    multiline
                    w={480}
                    label={
                      Object.entries(c.labels)
                        .map(([k, v]) => `${k}=${v}`)
                        .join('\n') || 'no labels'
                    }
                    style={{ whiteSpace: 'pre-wrap' }}
                  >
                    <Code>{c.name}</Code>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  {c.group ?? '—'}
                  {c.slot !== null ? ` #${c.slot}` : ''}
                </Table.Td>
                <Table.Td>
                  <Badge color={c.running ? 'teal' : 'red'} variant="light">
                    {c.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{c.health === 'none' ? '—' : c.health}</Table.Td>
                <Table.Td>{c.restarts}</Table.Td>
                <Table.Td>{c.port ?? '—'}</Table.Td>
                <Table.Td>
                  <LoadCell value={c.cpuPct} high={CPU_HIGH} />
                </Table.Td>
                <Table.Td>
                  <LoadCell value={c.memPct} high={MEM_HIGH} />
                  {c.memBytes !== null && (
                    <Text size="xs" c="dimmed">
                      {formatBytes(c.memBytes)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {c.netRxBps === null ? (
                    <Text c="dimmed" size="xs">
                      {c.running ? 'host network' : '—'}
                    </Text>
                  ) : (
                    <Text size="xs">
                      ↓ {formatBytes(c.netRxBps)}/s ↑ {formatBytes(c.netTxBps ?? 0)}/s
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="xs">{c.image}</Text>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" onClick={() => onLogs(c)} data-testid={`logs-${c.name}`}>
                    Logs
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  )
}

function NginxTab({ tier }: { tier: AppTier }) {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Card withBorder>
        <Title order={5} mb="xs">
          Server blocks
        </Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>listen</Table.Th>
              <Table.Th>names</Table.Th>
              <Table.Th>locations</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {tier.servers.map((s) => (
              <Table.Tr key={`${s.file}:${s.line}`}>
                <Table.Td>{s.listen.join(', ')}</Table.Td>
                <Table.Td>{s.serverNames.join(' ') || '—'}</Table.Td>
                <Table.Td>
                  {s.locations.map((l) => (
                    <Text size="xs" key={l.path}>
                      {l.path}
                      {l.proxyPass ? ` → ${l.proxyPass}` : ''}
                    </Text>
                  ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Text size="xs" c="dimmed" mt="xs">
          files: {tier.configFiles.join(', ') || '—'}
        </Text>
      </Card>
      <Stack>
        <Card withBorder data-testid="reloads">
          <Title order={5} mb="xs">
            Reloads
          </Title>
          {tier.reloads.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.reloads].reverse().map((r, i) => (
            <Text size="sm" key={i}>
              {new Date(r.at).toLocaleString()} · {ago(r.at, tier.checkedAt)}
            </Text>
          ))}
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            Upstream errors
          </Title>
          {tier.failures.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.failures]
            .reverse()
            .slice(0, 20)
            .map((f, i) => (
              <Text size="xs" key={i}>
                {new Date(f.at).toLocaleTimeString()} [{f.level}] {f.upstream ?? ''} {f.message}
              </Text>
            ))}
        </Card>
      </Stack>
    </SimpleGrid>
  )
}

/** A container's log that follows: the last 200 lines, then what came since every two seconds (keyed by container, so each starts empty). */
function LogsDrawer({ environment, replica, onClose }: { environment: string; replica?: Replica; onClose: () => void }) {
  const seen = useRef<{ lines: DockerLogLine[]; since?: string }>({ lines: [] })
  const { data: lines = [], error } = usePolling(
    replica && `${replica.endpointId}/${replica.id}`,
    async () => {
      const r = await api.request('docker:logs', {
        name: environment,
        endpointId: replica!.endpointId,
        container: replica!.id.slice(0, 12),
        since: seen.current.since,
        tail: 200,
      })
      if (r.lines.length) seen.current = { lines: [...seen.current.lines, ...r.lines].slice(-2000), since: r.lines.at(-1)!.at }
      return seen.current.lines
    },
    LOG_POLL_MS,
  )
  return (
    <Drawer opened={!!replica} onClose={onClose} position="right" size="xl" title={replica ? `Logs of ${replica.name} (following)` : ''}>
      {error && <Alert color="red">{error}</Alert>}
      <ScrollArea h="85vh" data-testid="logs-view">
        <Code block>
          {lines.length === 0 ? 'no log lines yet' : lines.map((l) => `${l.at.slice(11, 23)} ${l.stream === 'stderr' ? 'ERR ' : ''}${l.text}`).join('\n')}
        </Code>
      </ScrollArea>
    </Drawer>
  )
}

export default AppTierPage
