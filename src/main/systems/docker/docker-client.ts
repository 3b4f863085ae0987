import Docker from 'dockerode'
import { readFileSync } from 'node:fs'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { StatsWatcher } from './docker-stats'

type DockerEndpoint = EndpointOf<'docker'>

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined
  try {
    return readFileSync(path)
  } catch (err) {
    throw new SwitchyardError('config', `cannot read the TLS ${what} ${path}: ${(err as Error).message}`)
  }
}

async function connect(endpoint: DockerEndpoint, connections: Connections): Promise<Docker> {
  const c = endpoint.connection
  if (c.type === 'socket') return new Docker({ socketPath: c.path, timeout: 10_000 })
  if (c.type === 'tcp')
    return new Docker({
      host: c.host,
      port: c.port,
      protocol: c.tls ? 'https' : 'http',
      ca: readPem(c.caPath, 'CA'),
      cert: readPem(c.certPath, 'certificate'),
      key: readPem(c.keyPath, 'key'),
      timeout: 10_000,
    })
  const session = await connections.ssh(c.sshHostId)
  const local = await session.forwardLocalSocket(c.socketPath)
  return new Docker({ socketPath: local.path, timeout: 10_000 })
}

export interface DockerHandle {
  docker: Docker
  stats: StatsWatcher
}

const pools = new WeakMap<Connections, Map<string, Promise<DockerHandle>>>()

/** One Docker API client (and stats watcher) per endpoint and environment connection pool: a local socket, TLS TCP, or a socket over SSH. */
export function dockerHandle(endpoint: DockerEndpoint, connections: Connections): Promise<DockerHandle> {
  let pool = pools.get(connections)
  if (!pool) {
    const created = new Map<string, Promise<DockerHandle>>()
    pools.set(connections, created)
    connections.onClose(async () => {
      for (const h of created.values()) await h.then((x) => x.stats.close()).catch(() => undefined)
    })
    pool = created
  }
  let handle = pool.get(endpoint.id)
  if (!handle) {
    handle = connect(endpoint, connections).then((docker) => ({ docker, stats: new StatsWatcher(docker) }))
    pool.set(endpoint.id, handle)
    const p = pool
    handle.catch(() => p.delete(endpoint.id))
  }
  return handle
}

export async function dockerClient(endpoint: DockerEndpoint, connections: Connections): Promise<Docker> {
  return (await dockerHandle(endpoint, connections)).docker
}

export function labelFilters(endpoint: DockerEndpoint): Record<string, string[]> | undefined {
  return endpoint.labelFilter ? { label: [endpoint.labelFilter] } : undefined
}
