import type { AppTier, LatencySeries, RightSizing, StubSample } from '../../../shared/systems/nginx'
import { rightSize } from '../../../shared/domain/rightsizing'
import { replicaLoad } from '../../../shared/domain/autoscale-metrics'

const RIGHT_SIZE_WINDOW_MS = 7 * 86_400_000
import type { Environment } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { pickEndpoint } from '../../core/endpoint-choice'
import { SwitchyardError } from '../../core/errors'
import type { ReplicaProvider } from '../../core/replicas'
import { CHART_POINTS, sinceOf } from '../../core/history/entities'
import type { ServiceHub } from '../../core/service-hub'
import { readAppTier, type TierRead } from './tier-reader'
import type { StubStatus } from './stub-status'
import { LatencyLog } from './latency-log'
import type { HistorySource } from '../../../shared/history'
import { endpointSelector, readHistory, type PromField } from '../../core/history/prometheus-history'

export function resolveNginx(environment: Environment, connections: Connections, endpointId?: string) {
  const endpoint = connections.endpoint(pickEndpoint(environment.endpoints, 'nginx', 'nginx', endpointId))
  if (endpoint.kind !== 'nginx') throw new SwitchyardError('config', `"${endpoint.id}" is not an nginx endpoint`)
  return endpoint
}

/** The app-tier view: every call reads nginx and Docker afresh; stub_status rates go to the hub's history. */
export class NginxService {
  private readonly last = new Map<string, { at: number; stub: StubStatus }>()
  /** One follower per access log: each read takes only what nginx appended since the last. */
  private readonly latencyLogs = new Map<string, LatencyLog>()

  constructor(
    private readonly hub: Pick<ServiceHub, 'connect' | 'history'>,
    private readonly replicas: ReplicaProvider,
  ) {}

  async read(envName: string, endpointId?: string): Promise<TierRead> {
    const { environment, connections } = await this.hub.connect(envName)
    const endpoint = resolveNginx(environment, connections, endpointId)
    const key = `${envName}/${endpoint.id}`
    const logOf = (path: string) => {
      if (!this.latencyLogs.has(`${key}:${path}`)) this.latencyLogs.set(`${key}:${path}`, new LatencyLog())
      return this.latencyLogs.get(`${key}:${path}`)!
    }
    const read = await readAppTier(environment, endpoint, connections, this.replicas, logOf)
    read.tier.stub = this.record(key, read.tier, read.stub)
    this.recordLatency(read.tier)
    this.recordServices(read.tier)
    return read
  }

  async tier(envName: string, endpointId?: string): Promise<AppTier> {
    return (await this.read(envName, endpointId)).tier
  }

  /** An endpoint's stub_status history, from the environment's Prometheus first when it names one. */
  async stubPoints(envName: string, endpointId: string, from: number, to: number, maxPoints: number) {
    const { environment } = await this.hub.connect(envName)
    const at = endpointSelector(environment, endpointId)
    const fields: PromField[] = [
      ...(['active', 'reading', 'writing', 'waiting'] as const).map((f) => ({ query: `nginx_connections_${f}{${at}}`, field: () => f })),
      { query: `switchyard_nginx_requests_per_second{${at}}`, field: () => 'requestsPerSec' },
    ]
    return readHistory(this.hub.history, environment, stubScope(envName, endpointId), fields, from, to, maxPoints)
  }

