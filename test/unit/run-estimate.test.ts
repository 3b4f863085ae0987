import { describe, expect, it } from 'vitest'
import {
  masterLines,
  memoryPrecheck,
  migrationEstimate,
  migrationLoad,
  modelSeconds,
  perMaster,
  tableBytes,
  type MigrationCalibration,
  type MoveMeasure,
} from '../../src/shared/domain/migration-estimate'
import {
  checkText,
  errorPct,
  estimateChecks,
  estimateFromEarlierRuns,
  predictedFrom,
  trackOf,
  trackSummary,
  type EarlierRun,
} from '../../src/shared/domain/run-estimate'

const MiB = 1024 * 1024
const earlier = (runId: string, duration: number, writePause?: number, estimate: EarlierRun['estimate'] = null, kind = 'redis.rebalance'): EarlierRun => ({
  runId,
  kind,
  at: 1_000,
  estimate,
  actual: { duration, ...(writePause === undefined ? {} : { writePause }) },
})

describe('predictions from earlier runs of the same action on the same target', () => {
  it('takes the median of the last five with their spread as the range, a lone run ±25 %, nothing without a run', () => {
    expect(predictedFrom([])).toBeUndefined()
    expect(predictedFrom([8])).toEqual({ seconds: 8, low: 6, high: 10 })
    expect(predictedFrom([4, 9, 5])).toEqual({ seconds: 5, low: 4, high: 9 })
    expect(estimateFromEarlierRuns([])).toBeUndefined()
    const e = estimateFromEarlierRuns([
      earlier('a', 12, 3),
      earlier('b', 10, 2),
      earlier('c', 14),
      earlier('d', 11, 4),
      earlier('e', 13, 2),
      earlier('f', 99, 99),
    ])!
    expect(e.duration).toEqual({ seconds: 12, low: 10, high: 14 })
    expect(e.writePause).toEqual({ seconds: 2.5, low: 2, high: 4 })
    expect(e.basis).toBe('the last 5 runs of this action on this target')
  })

  it('sets each predicted metric beside what the run measured, and says how far off it was', () => {
    const estimate = { duration: { seconds: 40, low: 30, high: 50 }, writePause: { seconds: 2, low: 1, high: 3 }, basis: 'x', load: {} }
    const checks = estimateChecks('r1', 5, estimate, { duration: 50, writePause: 2 })
    expect(checks).toEqual([
      { runId: 'r1', at: 5, metric: 'duration', predicted: 40, actual: 50 },
      { runId: 'r1', at: 5, metric: 'writePause', predicted: 2, actual: 2 },
    ])
    expect(estimateChecks('r1', 5, estimate, undefined)).toEqual([])
    expect(estimateChecks('r1', 5, null, { duration: 1 })).toEqual([])
    expect(errorPct(checks[0]!)).toBe(20)
    expect(checkText(checks[0]!)).toBe('predicted 40 s, took 50 s (20 % longer)')
    expect(checkText(checks[1]!)).toBe('write pause predicted 2.0 s, writes paused 2.0 s (as predicted)')
    expect(checkText({ ...checks[0]!, actual: 32 })).toBe('predicted 40 s, took 32 s (25 % shorter)')
  })

  it('tracks the last predictions newest first and sums them up by the worst', () => {
    const est = (s: number) => ({ duration: { seconds: s, low: s, high: s }, basis: 'x', load: {} })
    const runs = [earlier('new', 10, undefined, est(11)), earlier('plain', 10), earlier('old', 20, undefined, est(15))]
    const track = trackOf(runs)
    expect(track.map((c) => c.runId)).toEqual(['new', 'old'])
    expect(trackSummary(track)).toBe('the last 2 predictions for this target were within 25 % of what the runs took')
    expect(trackSummary([])).toBeUndefined()
  })
})

const move = (source: string, target: string, slots: number, keys: number, bytes: number): MoveMeasure => ({
  source,
  target,
  slots,
  keys,
  bytes,
  batches: Math.ceil(slots / 32),
  drainRounds: Math.ceil(slots / 32) * 2,
})
const cal: MigrationCalibration = { rttSec: 0.0005, saveSec: 0.002, keySec: 15e-6, concurrency: 3, fixedSec: 0.3 }

