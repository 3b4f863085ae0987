import pg from 'pg'
import type { EndpointOf } from '../../../shared/inventory'
import type { PgbouncerDatabase, PgbouncerPool, PgbouncerStats } from '../../../shared/systems/pgbouncer'
import type { Connections } from '../../core/connections'
import { connected, pgTransport } from './postgres-client'

export type PgbouncerEndpoint = EndpointOf<'pgbouncer'>

const n = (v: unknown): number => (v === null || v === undefined || v === '' ? 0 : Number(v))
const s = (v: unknown): string | null => (typeof v === 'number' ? String(v) : typeof v === 'string' && v !== '' ? v : null)

/**
 * A session on pgbouncer's admin console (the virtual database "pgbouncer"), which speaks only the
 * simple query protocol: every statement here is a plain text query without parameters.
 */
export async function openConsole(endpoint: PgbouncerEndpoint, connections: Connections, timeoutMs = 3000): Promise<pg.Client> {
  const client = new pg.Client({
    ...(await pgTransport(endpoint, connections, endpoint)),
    user: endpoint.user,
    password: connections.secret(endpoint.id, 'password'),
    database: 'pgbouncer',
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  })
  return connected(client)
}

export async function withConsole<T>(endpoint: PgbouncerEndpoint, connections: Connections, fn: (c: pg.Client) => Promise<T>, timeoutMs?: number): Promise<T> {
  const c = await openConsole(endpoint, connections, timeoutMs)
  try {
    return await fn(c)
  } finally {
    await c.end().catch(() => undefined)
  }
}

type Row = Record<string, unknown>
const show = async (c: pg.Client, what: string): Promise<Row[]> => (await c.query<Row>(`SHOW ${what}`)).rows

export async function showDatabases(c: pg.Client): Promise<PgbouncerDatabase[]> {
  return (await show(c, 'DATABASES'))
    .filter((r) => r.name !== 'pgbouncer')
    .map((r) => ({
      name: String(r.name),
      host: s(r.host),
      port: r.port === null || r.port === undefined || r.port === '' ? null : n(r.port),
      database: s(r.database),
      poolSize: n(r.pool_size),
      poolMode: s(r.pool_mode),
      currentConnections: n(r.current_connections),
      paused: n(r.paused) === 1,
      disabled: n(r.disabled) === 1,
    }))
}

export async function showPools(c: pg.Client): Promise<PgbouncerPool[]> {
  return (await show(c, 'POOLS'))
    .filter((r) => r.database !== 'pgbouncer')
    .map((r) => ({
      database: String(r.database),
      user: String(r.user),
      clientsActive: n(r.cl_active),
      clientsWaiting: n(r.cl_waiting),
      serversActive: n(r.sv_active),
      serversIdle: n(r.sv_idle),
      serversUsed: n(r.sv_used),
      maxWaitSeconds: n(r.maxwait) + n(r.maxwait_us) / 1e6,
      poolMode: s(r.pool_mode),
    }))
}

export async function showStats(c: pg.Client): Promise<PgbouncerStats[]> {
  return (await show(c, 'STATS'))
    .filter((r) => r.database !== 'pgbouncer')
    .map((r) => ({
      database: String(r.database),
      xactsPerSecond: n(r.avg_xact_count),
      queriesPerSecond: n(r.avg_query_count),
      avgXactUs: n(r.avg_xact_time),
      avgQueryUs: n(r.avg_query_time),
      avgWaitUs: n(r.avg_wait_time),
    }))
}

export async function showServers(c: pg.Client): Promise<{ database: string; user: string; state: string; addr: string | null; port: number | null }[]> {
  return (await show(c, 'SERVERS')).map((r) => ({
    database: String(r.database),
    user: String(r.user),
    state: String(r.state),
    addr: s(r.addr),
    port: r.port === null || r.port === undefined ? null : n(r.port),
  }))
}

export async function showVersion(c: pg.Client): Promise<string | null> {
  const rows = await show(c, 'VERSION')
  return s(rows[0]?.version)
}
