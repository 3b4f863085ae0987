import { describe, expect, it } from 'vitest'
import { ScalingPolicy } from '../../src/shared/autoscale'
import { decide, type MetricSample } from '../../src/shared/domain/autoscale-eval'

const policy = ScalingPolicy.parse({ name: 'api', endpoint: 'nginx', upstream: 'app', min: 3, max: 5, step: 2, cooldownUp: '60s', cooldownDown: '300s' })
const NOW = 1_000_000
/** One sample every 10 s up to now, the values given per sample (oldest first). */
const series = (cpu: (number | null)[], mem: (number | null)[] = cpu.map(() => 50)): MetricSample[] =>
  cpu.map((c, i) => ({ at: NOW - (cpu.length - 1 - i) * 10_000, values: { cpu: c, memory: mem[i] } }))
const state = (samples: MetricSample[], over: Partial<Parameters<typeof decide>[1]> = {}) => ({
  samples,
  replicas: 3,
  service: 'compose:lab/api',
  lastUp: null,
  lastScale: null,
  now: NOW,
  ...over,
})

describe('the autoscaling decision', () => {
  it('defaults to the teams’ thresholds: CPU 70 / 30 %, memory 80 / 40 %, 60 s up, 300 s down', () => {
    expect(policy.metrics).toEqual([
      { metric: 'cpu', up: 70, down: 30, upFor: '60s', downFor: '300s' },
      { metric: 'memory', up: 80, down: 40, upFor: '60s', downFor: '300s' },
    ])
    expect(policy.mode).toBe('recommend')
  })

  it('scales up by its step once one metric has stayed above its threshold for the duration', () => {
    const d = decide(policy, state(series([20, 85, 90, 88, 92, 95, 91, 89])))
    expect(d).toMatchObject({ verdict: 'up', desired: 5 })
    expect(d.reason).toMatch(/^CPU 89\.0 % above 70 % for 60 s: 3 → 5$/)
    expect(d.metrics[0]).toMatchObject({ metric: 'cpu', value: 89, aboveSince: NOW - 60_000, belowSince: null })
  })

  it('holds while the breach is younger than its duration, or broken by one sample', () => {
    expect(decide(policy, state(series([20, 20, 20, 20, 85, 90, 88])))).toMatchObject({ verdict: 'hold', reason: 'CPU 88.0 % above 70 % for 20 s of 60 s' })
    expect(decide(policy, state(series([85, 90, 88, 60, 92, 95, 91, 89]))).verdict).toBe('hold')
  })

  it('never goes past max, and waits out the scale-up cooldown', () => {
    const hot = series([85, 90, 88, 92, 95, 91, 89, 90])
    expect(decide(policy, state(hot, { replicas: 5 }))).toMatchObject({ verdict: 'hold', desired: 5 })
    expect(decide(policy, state(hot, { replicas: 4 }))).toMatchObject({ verdict: 'up', desired: 5 })
    const cooling = decide(policy, state(hot, { lastUp: NOW - 20_000, lastScale: NOW - 20_000 }))
    expect(cooling).toMatchObject({ verdict: 'hold' })
    expect(cooling.reason).toMatch(/scale-up cooldown: 40 s left$/)
  })

  it('scales down only when every readable metric has stayed below its down threshold, and not inside the down cooldown', () => {
    const cold = series(
      Array.from({ length: 32 }, () => 10),
      Array.from({ length: 32 }, () => 20),
    )
    expect(decide(policy, state(cold, { replicas: 5 }))).toMatchObject({ verdict: 'down', desired: 3 })
    expect(decide(policy, state(cold, { replicas: 3 }))).toMatchObject({ verdict: 'hold' })
    const warmMemory = series(
      Array.from({ length: 32 }, () => 10),
      Array.from({ length: 32 }, () => 55),
    )
    expect(decide(policy, state(warmMemory, { replicas: 5 })).verdict).toBe('hold')
    expect(decide(policy, state(cold, { replicas: 5, lastScale: NOW - 100_000 })).reason).toMatch(/scale-down cooldown: 200 s left$/)
    // a metric that cannot be read does not block the others
    const noMemory = series(
      Array.from({ length: 32 }, () => 10),
      Array.from({ length: 32 }, () => null),
    )
    expect(decide(policy, state(noMemory, { replicas: 5 })).verdict).toBe('down')
  })

  it('brings the service inside min and max first, and holds with the reason when it cannot decide', () => {
    expect(decide(policy, state(series([50]), { replicas: 1 }))).toMatchObject({ verdict: 'up', desired: 3 })
    expect(decide(policy, state(series([50]), { replicas: 7 }))).toMatchObject({ verdict: 'down', desired: 5 })
    expect(decide(policy, state(series([50]), { service: null })).reason).toMatch(/no Docker service serves upstream app/)
    expect(decide(policy, state(series([null], [null]))).reason).toBe('no metric of the policy could be read')
  })

  it('refuses a policy whose down threshold is not below its up threshold, or min above max', () => {
    expect(ScalingPolicy.safeParse({ name: 'x', endpoint: 'n', upstream: 'u', metrics: [{ metric: 'cpu', up: 50, down: 60 }] }).success).toBe(false)
    expect(ScalingPolicy.safeParse({ name: 'x', endpoint: 'n', upstream: 'u', min: 6, max: 5 }).success).toBe(false)
  })

  it('an oscillating load makes no more scale actions than the cooldowns allow', () => {
    const p = ScalingPolicy.parse({
      name: 'api',
      endpoint: 'nginx',
      upstream: 'app',
      min: 2,
      max: 10,
      metrics: [{ metric: 'cpu', up: 70, down: 30, upFor: '30s', downFor: '60s' }],
    })
    let replicas = 2
    let lastUp: number | null = null
    let lastScale: number | null = null
    let samples: MetricSample[] = []
    const scales: { at: number; verdict: string }[] = []
    // 40 minutes of rounds every 10 s; CPU swings between 90 % and 10 % every 2 minutes
    for (let t = 0; t <= 40 * 60_000; t += 10_000) {
      const cpu = Math.floor(t / 120_000) % 2 === 0 ? 90 : 10
      samples = [...samples, { at: t, values: { cpu } }].filter((x) => t - x.at <= 600_000)
      const d = decide(p, { samples, replicas, service: 'compose:lab/api', lastUp, lastScale, now: t })
      if (d.verdict === 'hold') continue
      scales.push({ at: t, verdict: d.verdict })
      if (d.verdict === 'up') lastUp = t
      lastScale = t
      replicas = d.desired
      samples = []
    }
    const ups = scales.filter((x) => x.verdict === 'up').map((x) => x.at)
    for (let i = 1; i < ups.length; i++) expect(ups[i]! - ups[i - 1]!).toBeGreaterThanOrEqual(60_000)
    for (const [i, x] of scales.entries()) if (x.verdict === 'down' && i > 0) expect(x.at - scales[i - 1]!.at).toBeGreaterThanOrEqual(300_000)
    // at most one scale-down per 5 minutes and one scale-up per minute
    expect(scales.filter((x) => x.verdict === 'down').length).toBeLessThanOrEqual(8)
    expect(scales.length).toBeGreaterThan(0)
  })
})
