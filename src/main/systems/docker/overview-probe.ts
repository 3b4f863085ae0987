import type { NodeHealth, SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'
import { readDocker } from './docker-reader'

type DockerEndpoint = EndpointOf<'docker'>

/** Overview card for a Docker engine: every selected container (and Swarm task) running and not unhealthy, every service at its replica count. */
export async function probeDocker(endpoint: DockerEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  try {
    const { containers, groups } = await readDocker(endpoint, connections, { load: false })
    const nodes: NodeHealth[] = containers.map((c) => ({
      id: c.id,
      label: c.name,
      role: c.image,
      status: !c.running ? 'critical' : c.health === 'unhealthy' ? 'warn' : 'ok',
      detail: `${c.state}${c.health !== 'none' ? ` (${c.health})` : ''}${c.group ? `, ${c.group}` : ''}`,
      metrics: {},
    }))
    const findings: Finding[] = nodes.length === 0 ? [{ status: 'warn', reason: 'no containers match' }] : []
    for (const g of groups) if (g.running < g.desired) findings.push({ status: 'warn', reason: `${g.name}: ${g.running} of ${g.desired} replicas running` })
    return systemHealth(endpoint, 'docker', started, nodes, findings)
  } catch (err) {
    return systemHealth(endpoint, 'docker', started, [nodeDown(endpoint.id, endpoint.name, err, connections.secretValues())])
  }
}
