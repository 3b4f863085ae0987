import { z } from 'zod'

/** Hostnames and IP literals; anything with shell or URL metacharacters is rejected at the boundary. */
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/

export const Host = z
  .string()
  .trim()
  .min(1, 'host is required')
  .max(253)
  .regex(hostPattern, 'not a valid host name or IP address')
export const Port = z.number().int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535')
export const HostPort = z.object({ host: Host, port: Port })
export type HostPort = z.infer<typeof HostPort>

export const EndpointId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'ids are lower-case letters, digits and dashes')
export const EnvironmentName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'names are lower-case letters, digits, dot, dash and underscore')

const base = {
  id: EndpointId,
  name: z.string().trim().min(1).max(80),
}
/** Reach the endpoint through an SSH host of the same environment (a bastion). */
const viaSsh = { viaSsh: EndpointId.optional() }

export const SshAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('key'), keyPath: z.string().min(1) }),
  z.object({ method: z.literal('agent') }),
  z.object({ method: z.literal('password') }),
])

export const SshEndpoint = z.object({
  ...base,
  kind: z.literal('ssh'),
  host: Host,
  port: Port.default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'not a valid user name'),
  auth: SshAuth,
  jumpHostId: EndpointId.optional(),
})

export const RedisClusterEndpoint = z.object({
  ...base,
  ...viaSsh,
  kind: z.literal('redis-cluster'),
  seeds: z.array(HostPort).min(1, 'at least one seed node'),
  username: z.string().min(1).optional(),
  tls: z.boolean().default(false),
  /** SSH host on which redis-server nodes run, for actions that start or stop processes. */
  sshHostId: EndpointId.optional(),
})

export const RedisSentinelEndpoint = z.object({
  ...base,
  ...viaSsh,
  kind: z.literal('redis-sentinel'),
  sentinels: z.array(HostPort).min(1, 'at least one sentinel'),
  masterName: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  tls: z.boolean().default(false),
})

export const MongoEndpoint = z.object({
  ...base,
  ...viaSsh,
  kind: z.literal('mongo'),
  uri: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a mongodb:// or mongodb+srv:// URI')
    .refine((u) => !/^mongodb(\+srv)?:\/\/[^@/]*:[^@/]*@/.test(u), 'put the password in the password field, not in the URI'),
})

export const PostgresNode = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,63}$/, 'node names are letters, digits, dot, dash and underscore'),
  host: Host,
  port: Port.default(5432),
  /** SSH host that runs this node's server, needed for switchover, failover and add-replica. */
  sshHostId: EndpointId.optional(),
  dataDir: z.string().optional(),
  binDir: z.string().optional(),
})

export const PostgresEndpoint = z.object({
  ...base,
  ...viaSsh,
  kind: z.literal('postgres'),
  nodes: z.array(PostgresNode).min(1, 'at least one node'),
  user: z.string().min(1),
  database: z.string().min(1).default('postgres'),
  sslmode: z.enum(['disable', 'prefer', 'require', 'verify-full']).default('prefer'),
  replicationUser: z.string().min(1).optional(),
})

export const NginxEndpoint = z.object({
  ...base,
  ...viaSsh,
  kind: z.literal('nginx'),
  /** stub_status URL, e.g. http://10.0.0.5:8081/nginx_status */
  statusUrl: z.string().url(),
  sshHostId: EndpointId.optional(),
  configPath: z.string().optional(),
  upstreamPath: z.string().optional(),
})

export const DockerConnection = z.discriminatedUnion('type', [
  z.object({ type: z.literal('socket'), path: z.string().min(1) }),
  z.object({
    type: z.literal('tcp'),
    host: Host,
    port: Port.default(2376),
    tls: z.boolean().default(true),
    caPath: z.string().optional(),
    certPath: z.string().optional(),
    keyPath: z.string().optional(),
  }),
  z.object({ type: z.literal('ssh'), sshHostId: EndpointId, socketPath: z.string().default('/var/run/docker.sock') }),
])

export const DockerEndpoint = z.object({
  ...base,
  kind: z.literal('docker'),
  connection: DockerConnection,
  /** Only containers carrying this label (key or key=value) are shown. */
  labelFilter: z.string().optional(),
})

export const Endpoint = z.discriminatedUnion('kind', [
  SshEndpoint,
  RedisClusterEndpoint,
  RedisSentinelEndpoint,
  MongoEndpoint,
  PostgresEndpoint,
  NginxEndpoint,
  DockerEndpoint,
])
export type Endpoint = z.infer<typeof Endpoint>
export type EndpointKind = Endpoint['kind']
export type EndpointOf<K extends EndpointKind> = Extract<Endpoint, { kind: K }>
export type SshEndpoint = z.infer<typeof SshEndpoint>

/** Which endpoint fields point at an SSH host of the same environment. */
export function sshReferences(e: Endpoint): string[] {
  const refs: (string | undefined)[] = []
  if ('viaSsh' in e) refs.push(e.viaSsh)
  if (e.kind === 'ssh') refs.push(e.jumpHostId)
  if (e.kind === 'redis-cluster' || e.kind === 'nginx') refs.push(e.sshHostId)
  if (e.kind === 'postgres') refs.push(...e.nodes.map((n) => n.sshHostId))
  if (e.kind === 'docker' && e.connection.type === 'ssh') refs.push(e.connection.sshHostId)
  return refs.filter((r): r is string => r !== undefined)
}

export const Environment = z
  .object({
    name: EnvironmentName,
    description: z.string().max(500).optional(),
    endpoints: z.array(Endpoint),
  })
  .superRefine((env, ctx) => {
    const seen = new Set<string>()
    env.endpoints.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: `duplicate endpoint id "${e.id}"` })
      seen.add(e.id)
    })
    const sshIds = new Set(env.endpoints.filter((e) => e.kind === 'ssh').map((e) => e.id))
    env.endpoints.forEach((e, i) => {
      for (const ref of sshReferences(e)) {
        if (!sshIds.has(ref))
          ctx.addIssue({ code: 'custom', path: ['endpoints', i], message: `"${e.id}" refers to SSH host "${ref}", which is not in this environment` })
        if (e.kind === 'ssh' && ref === e.id)
          ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'jumpHostId'], message: 'an SSH host cannot jump through itself' })
      }
    })
  })
export type Environment = z.infer<typeof Environment>

export const SecretSlot = z.enum(['password', 'passphrase', 'replication-password'])
export type SecretSlot = z.infer<typeof SecretSlot>

/** Secrets travel renderer → main only, keyed "<endpointId>.<slot>"; an empty string deletes the secret. */
export const SecretKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}\.(password|passphrase|replication-password)$/)
export const SecretInput = z.record(SecretKey, z.string().max(4096))
export type SecretInput = z.infer<typeof SecretInput>

export function secretKey(endpointId: string, slot: SecretSlot): string {
  return `${endpointId}.${slot}`
}

/** What the renderer sees of an environment: never a secret value, only which secrets are stored. */
export const EnvironmentView = z.object({
  environment: Environment,
  secretsSet: z.array(SecretKey),
})
export type EnvironmentView = z.infer<typeof EnvironmentView>
