import { describe, expect, it } from 'vitest'
import { rightSize, type ServicePoint } from '../../src/shared/domain/rightsizing'

const NOW = 1_765_000_000_000
const HOUR = 3_600_000
/** A week of hourly points with these values. */
const week = (cpu: (h: number) => number, memory = 30, replicas = 4): ServicePoint[] =>
  Array.from({ length: 7 * 24 }, (_, h) => ({ at: NOW - (7 * 24 - h) * HOUR, cpu: cpu(h), memory, replicas }))

describe('right-sizing from a week of history', () => {
  it('an idle service: consider fewer replicas, with the numbers and the count that brings it near 50 %', () => {
    const r = rightSize(
      'compose:lab/api',
      week(() => 12),
      NOW,
    )
    expect(r).toMatchObject({ advice: 'fewer', replicas: 1, coveredHours: 168, cpuAvg: 12, cpuP95: 12, memAvg: 30, replicasAvg: 4 })
    expect(r.reason).toBe('consider fewer replicas (or smaller ones): CPU 12.0 % average, 12.0 % p95; memory 30.0 % average, 30.0 % p95 per replica over 168 h')
  })

  it('a service hot on average: consider more', () => {
    expect(
      rightSize(
        'swarm:app_api',
        week(() => 85),
        NOW,
      ),
    ).toMatchObject({ advice: 'more', replicas: 7 })
  })

  it('keeps a service whose peaks are high even when its average is low, and one sized right', () => {
    // two busy hours a day: its p95 is a peak that fewer replicas could not carry
    expect(
      rightSize(
        's',
        week((h) => (h % 24 === 12 || h % 24 === 13 ? 95 : 15)),
        NOW,
      ),
    ).toMatchObject({ advice: 'keep', cpuP95: 95 })
    // one busy hour a day is under 5 % of the time: the p95 does not see it
    expect(
      rightSize(
        's',
        week((h) => (h % 24 === 12 ? 95 : 15)),
        NOW,
      ),
    ).toMatchObject({ advice: 'fewer', cpuP95: 15 })
    expect(
      rightSize(
        's',
        week(() => 50),
        NOW,
      ),
    ).toMatchObject({ advice: 'keep', replicas: 4 })
  })

  it('waits for a day of history before it says anything', () => {
    const r = rightSize('s', week(() => 5).slice(-6), NOW)
    expect(r).toMatchObject({ advice: 'wait', coveredHours: 6 })
    expect(r.reason).toMatch(/right-sizing needs at least a day/)
  })
})
