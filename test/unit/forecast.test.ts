import { describe, expect, it } from 'vitest'
import { forecast, type Point } from '../../src/shared/domain/forecast'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** A seeded generator, so a failure is the same failure every run. */
function noise(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    // roughly normal: the sum of four uniforms, centred, unit variance
    let sum = 0
    for (let i = 0; i < 4; i++) sum += (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    return (sum - 2) * Math.sqrt(3)
  }
}

function series(days: number, stepMs: number, value: (t: number) => number): Point[] {
  const start = Date.UTC(2026, 10, 1)
  return Array.from({ length: Math.floor((days * DAY) / stepMs) }, (_, i) => ({ at: start + i * stepMs, value: value(i * stepMs) }))
}

describe('capacity forecast', () => {
  it('finds the time left of a linear growth under daily seasonality and noise within 10 % of the truth', () => {
    const n = noise(7)
    const limit = 100e9
    // 40 GB growing 1.5 GB a day, ±3 GB over the day, noise of 0.4 GB: 30 days at 5 minutes
    const points = series(30, 5 * 60_000, (t) => 40e9 + (1.5e9 * t) / DAY + 3e9 * Math.sin((2 * Math.PI * t) / DAY) + 0.4e9 * n())
    const now = points.at(-1)!.at
    const truth = ((limit - (40e9 + 1.5e9 * 30)) / 1.5e9) * DAY // the trend reaches the limit then
    const f = forecast(points, { limit, now })
    expect(f.kind).toBe('runs-out')
    if (f.kind !== 'runs-out') return
    expect(f.seasonal).toBe(true)
    expect(Math.abs(f.secondsLeft * 1000 - truth) / truth).toBeLessThan(0.1)
    expect(f.secondsLeftInterval[0]).toBeLessThanOrEqual(f.secondsLeft)
    expect(f.secondsLeftInterval[1]).toBeGreaterThanOrEqual(f.secondsLeft)
    expect(f.perDay / 1.5e9).toBeCloseTo(1, 1)
  })

  it('says "no trend" for flat noise, and for a level moving away from the limit', () => {
    const n = noise(11)
    const flat = series(7, 10 * 60_000, () => 50 + 5 * n())
    expect(forecast(flat, { limit: 100 })).toMatchObject({ kind: 'no-trend', reason: 'no significant trend' })
    const shrinking = series(7, 10 * 60_000, (t) => 80 - (2 * t) / DAY + n())
    expect(forecast(shrinking, { limit: 100 })).toMatchObject({ kind: 'no-trend', reason: expect.stringMatching(/moving away/) as string })
  })

  it('restarts the fit after a step (a bulk delete): the growth since, not the drop, sets the time left', () => {
    const n = noise(3)
    // grows 2 a day; on day 20 a bulk delete takes 30 off; it goes on growing 2 a day
    const points = series(30, 10 * 60_000, (t) => 20 + (2 * t) / DAY - (t >= 20 * DAY ? 30 : 0) + 0.3 * n())
    const f = forecast(points, { limit: 100 })
    expect(f.kind).toBe('runs-out')
    if (f.kind !== 'runs-out') return
    expect(f.restartedAt! - points[0]!.at).toBeGreaterThanOrEqual(20 * DAY - HOUR)
    expect(f.restartedAt! - points[0]!.at).toBeLessThanOrEqual(20 * DAY + HOUR)
    const current = 20 + 2 * 30 - 30
    expect(Math.abs(f.secondsLeft / 86_400 - (100 - current) / 2) / ((100 - current) / 2)).toBeLessThan(0.1)
    // the fit over everything would have said "shrinking" or far slower: the drop is not in it
    expect(f.perDay).toBeGreaterThan(1.8)
  })

  it('takes bursts in the rate (WAL after a checkpoint) for growth, not for a step', () => {
    // 12 minutes at 5 s of WAL kept by an idle slot: 180 KB/s, three times that for 30 s after each checkpoint, almost no noise
    const n = noise(3)
    let level = 1e6
    const points = series(12 / 1440, 5000, (t) => {
      const sinceCheckpoint = t % 240_000
      level += 5 * 180e3 * (sinceCheckpoint < 30_000 ? 3 : 1) + 200 * n()
      return level
    })
    const f = forecast(points, { limit: 20e9, now: points.at(-1)!.at })
    expect(f.kind).toBe('runs-out')
    expect(f.kind === 'runs-out' && f.restartedAt).toBeUndefined()
  })

  it('says there is too little history instead of guessing, and "exhausted" once at the limit', () => {
    const few = series(1, 10 * 60_000, (t) => t).slice(0, 4)
    expect(forecast(few, { limit: 1e12 })).toMatchObject({
      kind: 'insufficient',
      reason: expect.stringMatching(/only 30 min of history \(4 points\)/) as string,
    })
    expect(
      forecast(
        series(1, 60_000, (t) => 200 + t / 1e6),
        { limit: 100 },
      ),
    ).toMatchObject({ kind: 'exhausted' })
  })

  it('forecasts a shrinking window toward a minimum (the oplog window)', () => {
    const n = noise(5)
    // 48 h of oplog window losing 4 h a day toward a 24 h floor: 6 days left
    const points = series(5, 15 * 60_000, (t) => 48 - (4 * t) / DAY + 0.2 * n())
    const f = forecast(points, { limit: 24 - 20, direction: 'down' })
    expect(f.kind).toBe('runs-out')
    if (f.kind === 'runs-out') expect(f.secondsLeft / 86_400).toBeCloseTo((48 - 20 - 4) / 4, 0)
  })
})
