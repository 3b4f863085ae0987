import type { MongoCluster, MongoLagSample } from '../../../shared/systems/mongo'
import { pickEndpoint } from '../../core/endpoint-choice'
import { SwitchyardError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import type { Connections } from '../../core/connections'
import { SampleRing } from '../../core/sample-ring'
import type { MongoEndpoint } from './mongo-client'
import { readCluster } from './mongo-reader'

/** Samples kept per endpoint for the lag chart: an hour at one refresh every 5 s. */
const HISTORY_LIMIT = 720

/** The MongoDB views: every call reads the cluster afresh; lag history and first-seen drains are kept per endpoint. */
export class MongoService {
  private readonly history = new SampleRing<MongoLagSample>(HISTORY_LIMIT)
  private readonly drainingSeen = new Map<string, Map<string, number>>()

  constructor(private readonly hub: Pick<ServiceHub, 'connect'>) {}

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
    this.record(key, cluster)
    return cluster
  }

  async lagHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ samples: MongoLagSample[] }> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, 'mongo', 'MongoDB', endpointId)
    return { samples: this.history.since(`${envName}/${id}`, sinceMs) }
  }

  private record(key: string, cluster: MongoCluster): void {
    const members: MongoLagSample['members'] = {}
    for (const rs of cluster.replicaSets) for (const m of rs.members) if (m.host !== rs.primary) members[`${rs.name} ${m.host}`] = m.lagSeconds
    this.history.push(key, { at: cluster.checkedAt, members })
  }
}

/** The hub's one MongoService, shared by the views, the CLI and findings. */
export function mongoService(hub: ServiceHub): MongoService {
  return hub.service('mongo', (h) => new MongoService(h))
}
