import { worstStatus } from '../../../shared/domain/health'
import type { HealthStatus } from '../../../shared/health'
import type { Environment, EndpointOf } from '../../../shared/inventory'
import type { Replica, ReplicaGroup } from '../../../shared/systems/docker'
import type { AppFinding, AppTier, UpstreamBackend, UpstreamLatency, UpstreamView } from '../../../shared/systems/nginx'
import type { Connections } from '../../core/connections'
import { toConnError } from '../../core/errors'
import type { ReplicaProvider } from '../../core/replicas'
import { parseErrorLog, type ErrorLogEvent } from './error-log'
import { readConfig, type NginxConfig, type Upstream } from './nginx-config'
import { NginxHost } from './nginx-host'
import { LATENCY_FORMAT, LatencyLog, MAX_READ_BYTES } from './latency-log'
import { httpRequest } from '../../core/http'
import { readStubStatus, type StubStatus } from './stub-status'
import { REPLICA_LOAD } from '../../../shared/domain/thresholds'

type NginxEndpoint = EndpointOf<'nginx'>

const CPU_HIGH_PCT = REPLICA_LOAD.cpuHighPct
const MEMORY_HIGH_PCT = REPLICA_LOAD.memHighPct
const PROBE_TIMEOUT_MS = 2000
const ERROR_LOG_LINES = 400
/** Upstream errors older than this do not count against a backend. */
const FAILURE_WINDOW_MS = 15 * 60_000

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

export async function probeBackend(endpoint: NginxEndpoint, connections: Connections, address: string): Promise<UpstreamBackend['probe']> {
  const i = address.lastIndexOf(':')
  const started = performance.now()
  try {
    const res = await httpRequest(
      endpoint,
      connections,
      { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) },
      endpoint.probePath ?? '/health',
      { timeoutMs: PROBE_TIMEOUT_MS },
    )
    return { status: res.status, latencyMs: Math.round(performance.now() - started), error: null }
  } catch (err) {
    return { status: null, latencyMs: null, error: toConnError(err).message }
  }
}

/** The hosts a Docker endpoint's containers are reached on: loopback for a local socket, else its host. */
function dockerHosts(environment: Environment, endpointId: string): Set<string> {
  const e = environment.endpoints.find((x) => x.id === endpointId)
  const hosts = new Set(LOOPBACK)
  if (e?.kind === 'docker') {
    if (e.connection.type === 'tcp') hosts.add(e.connection.host)
    if (e.connection.type === 'ssh') {
      const sshId = e.connection.sshHostId
      const ssh = environment.endpoints.find((x) => x.id === sshId)
      if (ssh?.kind === 'ssh') hosts.add(ssh.host)
    }
  }
  return hosts
}

function matchReplica(environment: Environment, containers: Replica[], address: string): Replica | null {
  const i = address.lastIndexOf(':')
  const host = address.slice(0, i)
  const port = Number(address.slice(i + 1))
  return containers.find((c) => c.running && c.port === port && dockerHosts(environment, c.endpointId).has(host)) ?? null
}

function backendHealth(probe: UpstreamBackend['probe']): HealthStatus {
  if (probe.error !== null || probe.status === null) return 'critical'
  return probe.status >= 500 ? 'critical' : 'ok'
}

/** The listen addresses of server blocks whose proxy_pass names this upstream. */
function frontOf(config: NginxConfig, name: string): string[] {
  const re = new RegExp(`^https?://${name.replace(/[.]/g, '\\.')}(/|$)`)
  return config.servers
    .filter((s) => s.locations.some((l) => l.proxyPass !== null && re.test(l.proxyPass)))
    .flatMap((s) => s.listen.map((l) => l.split(/\s+/)[0]!))
}

