import type { Endpoint, EndpointKind, HostPort } from '../../../../shared/inventory'
import { secretDestination } from '../../../../shared/domain/secret-binding'
import type { SslMode } from '../../../../shared/primitives'

/** The editor's flat, all-strings view of an endpoint; converted to the contract's shape on save. */
export interface EndpointDraft {
  kind: EndpointKind
  id: string
  name: string
  host: string
  port: string
  user: string
  authMethod: 'key' | 'agent' | 'password'
  keyPath: string
  jumpHostId: string
  addresses: string
  username: string
  tls: boolean
  viaSsh: string
  sshHostId: string
  masterName: string
  uri: string
  database: string
  sslmode: SslMode
  /** CA file: Redis caFile, PostgreSQL/pgbouncer sslrootcert. */
  caFile: string
  replicationUser: string
  statusUrl: string
  /** Patroni REST URLs, one per line; empty for a cluster Patroni does not manage. */
  patroniUrls: string
  configPath: string
  dockerType: 'socket' | 'tcp' | 'ssh'
  socketPath: string
  labelFilter: string
  /** The saved endpoint this draft edits: fields the form does not show (data dirs, paths) are kept. */
  original?: Endpoint
}

export const KIND_LABEL: Record<EndpointKind, string> = {
  ssh: 'SSH host',
  'redis-cluster': 'Redis Cluster',
  'redis-sentinel': 'Redis Sentinel',
  mongo: 'MongoDB (mongos)',
  postgres: 'PostgreSQL nodes',
  pgbouncer: 'pgbouncer',
  nginx: 'nginx',
  docker: 'Docker engine',
}

const DEFAULT_PORT: Record<EndpointKind, string> = {
  ssh: '22',
  'redis-cluster': '6379',
  'redis-sentinel': '26379',
  mongo: '27017',
  postgres: '5432',
  pgbouncer: '6432',
  nginx: '80',
  docker: '2376',
}

export function emptyDraft(kind: EndpointKind, existingIds: string[]): EndpointDraft {
  let n = 1
  const stem = kind.replace('redis-', '')
  while (existingIds.includes(`${stem}-${n}`)) n++
  return {
    kind,
    id: `${stem}-${n}`,
    name: KIND_LABEL[kind],
    host: '',
    port: DEFAULT_PORT[kind],
    user: kind === 'postgres' ? 'postgres' : '',
    authMethod: 'key',
    keyPath: '~/.ssh/id_ed25519',
    jumpHostId: '',
    addresses: '',
    username: '',
    tls: false,
    viaSsh: '',
    sshHostId: '',
    masterName: '',
    uri: 'mongodb://',
    database: 'postgres',
    sslmode: 'verify-full',
    caFile: '',
    replicationUser: '',
    statusUrl: 'http://',
    patroniUrls: '',
    configPath: '',
    dockerType: 'socket',
    socketPath: '/var/run/docker.sock',
    labelFilter: '',
  }
}

function parseHostPort(text: string, defaultPort: number): HostPort {
  const m = /^\[?([^\]\s]+?)\]?(?::(\d+))?$/.exec(text.trim())
  return { host: m?.[1] ?? text.trim(), port: m?.[2] ? Number(m[2]) : defaultPort }
}

function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean)
}

const opt = (s: string) => (s.trim() ? s.trim() : undefined)

/** Build the contract object, keeping fields the form does not show; the zod schema then says what is wrong with it. */
export function draftToEndpoint(d: EndpointDraft): unknown {
  const built = buildEndpoint(d) as Record<string, unknown>
  const o = d.original
  if (!o || o.kind !== d.kind) return built
  if (o.kind === 'postgres' && Array.isArray(built.nodes))
    built.nodes = (built.nodes as { name: string }[]).map((n) => ({ ...o.nodes.find((x) => x.name === n.name), ...n }))
  return { ...o, ...built }
}

/** Whether the edited endpoint now sends its secrets somewhere else than the saved one did (they must then be typed again). */
export function pointsElsewhere(d: EndpointDraft): boolean {
  return d.original !== undefined && secretDestination(draftToEndpoint(d) as object) !== secretDestination(d.original)
}

