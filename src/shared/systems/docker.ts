import { z } from 'zod'
import { EndpointId, Host, Port, endpointBase } from '../primitives'

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
  ...endpointBase,
  kind: z.literal('docker'),
  connection: DockerConnection,
  /** Only containers carrying this label (key or key=value) are shown. */
  labelFilter: z.string().optional(),
})

export const DockerRestartRequest = z.object({
  environment: z.string(),
  endpointId: z.string(),
  kind: z.literal('docker.restart'),
  container: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'not a container name or id'),
})

export const dockerActionRequests = [DockerRestartRequest] as const
