import { describe, expect, it } from 'vitest'
import { mongoFindings, type MongoFindingInput } from '../../src/shared/domain/mongo-findings'
import type { MongoCollectionBalance } from '../../src/shared/systems/mongo'

const imbalanced: MongoCollectionBalance = {
  ns: 'app.events',
  uuid: 'u',
  key: '{"_id":"hashed"}',
  noBalance: false,
  chunks: 30,
  jumbo: 0,
  shards: [],
  imbalance: { metric: 'bytes', spread: 500 * 1024 * 1024, threshold: 384 * 1024 * 1024, exceeds: true, heaviest: 'a', lightest: 'b' },
  verdict: { compliant: false, violation: 'chunksImbalance' },
  verdictNote: null,
}
const base: MongoFindingInput = {
  balancer: {
    mode: 'full',
    enabled: true,
    running: false,
    rounds: 1,
    window: { start: '23:00', stop: '06:00' },
    inWindow: false,
    chunkSizeMB: 128,
    chunkSizeDefault: true,
  },
  collections: [imbalanced],
  jumbo: [],
  replicaSets: [],
  shards: [],
  recentMigrations: [],
  now: 10_000_000,
}

describe('MongoDB findings', () => {
  it('an imbalance outside the window offers to clear the window', () => {
    const [f] = mongoFindings(base)
    expect(f).toMatchObject({ status: 'warn', code: 'imbalance-outside-window', fix: { request: { kind: 'mongo.balancer-window', window: null } } })
    expect(f!.reason).toMatch(
      /app\.events is imbalanced, 500 MiB between a and b \(migration threshold 384 MiB\), and the balancer window 23:00–06:00 is closed/,
    )
  })

  it('inside the window it is informational; with the balancer off the fix is to start it', () => {
    expect(mongoFindings({ ...base, balancer: { ...base.balancer, inWindow: true } }).map((f) => f.status)).toEqual(['ok'])
    const off = mongoFindings({ ...base, balancer: { ...base.balancer, enabled: false } })
    expect(off.map((f) => f.code)).toEqual(['balancer-off', 'imbalance'])
    expect(off[1]!.fix!.request).toEqual({ kind: 'mongo.balancer', enable: true })
  })

  it('a long drain names what is left and offers to continue it', () => {
    const shard = {
      id: 's3',
      host: 's3/h:1',
      replicaSet: 's3',
      draining: true,
      drainingSince: 0,
      chunks: 4,
      jumboChunks: 2,
      dataBytes: null,
      documents: null,
      primaryOf: ['app'],
    }
    const [f] = mongoFindings({ ...base, collections: [], shards: [shard] })
    expect(f!.reason).toBe('s3 has been draining for 2.8 h with 4 chunk(s) left, 2 of them jumbo, primary of app')
    expect(f!.fix!.request).toEqual({ kind: 'mongo.remove-shard', shard: 's3' })
  })
})
