import { worstStatus, reasonFor } from '../../../shared/domain/health'
import { bouncerFindings } from '../../../shared/domain/pgbouncer'
import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { PgbouncerStatus } from '../../../shared/systems/pgbouncer'
import type { Connections } from '../../core/connections'
import { toConnError } from '../../core/errors'
import { systemHealth } from '../../core/system-health'
import { tlsNotice } from './postgres-client'
import { showDatabases, showPools, showServers, showStats, showVersion, withConsole, type PgbouncerEndpoint } from './pgbouncer-client'

/** Everything the admin console says in one session; an unreachable pgbouncer is a critical status with the reason. */
export async function readBouncer(environment: string, endpoint: PgbouncerEndpoint, connections: Connections): Promise<PgbouncerStatus> {
  const started = Date.now()
  const base = { environment, endpointId: endpoint.id, name: endpoint.name, checkedAt: started }
  try {
    const r = await withConsole(endpoint, connections, async (c) => ({
      version: await showVersion(c),
      databases: await showDatabases(c),
      pools: await showPools(c),
      stats: await showStats(c),
      servers: await showServers(c),
    }))
    const findings = bouncerFindings(r.databases, r.pools)
    const okText = `${r.databases.length} database(s), ${r.pools.reduce((a, p) => a + p.clientsActive, 0)} client(s) active, none waiting`
    return {
      ...base,
      ...r,
      durationMs: Date.now() - started,
      findings,
      status: worstStatus([...findings.map((f) => f.status), 'ok']),
      reason: findings.length ? reasonFor(findings, okText) : okText,
    }
  } catch (err) {
    const error = toConnError(err, connections.secretValues())
    return {
      ...base,
      durationMs: Date.now() - started,
      version: null,
      error,
      databases: [],
      pools: [],
      stats: [],
      servers: [],
      findings: [{ status: 'critical', reason: error.message }],
      status: 'critical',
      reason: error.message,
    }
  }
}

/** The overview card: one line per pooled database, where it points, its clients and servers. */
export async function probePgbouncer(endpoint: PgbouncerEndpoint, connections: Connections): Promise<SystemHealth> {
  const s = await readBouncer('', endpoint, connections)
  if (s.error)
    return systemHealth(endpoint, 'pgbouncer', s.checkedAt, [
      { id: endpoint.id, label: `${endpoint.host}:${endpoint.port}`, status: 'critical', detail: s.error.message, error: s.error, metrics: {} },
    ])
  const nodes: NodeHealth[] = s.databases.map((d) => {
    const pools = s.pools.filter((p) => p.database === d.name)
    const sum = (f: (p: (typeof pools)[number]) => number) => pools.reduce((a, p) => a + f(p), 0)
    const waiting = sum((p) => p.clientsWaiting)
    return {
      id: d.name,
      label: `${d.name} → ${d.host ?? '(socket)'}:${d.port ?? ''}`,
      role: d.paused ? 'paused' : (d.poolMode ?? undefined),
      status: d.paused || d.disabled || waiting > 0 ? 'warn' : 'ok',
      detail: `${sum((p) => p.clientsActive)} client(s) active, ${waiting} waiting, ${sum((p) => p.serversActive + p.serversIdle + p.serversUsed)}/${d.poolSize} server connection(s)`,
      metrics: { clientsWaiting: waiting, serversActive: sum((p) => p.serversActive) },
    }
  })
  return systemHealth(endpoint, 'pgbouncer', s.checkedAt, nodes, s.findings, tlsNotice(endpoint))
}
