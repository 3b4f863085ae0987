import { describe, expect, it } from 'vitest'
import { drainStartsFrom, memberOf, optimeOf, readMigrations } from '../../src/main/systems/mongo/mongo-reader'
import { mongoFindings, type MongoFindingInput } from '../../src/shared/domain/mongo-findings'
import { abortedMigration, memberConfig, memberStatuses, removeShardStart } from '../fixtures/mongo-server-replies'

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
    expect(text).toMatch(/m3:27018 is in initial sync \(STARTUP2\): not readable/)
    expect(text).toMatch(/m4:27018 is recovering: not readable/)
    expect(text).toMatch(/m5:27018 is rolling back/)
    expect(text).toMatch(/m4:27018 is 60 s behind the primary/)
    expect(text).not.toMatch(/needs an initial sync/)
  })
})