function buildEndpoint(d: EndpointDraft): unknown {
  const base = { id: d.id.trim(), name: d.name.trim() }
  const port = Number(d.port)
  switch (d.kind) {
    case 'ssh':
      return {
        ...base,
        kind: 'ssh',
        host: d.host.trim(),
        port,
        user: d.user.trim(),
        auth: d.authMethod === 'key' ? { method: 'key', keyPath: d.keyPath.trim() } : { method: d.authMethod },
        jumpHostId: opt(d.jumpHostId),
      }
    case 'redis-cluster':
      return {
        ...base,
        kind: d.kind,
        seeds: lines(d.addresses).map((a) => parseHostPort(a, port)),
        username: opt(d.username),
        tls: d.tls,
        caFile: d.tls ? opt(d.caFile) : undefined,
        viaSsh: opt(d.viaSsh),
        sshHostId: opt(d.sshHostId),
      }
    case 'redis-sentinel':
      return {
        ...base,
        kind: d.kind,
        sentinels: lines(d.addresses).map((a) => parseHostPort(a, port)),
        masterName: opt(d.masterName),
        username: opt(d.username),
        tls: d.tls,
        caFile: d.tls ? opt(d.caFile) : undefined,
        viaSsh: opt(d.viaSsh),
      }
    case 'mongo':
      return { ...base, kind: 'mongo', uri: d.uri.trim(), viaSsh: opt(d.viaSsh) }
    case 'postgres':
      return {
        ...base,
        kind: 'postgres',
        nodes: lines(d.addresses.replace(/,/g, '\n')).map((l, i) => {
          const parts = l.split(/\s+/)
          const [name, addr] = parts.length > 1 ? [parts[0]!, parts[1]!] : [`node${i + 1}`, parts[0]!]
          return { name, ...parseHostPort(addr, port), sshHostId: opt(d.sshHostId) }
        }),
        user: d.user.trim(),
        database: d.database.trim() || 'postgres',
        sslmode: d.sslmode,
        sslrootcert: d.sslmode === 'disable' ? undefined : opt(d.caFile),
        replicationUser: opt(d.replicationUser),
        viaSsh: opt(d.viaSsh),
        patroni: lines(d.patroniUrls).length ? { urls: lines(d.patroniUrls) } : undefined,
      }
    case 'pgbouncer':
      return {
        ...base,
        kind: 'pgbouncer',
        host: d.host.trim(),
        port,
        user: d.user.trim(),
        sslmode: d.sslmode,
        sslrootcert: d.sslmode === 'disable' ? undefined : opt(d.caFile),
        configPath: opt(d.configPath),
        sshHostId: opt(d.sshHostId),
        viaSsh: opt(d.viaSsh),
      }
    case 'nginx':
      return { ...base, kind: 'nginx', statusUrl: d.statusUrl.trim(), sshHostId: opt(d.sshHostId), configPath: opt(d.configPath), viaSsh: opt(d.viaSsh) }
    case 'docker':
      return {
        ...base,
        kind: 'docker',
        connection:
          d.dockerType === 'socket'
            ? { type: 'socket', path: d.socketPath.trim() }
            : d.dockerType === 'tcp'
              ? { type: 'tcp', host: d.host.trim(), port, tls: d.tls }
              : { type: 'ssh', sshHostId: d.sshHostId.trim(), socketPath: d.socketPath.trim() || '/var/run/docker.sock' },
        labelFilter: opt(d.labelFilter),
      }
  }
}

const joinAddrs = (a: HostPort[]) => a.map((x) => `${x.host}:${x.port}`).join('\n')

export function endpointToDraft(e: Endpoint): EndpointDraft {
  const d = { ...emptyDraft(e.kind, []), id: e.id, name: e.name, original: e }
  switch (e.kind) {
    case 'ssh':
      return {
        ...d,
        host: e.host,
        port: String(e.port),
        user: e.user,
        authMethod: e.auth.method,
        keyPath: e.auth.method === 'key' ? e.auth.keyPath : d.keyPath,
        jumpHostId: e.jumpHostId ?? '',
      }
    case 'redis-cluster':
      return {
        ...d,
        addresses: joinAddrs(e.seeds),
        username: e.username ?? '',
        tls: e.tls,
        caFile: e.caFile ?? '',
        viaSsh: e.viaSsh ?? '',
        sshHostId: e.sshHostId ?? '',
      }
    case 'redis-sentinel':
      return {
        ...d,
        addresses: joinAddrs(e.sentinels),
        masterName: e.masterName ?? '',
        username: e.username ?? '',
        tls: e.tls,
        caFile: e.caFile ?? '',
        viaSsh: e.viaSsh ?? '',
      }
    case 'mongo':
      return { ...d, uri: e.uri, viaSsh: e.viaSsh ?? '' }
    case 'postgres':
      return {
        ...d,
        addresses: e.nodes.map((n) => `${n.name} ${n.host}:${n.port}`).join('\n'),
        user: e.user,
        database: e.database,
        sslmode: e.sslmode,
        caFile: e.sslrootcert ?? '',
        replicationUser: e.replicationUser ?? '',
        sshHostId: e.nodes[0]?.sshHostId ?? '',
        viaSsh: e.viaSsh ?? '',
        patroniUrls: e.patroni?.urls.join('\n') ?? '',
      }
    case 'pgbouncer':
      return {
        ...d,
        host: e.host,
        port: String(e.port),
        user: e.user,
        sslmode: e.sslmode,
        caFile: e.sslrootcert ?? '',
        configPath: e.configPath ?? '',
        sshHostId: e.sshHostId ?? '',
        viaSsh: e.viaSsh ?? '',
      }
    case 'nginx':
      return { ...d, statusUrl: e.statusUrl, sshHostId: e.sshHostId ?? '', configPath: e.configPath ?? '', viaSsh: e.viaSsh ?? '' }
    case 'docker': {
      const c = e.connection
      if (c.type === 'socket') return { ...d, dockerType: 'socket', socketPath: c.path, labelFilter: e.labelFilter ?? '' }
      if (c.type === 'tcp') return { ...d, dockerType: 'tcp', host: c.host, port: String(c.port), tls: c.tls, labelFilter: e.labelFilter ?? '' }
      return { ...d, dockerType: 'ssh', sshHostId: c.sshHostId, socketPath: c.socketPath, labelFilter: e.labelFilter ?? '' }
    }
  }
}
