import { describe, expect, it } from 'vitest'
import { Long, MaxKey, MinKey } from 'bson'
import { boundText, hashedField, hashedMidpoint, parseBound } from '../../src/main/systems/mongo/mongo-bounds'
import { drainStartsFrom, readMigrations } from '../../src/main/systems/mongo/mongo-changelog'
import { initialSyncOf, memberOf, optimeOf, stateName } from '../../src/main/systems/mongo/mongo-members'
import { verdictOf } from '../../src/main/systems/mongo/mongo-reader'
import { verdictText } from '../../src/shared/domain/mongo-balance'
import { mongoshLiteral } from '../../src/main/systems/mongo/mongosh-text'
import { mongoFindings, type MongoFindingInput } from '../../src/shared/domain/mongo-findings'
import {
  abortedMigration,
  balancerCollectionStatus,
  hashedChunks,
  initialSyncOwnStatus,
  memberConfig,
  memberStatuses,
  removeShardStart,
} from '../fixtures/mongo-server-replies'

const primaryAt = optimeOf(memberStatuses.PRIMARY)!
const member = (state: string) => memberOf(memberConfig(memberStatuses[state]!), memberStatuses[state], primaryAt)

describe("MongoDB replies in the server's own shapes", () => {
  it("counts an aborted migration once, with the donor's reason", () => {
    const { running, recent } = readMigrations(abortedMigration, Date.parse('2026-12-06T10:01:00Z'))
    expect(running).toEqual([])
    expect(recent).toHaveLength(1)
    expect(recent[0]).toMatchObject({ ns: 'app.events', from: 'shardA', to: 'shardB', status: 'failed', durationMs: 7000 })
    expect(recent[0]!.error).toMatch(/^Data transfer error: ExceededTimeLimit/)
  })

  it('counts it once whichever of the two failure events sorts first when they share a millisecond', () => {
    const [from, error, start] = abortedMigration.map((e) => ({ ...e, time: e === abortedMigration[2] ? e.time : abortedMigration[0]!.time }))
    for (const order of [
      [from!, error!, start!],
      [error!, from!, start!],
    ]) {
      const { recent } = readMigrations(order, Date.parse('2026-12-06T10:01:00Z'))
      expect(recent).toHaveLength(1)
      expect(recent[0]!.error).toMatch(/^Data transfer error: ExceededTimeLimit/)
    }
  })

  it('dates a drain from the shard named in the details, not the config server that logged it', () => {
    const starts = drainStartsFrom([removeShardStart])
    expect([...starts]).toEqual([['shardC', Date.parse('2026-12-06T08:00:00Z')]])
  })

  it('computes lag only for members with an optime that replicate', () => {
    expect(member('SECONDARY').lagSeconds).toBe(3)
    expect(member('STARTUP2')).toMatchObject({ lagSeconds: null, optimeAt: null, healthy: true })
    expect(member('RECOVERING').lagSeconds).toBe(60)
    expect(member('ROLLBACK').lagSeconds).toBeNull()
    expect(member('ARBITER')).toMatchObject({ lagSeconds: null, arbiter: true })
    expect(member('DOWN')).toMatchObject({ lagSeconds: null, healthy: false })
  })

  it('says what a member that does not serve is doing, and never calls initial sync "too far behind"', () => {
    const members = ['PRIMARY', 'SECONDARY', 'STARTUP2', 'RECOVERING', 'ROLLBACK', 'ARBITER', 'DOWN'].map(member)
    members[0]!.oplog = { firstAt: primaryAt - 3600_000, lastAt: primaryAt, windowHours: 1 }
    const input: MongoFindingInput = {
      balancer: { mode: 'full', enabled: true, running: false, rounds: 0, window: null, inWindow: true, chunkSizeMB: 128, chunkSizeDefault: true },
      collections: [],
      jumbo: [],
      replicaSets: [{ name: 'shardA', role: 'shard', shard: 'shardA', primary: 'm1:27018', term: 7, electionTimeoutMs: 10_000, members, status: 'warn' }],
      shards: [],
      recentMigrations: [],
      now: primaryAt,
    }
    const findings = mongoFindings(input)
    expect(findings.map((f) => f.code).sort()).toEqual(['member-down', 'member-lagging', 'member-not-serving', 'member-not-serving', 'member-not-serving'])
    const text = findings.map((f) => f.reason).join('\n')
    expect(text).toMatch(/m3:27018 is in initial sync \(STARTUP2\); not readable/)
    expect(text).toMatch(/m4:27018 is recovering: not readable/)
    expect(text).toMatch(/m5:27018 is rolling back/)
    expect(text).toMatch(/m4:27018 is 60 s behind the primary/)
    expect(text).not.toMatch(/needs an initial sync/)
  })

  it('names a member by its state code: a DOWN member is DOWN, not "(not reachable/healthy)"', () => {
    expect(stateName(memberStatuses.DOWN)).toBe('DOWN')
    expect(member('DOWN').state).toBe('DOWN')
    expect(stateName({ state: 10, stateStr: 'REMOVED' })).toBe('REMOVED')
    expect(stateName(undefined)).toBe('UNKNOWN')
  })

  it("reads initial sync progress from the syncing member's own status and says it in words", () => {
    const progress = initialSyncOf(initialSyncOwnStatus)
    expect(progress).toEqual({ percent: 43, copiedBytes: 1_290_000_000, totalBytes: 3_000_000_000, remainingMs: 1_190_000, attempt: 2, failedAttempts: 1 })
    expect(initialSyncOf({ ok: 1 })).toBeNull()
    const m = { ...member('STARTUP2'), initialSync: progress }
    const input: MongoFindingInput = {
      balancer: { mode: 'full', enabled: true, running: false, rounds: 0, window: null, inWindow: true, chunkSizeMB: 128, chunkSizeDefault: true },
      collections: [],
      jumbo: [],
      replicaSets: [
        {
          name: 'shardA',
          role: 'shard',
          shard: 'shardA',
          primary: 'm1:27018',
          term: 7,
          electionTimeoutMs: 10_000,
          members: [member('PRIMARY'), m],
          status: 'warn',
        },
      ],
      shards: [],
      recentMigrations: [],
      now: primaryAt,
    }
    expect(mongoFindings(input).map((f) => f.reason)).toEqual([
      'shardA: m3:27018 is in initial sync (STARTUP2): 43 % copied (1.2 GiB of 2.8 GiB), about 20 min left, attempt 2 after 1 failed; not readable and not a candidate until the copy finishes',
    ])
  })

  it('keeps hashed chunk bounds exact from the reply to the text and back', () => {
    const jumbo = hashedChunks.find((c) => c.jumbo)!
    expect(boundText(jumbo.min)).toBe('{"_id":{"$numberLong":"0"}}')
    expect(boundText(hashedChunks[1]!.min)).toBe('{"_id":{"$numberLong":"-4611686018427387902"}}')
    expect(boundText(hashedChunks[0]!.min)).toBe('{"_id":{"$minKey":1}}')
    expect(boundText({ customerId: 1000, price: 1.5 })).toBe('{"customerId":1000,"price":1.5}')
    const back = parseBound('{"_id":{"$numberLong":"-4611686018427387902"}}')
    expect(String(back._id)).toBe('-4611686018427387902')
    expect((back._id as Long)._bsontype).toBe('Long')
    expect(parseBound('{"customerId":1000,"price":1.5}')).toEqual({ customerId: 1000, price: 1.5 })
    expect((parseBound('{"_id":{"$minKey":1}}')._id as MinKey)._bsontype).toBe('MinKey')
    expect(() => parseBound('{"_id":')).toThrow(/not Extended JSON/)
    expect(() => parseBound('[1]')).toThrow(/not a document/)
  })

  it("reads the server's balance verdict and says it in words", () => {
    expect(verdictOf(balancerCollectionStatus.balanced)).toEqual({ compliant: true, violation: null })
    expect(verdictOf(balancerCollectionStatus.imbalanced)).toEqual({ compliant: false, violation: 'chunksImbalance' })
    expect(verdictText(verdictOf(balancerCollectionStatus.imbalanced))).toBe('data imbalanced')
    expect(verdictText({ compliant: false, violation: 'zoneViolation' })).toBe('chunks outside their zone')
    expect(verdictText(null)).toBe('not asked')
  })

  it('splits a hashed chunk at the middle of its hash range, as a NumberLong the plan can show', () => {
    expect(hashedField({ _id: 'hashed' })).toBe('_id')
    expect(hashedField({ customerId: 1 })).toBeNull()
    expect(hashedField({ region: 1, _id: 'hashed' })).toBeNull()
    const jumbo = hashedChunks.find((c) => c.jumbo)!
    const mid = hashedMidpoint('_id', jumbo.min, jumbo.max)!
    expect((mid._id as Long).toString()).toBe('2305843009213693951')
    expect(mongoshLiteral({ split: 'app.events', middle: mid })).toBe('{ split: "app.events", middle: { _id: NumberLong("2305843009213693951") } }')
    const last = hashedMidpoint('_id', { _id: Long.fromString('4611686018427387902') }, { _id: new MaxKey() })!
    expect((last._id as Long).toString()).toBe('6917529027641081854')
    expect(hashedMidpoint('_id', { _id: Long.fromNumber(5) }, { _id: Long.fromNumber(6) })).toBeNull()
  })
})
