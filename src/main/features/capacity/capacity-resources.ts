import type { Observation } from '../../../shared/alerts'
import type { CapacityForecast, CapacityGauge, CapacityResource } from '../../../shared/capacity'
import { CAPACITY_REMEDY, capacityStatus, capacitySummary, soonest } from '../../../shared/domain/capacity-text'
import { forecast, type Forecast } from '../../../shared/domain/forecast'
import type { SystemKind } from '../../../shared/health'
import type { ServiceHub } from '../../core/service-hub'
import { gaugeField, gaugeHistories, recordGauges } from './capacity-history'

const DAY = 86_400_000
/** The watch loop's forecasts are remade at most this often (history moves slowly; a view asks fresh). */
const ROUND_EVERY_MS = 30_000

export interface EndpointGauges {
  endpoint: { id: string; name: string; system: SystemKind }
  gauges: CapacityGauge[]
}

/** The domain forecast as the contract carries it (JSON has no Infinity: "never" is null). */
function wire(f: Forecast): CapacityForecast {
  if (f.kind !== 'runs-out') return f
  const [low, high] = f.secondsLeftInterval
  return { ...f, secondsLeftInterval: [low, Number.isFinite(high) ? high : null] }
}

/** Each resource of one endpoint with its history (this reading included) and its forecasts over 7 and 30 days. */
function resourcesOf(hub: ServiceHub, environment: string, { endpoint, gauges }: EndpointGauges, now: number): CapacityResource[] {
  const histories = gaugeHistories(hub, environment, endpoint.id, now)
  return gauges.map((g) => {
    const history = (histories.get(gaugeField(g)) ?? []).filter((p) => p.at < now)
    history.push({ at: now, value: g.value })
    const forecast7d = wire(
      forecast(
        history.filter((p) => p.at >= now - 7 * DAY),
        { limit: g.limit, direction: g.direction, now },
      ),
    )
    const forecast30d = wire(forecast(history, { limit: g.limit, direction: g.direction, now }))
    const { secondsLeft, forecast: sooner } = soonest(forecast7d, forecast30d)
    return {
      key: `${endpoint.id}|${g.kind}|${g.subject}`,
      endpointId: endpoint.id,
      endpointName: endpoint.name,
      system: endpoint.system,
      gauge: g,
      history,
      forecast7d,
      forecast30d,
      secondsLeft,
      status: capacityStatus(secondsLeft, sooner),
      summary: capacitySummary(g, sooner),
      remedy: CAPACITY_REMEDY[g.kind],
    }
  })
}

const RANK = { critical: 0, warn: 1, unknown: 2, ok: 3 } as const

/** How close to its limit: 1 at the limit, whichever way it runs out. */
const fullness = (g: CapacityGauge) => (g.direction === 'down' ? g.limit / (g.value || 1) : g.value / (g.limit || 1))

/** Soonest to run out first; then the fullest. */
export function worstFirst(a: CapacityResource, b: CapacityResource): number {
  return RANK[a.status] - RANK[b.status] || (a.secondsLeft ?? Infinity) - (b.secondsLeft ?? Infinity) || fullness(b.gauge) - fullness(a.gauge)
}

/**
 * A round's readings: into the history, then every resource's forecast, worst first. `fresh`
 * remakes them now (a view, a CLI run); otherwise the last ones stand for ROUND_EVERY_MS.
 */
export function capacityRound(
  hub: ServiceHub,
  environment: string,
  read: readonly EndpointGauges[],
  options: { fresh?: boolean; now?: number } = {},
): CapacityResource[] {
  const now = options.now ?? Date.now()
  for (const r of read) recordGauges(hub, environment, r.endpoint.id, now, r.gauges)
  const cache = hub.service('capacity-rounds', () => new Map<string, { at: number; resources: CapacityResource[] }>())
  const last = cache.get(environment)
  if (!options.fresh && last && now - last.at < ROUND_EVERY_MS) return last.resources
  const resources = read.flatMap((r) => resourcesOf(hub, environment, r, now)).sort(worstFirst)
  cache.set(environment, { at: now, resources })
  return resources
}

/** The alert rule's input: seconds until each resource runs out (one that does not run out says nothing). */
export function capacityObservations(resources: readonly CapacityResource[]): Observation[] {
  return resources.flatMap((r) =>
    r.secondsLeft === null
      ? []
      : [{ endpointId: r.endpointId, metric: 'capacity-seconds-left' as const, subject: `${r.gauge.kind} ${r.gauge.subject}`, value: r.secondsLeft }],
  )
}
