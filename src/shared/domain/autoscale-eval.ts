import { METRIC_NAME, METRIC_UNIT, type MetricReading, type MetricRule, type ScalingDecision, type ScalingMetric, type ScalingPolicy } from '../autoscale'
import { durationMs } from './alert-eval'

/** One round's values of a service's metrics (null: could not be read this round). */
export interface MetricSample {
  at: number
  values: Partial<Record<ScalingMetric, number | null>>
}

export interface PolicyState {
  /** Recent samples, oldest first. */
  samples: readonly MetricSample[]
  /** Replicas running now. */
  replicas: number
  service: string | null
  /** When this policy last scaled up, and last scaled either way (null: not since the history began). */
  lastUp: number | null
  lastScale: number | null
  now: number
}

export type Verdict = Pick<ScalingDecision, 'verdict' | 'desired' | 'reason' | 'metrics'>

/** Since when every sample up to the last has passed the test; null when the last one does not. */
function runSince(samples: readonly MetricSample[], metric: ScalingMetric, test: (v: number) => boolean): number | null {
  let since: number | null = null
  for (let i = samples.length - 1; i >= 0; i--) {
    const v = samples[i]!.values[metric]
    if (v === null || v === undefined || !test(v)) break
    since = samples[i]!.at
  }
  return since
}

export function readMetric(rule: MetricRule, samples: readonly MetricSample[]): MetricReading {
  const last = samples.at(-1)?.values[rule.metric]
  return {
    metric: rule.metric,
    value: last ?? null,
    up: rule.up,
    down: rule.down,
    aboveSince: runSince(samples, rule.metric, (v) => v > rule.up),
    belowSince: runSince(samples, rule.metric, (v) => v < rule.down),
  }
}

const fmt = (r: MetricReading) =>
  `${METRIC_NAME[r.metric]} ${r.value === null ? '?' : r.value.toFixed(r.metric === 'p95-latency' ? 0 : 1)} ${METRIC_UNIT[r.metric]}`
const secs = (ms: number) => `${Math.round(ms / 1000)} s`

/**
 * What a policy decides this round, from the service's recent metrics: one step up as soon as any
 * metric has stayed above its up threshold for its duration; one step down only when every metric
 * it can read has stayed below its down threshold for its duration; never past min or max, never
 * inside a cooldown. Whether the decision is carried out is the loop's business, not this one's.
 */
export function decide(policy: ScalingPolicy, s: PolicyState): Verdict {
  const metrics = policy.metrics.map((rule) => readMetric(rule, s.samples))
  const hold = (reason: string): Verdict => ({ verdict: 'hold', desired: s.replicas, reason, metrics })
  if (!s.service) return hold(`no Docker service serves upstream ${policy.upstream}: nothing to scale`)
  if (s.replicas < policy.min) return { verdict: 'up', desired: policy.min, reason: `${s.replicas} replicas, below the minimum of ${policy.min}`, metrics }
  if (s.replicas > policy.max) return { verdict: 'down', desired: policy.max, reason: `${s.replicas} replicas, above the maximum of ${policy.max}`, metrics }
  const readable = metrics.filter((m) => m.value !== null)
  if (!readable.length) return hold('no metric of the policy could be read')

  const rules = new Map(policy.metrics.map((r) => [r.metric, r]))
  const hot = metrics.filter((m) => m.aboveSince !== null && s.now - m.aboveSince >= durationMs(rules.get(m.metric)!.upFor))
  if (hot.length) {
    const why = hot.map((m) => `${fmt(m)} above ${m.up} ${METRIC_UNIT[m.metric]} for ${secs(s.now - m.aboveSince!)}`).join(', ')
    if (s.replicas >= policy.max) return hold(`${why}, but already at the maximum of ${policy.max} replicas`)
    const cooling = s.lastUp === null ? 0 : durationMs(policy.cooldownUp) - (s.now - s.lastUp)
    if (cooling > 0) return hold(`${why}; scale-up cooldown: ${secs(cooling)} left`)
    const desired = Math.min(policy.max, s.replicas + policy.step)
    return { verdict: 'up', desired, reason: `${why}: ${s.replicas} → ${desired}`, metrics }
  }

  const cold = readable.every((m) => m.belowSince !== null && s.now - m.belowSince >= durationMs(rules.get(m.metric)!.downFor))
  if (cold) {
    const why = readable.map((m) => `${fmt(m)} below ${m.down} ${METRIC_UNIT[m.metric]} for ${secs(s.now - m.belowSince!)}`).join(', ')
    if (s.replicas <= policy.min) return hold(`${why}; already at the minimum of ${policy.min} replicas`)
    const cooling = s.lastScale === null ? 0 : durationMs(policy.cooldownDown) - (s.now - s.lastScale)
    if (cooling > 0) return hold(`${why}; scale-down cooldown: ${secs(cooling)} left`)
    const desired = Math.max(policy.min, s.replicas - policy.step)
    return { verdict: 'down', desired, reason: `${why}: ${s.replicas} → ${desired}`, metrics }
  }
  const warming = metrics.filter((m) => m.aboveSince !== null)
  if (warming.length)
    return hold(
      warming
        .map((m) => `${fmt(m)} above ${m.up} ${METRIC_UNIT[m.metric]} for ${secs(s.now - m.aboveSince!)} of ${secs(durationMs(rules.get(m.metric)!.upFor))}`)
        .join(', '),
    )
  return hold(`${readable.map(fmt).join(', ')}: within the thresholds`)
}
