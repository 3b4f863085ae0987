import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'
import { dockerClient, labelFilters } from './docker-client'

type DockerEndpoint = EndpointOf<'docker'>

/** Overview card for a Docker engine: every selected container running and not unhealthy. */
export async function probeDocker(endpoint: DockerEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  try {
    const docker = await dockerClient(endpoint, connections)
    const containers = await withTimeout('listing containers', 5000, docker.listContainers({ all: true, filters: labelFilters(endpoint) }))
    const nodes: NodeHealth[] = containers.map((c) => {
      const name = (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')
      const unhealthy = /unhealthy/.test(c.Status)
      const status = c.State !== 'running' ? 'critical' : unhealthy ? 'warn' : 'ok'
      return { id: c.Id, label: name, role: c.Image, status, detail: `${c.State}: ${c.Status}`, metrics: {} }
    })
    const findings: Finding[] = nodes.length === 0 ? [{ status: 'warn', reason: 'no containers match' }] : []
    return systemHealth(endpoint, 'docker', started, nodes, findings)
  } catch (err) {
    return systemHealth(endpoint, 'docker', started, [nodeDown(endpoint.id, endpoint.name, err, connections.secretValues())])
  }
}
