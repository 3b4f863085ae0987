import type { PgHealth, PgLagSample, PgLagThresholds, PgTopology } from '../../../shared/systems/postgres'
import { reasonFor, worstStatus } from '../../../shared/domain/health'
import { DEFAULT_LAG_THRESHOLDS } from '../../../shared/domain/pg-topology'
import type { Connections } from '../../core/connections'
import { byEntity, CHART_POINTS, flatten, sinceOf } from '../../core/history/entities'
import { SwitchyardError } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { pickEndpoint, type PostgresEndpoint } from './postgres-client'
import { healthOfNode, readTopology } from './postgres-reader'
import { readBouncer } from './pgbouncer-reader'
import { pickEndpoint as pickKind } from '../../core/endpoint-choice'
import type { PgbouncerStatus } from '../../../shared/systems/pgbouncer'
import type { HistorySource } from '../../../shared/history'
import { endpointSelector, readHistory, type PromField } from '../../core/history/prometheus-history'

const STATUSES = ['ok', 'warn', 'critical', 'unknown'] as const

/**
 * The PostgreSQL views of the cockpit: topology with lag, health, and the lag history the chart
 * draws (kept in the hub's history store). Every call reads the servers afresh.
 */
export class PostgresService {
  constructor(private readonly hub: Pick<ServiceHub, 'connect' | 'history'>) {}

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
    this.record(lagScope(envName, endpoint.id), topo)
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

  /** An endpoint's lag history, from the environment's Prometheus first when it names one. */
  async lagPoints(envName: string, endpointId: string, from: number, to: number, maxPoints: number) {
    const { environment } = await this.hub.connect(envName)
    const at = endpointSelector(environment, endpointId)
    const fields: PromField[] = [
      { query: `switchyard_pg_lag_seconds{${at}}`, field: (l) => (l.subject ? `${l.subject}.seconds` : null) },
      { query: `switchyard_pg_lag_bytes{${at}}`, field: (l) => (l.subject ? `${l.subject}.bytes` : null) },
    ]
    return readHistory(this.hub.history, environment, lagScope(envName, endpointId), fields, from, to, maxPoints)
  }

  async lagHistory(envName: string, endpointId?: string, sinceMs = 0): Promise<{ samples: PgLagSample[]; source: HistorySource }> {
    const { environment } = await this.hub.connect(envName)
    const id = pickEndpoint(environment.endpoints, endpointId)
    const { points, source } = await this.lagPoints(envName, id, sinceOf(sinceMs), Date.now(), CHART_POINTS)
    return {
      source,
      samples: byEntity(points).map((p) => ({
        at: p.at,
        standbys: Object.fromEntries(
          Object.entries(p.entities).map(([name, f]) => [
            name,
            { bytes: f.bytes ?? null, seconds: f.seconds ?? null, status: STATUSES[Math.round(f.status ?? 3)] ?? 'unknown' },
          ]),
        ),
      })),
    }
  }

  async bouncer(envName: string, endpointId?: string): Promise<PgbouncerStatus> {
    const { environment, connections } = await this.hub.connect(envName)
    const endpoint = connections.endpoint(pickKind(environment.endpoints, 'pgbouncer', 'pgbouncer', endpointId))
    if (endpoint.kind !== 'pgbouncer') throw new SwitchyardError('config', `"${endpoint.id}" is not a pgbouncer endpoint`)
    return readBouncer(envName, endpoint, connections)
  }

  private record(scope: string, topo: PgTopology): void {
    const standbys = Object.fromEntries(topo.standbys.map((s) => [s.standby, { bytes: s.bytes, seconds: s.seconds, status: STATUSES.indexOf(s.status) }]))
    this.hub.history.record(scope, topo.checkedAt, flatten(standbys))
  }
}

/** The hub's one PostgresService, so the views, the CLI and findings share its lag history. */
export function postgresService(hub: ServiceHub): PostgresService {
  return hub.service('postgres', (h) => new PostgresService(h))
}

export const lagScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/pg-lag`
