import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import type { Connections, Dial } from '../../core/connections'
import { SwitchyardError, toConnError } from '../../core/errors'
import type { EndpointOf, HostPort } from '../../../shared/inventory'
import { formatAddr, parseAddr } from '../../../shared/domain/redis-parse'
import { dialOptions, tlsOptions } from '../../core/tls'

export type RedisClusterEndpoint = EndpointOf<'redis-cluster'>
export type RedisArg = string | number | Buffer

const IDLE_CLOSE_MS = 60_000

/**
 * The one way into a Redis Cluster: a pooled connection per node, keyed by the address the
 * cluster announces, dialled through the environment's SSH tunnel when the endpoint has one. The
 * same announced→dialled mapping feeds ioredis' natMap, so MOVED and ASK redirects follow it too.
 */
export class RedisClusterAccess {
  private readonly clients = new Map<string, Promise<Redis>>()
  /** announced "host:port" → where to dial it from here. */
  private readonly dial = new Map<string, Dial>()
  private idleTimer: NodeJS.Timeout | undefined
  private closed = false

  get isClosed(): boolean {
    return this.closed
  }

  constructor(
    readonly endpoint: RedisClusterEndpoint,
    readonly connections: Connections,
  ) {}

  get password(): string | undefined {
    return this.connections.secret(this.endpoint.id, 'password')
  }

  get username(): string | undefined {
    return this.endpoint.username
  }

  get tunnelled(): boolean {
    return Boolean(this.endpoint.viaSsh)
  }

  /** Secret values to scrub from error messages. */
  get secrets(): string[] {
    return this.connections.secretValues()
  }

  /** Where to connect for an announced address (a unix socket carried by the bastion when the endpoint goes via SSH). */
  async resolve(addr: string): Promise<Dial> {
    const known = this.dial.get(addr)
    if (known) return known
    const hp = parseAddr(addr)
    if (!hp) throw new SwitchyardError('config', `not a host:port address: ${addr}`)
    const reached = await this.connections.reach(this.endpoint, hp, 'redis.sock')
    this.dial.set(addr, reached)
    return reached
  }

  private baseOptions(): RedisOptions {
    return {
      username: this.username,
      password: this.password,
      connectTimeout: 3000,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
    }
  }

  private touch(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = setTimeout(() => void this.closeClients(), IDLE_CLOSE_MS)
    this.idleTimer.unref()
  }

  /** A connected client for one node; recreated when the previous one has ended. */
  async client(addr: string): Promise<Redis> {
    if (this.closed) throw new SwitchyardError('closed', 'the Redis connections of this environment were closed')
    this.touch()
    const cached = this.clients.get(addr)
    if (cached) {
      const c = await cached.catch(() => undefined)
      if (c && c.status !== 'end' && c.status !== 'close') return c
      this.clients.delete(addr)
    }
    const opening = (async () => {
      const to = await this.resolve(addr)
      const c = new Redis({
        ...this.baseOptions(),
        ...dialOptions(to, this.endpoint.tls ? { caFile: this.endpoint.caFile } : undefined),
        lazyConnect: true,
        retryStrategy: () => null,
        enableOfflineQueue: true,
      })
      // ioredis rejects connect() with "Connection is closed"; the real cause (ECONNREFUSED…) comes as an event.
      let cause: Error | undefined
      c.on('error', (e: Error) => (cause ??= e))
      try {
        await c.connect()
      } catch (err) {
        c.disconnect()
        throw cause ?? err
      }
      return c
    })()
    this.clients.set(addr, opening)
    opening.catch(() => this.clients.delete(addr))
    return opening
  }

  /** Drop a node's client (after a timeout, so the next call starts clean). */
  drop(addr: string): void {
    const c = this.clients.get(addr)
    this.clients.delete(addr)
    void c?.then((x) => x.disconnect()).catch(() => undefined)
  }

