import Docker from 'dockerode'
import { readFileSync } from 'node:fs'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'

type DockerEndpoint = EndpointOf<'docker'>

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch (err) {
    throw new SwitchyardError('config', `cannot read the TLS ${what} ${path}: ${(err as Error).message}`)
  }
}

/** A Docker API client for a local socket, a TLS TCP daemon, or a remote socket reached over SSH. */
export async function dockerClient(endpoint: DockerEndpoint, connections: Connections): Promise<Docker> {
  const c = endpoint.connection
  if (c.type === 'socket') return new Docker({ socketPath: c.path, timeout: 5000 })
  if (c.type === 'tcp')
    return new Docker({
      host: c.host,
      port: c.port,
      protocol: c.tls ? 'https' : 'http',
      ca: readPem(c.caPath, 'CA'),
      cert: readPem(c.certPath, 'certificate'),
      key: readPem(c.keyPath, 'key'),
      timeout: 5000,
    })
  const session = await connections.ssh(c.sshHostId)
  const local = await session.forwardLocalSocket(c.socketPath)
  return new Docker({ host: local.host, port: local.port, protocol: 'http', timeout: 5000 })
}

export function labelFilters(endpoint: DockerEndpoint): Record<string, string[]> | undefined {
  return endpoint.labelFilter ? { label: [endpoint.labelFilter] } : undefined
}
