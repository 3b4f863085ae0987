import type { CapacityGauge } from '../../../shared/capacity'
import type { Point } from '../../../shared/domain/forecast'
import type { ServiceHub } from '../../core/service-hub'

export const capacityScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/capacity`
export const gaugeField = (g: Pick<CapacityGauge, 'kind' | 'subject'>) => `${g.kind}|${g.subject}`

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** A round's readings into the history (buffered; written with the other series once a second). */
export function recordGauges(hub: ServiceHub, environment: string, endpointId: string, at: number, gauges: readonly CapacityGauge[]): void {
  if (gauges.length) hub.history.record(capacityScope(environment, endpointId), at, Object.fromEntries(gauges.map((g) => [gaugeField(g), g.value])))
}

/**
 * Each resource's history over 30 days: the last day at ~20 s buckets (a fresh resource has enough
 * points within minutes), the days before as the store's minute rollups averaged to ~20 min.
 */
export function gaugeHistories(hub: ServiceHub, environment: string, endpointId: string, now = Date.now()): Map<string, Point[]> {
  const scope = capacityScope(environment, endpointId)
  const older = hub.history.read(scope, now - 30 * DAY, now - DAY, 2000)
  const recent = hub.history.read(scope, now - DAY, now, 4000)
  const out = new Map<string, Point[]>()
  for (const p of [...older, ...recent])
    for (const [field, value] of Object.entries(p.values)) {
      if (value === null) continue
      let list = out.get(field)
      if (!list) out.set(field, (list = []))
      list.push({ at: p.at, value })
    }
  return out
}