function groupOf(backends: UpstreamBackend[]): string | null {
  const counts = new Map<string, number>()
  for (const b of backends) if (b.replica?.group) counts.set(b.replica.group, (counts.get(b.replica.group) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
}

export function findingsFor(upstreams: UpstreamView[], groups: ReplicaGroup[], containers: Replica[]): AppFinding[] {
  const out: AppFinding[] = []
  for (const u of upstreams) {
    const serving = u.backends.filter((b) => !b.down && !b.backup)
    if (serving.length > 0 && serving.every((b) => b.health === 'critical'))
      out.push({ status: 'critical', code: 'no-live-backend', reason: `upstream ${u.name}: none of its ${serving.length} backends answers` })
    for (const b of u.backends) {
      if (b.down)
        out.push({
          status: 'warn',
          code: 'backend-drained',
          reason: `${b.address} in upstream ${u.name} is marked down (out of rotation)`,
          fix: { label: 'Return to rotation', request: { kind: 'app.drain', upstream: u.name, server: b.address, down: false } },
        })
      else if (b.health === 'critical')
        out.push({
          status: 'warn',
          code: 'backend-down',
          reason: `${b.address} in upstream ${u.name} fails its probe: ${b.probe.error ?? `HTTP ${b.probe.status}`}`,
          fix: { label: 'Take out of rotation', request: { kind: 'app.drain', upstream: u.name, server: b.address, down: true } },
        })
    }
    const group = groups.find((g) => g.key === u.group)
    if (!group) continue
    const running = group.replicas.filter((r) => r.running)
    const cpu = running.map((r) => r.cpuPct).filter((x) => x !== null)
    const mem = running.map((r) => r.memPct).filter((x) => x !== null)
    const avgCpu = cpu.length ? cpu.reduce((a, x) => a + x, 0) / cpu.length : null
    const scaleOut =
      group.notScalable === null
        ? { label: `Scale out to ${running.length + 2}`, request: { kind: 'app.scale', upstream: u.name, replicas: running.length + 2 } }
        : undefined
    if (avgCpu !== null && avgCpu > CPU_HIGH_PCT)
      out.push({
        status: 'warn',
        code: 'cpu-high',
        reason: `${group.name} replicas average ${avgCpu.toFixed(0)} % CPU (above ${CPU_HIGH_PCT} %)`,
        ...(scaleOut ? { fix: scaleOut } : {}),
      })
    const maxMem = mem.length ? Math.max(...mem) : null
    if (maxMem !== null && maxMem > MEMORY_HIGH_PCT)
      out.push({
        status: 'warn',
        code: 'memory-high',
        reason: `a ${group.name} replica uses ${maxMem.toFixed(0)} % of its memory limit (above ${MEMORY_HIGH_PCT} %)`,
        ...(scaleOut ? { fix: scaleOut } : {}),
      })
  }
  for (const g of groups)
    if (g.running < g.desired)
      out.push({
        status: 'warn',
        code: 'replicas-missing',
        reason: `${g.name}: ${g.running} of ${g.desired} replicas running${g.update ? ` (update ${g.update})` : ''}`,
      })
  for (const c of containers)
    if (c.group?.startsWith('compose:') && !c.running) out.push({ status: 'warn', code: 'not-running', reason: `${c.name} is ${c.state}` })
  return out
}

export interface TierRead {
  tier: AppTier
  stub: StubStatus | null
  config: NginxConfig | null
}

function upstreamView(
  environment: Environment,
  u: Upstream,
  config: NginxConfig,
  containers: Replica[],
  probes: Map<string, UpstreamBackend['probe']>,
  events: ErrorLogEvent[],
  now: number,
): UpstreamView {
  const backends: UpstreamBackend[] = u.servers.map((s) => {
    const probe = probes.get(s.address) ?? { status: null, latencyMs: null, error: 'not probed' }
    const failures = events.filter((e) => e.kind === 'upstream' && e.upstream === s.address && now - e.at < FAILURE_WINDOW_MS)
    const last = failures.at(-1)
    return {
      address: s.address,
      weight: s.weight,
      maxFails: s.maxFails,
      failTimeout: s.failTimeout,
      maxConns: s.maxConns,
      backup: s.backup,
      down: s.down,
      line: s.line,
      probe,
      failures: failures.length,
      lastFailure: last ? { at: last.at, message: last.message } : null,
      replica: matchReplica(environment, containers, s.address),
      health: backendHealth(probe),
    }
  })
  return {
    name: u.name,
    file: u.file,
    line: u.line,
    method: u.method,
    keepalive: u.keepalive,
    backends,
    front: frontOf(config, u.name),
    group: groupOf(backends),
  }
}

/** Response times per upstream from the access log in the switchyard format: what was appended since the last read. */
async function readLatency(
  host: NginxHost,
  path: string | null,
  logOf: (path: string) => LatencyLog,
): Promise<{ latency: UpstreamLatency[]; log: AppTier['latencyLog'] }> {
  if (!path)
    return {
      latency: [],
      log: { path: null, note: `nginx writes no access log in the switchyard format ("${LATENCY_FORMAT}"): add one to read response times` },
    }
  const log = logOf(path)
  const { from, text } = await host.readFrom(path, (size) => log.from(size), MAX_READ_BYTES)
  const now = Date.now()
  log.take(from, text, now)
  return { latency: log.latency(now), log: { path, note: null } }
}

/** Read nginx (config, stub_status, error and access logs), the replicas behind it, probe every backend, and join them. */
export async function readAppTier(
  environment: Environment,
  endpoint: NginxEndpoint,
  connections: Connections,
  replicas: ReplicaProvider,
  latencyLogOf: (path: string) => LatencyLog = () => new LatencyLog(),
): Promise<TierRead> {
  const started = Date.now()
  const secrets = connections.secretValues()
  const fail = (err: unknown) => toConnError(err, secrets).message
  const configRead = (async () => {
    const host = await NginxHost.open(endpoint, connections)
    const [files, version] = await Promise.all([host.dump(), host.version()])
    const config = readConfig(files)
    const [logs, latency] = await Promise.all([
      Promise.all(config.errorLogs.map((p) => host.tail(p, ERROR_LOG_LINES).catch(() => ''))),
      readLatency(host, config.latencyLogs[0] ?? null, latencyLogOf).catch((err: unknown) => ({
        latency: [],
        log: { path: config.latencyLogs[0] ?? null, note: fail(err) },
      })),
    ])
    return { files: files.map((f) => f.path), version, config, events: parseErrorLog(logs.join('\n')).sort((a, b) => a.at - b.at), ...latency }
  })()
  const [configResult, stubResult, docker] = await Promise.all([
    configRead.then(
      (v) => ({ ok: v }),
      (err: unknown) => ({ error: fail(err) }),
    ),
    readStubStatus(endpoint, connections).then(
      (v) => ({ ok: v }),
      (err: unknown) => ({ error: fail(err) }),
    ),
    replicas.read(environment, connections),
  ])
  const cfg = 'ok' in configResult ? configResult.ok : null
  const addresses = [...new Set(cfg?.config.upstreams.flatMap((u) => u.servers.map((s) => s.address)) ?? [])]
  const probes = new Map(await Promise.all(addresses.map(async (a) => [a, await probeBackend(endpoint, connections, a)] as const)))
  const now = Date.now()
  const upstreams = cfg ? cfg.config.upstreams.map((u) => upstreamView(environment, u, cfg.config, docker.containers, probes, cfg.events, now)) : []
  const findings = findingsFor(upstreams, docker.groups, docker.containers)
  if ('error' in configResult) findings.unshift({ status: 'warn', code: 'config-unreadable', reason: `nginx configuration not read: ${configResult.error}` })
  for (const e of docker.errors) findings.push({ status: 'warn', code: 'docker-unreachable', reason: `Docker endpoint ${e.endpointId}: ${e.message}` })
  const stubError = 'error' in stubResult ? stubResult.error : null
  const status = stubError ? 'critical' : worstStatus(['ok', ...findings.map((f) => f.status)])
  const reason = stubError
    ? `nginx status page: ${stubError}`
    : (findings.find((f) => f.status === status)?.reason ??
      `${upstreams.length} upstreams, ${upstreams.reduce((a, u) => a + u.backends.length, 0)} backends answering`)
  const tier: AppTier = {
    environment: environment.name,
    endpointId: endpoint.id,
    checkedAt: started,
    durationMs: Date.now() - started,
    nginxVersion: cfg?.version ?? null,
    configError: 'error' in configResult ? configResult.error : null,
    configFiles: cfg?.files ?? [],
    upstreams,
    servers: cfg?.config.servers ?? [],
    stub: null,
    stubError,
    reloads: (cfg?.events ?? [])
      .filter((e) => e.kind === 'reload')
      .slice(-20)
      .map((e) => ({ at: e.at, message: e.message })),
    failures: (cfg?.events ?? [])
      .filter((e) => e.kind === 'upstream')
      .slice(-50)
      .map((e) => ({ at: e.at, level: e.level, upstream: e.upstream, message: e.message })),
    groups: docker.groups,
    containers: docker.containers,
    dockerErrors: docker.errors,
    findings,
    status,
    reason,
    latency: cfg?.latency ?? [],
    latencyLog: cfg?.log ?? { path: null, note: null },
  }
  return { tier, stub: 'ok' in stubResult ? stubResult.ok : null, config: cfg?.config ?? null }
}
