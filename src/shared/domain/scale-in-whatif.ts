import { METRIC_NAME, METRIC_UNIT, type ScalingPolicy } from '../autoscale'
import type { MetricSample } from './autoscale-eval'

/** What is shared out over the replicas (their CPU, the requests each serves), as a plan says it. */
const SHARED = { cpu: 'CPU per replica', 'requests-per-replica': 'requests per replica' } as const

const num = (v: number, unit: string) => `${v.toFixed(v < 10 ? 1 : 0)}${unit === '%' ? ' %' : ` ${unit}`}`

/**
 * What a scale-in from `from` to `to` replicas leaves each remaining replica: the same work over
 * fewer of them (CPU and requests per replica × from / to), said for every policy metric that
 * shares out, with a warning where the prediction crosses a policy's scale-up threshold — that
 * scale-in would be undone by the autoscaler's next scale-out.
 */
export function scaleInWhatIf(
  now: MetricSample['values'],
  from: number,
  to: number,
  policies: readonly ScalingPolicy[],
): { notes: string[]; warnings: string[] } {
  if (to >= from || from <= 0) return { notes: [], warnings: [] }
  const factor = from / to
  const notes: string[] = []
  const warnings: string[] = []
  for (const [metric, label] of Object.entries(SHARED) as [keyof typeof SHARED, string][]) {
    const value = now[metric]
    if (value === null || value === undefined) continue
    const after = value * factor
    const unit = METRIC_UNIT[metric]
    notes.push(`${label}: ${num(value, unit)} now on ${from}, about ${num(after, unit)} on ${to}`)
    for (const p of policies) {
      const rule = p.metrics.find((m) => m.metric === metric)
      if (rule && after > rule.up)
        warnings.push(
          `After the scale-in each of the ${to} replicas would run at about ${num(after, unit)} ${METRIC_NAME[metric]}, above policy ${p.name}'s scale-up threshold (${num(rule.up, unit)}): the autoscaler would scale it back out.`,
        )
    }
  }
  return { notes, warnings }
}
