import type { CapacityGauge } from '../../../shared/capacity'
import type { AppTier } from '../../../shared/systems/nginx'
import { readService } from '../../../shared/domain/autoscale-metrics'
import { loadKnee, type LoadPoint } from '../../../shared/domain/load-knee'
import { formatSeconds } from '../../../shared/domain/units'
import type { ServiceHub } from '../../core/service-hub'

const DAY = 86_400_000
const loadScope = (environment: string, endpointId: string) => `${environment}/${endpointId}/app-load`

/** The alert rules' warn thresholds for an upstream's p95 and its replicas' CPU: where the service strains. */
async function strainThresholds(hub: ServiceHub, environment: string): Promise<{ p95Ms: number; cpuPct: number }> {
  const rules = await hub.alerts.rules(environment)
  const warn = (metric: string, fallback: number) => rules.find((r) => r.metric === metric && r.enabled)?.warn ?? fallback
  return { p95Ms: warn('upstream-latency-ms', 500), cpuPct: warn('container-cpu-pct', 70) }
}

/**
 * Each upstream's requests per replica now, recorded with its CPU and p95 so that the load at which
 * it strained before is known; where it has strained, that load is the limit it runs out against,
 * and scaling out by one replica is the fix.
 */
export async function appCapacity(hub: ServiceHub, environment: string, endpointId: string, t: AppTier): Promise<CapacityGauge[]> {
  const scope = loadScope(environment, endpointId)
  const readings = t.upstreams.map((u) => ({ upstream: u.name, reading: readService(t, { upstream: u.name }) }))
  const now = t.checkedAt
  const fields: Record<string, number | null> = {}
  for (const { upstream, reading } of readings) {
    const v = reading.sample.values
    if (v['requests-per-replica'] == null) continue
    fields[`${upstream}|rps`] = v['requests-per-replica']
    fields[`${upstream}|cpu`] = v.cpu ?? null
    fields[`${upstream}|p95`] = v['p95-latency'] ?? null
  }
  if (!Object.keys(fields).length) return []
  hub.history.record(scope, now, fields)
  // the last day finely (a strained minute stays a strained point), the month before coarsely
  const history = [...hub.history.read(scope, now - 30 * DAY, now - DAY, 2000), ...hub.history.read(scope, now - DAY, now, 4000)]
  const thresholds = await strainThresholds(hub, environment)
  return readings.flatMap(({ upstream, reading }) => {
    const rps = reading.sample.values['requests-per-replica']
    if (rps == null) return []
    const points: LoadPoint[] = history.flatMap((p) => {
      const r = p.values[`${upstream}|rps`]
      return r == null ? [] : [{ at: p.at, rps: r, cpu: p.values[`${upstream}|cpu`] ?? null, p95: p.values[`${upstream}|p95`] ?? null }]
    })
    const knee = loadKnee(points, thresholds)
    if (!knee) return []
    const crossed = knee.by === 'p95' ? `p95 crossed ${formatSeconds(knee.threshold / 1000)}` : `CPU crossed ${knee.threshold} %`
    return [
      {
        kind: 'app-requests-per-replica' as const,
        subject: upstream,
        value: rps,
        limit: knee.rps,
        limitLabel: `${knee.rps.toFixed(knee.rps < 10 ? 1 : 0)} req/s, where ${crossed} before`,
        unit: 'rps' as const,
        fix: { label: `Scale out to ${reading.replicas + 1}`, request: { kind: 'app.scale', upstream, replicas: reading.replicas + 1 } },
      },
    ]
  })
}
