import { describe, expect, it } from 'vitest'
import type { CapacityGauge } from '../../src/shared/capacity'
import {
  capacityStatus,
  capacitySummary,
  formatLeft,
  formatLeftInterval,
  perDayText,
  soonest,
  standingText,
  usedText,
} from '../../src/shared/domain/capacity-text'
import { DEFAULT_RULES, evaluate } from '../../src/shared/domain/alert-eval'

const slot: CapacityGauge = {
  kind: 'pg-wal-retained',
  subject: 'pg1/pg_old',
  value: 6e9,
  limit: 20e9,
  limitLabel: 'the free space of /var/lib/postgresql',
  unit: 'bytes',
}
const runsOut = (secondsLeft: number, interval: [number, number | null]) => ({
  kind: 'runs-out' as const,
  current: 6e9,
  limit: 20e9,
  perDay: 1e9,
  perDayInterval: [0.8e9, 1.2e9] as [number, number],
  secondsLeft,
  secondsLeftInterval: interval,
  fitFrom: 0,
  seasonal: false,
})

describe('capacity in words', () => {
  it('says what fills what, when, and within which interval', () => {
    expect(capacitySummary(slot, runsOut(19 * 3600, [14 * 3600, 26 * 3600]))).toBe(
      'pg1: WAL kept for slot pg_old fills the free space of /var/lib/postgresql in 19 h (14–26 h)',
    )
    expect(
      capacitySummary(
        { ...slot, kind: 'redis-memory', subject: '127.0.0.1:7001', limitLabel: 'maxmemory (64 MiB)' },
        { kind: 'no-trend', current: 1, limit: 2, perDay: 0, reason: 'no significant trend' },
      ),
    ).toBe('127.0.0.1:7001: memory: 5.6 GiB (30 % of maxmemory (64 MiB)), no significant trend')
    expect(formatLeft(40 * 60)).toBe('40 min')
    expect(formatLeft(3.5 * 86_400)).toBe('3.5 days')
    expect(formatLeftInterval([2 * 86_400, 5 * 86_400])).toBe('2.0–5.0 days')
    expect(formatLeftInterval([30 * 60, 5 * 3600])).toBe('30 min – 5.0 h')
    expect(formatLeftInterval([3600 * 10, null])).toBe('10 h or never')
  })

  it('says a shrinking window against its floor, and a load per replica against where it strained', () => {
    const oplog: CapacityGauge = {
      kind: 'mongo-oplog-window',
      subject: 'shardC',
      value: 30 * 3600,
      limit: 24 * 3600,
      limitLabel: '24.0 h',
      unit: 'seconds',
      direction: 'down',
    }
    expect(capacitySummary(oplog, { ...runsOut(6 * 3600, [5 * 3600, 8 * 3600]), perDay: -24 * 3600 })).toBe(
      'shardC: oplog window falls to 24.0 h in 6.0 h (5.0–8.0 h)',
    )
    expect(capacitySummary({ ...oplog, value: 20 * 3600 }, { kind: 'exhausted', current: 20 * 3600, limit: 24 * 3600 })).toBe(
      'shardC: oplog window is 20.0 h, below 24.0 h',
    )
    expect(standingText(oplog)).toBe('now 30.0 h, floor 24.0 h')
    expect(perDayText(-3 * 3600, 'seconds')).toBe('−3.0 h a day')
    expect(usedText(oplog)).toBe('1.3 × the floor')
    const rps: CapacityGauge = {
      kind: 'app-requests-per-replica',
      subject: 'app',
      value: 21,
      limit: 33,
      limitLabel: '33 req/s, where p95 crossed 500 ms before',
      unit: 'rps',
    }
    expect(capacitySummary(rps, runsOut(3 * 86_400, [2 * 86_400, 5 * 86_400]))).toBe(
      'app: requests per replica reach 33 req/s, where p95 crossed 500 ms before in 3.0 days (2.0–5.0 days)',
    )
    expect(standingText(rps)).toBe('now 21 req/s of 33 req/s')
    expect(perDayText(1.5, 'rps')).toBe('+1.5 req/s a day')
    expect(usedText(rps)).toBe('64 %')
  })

  it('takes the sooner of the 7- and 30-day forecasts, and grades it: critical within 2 days, warn within 7', () => {
    const sooner = soonest(runsOut(9 * 86_400, [8 * 86_400, 10 * 86_400]), runsOut(5 * 86_400, [4 * 86_400, 6 * 86_400]))
    expect(sooner.secondsLeft).toBe(5 * 86_400)
    expect(capacityStatus(sooner.secondsLeft, sooner.forecast)).toBe('warn')
    expect(capacityStatus(86_400, sooner.forecast)).toBe('critical')
    expect(capacityStatus(null, { kind: 'insufficient', reason: '' })).toBe('unknown')
    expect(soonest({ kind: 'exhausted', current: 2, limit: 1 }, runsOut(100, [50, 200])).secondsLeft).toBe(0)
  })

  it('fires the default capacity rule when a resource runs out within 7 days (lower is worse), not when it is weeks away', () => {
    const rules = DEFAULT_RULES.filter((r) => r.metric === 'capacity-seconds-left').map((r) => ({ ...r, for: 0 }))
    const at = (days: number) => [{ endpointId: 'pg', metric: 'capacity-seconds-left' as const, subject: 'pg-wal-retained pg1/pg_old', value: days * 86_400 }]
    expect(evaluate('lab', [], at(30), new Set(['pg']), rules, 0).active).toEqual([])
    expect(evaluate('lab', [], at(5), new Set(['pg']), rules, 0).active[0]).toMatchObject({ level: 'warn', state: 'firing' })
    expect(evaluate('lab', [], at(1), new Set(['pg']), rules, 0).active[0]).toMatchObject({ level: 'critical', threshold: 172_800 })
  })
})