describe('what a slot migration does to each master', () => {
  const moves = [move('a:1', 'c:3', 1000, 40_000, 4 * MiB), move('b:2', 'c:3', 1000, 20_000, 2 * MiB)]
  const memory = [
    { addr: 'a:1', usedMemory: 10 * MiB, maxmemory: 0, keys: 100_000 },
    { addr: 'b:2', usedMemory: 10 * MiB, maxmemory: 0, keys: 50_000 },
    { addr: 'c:3', usedMemory: 1 * MiB, maxmemory: 100 * MiB, keys: 70_000 },
  ]

  it('sums slots, keys and bytes out and in per master, with its memory after', () => {
    const rows = perMaster(moves, memory)
    expect(rows.find((r) => r.addr === 'c:3')).toMatchObject({ slotsIn: 2000, keysIn: 60_000, bytesIn: 6 * MiB, usedAfter: 7 * MiB })
    expect(rows.find((r) => r.addr === 'a:1')).toMatchObject({ slotsOut: 1000, keysOut: 40_000, usedAfter: 6 * MiB })
    // 2 000 keys more and c:3's 131 072 buckets are full: the table doubles, 1 MiB more
    const more = perMaster([...moves, move('a:1', 'c:3', 10, 2000, 0)], memory)
    expect(tableBytes(132_000) - tableBytes(130_000)).toBe(MiB)
    expect(more.find((r) => r.addr === 'c:3')!.usedAfter).toBe(8 * MiB)
    expect(more.find((r) => r.addr === 'a:1')!.usedAfter).toBe(6 * MiB)
    expect(masterLines(rows)).toEqual([
      'a:1: −1000 slots, −40000 keys (−4.0 MiB); memory 10.0 MiB → 6.0 MiB (no maxmemory)',
      'b:2: −1000 slots, −20000 keys (−2.0 MiB); memory 10.0 MiB → 8.0 MiB (no maxmemory)',
      'c:3: +2000 slots, +60000 keys (+6.0 MiB); memory 1.0 MiB → 7.0 MiB of 100 MiB (7 %)',
    ])
  })

  it('fails the pre-check when a master would pass 90 % of its maxmemory, naming it', () => {
    expect(memoryPrecheck(perMaster(moves, memory))).toMatchObject({ passed: true, detail: 'highest after: c:3 7 % of 100 MiB' })
    const tight = memory.map((m) => (m.addr === 'c:3' ? { ...m, maxmemory: 7.5 * MiB } : m))
    expect(memoryPrecheck(perMaster(moves, tight))).toEqual({
      name: 'every master below 90 % of maxmemory after the moves',
      passed: false,
      detail: 'c:3 would hold 7.0 MiB = 93 % of 7.5 MiB',
    })
    expect(memoryPrecheck(perMaster(moves, memory.slice(0, 2))).detail).toBe('no master has a maxmemory')
  })

  it('models the run as the slowest of its key work, its busiest source and its overlapping round trips', () => {
    const load = migrationLoad(moves)
    expect(load).toEqual({
      slots: 2000,
      keys: 60_000,
      bytes: 6 * MiB,
      trips: 2 * (32 * 6 + 64 * 2),
      busiestTrips: 32 * 6 + 64 * 2,
      batches: 64,
      busiestBatches: 32,
    })
    expect(modelSeconds(load, cal)).toBeCloseTo(0.9) // 60 000 keys × 15 µs
    expect(modelSeconds(load, { ...cal, saveSec: 0.05 })).toBeCloseTo(3.2) // 64 saves × 50 ms, one at a time
    expect(modelSeconds(load, { ...cal, rttSec: 0.01 })).toBeCloseTo(3.264) // the busiest source: 320 round trips × 10 ms and its 32 saves
  })

  it('predicts from the model alone with a wide range, then from the cluster’s earlier runs scaled to this load', () => {
    const load = migrationLoad(moves)
    const first = migrationEstimate(load, cal, [])
    expect(first.duration).toEqual({ seconds: 1.2, low: 0.75, high: expect.closeTo(3.0, 6) })
    expect(first.basis).toMatch(/^no earlier migration on this cluster: 500 µs per round trip and 2.0 ms per saved batch measured now/)
    expect(first.load).toMatchObject({ keys: 60_000, fixedSec: 0.3 })

    // an earlier run of half the keys took 1.2 s of which 0.3 s fixed: 2 × the model per key
    const half = migrationLoad([move('a:1', 'c:3', 1000, 30_000, 3 * MiB)])
    const before = earlier('r0', 1.2, undefined, { basis: 'x', load: { ...half, fixedSec: 0.3 } })
    const second = migrationEstimate(load, cal, [before])
    expect(second.duration!.seconds).toBeCloseTo(0.3 + 0.9 * 2)
    expect(second.basis).toBe("the last migration on this cluster, scaled to this one's keys and round trips")
    // a run that recorded no load teaches nothing
    expect(migrationEstimate(load, cal, [earlier('r1', 50)]).basis).toMatch(/^no earlier migration/)
    // an add-master's run (its time holds a CLUSTER MEET) counts only when no rebalance ran
    const meet = earlier('r2', 9.3, undefined, { basis: 'x', load: { ...half, fixedSec: 0.3 } }, 'redis.add-master')
    expect(migrationEstimate(load, cal, [meet, before], 'redis.rebalance').duration!.seconds).toBeCloseTo(0.3 + 0.9 * 2)
    expect(migrationEstimate(load, cal, [meet], 'redis.rebalance').duration!.seconds).toBeCloseTo(0.3 + 0.9 * 20)
  })
})
