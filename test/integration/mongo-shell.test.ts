import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EJSON, type Document } from 'bson'
import type { MongoCluster } from '../../src/shared/systems/mongo'
import { MONGO_PASSWORD, MONGO_USER, mongoLab, type MongoLab } from '../support/mongo-lab'
import { mongosh, n } from '../support/mongosh'

/**
 * The official shell as a second client of the lab: every helper a DBA would type succeeds against
 * the peer, and its numbers are the ones Switchyard shows for the same moment. Where the peer and
 * Switchyard shared a wrong assumption, mongosh — MongoDB's own code — would disagree.
 */
describe('mongosh against the lab agrees with Switchyard', () => {
  let lab: MongoLab
  const shell = (uri: string, script: string) => mongosh(uri, MONGO_USER, MONGO_PASSWORD, script)
  const member = (host: string) => `mongodb://${host}/admin?directConnection=true`
  const primaryOf = (name: string) => lab.peer.cluster.sets.get(name)!.primary!.host

  beforeAll(async () => {
    lab = await mongoLab()
  })
  afterAll(async () => {
    await lab?.close()
  })

  it('sh.status(true): chunks per shard per collection, MinKey first, config.system.sessions, the hashed jumbo chunk by its exact bound', async () => {
    const [c, out] = await Promise.all([lab.read(), shell(`${lab.peer.mongos}/admin`, `out({ brief: sh.status().value, full: sh.status(true).value })`)])
    const colls = new Map<string, Document>()
    for (const db of out.full.databases as Document[]) for (const [ns, coll] of Object.entries(db.collections as Document)) colls.set(ns, coll as Document)
    expect([...colls.keys()].sort()).toEqual(c.collections.map((k) => k.ns))
    for (const k of c.collections) {
      const shown = Object.fromEntries((colls.get(k.ns)!.chunkMetadata as Document[]).map((m) => [m.shard, n(m.nChunks)]))
      expect(shown, k.ns).toEqual(Object.fromEntries(k.shards.filter((s) => s.chunks > 0).map((s) => [s.shard, s.chunks])))
      expect((colls.get(k.ns)!.chunks as Document[]).length).toBe(k.chunks)
    }
    const orders = colls.get('shop.orders')!.chunks as Document[]
    expect(EJSON.stringify(orders[0]!.min)).toBe('{"customerId":{"$minKey":1}}')
    expect(EJSON.stringify(orders[orders.length - 1]!.max)).toBe('{"customerId":{"$maxKey":1}}')
    const jumbo = (colls.get('shop.events')!.chunks as Document[]).filter((x) => x.jumbo === 'yes')
    expect(jumbo.map((x) => EJSON.stringify(x.min, { relaxed: false }))).toEqual(c.jumbo.map((j) => j.min))
    // Without verbose the shell stops at 20 chunks and says so.
    const brief = (out.brief.databases as Document[]).flatMap((db) => Object.values(db.collections as Record<string, Document>))
    expect(brief.some((x) => (x.chunks as unknown[]).includes('too many chunks to print, use verbose if you want to force print'))).toBe(true)
    expect(out.full.balancer['Currently enabled']).toBe(c.balancer.enabled ? 'yes' : 'no')
  })

  it("sh.balancerCollectionStatus(): the server's verdict per collection is Switchyard's", async () => {
    const c = await lab.read()
    const out = await shell(
      `${lab.peer.mongos}/admin`,
      `out(Object.fromEntries(${JSON.stringify(c.collections.map((k) => k.ns))}.map((ns) => [ns, sh.balancerCollectionStatus(ns)])))`,
    )
    for (const k of c.collections)
      expect({ compliant: out[k.ns].balancerCompliant, violation: out[k.ns].firstComplianceViolation ?? null }, k.ns).toEqual(k.verdict)
    expect(c.collections.find((k) => k.ns === 'shop.events')!.verdict).toEqual({ compliant: false, violation: 'chunksImbalance' })
  })

  it('rs.status() and rs.conf() on every set: members, states, lag and election time as Switchyard reads them', async () => {
    const c: MongoCluster = await lab.read()
    for (const rs of c.replicaSets) {
      const text = await shell(
        member(primaryOf(rs.name)),
        `const first = rs.status(); const conf = rs.conf(); sleep(1100); out({ first, conf, second: rs.status() })`,
      )
      const status = text.first as Document
      expect(status.set).toBe(rs.name)
      expect(n(status.votingMembersCount)).toBe(rs.members.filter((m) => m.votes > 0).length)
      expect(n(status.writableVotingMembersCount)).toBe(rs.members.filter((m) => m.votes > 0 && !m.arbiter).length)
      expect(status.lastStableRecoveryTimestamp).toBeDefined()
      expect((text.conf.members as Document[]).map((m): unknown[] => [m.host, m.hidden, n(m.priority)])).toEqual(
        rs.members.map((m) => [m.host, m.hidden, m.priority]),
      )
      const members = status.members as Document[]
      const primary = members.find((m) => m.stateStr === 'PRIMARY')!
      expect(primary.name).toBe(rs.primary)
      for (const m of rs.members) {
        const s = members.find((x) => x.name === m.host)!
        expect(s.stateStr, m.host).toBe(m.state)
        if (m.lagSeconds !== null && m.host !== rs.primary) {
          const shellLag = ((primary.optimeDate as Date).getTime() - (s.optimeDate as Date).getTime()) / 1000
          expect(Math.abs(shellLag - m.lagSeconds), `${m.host} lag`).toBeLessThan(1)
        }
      }
      // An election time stays what it was: it is when the primary won, not when it was asked.
      const again = (text.second.members as Document[]).find((m) => m.stateStr === 'PRIMARY')!
      expect((again.electionDate as Date).getTime()).toBe((primary.electionDate as Date).getTime())
      expect(Date.now() - (primary.electionDate as Date).getTime()).toBeGreaterThan(60_000)
    }
  })

  it('rs.printReplicationInfo(), db.getReplicationInfo(), rs.printSecondaryReplicationInfo(): oplog window and lag', async () => {
    const c = await lab.read()
    const b = c.replicaSets.find((r) => r.name === 'shardB')!
    const out = await shell(
      member(b.primary!),
      `out({ print: rs.printReplicationInfo().value, info: db.getReplicationInfo(), secondaries: rs.printSecondaryReplicationInfo().value })`,
    )
    const window = b.members.find((m) => m.host === b.primary)!.oplog!.windowHours
    expect(n(out.info.timeDiffHours)).toBeCloseTo(window, 2)
    expect(String(out.print['log length start to end'])).toBe(`${n(out.info.timeDiff)} secs (${n(out.info.timeDiffHours)} hrs)`)
    expect(n(out.info.configuredLogSizeMB)).toBe(990)
    const lagging = b.members.find((m) => (m.lagSeconds ?? 0) > 1)!
    const line = String(out.secondaries[`source: ${lagging.host}`].replLag)
    expect(Number(/^(\d+) secs/.exec(line)![1])).toBeCloseTo(lagging.lagSeconds!, -0.5)
  })

  it('a member in initial sync: STARTUP2 in rs.status(), its own initialSyncStatus is the progress Switchyard shows', async () => {
    const c = await lab.read()
    const set = c.replicaSets.find((r) => r.name === 'shardC')!
    const syncing = set.members.find((m) => m.state === 'STARTUP2')!
    expect(syncing.lagSeconds).toBeNull()
    const own = await shell(member(syncing.host), `out({ status: rs.status(), hello: db.hello() })`)
    expect(n(own.status.myState)).toBe(5)
    const p = own.status.initialSyncStatus as Document
    expect((n(p.approxTotalBytesCopied) / n(p.approxTotalDataSize)) * 100).toBeCloseTo(syncing.initialSync!.percent!, 0)
    expect(own.hello.secondary).toBe(false)
    expect(own.hello.isWritablePrimary).toBe(false)
    const finding = c.findings.find((f) => f.code === 'member-not-serving' && f.reason.includes(syncing.host))!
    expect(finding.reason).toMatch(/is in initial sync \(STARTUP2\): 4\d % copied \(1\.\d GiB of 2\.8 GiB\), about [\d.]+ h left; not readable/)
  })

  it('db.serverStatus() and getCmdLineOpts on the mongos and a member', async () => {
    const host = primaryOf('shardA')
    const [router, shard] = await Promise.all([
      shell(`${lab.peer.mongos}/admin`, `out({ s: db.serverStatus(), o: db.adminCommand({ getCmdLineOpts: 1 }) })`),
      shell(member(host), `out({ s: db.serverStatus(), o: db.adminCommand({ getCmdLineOpts: 1 }) })`),
    ])
    expect(router.s.process).toBe('mongos')
    expect(router.s.version).toBe('7.0.14')
    expect(n(router.s.connections.current)).toBeGreaterThan(0)
    expect(n(router.s.opcounters.command)).toBeGreaterThan(0)
    expect(router.o.parsed.sharding.configDB).toBe(lab.peer.cluster.configRs.connectionString())
    expect(shard.s.process).toBe('mongod')
    expect(shard.s.repl.setName).toBe('shardA')
    expect(shard.s.repl.isWritablePrimary).toBe(true)
    expect(n(shard.s.wiredTiger.cache['maximum bytes configured'])).toBeGreaterThan(0)
    expect(shard.o.parsed.replication.replSet).toBe('shardA')
    expect(shard.o.parsed.sharding.clusterRole).toBe('shardsvr')
  })

  it('every reply gossips $clusterTime, and the driver monitors the cluster by streaming hello', async () => {
    const out = await shell(
      `${lab.peer.mongos}/admin`,
      `const r = db.runCommand({ ping: 1 }); out({ clusterTime: r.$clusterTime, operationTime: r.operationTime })`,
    )
    expect(out.clusterTime.clusterTime._bsontype).toBe('Timestamp')
    expect(out.operationTime._bsontype).toBe('Timestamp')
    await lab.read()
    await expect.poll(() => lab.peer.helloStreams(), { timeout: 5000 }).toBeGreaterThan(0)
  })
})
