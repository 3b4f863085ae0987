/**
 * The capacity forecast and the plans' estimates against known answers (npm run bench:forecast).
 * Synthetic histories of the shapes a DBA's resources take — linear growth at several rates under
 * a daily cycle and noise, a bulk delete midway, a growth that speeds up, 7 and 30 days of samples —
 * each with the moment the trend truly reaches the limit; and one lab series: a redis-server of the
 * bench's own filled at a steady rate toward a maxmemory, forecast from its first 40 s of samples (about 100 s to fill)
 * against the moment it refuses a write. The error of a series is |forecast − truth| / truth of the
 * time left; a series whose forecast says "no trend" or "not enough history" counts as 100 %. Then
 * four rebalances of a cluster of the bench's own, each predicted before it runs. Last lines:
 *   forecast: series=N median_error_pct=N p90_error_pct=N no_answer=N
 *   estimate: rebalance predicted_s=N actual_s=N error_pct=N
 *
 *   BENCH_FILL_PORT  a free port for the filled node (default 7320)
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { forecast, type Point } from '../src/shared/domain/forecast'
import { percentile } from '../src/shared/domain/percentile'
import { rebalanceEstimate } from './lib/rebalance-estimate'
import { assertPortsFree, startNode, stopNode, waitPing } from './lib/redis-nodes'

const FILL_PORT = Number(process.env.BENCH_FILL_PORT ?? 7320)
const MIB = 1024 * 1024
const log = (m: string) => process.stderr.write(`bench: ${m}\n`)

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

/** Memory as Redis counts it against maxmemory: used_memory without the replication and AOF buffers (evict.c). */
async function counted(c: Redis): Promise<number> {
  const info = await c.info('memory')
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
  return field('used_memory') - field('mem_not_counted_for_evict')
}

/**
 * A node of the bench's own filled with 16 KiB values at a steady pace (4 every 250 ms: few keys, so no dict resize makes a step) toward a maxmemory 24 MiB
 * above where it starts; sampled every second; forecast after 40 s; the truth is the first write
 * it refuses (noeviction). Bounded to 4 minutes.
 */
async function labFill(baseDir: string): Promise<{ name: string; predictedMs: number; truthMs: number } | { name: string; failed: string }> {
  const name = 'lab: redis-server filled toward maxmemory'
  await assertPortsFree([FILL_PORT, FILL_PORT + 10_000])
  const node = startNode(baseDir, FILL_PORT, ['cluster-enabled no', 'maxmemory-policy noeviction'])
  const c = new Redis({ host: '127.0.0.1', port: FILL_PORT, maxRetriesPerRequest: 0 })
  c.on('error', () => undefined)
  try {
    await waitPing(FILL_PORT)
    const limit = (await counted(c)) + 24 * MIB
    await c.config('SET', 'maxmemory', String(limit))
    const value = 'x'.repeat(16 * 1024)
    const points: Point[] = []
    const started = Date.now()
    let predictedAt: number | undefined
    let i = 0
    while (Date.now() - started < 240_000) {
      const p = c.pipeline()
      for (let k = 0; k < 4; k++) p.set(`fill:${i++}`, value)
      const res = (await p.exec()) ?? []
      if (res.some(([err]) => err && /OOM/.test(err.message))) {
        if (predictedAt === undefined) return { name, failed: 'reached maxmemory before the forecast was made' }
        return { name, predictedMs: predictedAt - started, truthMs: Date.now() - started }
      }
      const now = Date.now()
      if (!points.length || now - points.at(-1)!.at >= 1000) points.push({ at: now, value: await counted(c) })
      if (predictedAt === undefined && now - started >= 40_000) {
        const f = forecast(points, { limit, now, minSpanMs: 30_000 })
        if (f.kind !== 'runs-out') return { name, failed: f.kind }
        predictedAt = now + f.secondsLeft * 1000
        log(`${name}: after ${points.length} samples, ${f.secondsLeft.toFixed(0)} s left`)
      }
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i / 4) * 250 - Date.now())))
    }
    return { name, failed: 'did not reach maxmemory within 4 minutes' }
  } finally {
    c.disconnect()
    stopNode(node)
  }
}

async function main(): Promise<void> {
  const baseDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-forecast-'))
  try {
    const forecastLine = await forecastErrors(baseDir)
    const estimateLine = await rebalanceEstimate(baseDir, log)
    console.log(forecastLine)
    console.log(estimateLine)
  } finally {
    rmSync(baseDir, { recursive: true, force: true })
  }
}

async function forecastErrors(baseDir: string): Promise<string> {
  const errors: number[] = []
  let noAnswer = 0
  const lab = await labFill(baseDir)
  if ('failed' in lab) {
    noAnswer++
    errors.push(100)
    console.log(`  ${lab.name}: ${lab.failed}`)
  } else {
    // the error of the time left, counted from when the forecast was made (40 s in)
    const err = (Math.abs(lab.predictedMs - lab.truthMs) / (lab.truthMs - 40_000)) * 100
    errors.push(err)
    console.log(
      `  ${lab.name}: reached at ${(lab.predictedMs / 1000).toFixed(0)} s by the forecast, at ${(lab.truthMs / 1000).toFixed(0)} s in truth, error ${err.toFixed(1)} %`,
    )
  }
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
  return `forecast: series=${errors.length} median_error_pct=${percentile(sorted, 50)!.toFixed(1)} p90_error_pct=${percentile(sorted, 90)!.toFixed(1)} no_answer=${noAnswer}`
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.stack : String(err)}`)
    process.exit(1)
  },
)
