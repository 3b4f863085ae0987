import { describe, expect, it } from 'vitest'
import type { Alert, AlertRule, Observation } from '../../src/shared/alerts'
import { DEFAULT_RULES, durationMs, evaluate, notifies } from '../../src/shared/domain/alert-eval'

const rules: AlertRule[] = [
  { metric: 'pg-lag-seconds', warn: 30, critical: 300, for: '2m', enabled: true },
  { metric: 'node-down', warn: null, critical: 1, for: 0, enabled: true },
]
const lag = (value: number): Observation => ({ endpointId: 'postgres', metric: 'pg-lag-seconds', subject: 'pg2', value })
const observed = new Set(['postgres', 'redis'])

function run(prev: Alert[], obs: Observation[], at: number, seen = observed) {
  return evaluate('lab', prev, obs, seen, rules, at)
}

describe('alert evaluation', () => {
  it('goes pending → firing after the rule duration → resolved, and says so once per change', () => {
    const t0 = 1_000_000
    const a = run([], [lag(45)], t0)
    expect(a.active).toMatchObject([{ state: 'pending', level: 'warn', since: t0, firedAt: null }])
    expect(a.changed).toHaveLength(1)
    const b = run(a.active, [lag(50)], t0 + 60_000)
    expect(b.active[0]!.state).toBe('pending')
    expect(b.changed).toEqual([])
    const c = run(b.active, [lag(400)], t0 + 120_000)
    expect(c.active).toMatchObject([{ state: 'firing', level: 'critical', value: 400, threshold: 300, firedAt: t0 + 120_000 }])
    expect(c.changed).toHaveLength(1)
    const d = run(c.active, [lag(2)], t0 + 130_000)
    expect(d.active).toEqual([])
    expect(d.changed).toMatchObject([{ state: 'resolved', resolvedAt: t0 + 130_000, firedAt: t0 + 120_000 }])
  })

  it('drops a pending alert that clears before it fires, without a word', () => {
    const a = run([], [lag(45)], 0)
    const b = run(a.active, [lag(1)], 10_000)
    expect(b).toEqual({ active: [], changed: [] })
  })

  it('fires at once for a rule without duration; keeps state through an unobserved round; resolves a subject that is gone', () => {
    const down: Observation = { endpointId: 'redis', metric: 'node-down', subject: '127.0.0.1:7000', value: 1 }
    const a = run([], [down], 0)
    expect(a.active[0]).toMatchObject({ state: 'firing', level: 'critical' })
    // the cluster could not be read at all this round: nothing resolves
    const b = run(a.active, [], 2000, new Set(['postgres']))
    expect(b.active).toEqual(a.active)
    expect(b.changed).toEqual([])
    // read again and the node is no longer in it
    const c = run(b.active, [], 4000)
    expect(c.changed).toMatchObject([{ state: 'resolved', subject: '127.0.0.1:7000' }])
  })

  it('keeps acknowledgement and silence across rounds; a silenced change does not notify until the silence ends', () => {
    const a = run([], [lag(500)], 0)
    const silenced = { ...a.active[0]!, ack: { at: 1, note: 'on it' }, silencedUntil: 10 * 60_000, silenceNote: 'maintenance' }
    const b = run([silenced], [lag(500)], 3 * 60_000)
    expect(b.active[0]).toMatchObject({ state: 'firing', ack: { note: 'on it' }, silenceNote: 'maintenance' })
    expect(notifies(b.changed[0]!, 3 * 60_000)).toBe(false)
    expect(notifies(b.changed[0]!, 11 * 60_000)).toBe(true)
  })

  it('has defaults for every metric, with the seeds’ thresholds', () => {
    expect(new Set(DEFAULT_RULES.map((r) => r.metric)).size).toBe(DEFAULT_RULES.length)
    expect(DEFAULT_RULES.find((r) => r.metric === 'container-cpu-pct')).toMatchObject({ warn: 70, for: '2m' })
    expect(DEFAULT_RULES.find((r) => r.metric === 'container-mem-pct')).toMatchObject({ warn: 80 })
    expect(DEFAULT_RULES.find((r) => r.metric === 'backend-latency-ms')).toMatchObject({ warn: 500 })
    expect([durationMs('90s'), durationMs('2m'), durationMs('1h'), durationMs(5)]).toEqual([90_000, 120_000, 3_600_000, 5000])
  })
})
