import type { SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { nodeDown, systemHealth } from '../../core/system-health'
import { readStubStatus } from './stub-status'

type NginxEndpoint = EndpointOf<'nginx'>

/** Overview card for an nginx load balancer, from its stub_status page. */
export async function probeNginx(endpoint: NginxEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const label = new URL(endpoint.statusUrl).host
  try {
    const s = await readStubStatus(endpoint, connections)
    return systemHealth(endpoint, 'nginx', started, [
      { id: label, label, status: 'ok', detail: `${s.active} active connections, ${s.requests} requests served`, metrics: { ...s } },
    ])
  } catch (err) {
    return systemHealth(endpoint, 'nginx', started, [nodeDown(label, label, err, connections.secretValues())])
  }
}
