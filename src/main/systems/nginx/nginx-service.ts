import type { AppTier, StubSample } from '../../../shared/systems/nginx'
import type { Environment } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { pickEndpoint } from '../../core/endpoint-choice'
import { SwitchyardError } from '../../core/errors'
import type { ReplicaProvider } from '../../core/replicas'
import { CHART_POINTS, sinceOf } from '../../core/history/entities'
import type { ServiceHub } from '../../core/service-hub'
import { readAppTier, type TierRead } from './tier-reader'
import type { StubStatus } from './stub-status'
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

  constructor(
    private readonly hub: Pick<ServiceHub, 'connect' | 'history'>,
    private readonly replicas: ReplicaProvider,
  ) {}

  async read(envName: string, endpointId?: string): Promise<TierRead> {
    const { environment, connections } = await this.hub.connect(envName)
    const endpoint = resolveNginx(environment, connections, endpointId)
    const read = await readAppTier(environment, endpoint, connections, this.replicas)
    read.tier.stub = this.record(`${envName}/${endpoint.id}`, read.tier, read.stub)
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
