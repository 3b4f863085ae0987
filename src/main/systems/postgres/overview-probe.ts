import pg from 'pg'
import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { pgTransport, tlsNotice } from './postgres-client'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'

type PostgresEndpoint = EndpointOf<'postgres'>
type PostgresNode = PostgresEndpoint['nodes'][number]

const TIMEOUT_MS = 3000

interface NodeState {
  node: PostgresNode
  inRecovery: boolean
  connections: number
  maxConnections: number
  streamingStandbys: number
  receiverStatus?: string
}

async function readNode(endpoint: PostgresEndpoint, connections: Connections, node: PostgresNode): Promise<NodeState> {
  const client = new pg.Client({
    ...(await pgTransport(endpoint, connections, node)),
    user: endpoint.user,
    password: connections.secret(endpoint.id),
    database: endpoint.database,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
    application_name: 'switchyard-overview',
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const { rows } = await client.query<{ rec: boolean; conns: string; max: string; streaming: string; receiver: string | null }>(`
      select pg_is_in_recovery() as rec,
             (select count(*) from pg_stat_activity) as conns,
             current_setting('max_connections') as max,
             (select count(*) from pg_stat_replication where state = 'streaming') as streaming,
             (select status from pg_stat_wal_receiver limit 1) as receiver`)
    const r = rows[0]!
    return {
      node,
      inRecovery: r.rec,
      connections: Number(r.conns),
      maxConnections: Number(r.max),
      streamingStandbys: Number(r.streaming),
      receiverStatus: r.receiver ?? undefined,
    }
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Overview card for a PostgreSQL primary with standbys: exactly one primary, every standby streaming. */
export async function probePostgres(endpoint: PostgresEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const secrets = connections.secretValues()
  const results = await Promise.all(
    endpoint.nodes.map(async (node) => {
      try {
        return await readNode(endpoint, connections, node)
      } catch (err) {
        return { node, err }
      }
    }),
  )
  const states = results.filter((r): r is NodeState => !('err' in r))
  const primaries = states.filter((s) => !s.inRecovery)
  const nodes: NodeHealth[] = results.map((r) => {
    const label = `${r.node.name} ${r.node.host}:${r.node.port}`
    if ('err' in r) return nodeDown(r.node.name, label, r.err, secrets, endpoint.nodes.length > 1 ? 'warn' : 'critical')
    const used = r.connections / r.maxConnections
    const role = r.inRecovery ? 'standby' : 'primary'
    const streaming = !r.inRecovery || r.receiverStatus === 'streaming'
    const status = used >= 0.95 ? 'critical' : used >= 0.8 || !streaming ? 'warn' : 'ok'
    const detail = r.inRecovery
      ? `standby, WAL receiver ${r.receiverStatus ?? 'not running'}, ${r.connections}/${r.maxConnections} connections`
      : `primary, ${r.streamingStandbys} streaming standby(s), ${r.connections}/${r.maxConnections} connections`
    return { id: r.node.name, label, role, status, detail, metrics: { connections: r.connections, maxConnections: r.maxConnections } }
  })
  const findings: Finding[] = []
  if (states.length > 0 && primaries.length === 0) findings.push({ status: 'critical', reason: 'no primary: every reachable node is in recovery' })
  if (primaries.length > 1) findings.push({ status: 'critical', reason: `split brain: ${primaries.map((p) => p.node.name).join(' and ')} are both primaries` })
  const downPrimary = states.length === 0
  if (downPrimary) findings.push({ status: 'critical', reason: 'no node could be queried' })
  return systemHealth(endpoint, 'postgres', started, nodes, findings, tlsNotice(endpoint))
}
