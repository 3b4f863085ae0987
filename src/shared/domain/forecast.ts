/**
 * When a resource runs out, from its history: a robust trend (Theil–Sen: the median of the slopes
 * between every pair of points, which a few spikes cannot tilt), with its 95 % interval from
 * Kendall's statistic (Sen 1968), a day's seasonality taken out when there are days of history,
 * "no trend" when the slope is not significant (Mann–Kendall), and the fit restarted after a step
 * (a bulk delete, a resize), so what happened before it does not tell what happens next.
 */
export interface Point {
  at: number
  value: number
}

export interface ForecastOptions {
  /** Where it runs out: a maximum it grows to, or (direction 'down') a minimum it shrinks to. */
  limit: number
  direction?: 'up' | 'down'
  now?: number
  /** Less history than this is "not enough to tell", never a guess. */
  minPoints?: number
  minSpanMs?: number
}

export type Forecast =
  | { kind: 'insufficient'; reason: string }
  | { kind: 'exhausted'; current: number; limit: number }
  | { kind: 'no-trend'; current: number; limit: number; perDay: number; reason: string; restartedAt?: number }
  | {
      kind: 'runs-out'
      current: number
      limit: number
      /** Change per day of the fitted trend, and its 95 % interval. */
      perDay: number
      perDayInterval: [number, number]
      /** Seconds until the limit, with its interval (Infinity: the slow end of the interval never reaches it). */
      secondsLeft: number
      secondsLeftInterval: [number, number]
      /** The fit's start: the first point, or the step it restarted after. */
      fitFrom: number
      restartedAt?: number
      seasonal: boolean
    }

const DAY_S = 86_400
const MAX_BUCKETS = 240
const Z95 = 1.96

