import type { SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { nodeDown, systemHealth } from '../../core/system-health'

export async function probeSsh(endpoint: EndpointOf<'ssh'>, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const label = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
  try {
    const session = await connections.ssh(endpoint.id)
    const out = await withTimeout(`uptime on ${label}`, 8000, session.run('uname -sr; cat /proc/loadavg 2>/dev/null || uptime'))
    const [kernel = '', load = ''] = out.trim().split('\n')
    const load1 = Number.parseFloat(load.split(' ')[0] ?? '')
    return systemHealth(
      endpoint,
      'ssh',
      started,
      [
        {
          id: label,
          label,
          status: 'ok',
          detail: `${kernel.trim()}, load ${Number.isFinite(load1) ? load1.toFixed(2) : '?'}`,
          metrics: Number.isFinite(load1) ? { load1 } : {},
        },
      ],
      [],
      connections.takeNotices(endpoint.host, endpoint.port),
    )
  } catch (err) {
    return systemHealth(
      endpoint,
      'ssh',
      started,
      [nodeDown(label, label, err, connections.secretValues())],
      [],
      connections.takeNotices(endpoint.host, endpoint.port),
    )
  }
}
