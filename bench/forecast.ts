/**
 * The capacity forecast against known answers (npm run bench:forecast): synthetic histories of the
 * shapes a DBA's resources take — linear growth at several rates under a daily cycle and noise, a
 * bulk delete midway, a growth that speeds up, 7 and 30 days of samples — each with the moment the
 * trend truly reaches the limit. The error of a series is |forecast − truth| / truth of the time
 * left; a series whose forecast says "no trend" or "not enough history" counts as 100 %. The peer
 * is the truth itself. Last line:
 *   forecast: series=N median_error_pct=N p90_error_pct=N no_answer=N
 */
import { forecast, type Point } from '../src/shared/domain/forecast'
import { percentile } from '../src/shared/domain/percentile'

const DAY = 86_400_000

function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
const gauss = (r: () => number) => (r() + r() + r() + r() - 2) * Math.sqrt(3)

interface Case {
  name: string
  points: Point[]
  limit: number
  /** Milliseconds from the last point until the true trend reaches the limit. */
  truthMs: number
}

function cases(): Case[] {
  const out: Case[] = []
  const start = Date.UTC(2026, 9, 1)
  let seed = 1
  for (const days of [7, 30])
    for (const perDay of [0.5, 2, 8])
      for (const noise of [0.2, 1, 3])
        for (const season of [0, 4]) {
          const r = rng(seed++)
          const step = days === 7 ? 5 * 60_000 : 15 * 60_000
          const bulkDelete = seed % 3 === 0 ? 0.6 : null // a third of them lose 30 units at 60 % of the span
          const value = (t: number) =>
            100 +
            (perDay * t) / DAY +
            season * Math.sin((2 * Math.PI * t) / DAY) +
            noise * gauss(r) -
            (bulkDelete !== null && t > bulkDelete * days * DAY ? 30 : 0)
          const n = Math.floor((days * DAY) / step)
          const points = Array.from({ length: n }, (_, i) => ({ at: start + i * step, value: value(i * step) }))
          const span = (n - 1) * step
          const trendNow = 100 + (perDay * span) / DAY - (bulkDelete !== null ? 30 : 0)
          const limit = trendNow + perDay * (2 + (seed % 9)) // 2 to 10 days left
          out.push({
            name: `${days}d rate=${perDay} noise=${noise} season=${season}${bulkDelete ? ' delete' : ''}`,
            points,
            limit,
            truthMs: ((limit - trendNow) / perDay) * DAY,
          })
        }
  return out
}

function main(): void {
  const errors: number[] = []
  let noAnswer = 0
  for (const c of cases()) {
    const f = forecast(c.points, { limit: c.limit, now: c.points.at(-1)!.at })
    if (f.kind !== 'runs-out') {
      noAnswer++
      errors.push(100)
      console.log(`  ${c.name}: ${f.kind}`)
      continue
    }
    const err = (Math.abs(f.secondsLeft * 1000 - c.truthMs) / c.truthMs) * 100
    errors.push(err)
    console.log(`  ${c.name}: ${(f.secondsLeft / 86_400).toFixed(2)} days left, truth ${(c.truthMs / DAY).toFixed(2)}, error ${err.toFixed(1)} %`)
  }
  const sorted = [...errors].sort((a, b) => a - b)
  console.log(
    `forecast: series=${errors.length} median_error_pct=${percentile(sorted, 50)!.toFixed(1)} p90_error_pct=${percentile(sorted, 90)!.toFixed(1)} no_answer=${noAnswer}`,
  )
}

main()
