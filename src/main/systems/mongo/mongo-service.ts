import type { MongoCluster, MongoLagSample } from '../../../shared/systems/mongo'
import { pickEndpoint } from '../../core/endpoint-choice'
import { SwitchyardError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import type { Connections } from '../../core/connections'
import { CHART_POINTS, sinceOf } from '../../core/history/entities'
import type { MongoEndpoint } from './mongo-client'
import { readCluster } from './mongo-reader'
import type { HistorySource } from '../../../shared/history'
import { endpointSelector, readHistory, type PromField } from '../../core/history/prometheus-history'

/** The MongoDB views: every call reads the cluster afresh; lag goes to the hub's history, first-seen drains are kept per endpoint. */
export class MongoService {
  private readonly drainingSeen = new Map<string, Map<string, number>>()

  constructor(private readonly hub: Pick<ServiceHub, 'connect' | 'history'>) {}

  async resolve(envName: string, endpointId?: string): Promise<{ endpoint: MongoEndpoint; connections: Connections }> {
    const { environment, connections } = await this.hub.connect(envName)
    const endpoint = connections.endpoint(pickEndpoint(environment.endpoints, 'mongo', 'MongoDB', endpointId))
    if (endpoint.kind !== 'mongo') throw new SwitchyardError('config', `"${endpoint.id}" is not a MongoDB endpoint`)
    return { endpoint, connections }
  }

  async cluster(envName: string, endpointId?: string): Promise<MongoCluster> {
    const { endpoint, connections } = await this.resolve(envName, endpointId)
    const key = `${envName}/${endpoint.id}`
    let seen = this.drainingSeen.get(key)
    if (!seen) this.drainingSeen.set(key, (seen = new Map<string, number>()))
    const cluster = await readCluster(envName, endpoint, connections, { drainingSeen: seen })
    this.record(lagScope(envName, endpoint.id), cluster)
    return cluster
  }

  /** An endpoint's member lag history, from the environment's Prometheus first when it names one. */
  async lagPoints(envName: string, endpointId: string, from: number, to: number, maxPoints: number) {
    const { environment } = await this.hub.connect(envName)
    const fields: PromField[] = [{ query: `switchyard_mongo_lag_seconds{${endpointSelector(environment, endpointId)}}`, field: (l) => l.subject ?? null }]
    return readHistory(this.hub.history, environment, lagScope(envName, endpointId), fields, from, to, maxPoints)
  }

  async lagHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ samples: MongoLagSample[]; source: HistorySource }> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, 'mongo', 'MongoDB', endpointId)
    const { points, source } = await this.lagPoints(envName, id, sinceOf(sinceMs), Date.now(), CHART_POINTS)
    return { source, samples: points.map((p) => ({ at: p.at, members: p.values })) }
  }

  private record(scope: string, cluster: MongoCluster): void {
    const members: MongoLagSample['members'] = {}
    for (const rs of cluster.replicaSets) for (const m of rs.members) if (m.host !== rs.primary) members[`${rs.name} ${m.host}`] = m.lagSeconds
    this.hub.history.record(scope, cluster.checkedAt, members)
  }
}

/** The hub's one MongoService, shared by the views, the CLI and findings. */
export function mongoService(hub: ServiceHub): MongoService {
  return hub.service('mongo', (h) => new MongoService(h))
}

export const lagScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/mongo-lag`
