import type { HealthStatus } from '../health'

const severity: Record<HealthStatus, number> = { ok: 0, unknown: 1, warn: 2, critical: 3 }

/** Worse statuses first (critical, warn, unknown, ok): for sorting what needs a look to the top. */
export function byStatusWorstFirst(a: HealthStatus, b: HealthStatus): number {
  return severity[b] - severity[a]
}

/** The worst of several statuses; an empty list is unknown. */
export function worstStatus(statuses: readonly HealthStatus[]): HealthStatus {
  if (statuses.length === 0) return 'unknown'
  return statuses.reduce((a, b) => (severity[b] > severity[a] ? b : a))
}

/** Exit codes of a monitoring plugin (Nagios/Icinga): 0 ok, 1 warning, 2 critical, 3 unknown. */
export function pluginExitCode(status: HealthStatus): 0 | 1 | 2 | 3 {
  return ({ ok: 0, warn: 1, critical: 2, unknown: 3 } as const)[status]
}

export interface Threshold {
  warn: number
  critical: number
}

/** Grade a value that is worse when higher. */
export function gradeHigh(value: number, t: Threshold): HealthStatus {
  if (value >= t.critical) return 'critical'
  if (value >= t.warn) return 'warn'
  return 'ok'
}

/** Join the reasons of the items at the worst status, so a card says why it is red. */
export function reasonFor(items: readonly { status: HealthStatus; reason: string }[], okText: string): string {
  const worst = worstStatus(items.map((i) => i.status))
  if (worst === 'ok') return okText
  const reasons = items.filter((i) => i.status === worst).map((i) => i.reason)
  return [...new Set(reasons)].join('; ')
}

/** An action whose process died mid-run makes its environment critical, named first, until it is resumed, rolled back or resolved. */
export function withInterrupted<H extends { status: HealthStatus; reason: string }, R extends { title: string; actor: string }>(
  health: H,
  runs: readonly R[],
): H & { interrupted: R[] } {
  if (!runs.length) return { ...health, interrupted: [] }
  const first = runs[0]!
  const more = runs.length > 1 ? ` (and ${runs.length - 1} more)` : ''
  return { ...health, status: 'critical', reason: `interrupted action: ${first.title} by ${first.actor}${more}; ${health.reason}`, interrupted: [...runs] }
}
