import { MongoClient, MongoNetworkError, MongoServerError, MongoServerSelectionError, type MongoClientOptions } from 'mongodb'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { namesOneOf } from '../../core/tls'

export type MongoEndpoint = EndpointOf<'mongo'>

const TIMEOUTS = { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 } as const
/** Options a direct member connection must not inherit from the mongos URI. */
const NOT_FOR_MEMBERS = new Set(['replicaset', 'directconnection', 'loadbalanced', 'readpreference', 'srvmaxhosts', 'srvservicename'])

interface ParsedUri {
  srv: boolean
  user: string | undefined
  hosts: string[]
  database: string
  params: URLSearchParams
}

export function parseMongoUri(uri: string): ParsedUri {
  const m = /^mongodb(\+srv)?:\/\/(?:([^@/]*)@)?([^/?]+)\/?([^?]*)(?:\?(.*))?$/.exec(uri)
  if (!m) throw new SwitchyardError('config', 'not a mongodb:// or mongodb+srv:// URI')
  return {
    srv: Boolean(m[1]),
    user: m[2] ? decodeURIComponent(m[2]) : undefined,
    hosts: m[3]!.split(','),
    database: m[4] ?? '',
    params: new URLSearchParams(m[5] ?? ''),
  }
}

function hostPort(h: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(h)
  return { host: m?.[1] ?? h, port: Number(m?.[2] ?? 27017) }
}

function options(endpoint: MongoEndpoint, connections: Connections, user: string | undefined): MongoClientOptions {
  const password = connections.secret(endpoint.id, 'password')
  const x509 = endpoint.authMechanism === 'MONGODB-X509'
  return {
    ...TIMEOUTS,
    appName: 'switchyard',
    ...(x509 ? { authMechanism: 'MONGODB-X509' as const } : endpoint.authMechanism !== 'DEFAULT' ? { authMechanism: endpoint.authMechanism } : {}),
    ...(user && !x509 ? { auth: { username: user, password } } : {}),
    ...(endpoint.tls
      ? {
          tls: true,
          ...(endpoint.tls.caFile ? { tlsCAFile: endpoint.tls.caFile } : {}),
          ...(endpoint.tls.certificateKeyFile ? { tlsCertificateKeyFile: endpoint.tls.certificateKeyFile } : {}),
          ...(connections.secret(endpoint.id, 'passphrase') ? { tlsCertificateKeyFilePassword: connections.secret(endpoint.id, 'passphrase') } : {}),
          tlsAllowInvalidHostnames: endpoint.tls.allowInvalidHostnames,
        }
      : {}),
  }
}

/** Through a tunnel the driver's TLS sees a socket path: the certificate is checked against the hosts themselves. */
function throughTunnel(endpoint: MongoEndpoint, hosts: readonly string[]): MongoClientOptions {
  if (!endpoint.viaSsh || !endpoint.tls || endpoint.tls.allowInvalidHostnames) return {}
  return { checkServerIdentity: namesOneOf(hosts.map((h) => hostPort(h).host)) }
}

/** host:port list → the same hosts, or the local ends of tunnels through the endpoint's bastion. */
async function reachAll(endpoint: MongoEndpoint, connections: Connections, hosts: readonly string[]): Promise<string[]> {
  return Promise.all(
    hosts.map(async (h) => {
      const hp = hostPort(h)
      // the driver takes a unix socket as a host when its path ends in .sock
      const at = await connections.reach(endpoint, hp, `mongodb-${hp.port}.sock`)
      return at.path ? encodeURIComponent(at.path) : `${at.host}:${at.port}`
    }),
  )
}

/**
 * The MongoDB clients of one environment's connections: one for the mongos (or seed list) and one
 * per replica-set member reached directly. They live as long as the connections do.
 */
class MongoClients {
  private readonly clients = new Map<string, Promise<MongoClient>>()

  constructor(connections: Connections) {
    connections.onClose(() => this.close())
  }

  get(key: string, open: () => Promise<MongoClient>): Promise<MongoClient> {
    let c = this.clients.get(key)
    if (!c) {
      c = open()
      this.clients.set(key, c)
      c.catch(() => this.clients.delete(key))
    }
    return c
  }

  /** Forget a client whose server changed under it (a failed connect is retried from scratch). */
  drop(key: string): void {
    const c = this.clients.get(key)
    this.clients.delete(key)
    void c?.then((x) => x.close()).catch(() => undefined)
  }

  async close(): Promise<void> {
    const all = [...this.clients.values()]
    this.clients.clear()
    await Promise.allSettled(all.map((c) => c.then((x) => x.close())))
  }
}

