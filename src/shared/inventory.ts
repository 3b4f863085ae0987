import { z } from 'zod'
import { EnvironmentName } from './primitives'
import { endpointSchemas } from './systems'

export { EndpointId, EnvironmentName, Host, HostPort, Port } from './primitives'

export const Endpoint = z.discriminatedUnion('kind', endpointSchemas)
export type Endpoint = z.infer<typeof Endpoint>
export type EndpointKind = Endpoint['kind']
export type EndpointOf<K extends EndpointKind> = Extract<Endpoint, { kind: K }>

/** Which endpoint fields point at an SSH host of the same environment. */
export function sshReferences(e: Endpoint): string[] {
  const refs: (string | undefined)[] = []
  if ('viaSsh' in e) refs.push(e.viaSsh)
  if (e.kind === 'ssh') refs.push(e.jumpHostId)
  if (e.kind === 'redis-cluster' || e.kind === 'nginx' || e.kind === 'pgbouncer') refs.push(e.sshHostId)
  if (e.kind === 'postgres') refs.push(...e.nodes.map((n) => n.sshHostId))
  if (e.kind === 'docker' && e.connection.type === 'ssh') refs.push(e.connection.sshHostId)
  return refs.filter((r): r is string => r !== undefined)
}

export const Environment = z
  .object({
    name: EnvironmentName,
    description: z.string().max(500).optional(),
    /** Look, never touch: every action is refused for it, in the app, the CLI and the runner. */
    readOnly: z.boolean().optional(),
    /** The team's Prometheus (scraping switchyard exporter): charts read their history from it first. */
    prometheusUrl: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://prometheus:9090' }).optional(),
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
