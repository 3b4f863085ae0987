import type { PgHealth, PgLagSample, PgLagThresholds, PgTopology } from '../../../shared/systems/postgres'
import { reasonFor, worstStatus } from '../../../shared/domain/health'
import { DEFAULT_LAG_THRESHOLDS } from '../../../shared/domain/pg-topology'
import type { Connections } from '../../core/connections'
import { SampleRing } from '../../core/sample-ring'
import { SwitchyardError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { pickEndpoint, type PostgresEndpoint } from './pg-client'
import { healthOfNode, readTopology } from './pg-reader'

/** Samples kept per endpoint for the lag chart: an hour at one poll every 5 s. */
const HISTORY_LIMIT = 720

/**
 * The PostgreSQL views of the cockpit: topology with lag, health, and the lag history the chart
 * draws. Stateless apart from the history ring; every call reads the servers afresh.
 */
export class PostgresService {
  private readonly history = new SampleRing<PgLagSample>(HISTORY_LIMIT)

  constructor(private readonly hub: Pick<ServiceHub, 'connect'>) {}

  async resolve(envName: string, endpointId?: string): Promise<{ endpoint: PostgresEndpoint; connections: Connections }> {
    const { environment, connections } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, endpointId)
    const endpoint = connections.endpoint(id)
    if (endpoint.kind !== 'postgres') throw new SwitchyardError('config', `"${id}" is not a PostgreSQL endpoint`)
    return { endpoint, connections }
  }

  async topology(envName: string, endpointId?: string, thresholds?: PgLagThresholds): Promise<PgTopology> {
    const { endpoint, connections } = await this.resolve(envName, endpointId)
    const topo = await readTopology(envName, endpoint, connections, thresholds ?? DEFAULT_LAG_THRESHOLDS)
    this.record(`${envName}/${endpoint.id}`, topo)
    return topo
  }

  async health(envName: string, endpointId?: string, node?: string): Promise<PgHealth> {
    const started = Date.now()
    const { endpoint, connections } = await this.resolve(envName, endpointId)
    const nodes = node ? endpoint.nodes.filter((n) => n.name === node) : endpoint.nodes
    if (nodes.length === 0) throw new SwitchyardError('config', `${endpoint.name} has no node named "${node}"`)
    const results = await Promise.all(nodes.map((n) => healthOfNode(endpoint, connections, n)))
    const items = results.flatMap((r) => r.findings.map((f) => ({ status: f.status, reason: `${r.name}: ${f.reason}` })))
    const status = worstStatus([...results.map((r) => r.status)])
    return {
      environment: envName,
      endpointId: endpoint.id,
      checkedAt: started,
      durationMs: Date.now() - started,
      nodes: results,
      status,
      reason: items.length ? reasonFor(items, 'ok') : `${results.length} node(s) healthy`,
    }
  }

  async lagHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ samples: PgLagSample[] }> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, endpointId)
    return { samples: this.history.since(`${envName}/${id}`, sinceMs) }
  }

  private record(key: string, topo: PgTopology): void {
    const standbys: PgLagSample['standbys'] = {}
    for (const s of topo.standbys) standbys[s.standby] = { bytes: s.bytes, seconds: s.seconds, status: s.status }
    this.history.push(key, { at: topo.checkedAt, standbys })
  }
}

/** The hub's one PostgresService, so the views, the CLI and findings share its lag history. */
export function postgresService(hub: ServiceHub): PostgresService {
  return hub.service('postgres', (h) => new PostgresService(h))
}