const sortedCopy = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)
function median(xs: readonly number[]): number {
  const s = sortedCopy(xs)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Means of equal time buckets: at most MAX_BUCKETS points whatever the history's resolution. */
export function bucketed(points: readonly Point[]): Point[] {
  const first = points[0]!.at
  const span = points.at(-1)!.at - first
  const width = span / MAX_BUCKETS
  if (points.length <= MAX_BUCKETS || width <= 0) return [...points]
  const sums = new Map<number, { at: number; value: number; n: number }>()
  for (const p of points) {
    const b = Math.min(MAX_BUCKETS - 1, Math.floor((p.at - first) / width))
    const s = sums.get(b) ?? { at: 0, value: 0, n: 0 }
    s.at += p.at
    s.value += p.value
    s.n++
    sums.set(b, s)
  }
  return [...sums.values()].map((s) => ({ at: s.at / s.n, value: s.value / s.n }))
}

interface Fit {
  slope: number // per second
  intercept: number // at t = 0 (seconds from the first point)
  low: number
  high: number
  /** Mann–Kendall: whether the points move one way beyond chance. */
  significant: boolean
}

/** Theil–Sen over (seconds, value), Sen's 95 % interval of the slope, and the Mann–Kendall test. */
export function theilSen(ts: readonly number[], ys: readonly number[]): Fit {
  const slopes: number[] = []
  let s = 0
  for (let i = 0; i < ts.length; i++)
    for (let j = i + 1; j < ts.length; j++) {
      const dt = ts[j]! - ts[i]!
      if (dt > 0) slopes.push((ys[j]! - ys[i]!) / dt)
      s += Math.sign(ys[j]! - ys[i]!)
    }
  slopes.sort((a, b) => a - b)
  const n = ts.length
  const slope = median(slopes)
  const intercept = median(ys.map((y, i) => y - slope * ts[i]!))
  const varS = (n * (n - 1) * (2 * n + 5)) / 18
  const c = Z95 * Math.sqrt(varS)
  const at = (k: number) => slopes[Math.min(slopes.length - 1, Math.max(0, Math.round(k) - 1))]!
  const z = s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(varS)
  return { slope, intercept, low: at((slopes.length - c) / 2), high: at((slopes.length + c) / 2 + 1), significant: Math.abs(z) > Z95 }
}

/** The robust spread of the noise: MAD of successive differences (a level change or a trend barely moves it). */
function noiseSigma(ys: readonly number[]): number {
  const diffs = ys.slice(1).map((y, i) => y - ys[i]!)
  const m = median(diffs)
  return (1.4826 * median(diffs.map((d) => Math.abs(d - m)))) / Math.SQRT2
}

/**
 * The last step in the series: where the median level of the points after differs from the one
 * before by far more than the noise, than the trend would move it and than a few ordinary moves
 * from one point to the next add up to, and most of that difference happens in one move — a bulk
 * delete or a resize, not a burst in the rate (WAL after a checkpoint), whose level change is
 * spread over several points. Its index, or -1.
 */
export function lastStep(ts: readonly number[], ys: readonly number[]): number {
  const n = ys.length
  const w = Math.max(4, Math.floor(n / 12))
  if (n < 2 * w + 2) return -1
  const sigma = noiseSigma(ys)
  // a smooth series has almost no noise: its ordinary moves set the scale a step must stand out of
  const ordinary = median(ys.slice(1).map((y, i) => Math.abs(y - ys[i]!)))
  const threshold = Math.max(8 * sigma, 6 * ordinary, 1e-9)
  const trend = theilSen(ts, ys).slope
  /** A single move beyond what the trend makes over its interval. */
  const move = (i: number) => Math.abs(ys[i]! - ys[i - 1]! - trend * (ts[i]! - ts[i - 1]!))
  let best = -1
  let bestJump = 0
  for (let i = w; i <= n - w; i++) {
    const before = median(ys.slice(i - w, i))
    const after = median(ys.slice(i, i + w))
    // what the trend alone moves between the two windows' middles
    const drift = trend * (median(ts.slice(i, i + w)) - median(ts.slice(i - w, i)))
    const jump = Math.abs(after - before - drift)
    if (jump <= threshold || jump < bestJump) continue
    // the step is the largest single move near the window edge; it must carry most of the jump
    let at = i
    for (let k = Math.max(1, i - w); k < Math.min(n, i + w); k++) if (move(k) > move(at)) at = k
    if (move(at) < jump / 2) continue
    best = at
    bestJump = jump
  }
  return best
}

/** Hour-of-day medians of the residuals from a first fit: the daily pattern, when there are two days or more. */
function dailyProfile(points: readonly Point[], t0: number): number[] | undefined {
  if (points.at(-1)!.at - points[0]!.at < 2 * DAY_S * 1000) return undefined
  const fit = theilSen(
    points.map((p) => (p.at - t0) / 1000),
    points.map((p) => p.value),
  )
  const byHour = Array.from({ length: 24 }, () => [] as number[])
  for (const p of points) byHour[new Date(p.at).getUTCHours()]!.push(p.value - (fit.intercept + (fit.slope * (p.at - t0)) / 1000))
  return byHour.map((r) => (r.length ? median(r) : 0))
}

/** The values with the daily pattern taken out (as they are when there is none to take). */
function deseasoned(points: readonly Point[], t0: number, profile = dailyProfile(points, t0)): number[] {
  return points.map((p) => p.value - (profile ? profile[new Date(p.at).getUTCHours()]! : 0))
}

export function forecast(history: readonly Point[], options: ForecastOptions): Forecast {
  const { limit, direction = 'up', minPoints = 12, minSpanMs = 10 * 60_000 } = options
  const all = history.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.at)).sort((a, b) => a.at - b.at)
  const enough = (ps: readonly Point[], what: string): string | undefined => {
    const span = ps.length ? ps.at(-1)!.at - ps[0]!.at : 0
    if (ps.length < minPoints || span < minSpanMs)
      return `${what}${formatSpan(span)} of history (${ps.length} points); a forecast needs ${formatSpan(minSpanMs)} and ${minPoints} points`
    return undefined
  }
  const short = enough(all, 'only ')
  if (short) return { kind: 'insufficient', reason: short }

  let points = bucketed(all)
  let restartedAt: number | undefined
  // steps are looked for in the deseasoned series: a daily swing is not a step
  for (let round = 0; round < 3; round++) {
    const t0 = points[0]!.at
    const ts = points.map((p) => (p.at - t0) / 1000)
    const step = lastStep(ts, deseasoned(points, t0))
    if (step <= 0) break
    restartedAt = sharpestMove(all, points[step - 1]!.at, points[step]!.at + (points[step]!.at - points[step - 1]!.at))
    points = bucketed(all.filter((p) => p.at >= restartedAt!))
    const after = enough(
      all.filter((p) => p.at >= restartedAt!),
      `a step at ${new Date(restartedAt).toISOString()} left `,
    )
    if (after) return { kind: 'insufficient', reason: after }
  }

  const t0 = points[0]!.at
  const ts = points.map((p) => (p.at - t0) / 1000)
  const profile = dailyProfile(points, t0)
  const fit = theilSen(ts, deseasoned(points, t0, profile))
  const now = options.now ?? points.at(-1)!.at
  const current = fit.intercept + (fit.slope * (now - t0)) / 1000
  const sign = direction === 'up' ? 1 : -1
  const restarted = restartedAt !== undefined ? { restartedAt } : {}
  if (sign * (current - limit) >= 0) return { kind: 'exhausted', current, limit }
  const toward = sign * fit.slope > 0
  if (!fit.significant || !toward)
    return {
      kind: 'no-trend',
      current,
      limit,
      perDay: fit.slope * DAY_S,
      reason: fit.significant ? `moving away from the limit (${direction === 'up' ? 'shrinking' : 'growing'})` : 'no significant trend',
      ...restarted,
    }
  const gap = Math.abs(limit - current)
  const fast = Math.max(sign * fit.low, sign * fit.high)
  const slow = Math.min(sign * fit.low, sign * fit.high)
  return {
    kind: 'runs-out',
    current,
    limit,
    perDay: fit.slope * DAY_S,
    perDayInterval: [fit.low * DAY_S, fit.high * DAY_S],
    secondsLeft: gap / (sign * fit.slope),
    secondsLeftInterval: [gap / fast, slow > 0 ? gap / slow : Number.POSITIVE_INFINITY],
    fitFrom: t0,
    seasonal: profile !== undefined,
    ...restarted,
  }
}

/** Where in the raw points between two times the value moved most from one point to the next: a step's moment to the sample. */
function sharpestMove(points: readonly Point[], from: number, to: number): number {
  let at = from
  let most = -1
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!
    if (p.at <= from || p.at > to) continue
    const move = Math.abs(p.value - points[i - 1]!.value)
    if (move > most) {
      most = move
      at = p.at
    }
  }
  return at
}

function formatSpan(ms: number): string {
  const s = ms / 1000
  if (s < 3600) return `${Math.round(s / 60)} min`
  if (s < 2 * DAY_S) return `${(s / 3600).toFixed(s < 36_000 ? 1 : 0)} h`
  return `${(s / DAY_S).toFixed(1)} days`
}
