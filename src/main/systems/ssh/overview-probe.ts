import type { SystemHealth } from '../../../shared/health'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { withTimeout } from '../../core/errors'
import { nodeDown, systemHealth, type Finding } from '../../core/system-health'

/** A command that takes this long to start makes every step of an action on the host as slow. */
export const SLOW_COMMAND_MS = 1000

/** A warning when commands are slow to start on a host: its login shell's startup files are the usual cause. */
export function slowCommandFinding(label: string, commandMs: number): Finding[] {
  if (commandMs < SLOW_COMMAND_MS) return []
  return [
    {
      status: 'warn',
      reason: `${label}: a command takes ${commandMs} ms to run here, and every step of an action on this host pays it — sshd starts each command through the login shell, so look at what its startup files (~/.bashrc) run`,
    },
  ]
}

export async function probeSsh(endpoint: EndpointOf<'ssh'>, connections: Connections): Promise<SystemHealth> {
  const started = Date.now()
  const label = `${endpoint.user}@${endpoint.host}:${endpoint.port}`
  try {
    const session = await connections.ssh(endpoint.id)
    const sent = Date.now()
    const out = await withTimeout(`uptime on ${label}`, 8000, session.run('uname -sr; cat /proc/loadavg 2>/dev/null || uptime'))
    const commandMs = Date.now() - sent
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
          detail: `${kernel.trim()}, load ${Number.isFinite(load1) ? load1.toFixed(2) : '?'}, a command runs in ${commandMs} ms`,
          metrics: Number.isFinite(load1) ? { load1, commandMs } : { commandMs },
        },
      ],
      slowCommandFinding(label, commandMs),
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
