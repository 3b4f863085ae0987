/** One moment of a service's load per replica and how it coped. */
export interface LoadPoint {
  at: number
  /** Requests per second per running replica. */
  rps: number
  cpu: number | null
  p95: number | null
}

export interface LoadKnee {
  /** Requests per second per replica at which the service strained before. */
  rps: number
  /** What crossed its threshold most often there. */
  by: 'p95' | 'cpu'
  threshold: number
  crossings: number
}

/** Fewer strained moments than this are a blip, not a limit. */
const MIN_CROSSINGS = 3

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q))]!

/**
 * The load per replica at which p95 latency or CPU crossed its threshold before: the lower quartile
 * of the request rates of the strained moments (a few of them, not a lone spike). Null when it never
 * strained, or when it strained at loads no higher than it usually carries without straining —
 * then the strain came from somewhere else (a slow dependency), not from the load.
 */
export function loadKnee(points: readonly LoadPoint[], thresholds: { p95Ms: number; cpuPct: number }): LoadKnee | null {
  const strained = points.filter((p) => p.rps > 0 && ((p.p95 ?? 0) >= thresholds.p95Ms || (p.cpu ?? 0) >= thresholds.cpuPct))
  if (strained.length < MIN_CROSSINGS) return null
  const rps = quantile(
    strained.map((p) => p.rps).sort((a, b) => a - b),
    0.25,
  )
  const calm = points
    .filter((p) => !strained.includes(p) && p.rps > 0)
    .map((p) => p.rps)
    .sort((a, b) => a - b)
  if (calm.length && rps <= quantile(calm, 0.5)) return null
  const byP95 = strained.filter((p) => (p.p95 ?? 0) >= thresholds.p95Ms).length
  const by = byP95 >= strained.length - byP95 ? 'p95' : 'cpu'
  return { rps, by, threshold: by === 'p95' ? thresholds.p95Ms : thresholds.cpuPct, crossings: strained.length }
}
