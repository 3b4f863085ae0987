import type { EnvironmentHealth, HealthStatus } from '../../../shared/health'

export interface TrayEnvironment {
  name: string
  status: HealthStatus
  firing: number
}

/** What the tray (menu-bar) icon shows: the worst environment's colour, the firing alerts, one menu line per environment. */
export interface TrayStatus {
  status: HealthStatus
  firing: number
  tooltip: string
  environments: TrayEnvironment[]
}

const RANK: Record<HealthStatus, number> = { critical: 0, warn: 1, unknown: 2, ok: 3 }
const WORD: Record<HealthStatus, string> = { critical: 'critical', warn: 'needs attention', unknown: 'not known', ok: 'healthy' }

/** The fleet as the overview sees it and the alerts firing per environment, worst first. */
export function trayStatus(fleet: readonly EnvironmentHealth[], firingIn: (environment: string) => number): TrayStatus {
  const environments = fleet
    .map((e) => ({ name: e.environment, status: e.status, firing: firingIn(e.environment) }))
    .sort((a, b) => RANK[a.status] - RANK[b.status] || b.firing - a.firing || a.name.localeCompare(b.name))
  const status = environments[0]?.status ?? 'unknown'
  const firing = environments.reduce((n, e) => n + e.firing, 0)
  const alerts = firing === 0 ? 'no alerts firing' : `${firing} alert${firing === 1 ? '' : 's'} firing`
  const tooltip =
    environments.length === 0
      ? 'Switchyard: no environments yet'
      : [`Switchyard: ${WORD[status]}, ${alerts}`, ...environments.map((e) => `${e.name}: ${WORD[e.status]}${e.firing ? ` (${e.firing} firing)` : ''}`)].join(
          '\n',
        )
  return { status, firing, tooltip, environments }
}

/** The icon's colours, Mantine's green, yellow, red and grey. */
export const STATUS_RGB: Record<HealthStatus, readonly [number, number, number]> = {
  ok: [0x2f, 0x9e, 0x44],
  warn: [0xf5, 0x9f, 0x00],
  critical: [0xe0, 0x31, 0x31],
  unknown: [0x86, 0x8e, 0x96],
}

/**
 * The tray icon as raw BGRA pixels (nativeImage.createFromBitmap): a disc in the status colour
 * with an anti-aliased edge and a dark ring, drawn here so no image file has to ship per status.
 */
export function trayIconBitmap(status: HealthStatus, size: number): Buffer {
  const [r, g, b] = STATUS_RGB[status]
  const pixels = Buffer.alloc(size * size * 4)
  const centre = (size - 1) / 2
  const radius = size / 2 - 0.5
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - centre, y - centre)
      const alpha = Math.max(0, Math.min(1, radius - d + 0.5))
      if (alpha === 0) continue
      const ring = d > radius - Math.max(1, size / 16) ? 0.55 : 1 // a darker rim reads on light and dark bars alike
      const i = (y * size + x) * 4
      pixels[i] = Math.round(b * ring)
      pixels[i + 1] = Math.round(g * ring)
      pixels[i + 2] = Math.round(r * ring)
      pixels[i + 3] = Math.round(alpha * 255)
    }
  return pixels
}
