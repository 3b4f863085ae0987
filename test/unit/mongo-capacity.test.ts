import { describe, expect, it } from 'vitest'
import { mongoCapacity, OPLOG_WINDOW_FLOOR_S } from '../../src/shared/domain/mongo-capacity'
import { balancerPace, drainEstimate, moveEstimate, type MovedChunk } from '../../src/shared/domain/mongo-drain'
import type { MongoMember, MongoReplicaSet } from '../../src/shared/systems/mongo'
import { mongoMember } from '../support/mongo-fixtures'

const GIB = 1024 ** 3
const HOUR = 3_600_000

const set = (name: string, members: MongoMember[], role: 'shard' | 'config' = 'shard'): MongoReplicaSet => ({
  name,
  role,
  shard: role === 'shard' ? name : null,
  primary: members[0]!.host,
  term: 1,
  electionTimeoutMs: 10_000,
  members,
  status: 'ok',
})

describe('MongoDB capacity gauges', () => {
  it('measures a shard’s data against the member with the least free disk, and the primary’s oplog window against the floor', () => {
    const gauges = mongoCapacity({
      replicaSets: [
        set('shardA', [
          mongoMember('a:1', {
            disk: { usedBytes: 50 * GIB, totalBytes: 100 * GIB, dataBytes: 40 * GIB },
            oplog: { firstAt: 0, lastAt: 30 * HOUR, windowHours: 30 },
          }),
          mongoMember('a:2', { disk: { usedBytes: 90 * GIB, totalBytes: 100 * GIB, dataBytes: 41 * GIB } }),
          mongoMember('a:3', { arbiter: true, disk: { usedBytes: 99 * GIB, totalBytes: 100 * GIB, dataBytes: 0 } }),
        ]),
        set('configRepl', [mongoMember('c:1', { disk: { usedBytes: GIB, totalBytes: 100 * GIB, dataBytes: GIB } })], 'config'),
      ],
    })
    expect(gauges).toEqual([
      { kind: 'mongo-shard-data', subject: 'shardA', value: 41 * GIB, limit: 51 * GIB, limitLabel: 'the free disk of a:2', unit: 'bytes' },
      {
        kind: 'mongo-oplog-window',
        subject: 'shardA',
        value: 30 * 3600,
        limit: OPLOG_WINDOW_FLOOR_S,
        limitLabel: '24.0 h',
        unit: 'seconds',
        direction: 'down',
      },
    ])
  })
})

const move = (from: string, endedAt: number, durationMs: number, bytes: number | null = null): MovedChunk => ({
  from,
  startedAt: endedAt - durationMs,
  endedAt,
  durationMs,
  bytes,
})

describe('the balancer’s pace from the changelog', () => {
  it('counts the time from one move off a shard to the next, pauses included, once it has seen a run of them', () => {
    const moves = [
      move('a', 10_000, 2000, 64e6),
      move('a', 21_000, 2000, 64e6),
      move('a', 33_000, 2000, 64e6),
      move('a', 44_000, 2000, 64e6),
      move('b', 44_500, 1000),
    ]
    const pace = balancerPace(moves)!
    expect(pace.withPauses).toBe(true)
    expect(pace.perChunk.seconds).toBe(11)
    expect(pace.perMove.seconds).toBe(2)
    expect(pace.bytesPerSec).toBe(32e6)
    expect(drainEstimate(30, 2e9, pace)).toMatchObject({
      duration: { seconds: 330 },
      basis: "the balancer's pace in the changelog: 11 s per chunk off one shard, pauses between rounds included (5 moves)",
      load: { chunks: 30, bytes: 2e9 },
    })
    expect(moveEstimate(64e6, pace)!.duration!.seconds).toBe(2)
  })

  it('falls back on the moves’ own durations, says so, and predicts nothing without a move', () => {
    const pace = balancerPace([move('a', 10_000, 3000), move('b', 50_000, 5000)])!
    expect(pace.withPauses).toBe(false)
    expect(drainEstimate(10, null, pace)!.basis).toBe("the changelog's 2 move(s): 4.0 s per chunk, not counting the balancer's pauses between rounds")
    expect(moveEstimate(null, pace)!.duration).toEqual(pace.perMove)
    expect(balancerPace([])).toBeUndefined()
    expect(drainEstimate(10, null, undefined)).toBeUndefined()
  })
})
