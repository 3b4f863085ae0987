import type { EnvironmentHealth, HealthStatus, SystemHealth } from '../health'
import { byStatusWorstFirst } from './health'

/** What the overview shows of many environments: a text filter and, at 3 a.m., only what is wrong. */
export interface FleetQuery {
  text: string
  problemsOnly: boolean
}

function systemMatches(s: SystemHealth, text: string): boolean {
  return [s.name, s.endpointId, s.system, s.reason].some((v) => v.toLowerCase().includes(text))
}

/**
 * The environments to show, worst first then by name. An environment whose name matches keeps all
 * its systems; otherwise it shows the systems that match (by name, id, kind or reason). With
 * problemsOnly, healthy systems and healthy environments are left out.
 */
export function arrangeFleet(environments: readonly EnvironmentHealth[], query: FleetQuery): EnvironmentHealth[] {
  const text = query.text.trim().toLowerCase()
  const shown: EnvironmentHealth[] = []
  for (const env of environments) {
    if (query.problemsOnly && env.status === 'ok') continue
    const named = !text || env.environment.toLowerCase().includes(text)
    let systems = named ? env.systems : env.systems.filter((s) => systemMatches(s, text))
    if (query.problemsOnly) systems = systems.filter((s) => s.status !== 'ok')
    if (!named && systems.length === 0) continue
    shown.push(systems.length === env.systems.length ? env : { ...env, systems })
  }
  return shown.sort((a, b) => byStatusWorstFirst(a.status, b.status) || a.environment.localeCompare(b.environment))
}

/** How many of these (environments, or the systems of one) are in each status. */
export function countByStatus(items: readonly { status: HealthStatus }[]): Record<HealthStatus, number> {
  const counts: Record<HealthStatus, number> = { critical: 0, warn: 0, unknown: 0, ok: 0 }
  for (const i of items) counts[i.status]++
  return counts
}
