import type { EstimateCheck, EstimateMetric, PredictedSeconds, RunActual, RunEstimate } from '../actions'
import { formatSeconds } from './units'

/** A finished run as predictions learn from it. */
export interface EarlierRun {
  runId: string
  kind: string
  at: number
  estimate: RunEstimate | null
  actual: RunActual
}

const METRICS: readonly EstimateMetric[] = ['duration', 'writePause']

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** The median of what earlier runs took, their spread as the range (a lone run gets ±25 %). */
export function predictedFrom(values: readonly number[]): PredictedSeconds | undefined {
  if (!values.length) return undefined
  const seconds = median(values)
  if (values.length === 1) return { seconds, low: seconds * 0.75, high: seconds * 1.25 }
  return { seconds, low: Math.min(...values), high: Math.max(...values) }
}

/**
 * What a plan with no model of its own expects: the same action on the same target took this
 * long before (a failover, a switchover). Nothing without an earlier run: no guess.
 */
export function estimateFromEarlierRuns(runs: readonly EarlierRun[]): RunEstimate | undefined {
  const recent = runs.slice(0, 5)
  const duration = predictedFrom(recent.map((r) => r.actual.duration))
  if (!duration) return undefined
  const writePause = predictedFrom(recent.flatMap((r) => (r.actual.writePause === undefined ? [] : [r.actual.writePause])))
  return {
    duration,
    ...(writePause ? { writePause } : {}),
    basis: `the last ${recent.length === 1 ? 'run' : `${recent.length} runs`} of this action on this target`,
    load: {},
  }
}

/** A prediction next to what the run measured, metric by metric. */
export function estimateChecks(runId: string, at: number, estimate: RunEstimate | null | undefined, actual: RunActual | undefined): EstimateCheck[] {
  if (!estimate || !actual) return []
  return METRICS.flatMap((metric) => {
    const predicted = estimate[metric]?.seconds
    const measured = actual[metric]
    return predicted === undefined || measured === undefined ? [] : [{ runId, at, metric, predicted, actual: measured }]
  })
}

/** How the last predictions did, for the plan: newest first. */
export function trackOf(runs: readonly EarlierRun[], limit = 5): EstimateCheck[] {
  return runs.flatMap((r) => estimateChecks(r.runId, r.at, r.estimate, r.actual)).slice(0, limit * METRICS.length)
}

/** Relative error of a prediction, in percent of what happened (positive: it took longer than said). */
export function errorPct(check: Pick<EstimateCheck, 'predicted' | 'actual'>): number {
  return check.actual > 0 ? ((check.actual - check.predicted) / check.actual) * 100 : check.predicted > 0 ? -100 : 0
}

const METRIC_TEXT: Record<EstimateMetric, string> = { duration: 'took', writePause: 'writes paused' }

/** "predicted 41 s, took 38 s (8 % faster)". */
export function checkText(c: EstimateCheck): string {
  const e = errorPct(c)
  const how = Math.abs(e) < 0.5 ? 'as predicted' : `${Math.abs(e).toFixed(0)} % ${e > 0 ? 'longer' : 'shorter'}`
  return `${c.metric === 'duration' ? 'predicted' : 'write pause predicted'} ${formatSeconds(c.predicted)}, ${METRIC_TEXT[c.metric]} ${formatSeconds(c.actual)} (${how})`
}

/** One line for a plan: how far off the last duration predictions were. */
export function trackSummary(track: readonly EstimateCheck[]): string | undefined {
  const durations = track.filter((c) => c.metric === 'duration')
  if (!durations.length) return undefined
  const worst = Math.max(...durations.map((c) => Math.abs(errorPct(c))))
  const which = durations.length === 1 ? 'the last prediction for this target was' : `the last ${durations.length} predictions for this target were`
  return `${which} within ${worst.toFixed(0)} % of what the ${durations.length === 1 ? 'run' : 'runs'} took`
}

/** "about 41 s (30 s – 55 s)". */
export function predictedText(p: PredictedSeconds): string {
  return `about ${formatSeconds(p.seconds)} (${formatSeconds(p.low)} – ${formatSeconds(p.high)})`
}
