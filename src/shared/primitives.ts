import { z } from 'zod'

/** Hostnames and IP literals; anything with shell or URL metacharacters is rejected at the boundary. */
const hostPattern = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/

export const Host = z.string().trim().min(1, 'host is required').max(253).regex(hostPattern, 'not a valid host name or IP address')
export const Port = z.number().int().min(1, 'port must be 1-65535').max(65535, 'port must be 1-65535')
export const HostPort = z.object({ host: Host, port: Port })
export type HostPort = z.infer<typeof HostPort>

export const EndpointId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'ids are lower-case letters, digits and dashes')
export const EnvironmentName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'names are lower-case letters, digits, dot, dash and underscore')

/** The fields every endpoint has. */
export const endpointBase = {
  id: EndpointId,
  name: z.string().trim().min(1).max(80),
}
/** Reach the endpoint through an SSH host of the same environment (a bastion). */
export const viaSsh = { viaSsh: EndpointId.optional() }

export const FilePath = z.string().regex(/^\/[^\0]+$/, 'an absolute file path')

/** libpq's sslmode, and what old files said: `prefer` used to connect without TLS; it now reads as verify-full. */
export const SslMode = z.preprocess((v) => (v === 'prefer' ? 'verify-full' : v), z.enum(['disable', 'require', 'verify-ca', 'verify-full']))
export type SslMode = z.infer<typeof SslMode>

/** TLS of a PostgreSQL-protocol endpoint: verify-full unless chosen otherwise; disable shows as "no TLS". */
export const pgTls = {
  sslmode: SslMode.default('verify-full'),
  /** CA file (PEM) for verify-ca / verify-full; the system's CAs when absent. */
  sslrootcert: FilePath.optional(),
}
