import type { SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { nodeDown, systemHealth } from '../../core/system-health'
import { parseStubStatus } from './stub-status'

type NginxEndpoint = EndpointOf<'nginx'>

/** Overview card for an nginx load balancer, from its stub_status page. */
export async function probeNginx(endpoint: NginxEndpoint, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const url = new URL(endpoint.statusUrl)
  const label = url.host
  try {
    const at = await connections.reach(endpoint, { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) })
    url.hostname = at.host
    url.port = String(at.port)
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) })
    if (!res.ok) throw new SwitchyardError('protocol', `stub_status answered HTTP ${res.status}`)
    const s = parseStubStatus(await res.text())
    return systemHealth(endpoint, 'nginx', started, [
      {
        id: label,
        label,
        status: 'ok',
        detail: `${s.active} active connections, ${s.requests} requests served`,
        metrics: { ...s },
      },
    ])
  } catch (err) {
    return systemHealth(endpoint, 'nginx', started, [nodeDown(label, label, err, connections.secretValues())])
  }
}