const pools = new WeakMap<Connections, MongoClients>()
function clientsOf(connections: Connections): MongoClients {
  let p = pools.get(connections)
  if (!p) pools.set(connections, (p = new MongoClients(connections)))
  return p
}

async function connected(uri: string, opts: MongoClientOptions): Promise<MongoClient> {
  const client = new MongoClient(uri, opts)
  try {
    await client.connect()
    return client
  } catch (err) {
    await client.close().catch(() => undefined)
    throw err
  }
}

/** The endpoint's mongos, connected and authenticated, through its bastion when it has one. */
export function mongosClient(endpoint: MongoEndpoint, connections: Connections): Promise<MongoClient> {
  return clientsOf(connections).get(`mongos/${endpoint.id}`, async () => {
    const uri = parseMongoUri(endpoint.uri)
    if (endpoint.viaSsh && uri.srv)
      throw new SwitchyardError('config', 'a mongodb+srv:// URI cannot go through an SSH tunnel: list the mongos hosts in a mongodb:// URI instead')
    if (!endpoint.viaSsh) return connected(endpoint.uri, options(endpoint, connections, uri.user))
    const hosts = await reachAll(endpoint, connections, uri.hosts)
    const rest = `/${uri.database}${uri.params.size ? `?${uri.params.toString()}` : ''}`
    return connected(`mongodb://${hosts.join(',')}${rest}`, { ...options(endpoint, connections, uri.user), ...throughTunnel(endpoint, uri.hosts) })
  })
}

/** A direct connection to one replica-set member ("host:port" as the cluster names it), same credentials and TLS. */
export function memberClient(endpoint: MongoEndpoint, connections: Connections, member: string): Promise<MongoClient> {
  return clientsOf(connections).get(`member/${endpoint.id}/${member}`, async () => {
    const uri = parseMongoUri(endpoint.uri)
    const params = new URLSearchParams([...uri.params].filter(([k]) => !NOT_FOR_MEMBERS.has(k.toLowerCase())))
    if (uri.srv && !params.has('tls') && !params.has('ssl')) params.set('tls', 'true')
    if (uri.srv && !params.has('authSource')) params.set('authSource', 'admin')
    params.set('directConnection', 'true')
    const [at] = await reachAll(endpoint, connections, [member])
    // a member's certificate names the member: checked as for the mongos, unless the endpoint's override says not to
    return connected(`mongodb://${at!}/?${params.toString()}`, { ...options(endpoint, connections, uri.user), ...throughTunnel(endpoint, [member]) })
  })
}

export function forgetMember(endpoint: MongoEndpoint, connections: Connections, member: string): void {
  clientsOf(connections).drop(`member/${endpoint.id}/${member}`)
}

/** A readable label for the endpoint: its first host. */
export function mongoLabel(endpoint: MongoEndpoint): string {
  return parseMongoUri(endpoint.uri).hosts[0] ?? endpoint.name
}

/**
 * Driver and server errors in words a DBA can act on. The codes are MongoDB's: 13 Unauthorized,
 * 18 AuthenticationFailed, 59 CommandNotFound, 40324 unknown pipeline stage.
 */
export function explainMongoError(err: unknown, what: string, version?: string): unknown {
  if (err instanceof MongoServerError) {
    const on = version ? ` (MongoDB ${version})` : ''
    if (err.code === 13)
      return new SwitchyardError('auth', `${what}: not authorized — ${err.message}. The user needs clusterMonitor to read and clusterManager to act.`)
    if (err.code === 18) return new SwitchyardError('auth', `${what}: authentication failed — check the user and password`)
    if (err.code === 59 || err.code === 40324) return new SwitchyardError('protocol', `${what}: this server does not support it${on}: ${err.message}`)
    return new SwitchyardError('other', `${what}: ${err.message}${err.codeName ? ` [${err.codeName}]` : ''}`)
  }
  if (err instanceof MongoNetworkError) return new SwitchyardError('closed', `${what}: the connection closed before the reply was complete (${err.message})`)
  if (err instanceof MongoServerSelectionError) return new SwitchyardError('refused', `${what}: no server reachable (${err.message})`)
  if (err instanceof Error && /Authentication failed/i.test(err.message))
    return new SwitchyardError('auth', `${what}: authentication failed — check the user and password`)
  return err
}

/** Run one command's promise, turning its failure into a named, explained error. */
export async function labelled<T>(what: string, p: Promise<T>, version?: string): Promise<T> {
  try {
    return await p
  } catch (err) {
    throw explainMongoError(err, what, version)
  }
}