  /** One command with a deadline; a timed-out connection is dropped. */
  async call(addr: string, args: readonly RedisArg[], timeoutMs = 5000): Promise<unknown> {
    const [cmd, ...rest] = args
    // The deadline covers connecting too: a frozen process still completes the TCP handshake.
    return this.deadline(
      addr,
      timeoutMs,
      `${String(cmd)} on ${addr}`,
      this.client(addr).then((c) => c.call(String(cmd), ...rest)),
    )
  }

  /** Like call, with Buffer replies (binary-safe keys). */
  async callBuffer(addr: string, args: readonly RedisArg[], timeoutMs = 5000): Promise<unknown> {
    const [cmd, ...rest] = args
    return this.deadline(
      addr,
      timeoutMs,
      `${String(cmd)} on ${addr}`,
      this.client(addr).then((c) => c.callBuffer(String(cmd), ...rest)),
    )
  }

  /** Several commands in one round trip; each result is its own [error, reply]. */
  async pipeline(addr: string, commands: readonly (readonly RedisArg[])[], timeoutMs = 10_000, buffers = false): Promise<[Error | null, unknown][]> {
    if (commands.length === 0) return []
    const send = async () => {
      const p = (await this.client(addr)).pipeline()
      for (const [cmd, ...rest] of commands) {
        if (buffers) p.callBuffer(String(cmd), ...rest)
        else p.call(String(cmd), ...rest)
      }
      return p.exec()
    }
    const res = await this.deadline(addr, timeoutMs, `pipeline of ${commands.length} on ${addr}`, send())
    return res ?? []
  }

  private async deadline<T>(addr: string, ms: number, what: string, p: Promise<T>): Promise<T> {
    // Once the deadline wins the race, the command's own late rejection must not go unhandled.
    p.catch(() => undefined)
    let timer: NodeJS.Timeout | undefined
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            this.drop(addr)
            reject(new SwitchyardError('timeout', `${what} timed out after ${ms} ms`))
          }, ms)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * An ioredis Cluster client (for tests, the bench and data checks). Its redirects dial the
   * announced addresses directly, so it refuses an endpoint reached through a bastion (the app's own
   * per-node clients go through it).
   */
  cluster(seeds: readonly string[], options: ClusterOptions = {}): Cluster {
    if (this.tunnelled) throw new SwitchyardError('config', 'a cluster client follows redirects to announced addresses, which a tunnel does not carry')
    const tls = this.endpoint.tls ? tlsOptions(undefined, { caFile: this.endpoint.caFile }) : undefined
    const c = new Cluster(
      seeds.map((s) => parseAddr(s)!),
      { ...options, redisOptions: { ...this.baseOptions(), tls, maxRetriesPerRequest: 3, ...(options.redisOptions ?? {}) } },
    )
    c.on('error', () => undefined)
    return c
  }

  private async closeClients(): Promise<void> {
    const all = [...this.clients.values()]
    this.clients.clear()
    await Promise.allSettled(all.map((p) => p.then((c) => c.quit().catch(() => c.disconnect()))))
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.idleTimer)
    await this.closeClients()
  }
}

const pools = new WeakMap<Connections, Map<string, RedisClusterAccess>>()

/** The pooled access to a redis-cluster endpoint of these connections. */
export function clusterAccess(connections: Connections, endpointId: string): RedisClusterAccess {
  const endpoint = connections.endpoint(endpointId)
  if (endpoint.kind !== 'redis-cluster') throw new SwitchyardError('config', `"${endpointId}" is a ${endpoint.kind} endpoint, not a Redis Cluster`)
  let pool = pools.get(connections)
  if (!pool) pools.set(connections, (pool = new Map<string, RedisClusterAccess>()))
  let access = pool.get(endpointId)
  if (!access || access.isClosed) {
    const created = new RedisClusterAccess(endpoint, connections)
    pool.set(endpointId, created)
    connections.onClose(() => created.close())
    access = created
  }
  return access
}

export function addrOf(hp: HostPort): string {
  return formatAddr(hp.host, hp.port)
}

export function describeError(err: unknown, secrets: readonly string[] = []): string {
  return toConnError(err, secrets).message
}
