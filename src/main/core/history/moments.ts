import type { MomentSeries } from '../../../shared/timeline'
import type { HistoryPoint } from './history-store'

/** Points a moment chart gets: a window of an incident is short, a few hundred are plenty. */
export const MOMENT_POINTS = 400

/** One line of a moment chart from a history group: a reduction of each point's fields. */
export function momentSeries(
  points: readonly HistoryPoint[],
  label: string,
  unit: string,
  pick: (values: Record<string, number | null>) => number | null,
): MomentSeries {
  return { label, unit, points: points.map((p) => [p.at, pick(p.values)]) }
}

/** Fields ending in .<suffix>, reduced by sum or max; null when none has a value. */
export function reduceFields(values: Record<string, number | null>, suffix: string, how: 'sum' | 'max'): number | null {
  const xs = Object.entries(values)
    .filter(([k, v]) => k.endsWith(`.${suffix}`) && v !== null)
    .map(([, v]) => v!)
  if (xs.length === 0) return null
  return how === 'sum' ? xs.reduce((a, b) => a + b, 0) : Math.max(...xs)
}
