import { z } from 'zod'
import { EndpointId, Host, Port, endpointBase } from '../primitives'

export const SshAuth = z.discriminatedUnion('method', [
  z.object({ method: z.literal('key'), keyPath: z.string().min(1) }),
  z.object({ method: z.literal('agent') }),
  z.object({ method: z.literal('password') }),
])

export const SshEndpoint = z.object({
  ...endpointBase,
  kind: z.literal('ssh'),
  host: Host,
  port: Port.default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}\$?$/i, 'not a valid user name'),
  auth: SshAuth,
  jumpHostId: EndpointId.optional(),
})
