import { z } from 'zod'
import { EndpointId, endpointBase, viaSsh } from '../primitives'

export const NginxEndpoint = z.object({
  ...endpointBase,
  ...viaSsh,
  kind: z.literal('nginx'),
  /** stub_status URL, e.g. http://10.0.0.5:8081/nginx_status */
  statusUrl: z.url(),
  sshHostId: EndpointId.optional(),
  configPath: z.string().optional(),
  upstreamPath: z.string().optional(),
})