  async stubHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ samples: StubSample[]; source: HistorySource }> {
    const { environment } = await this.hub.connect(envName)
    const { points, source } = await this.stubPoints(
      envName,
      pickEndpoint(environment.endpoints, 'nginx', 'nginx', endpointId),
      sinceOf(sinceMs),
      Date.now(),
      CHART_POINTS,
    )
    const n = (v: number | null | undefined) => v ?? 0
    return {
      source,
      samples: points.map(({ at, values: v }) => ({
        at,
        active: n(v.active),
        reading: n(v.reading),
        writing: n(v.writing),
        waiting: n(v.waiting),
        requestsPerSec: v.requestsPerSec ?? null,
        acceptsPerSec: v.acceptsPerSec ?? null,
      })),
    }
  }

  /** Each service's mean CPU and memory per running replica and its replica count: what right-sizing reads back. */
  private recordServices(tier: AppTier): void {
    const values: Record<string, number | null> = {}
    for (const g of tier.groups) {
      const load = replicaLoad(g)
      values[`cpu:${g.key}`] = load.cpu
      values[`mem:${g.key}`] = load.memory
      values[`replicas:${g.key}`] = load.replicas
    }
    if (Object.keys(values).length) this.hub.history.record(servicesScope(tier.environment, tier.endpointId), tier.checkedAt, values)
  }

  /** Every service seen behind the endpoint, right-sized from its last 7 days. */
  async rightSize(envName: string, endpointId?: string): Promise<RightSizing[]> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, 'nginx', 'nginx', endpointId)
    const now = Date.now()
    const points = this.hub.history.read(servicesScope(envName, id), now - RIGHT_SIZE_WINDOW_MS, now, 2000)
    const services = [
      ...new Set(
        points.flatMap((p) =>
          Object.keys(p.values)
            .filter((k) => k.startsWith('replicas:'))
            .map((k) => k.slice(9)),
        ),
      ),
    ].sort()
    return services.map((svc) =>
      rightSize(
        svc,
        points
          .filter((p) => p.values[`replicas:${svc}`] !== undefined)
          .map((p) => ({
            at: p.at,
            cpu: p.values[`cpu:${svc}`] ?? null,
            memory: p.values[`mem:${svc}`] ?? null,
            replicas: p.values[`replicas:${svc}`] ?? null,
          })),
        now,
      ),
    )
  }

  /** p50 and p95 per upstream, for the response-time chart. */
  private recordLatency(tier: AppTier): void {
    if (!tier.latency.length) return
    const values: Record<string, number> = {}
    for (const l of tier.latency) {
      values[`p50:${l.upstream}`] = l.p50Ms
      values[`p95:${l.upstream}`] = l.p95Ms
    }
    this.hub.history.record(latencyScope(tier.environment, tier.endpointId), tier.checkedAt, values)
  }

  /** Response times per upstream over time, from the environment's Prometheus first when it names one. */
  async latencyHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ series: LatencySeries[]; source: HistorySource }> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, 'nginx', 'nginx', endpointId)
    const at = endpointSelector(environment, id)
    const fields: PromField[] = [
      { query: `switchyard_nginx_upstream_response_ms{${at},quantile="0.5"}`, field: (l) => `p50:${l.upstream ?? ''}` },
      { query: `switchyard_nginx_upstream_response_ms{${at},quantile="0.95"}`, field: (l) => `p95:${l.upstream ?? ''}` },
    ]
    const { points, source } = await readHistory(this.hub.history, environment, latencyScope(envName, id), fields, sinceOf(sinceMs), Date.now(), CHART_POINTS)
    const upstreams = [...new Set(points.flatMap((p) => Object.keys(p.values).map((k) => k.slice(4))))].sort()
    return {
      source,
      series: upstreams.map((upstream) => ({
        upstream,
        points: points.map((p) => ({ at: p.at, p50Ms: p.values[`p50:${upstream}`] ?? null, p95Ms: p.values[`p95:${upstream}`] ?? null })),
      })),
    }
  }

  private record(key: string, tier: AppTier, stub: StubStatus | null): StubSample | null {
    if (!stub) return null
    const prev = this.last.get(key)
    this.last.set(key, { at: tier.checkedAt, stub })
    const seconds = prev ? (tier.checkedAt - prev.at) / 1000 : 0
    const rate = (k: 'requests' | 'accepts') => (prev && seconds > 0 && stub[k] >= prev.stub[k] ? (stub[k] - prev.stub[k]) / seconds : null)
    const sample: StubSample = {
      at: tier.checkedAt,
      active: stub.active,
      reading: stub.reading,
      writing: stub.writing,
      waiting: stub.waiting,
      requestsPerSec: rate('requests'),
      acceptsPerSec: rate('accepts'),
    }
    const { at, ...values } = sample
    this.hub.history.record(stubScope(tier.environment, tier.endpointId), at, values)
    return sample
  }
}

/** The hub's one NginxService, shared by the views, the CLI and findings. */
export function nginxService(hub: ServiceHub, replicas: ReplicaProvider): NginxService {
  return hub.service('nginx', (h) => new NginxService(h, replicas))
}

export const stubScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/nginx-stub`
export const servicesScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/services`
export const latencyScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/nginx-latency`
