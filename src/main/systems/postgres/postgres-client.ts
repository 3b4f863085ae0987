import pg from 'pg'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import type { Duplex } from 'node:stream'
import type { SslMode } from '../../../shared/primitives'
import { pickEndpoint as pickKind } from '../../core/endpoint-choice'
import { tlsOptions } from '../../core/tls'

export type PostgresEndpoint = EndpointOf<'postgres'>
export type PostgresNode = PostgresEndpoint['nodes'][number]
export interface NodeAddress {
  name: string
  host: string
  port: number
}

export interface OpenOptions {
  /** Connect and per-query timeout. */
  timeoutMs?: number
  database?: string
  applicationName?: string
}

/**
 * One short-lived session to one node, as the endpoint's user, through the endpoint's bastion when
 * it has one. Callers end it; an 'error' event after a server shutdown never crashes the process.
 */
export async function openNode(endpoint: PostgresEndpoint, connections: Connections, node: NodeAddress, opts: OpenOptions = {}): Promise<pg.Client> {
  const timeoutMs = opts.timeoutMs ?? 3000
  const client = new pg.Client({
    ...(await pgTransport(endpoint, connections, node)),
    user: endpoint.user,
    password: connections.secret(endpoint.id, 'password'),
    database: opts.database ?? endpoint.database,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    application_name: opts.applicationName ?? 'switchyard',
  })
  return connected(client)
}

type PgTls = { sslmode: SslMode; sslrootcert?: string }

/**
 * How node-postgres reaches host:port and with which TLS: the SSH channel handed straight to the
 * driver when the endpoint has a bastion (no local listener at all), and TLS as the endpoint's
 * sslmode says — its certificate checked against the node's own name even through the tunnel.
 */
export async function pgTransport(
  endpoint: { viaSsh?: string } & PgTls & Parameters<Connections['stream']>[0],
  connections: Connections,
  target: { host: string; port: number },
): Promise<Pick<pg.ClientConfig, 'host' | 'port' | 'ssl' | 'stream'>> {
  const channel = await connections.stream(endpoint, target)
  return {
    host: target.host,
    port: target.port,
    ssl: pgSsl(endpoint, target.host),
    ...(channel ? { stream: () => asSocket(channel) } : {}),
  }
}

/** What the card says of a connection's TLS when it protects less than verify-full. */
export function tlsNotice(tls: PgTls): string[] {
  if (tls.sslmode === 'disable') return ['no TLS (sslmode disable): the password and the data travel in clear']
  if (tls.sslmode === 'require' && !tls.sslrootcert) return ['TLS without a certificate check (sslmode require): anyone on the path can pose as the server']
  if (tls.sslmode === 'verify-ca') return ['TLS verify-ca: the certificate is checked, the host name is not']
  return []
}

/** node-postgres' ssl option for an sslmode (libpq's meanings; `require` with a root certificate checks the chain, as libpq does). */
export function pgSsl(tls: PgTls, host: string): pg.ClientConfig['ssl'] {
  if (tls.sslmode === 'disable') return false
  if (tls.sslmode === 'require' && !tls.sslrootcert) return { rejectUnauthorized: false }
  const check = { caFile: tls.sslrootcert, skipNameCheck: tls.sslmode !== 'verify-full' }
  return tlsOptions(host, check)
}

/** An SSH channel dressed as the net.Socket node-postgres drives (it calls connect, setNoDelay, setKeepAlive). */
function asSocket(channel: Duplex): Duplex {
  return Object.assign(channel, {
    connect() {
      process.nextTick(() => channel.emit('connect'))
      return channel
    },
    setNoDelay: () => channel,
    setKeepAlive: () => channel,
  })
}

/** Connect a new client; an 'error' event after a server shutdown never crashes the process, a failed connect leaves nothing open. */
export async function connected(client: pg.Client): Promise<pg.Client> {
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (err) {
    await client.end().catch(() => undefined)
    throw err
  }
  return client
}

/** Open, run fn, always close. */
export async function withNode<T>(
  endpoint: PostgresEndpoint,
  connections: Connections,
  node: NodeAddress,
  fn: (c: pg.Client) => Promise<T>,
  opts: OpenOptions = {},
): Promise<T> {
  const client = await openNode(endpoint, connections, node, opts)
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** The PostgreSQL endpoint of an environment: the one named, or the only one. */
export function pickEndpoint(endpoints: readonly { id: string; kind: string }[], endpointId?: string): string {
  return pickKind(endpoints, 'postgres', 'PostgreSQL', endpointId)
}

/** A SQL string literal (standard_conforming_strings is on by default since 9.1). */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a SQL literal cannot contain a NUL byte')
  return `'${value.replace(/'/g, "''")}'`
}

/** A libpq connection-string value, quoted only when needed. */
export function conninfoValue(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

export function conninfo(parts: Record<string, string | number | undefined>): string {
  return Object.entries(parts)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${conninfoValue(String(v))}`)
    .join(' ')
}

export function maskConninfo(text: string): string {
  return text.replace(/password=('(?:[^'\\]|\\.)*'|\S+)/g, 'password=***')
}
