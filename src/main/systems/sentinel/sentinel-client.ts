import { Redis } from 'ioredis'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { dialOptions } from '../../core/tls'
import { withTimeout } from '../../core/errors'

export type SentinelEndpoint = EndpointOf<'redis-sentinel'>

/** A Sentinel reply of alternating field names and values, as a record. */
export function pairs(reply: unknown): Record<string, string> {
  const arr = Array.isArray(reply) ? reply.map(String) : []
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < arr.length; i += 2) out[arr[i]!] = arr[i + 1]!
  return out
}

/** A connection through the endpoint's tunnel, TLS and ACL user: to a sentinel, or to a server it names. */
export async function connectTo(endpoint: SentinelEndpoint, connections: Connections, host: string, port: number): Promise<Redis> {
  const at = await connections.reach(endpoint, { host, port }, 'sentinel.sock')
  const c = new Redis({
    ...dialOptions(at, endpoint.tls ? { caFile: endpoint.caFile } : undefined),
    username: endpoint.username,
    password: connections.secret(endpoint.id),
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    enableReadyCheck: false,
    retryStrategy: () => null,
  })
  c.on('error', () => undefined)
  try {
    await withTimeout(`connecting to ${host}:${port}`, 3000, c.connect())
  } catch (err) {
    c.disconnect()
    throw err
  }
  return c
}

/** One short-lived connection to a sentinel (through the endpoint's tunnel, with its TLS and ACL user). */
export async function withSentinel<T>(
  endpoint: SentinelEndpoint,
  connections: Connections,
  host: string,
  port: number,
  fn: (c: Redis) => Promise<T>,
): Promise<T> {
  const c = await connectTo(endpoint, connections, host, port)
  try {
    return await withTimeout(`sentinel ${host}:${port}`, 5000, fn(c))
  } finally {
    c.disconnect()
  }
}
