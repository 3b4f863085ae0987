import { describe, expect, it } from 'vitest'
import { mongoMember } from '../support/mongo-fixtures'
import { electableSecondaries, imbalanceOf, migrationThreshold, stepDownSecsFor, versionAtLeast, windowOpen } from '../../src/shared/domain/mongo-balance'
import type { MongoMember } from '../../src/shared/systems/mongo'

describe('MongoDB balance arithmetic', () => {
  it('uses 3 × chunk size on 6.0.3+ and the chunk-count thresholds before', () => {
    expect(migrationThreshold('bytes', 128, 10)).toBe(384 * 1024 * 1024)
    expect([19, 20, 79, 80].map((n) => migrationThreshold('chunks', 128, n))).toEqual([2, 4, 4, 8])
  })

  it('measures the spread across shards that take data, counting empty ones and ignoring draining ones', () => {
    const i = imbalanceOf(
      [
        { shard: 'a', value: 10 },
        { shard: 'b', value: 4 },
        { shard: 'drain', value: 50 },
      ],
      ['a', 'b', 'new'],
      'chunks',
      4,
    )
    expect(i).toEqual({ metric: 'chunks', spread: 10, threshold: 4, exceeds: true, heaviest: 'a', lightest: 'new' })
    expect(imbalanceOf([], [], 'bytes', 1).exceeds).toBe(false)
  })

  it('reads a balancer window that wraps midnight', () => {
    const w = { start: '23:00', stop: '06:00' }
    expect([windowOpen(w, 23, 30), windowOpen(w, 5, 59), windowOpen(w, 6, 0), windowOpen(w, 12, 0)]).toEqual([true, true, false, false])
    expect(windowOpen({ start: '01:00', stop: '05:00' }, 3, 0)).toBe(true)
    expect(windowOpen(null, 3, 0)).toBe(true)
  })

  it('compares versions and sizes a step-down', () => {
    expect([versionAtLeast('6.0.3', 6, 0, 3), versionAtLeast('6.0.2', 6, 0, 3), versionAtLeast('7.0.0', 6, 0, 3), versionAtLeast('5.0.24', 6)]).toEqual([
      true,
      false,
      true,
      false,
    ])
    expect(stepDownSecsFor(10, 10_000)).toBe(60)
    expect(stepDownSecsFor(60, 10_000)).toBe(75)
  })

  it('elects only healthy, visible, undelayed secondaries with a vote of priority and caught up', () => {
    const m = (host: string, over: Partial<MongoMember>) => mongoMember(host, { lagSeconds: 1, ...over })
    const members = [
      m('ok', {}),
      m('late', { lagSeconds: 30 }),
      m('hidden', { hidden: true, priority: 0 }),
      m('down', { healthy: false }),
      m('p', { state: 'PRIMARY' }),
    ]
    expect(electableSecondaries(members, 10).map((x) => x.host)).toEqual(['ok'])
  })
})
