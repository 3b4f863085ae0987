import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { MongoClient } from 'mongodb'
import { MONGO_PASSWORD, MONGO_USER, mongoLab, type MongoLab } from '../support/mongo-lab'

/** The MongoDB view against the lab peer: what the DBA sees, read the way the issue demands. */
describe('MongoDB sharded cluster view', () => {
  let lab: MongoLab
  beforeAll(async () => {
    lab = await mongoLab()
  })
  afterAll(async () => {
    await lab?.close()
  })

  it('counts chunks per collection per shard server-side, equal to the peer’s ground truth', async () => {
    const c = await lab.read()
    const truth = lab.peer.cluster.chunkCounts()
    // Every 7.0 cluster shards config.system.sessions, one chunk on its first shard.
    expect(c.collections.map((k) => k.ns)).toEqual(['config.system.sessions', 'logs.requests', 'shop.events', 'shop.orders'])
    for (const k of c.collections) expect(Object.fromEntries(k.shards.filter((s) => s.chunks > 0).map((s) => [s.shard, s.chunks]))).toEqual(truth[k.ns])
    expect(c.shards.map((s) => [s.id, s.chunks, s.draining])).toEqual([
      ['shardA', 31, false],
      ['shardB', 18, false],
      ['shardC', 18, false],
    ])
    expect(c.dataDistribution).toBe(true)
    expect(c.shards.find((s) => s.id === 'shardA')!.dataBytes).toBe((8 + 18) * 40 * 1024 * 1024 + 4 * 60 * 1024 * 1024 + 512 * 1024)
  })

  it('shows shop.events beyond the migration threshold, its jumbo chunk, and the balancer off with a fix', async () => {
    const c = await lab.read()
    const events = c.collections.find((k) => k.ns === 'shop.events')!
    expect(events.key).toBe('{"_id":"hashed"}')
    expect(events.imbalance).toMatchObject({
      metric: 'bytes',
      spread: 12 * 40 * 1024 * 1024,
      threshold: 3 * 128 * 1024 * 1024,
      exceeds: true,
      heaviest: 'shardA',
    })
    expect(c.collections.find((k) => k.ns === 'shop.orders')!.imbalance.exceeds).toBe(false)
    // Hashed bounds are NumberLongs beyond 2^53: exact, never relaxed to a double.
    expect(c.jumbo).toEqual([
      { ns: 'shop.events', shard: 'shardA', min: '{"_id":{"$numberLong":"-7378697629483820640"}}', max: '{"_id":{"$numberLong":"-6763806160360168920"}}' },
    ])
    expect(events.verdict).toEqual({ compliant: false, violation: 'chunksImbalance' })
    expect(c.collections.find((k) => k.ns === 'shop.orders')!.verdict).toEqual({ compliant: true, violation: null })
    expect(c.balancer).toMatchObject({ enabled: false, window: null, chunkSizeMB: 128, chunkSizeDefault: true })
    const codes = c.findings.map((f) => f.code)
    expect(codes).toEqual(expect.arrayContaining(['balancer-off', 'imbalance', 'jumbo-chunks']))
    expect(c.findings.find((f) => f.code === 'balancer-off')!.fix!.request).toEqual({ kind: 'mongo.balancer', enable: true })
    expect(c.status).toBe('warn')
  })

  it('reads every replica set by direct connections: states, lag, hidden members, oplog windows', async () => {
    const c = await lab.read()
    expect(c.replicaSets.map((r) => [r.name, r.role, r.members.length, r.primary !== null])).toEqual([
      ['configRepl', 'config', 3, true],
      ['shardA', 'shard', 3, true],
      ['shardB', 'shard', 3, true],
      ['shardC', 'shard', 3, true],
    ])
    const b = c.replicaSets.find((r) => r.name === 'shardB')!
    expect(b.members[2]!.lagSeconds).toBeCloseTo(4, 0)
    expect(b.members[0]!.lagSeconds).toBe(0)
    expect(b.members[0]!.oplog!.windowHours).toBeCloseTo(48, 1)
    const hidden = c.replicaSets.find((r) => r.name === 'shardC')!.members[2]!
    expect(hidden).toMatchObject({ hidden: true, priority: 0 })
    expect((await lab.service.lagHistory('mongo', 'mongo')).samples.length).toBeGreaterThan(0)
  })

  it('flags a member lagging beyond its oplog window as critical', async () => {
    const rs = lab.peer.cluster.sets.get('shardA')!
    rs.oplogWindowMs = 3000
    rs.members[1]!.lagMs = 10_000
    try {
      const c = await lab.read()
      const f = c.findings.find((x) => x.code === 'member-beyond-oplog')
      expect(f?.reason).toMatch(/shardA: 127\.0\.0\.1:\d+ is 10 s behind but the primary's oplog covers only 3\.0 s/)
      expect(c.status).toBe('critical')
    } finally {
      rs.oplogWindowMs = 48 * 3600_000
      rs.members[1]!.lagMs = 0
    }
  })

  it('prints status from the CLI with the monitoring exit code', async () => {
    let out = ''
    const code = await runCli(['mongo', 'status', 'mongo'], { out: (s) => void (out += s), err: (s) => void (out += s) }, lab.hub)
    expect(code).toBe(1)
    expect(out).toMatch(/balancer off/)
    expect(out).toMatch(/shop\.events \{"_id":"hashed"\}: shardA=18 shardB=6 shardC=6 .* IMBALANCED/)
  })

  it('a connection closed mid-reply gives a clear message, and the next refresh works', async () => {
    // The driver retries a read once on a fresh connection: cut that reply too.
    lab.peer.cutReplies((cmd) => cmd.aggregate === 'chunks', 2)
    await expect(lab.read()).rejects.toThrow(/chunk distribution \(config\.chunks aggregation\): the connection closed before the reply was complete/)
    expect((await lab.read()).collections).toHaveLength(4)
  })

  it('a command the server lacks names the command and the version', async () => {
    lab.peer.commands.disabled.add('balancerstatus')
    try {
      await expect(lab.read()).rejects.toThrow(/balancerStatus: this server does not support it \(MongoDB 7\.0\.14\): no such command: 'balancerStatus'/)
    } finally {
      lab.peer.commands.disabled.delete('balancerstatus')
    }
  })
})

describe('MongoDB view: versions and users', () => {
  it('a 5.0 cluster is read by chunk counts (no $shardedDataDistribution) and moves with moveChunk', async () => {
    const lab = await mongoLab({ tweak: (p) => ({ ...p, version: '5.0.24' }) })
    try {
      const c = await lab.read()
      expect(c.dataDistribution).toBe(false)
      const events = c.collections.find((k) => k.ns === 'shop.events')!
      expect(events.imbalance).toMatchObject({ metric: 'chunks', spread: 12, threshold: 4, exceeds: true })
      const plan = await lab.runner.plan({
        kind: 'mongo.move-range',
        environment: 'mongo',
        endpointId: 'mongo',
        ns: 'shop.orders',
        min: '{"customerId":{"$minKey":1}}',
        toShard: 'shardB',
      })
      expect(plan.steps[0]!.commands[0]).toBe(
        'db.adminCommand({ moveChunk: "shop.orders", bounds: [ { customerId: MinKey() }, { customerId: 1000 } ], to: "shardB" })',
      )
    } finally {
      await lab.close()
    }
  })

  it('a user without clusterManager sees the view, and an action fails with what role it needs', async () => {
    const lab = await mongoLab({ user: 'monitor' })
    try {
      const c = await lab.read()
      expect(c.shards).toHaveLength(3)
      // balancerCollectionStatus needs clusterManager: asked once, refused, said so for every collection.
      for (const k of c.collections) expect(k).toMatchObject({ verdict: null, verdictNote: expect.stringMatching(/needs clusterManager/) as unknown })
      const { result } = await lab.act({ kind: 'mongo.balancer', enable: true })
      expect(result.outcome).toBe('failed')
      expect(result.message).toMatch(/balancerStart: not authorized .* The user needs clusterMonitor to read and clusterManager to act/)
    } finally {
      await lab.close()
    }
  })

  it('a wrong password is an authentication error, not a crash', async () => {
    const lab = await mongoLab()
    try {
      await lab.hub.inventory.save(await lab.hub.inventory.get('mongo'), { 'mongo.password': 'wrong' }, 'mongo')
      await expect(lab.read()).rejects.toThrow(/authentication failed/i)
    } finally {
      await lab.close()
    }
  })
})

describe('MongoDB view: what the server reports off the happy path', () => {
  let lab: MongoLab
  beforeAll(async () => {
    lab = await mongoLab({ tweak: (p) => ({ ...p, members: { ...p.members, shardA: [{}, {}, { arbiter: true }] } }) })
  })
  afterAll(async () => {
    await lab?.close()
  })

  it('shows every member state by its code, lag only where there is an optime, and each non-serving state in words', async () => {
    const set = (name: string) => lab.peer.cluster.sets.get(name)!
    const host = (name: string, i: number) => set(name).members[i]!.host
    set('shardB').setMemberState(host('shardB', 1), 'RECOVERING')
    set('shardB').setMemberState(host('shardB', 2), 'ROLLBACK')
    set('configRepl').setMemberState(host('configRepl', 1), 'STARTUP')
    set('configRepl').setMemberState(host('configRepl', 2), 'UNKNOWN')
    set('shardA').setDown(host('shardA', 1), true)
    const c = await lab.read()
    const m = (name: string, i: number) => c.replicaSets.find((r) => r.name === name)!.members.find((x) => x.host === host(name, i))!
    expect(m('shardA', 2)).toMatchObject({ state: 'ARBITER', arbiter: true, healthy: true, lagSeconds: null, oplog: null })
    expect(m('shardA', 1)).toMatchObject({ state: 'DOWN', healthy: false, lagSeconds: null })
    expect(m('shardB', 1)).toMatchObject({ state: 'RECOVERING', healthy: true, oplog: null })
    expect(m('shardB', 1).lagSeconds).not.toBeNull()
    expect(m('shardB', 2)).toMatchObject({ state: 'ROLLBACK', lagSeconds: null })
    expect(m('configRepl', 1)).toMatchObject({ state: 'STARTUP', lagSeconds: null, optimeAt: null })
    expect(m('configRepl', 2)).toMatchObject({ state: 'UNKNOWN', healthy: false })
    const shardC = c.replicaSets.find((r) => r.name === 'shardC')!
    expect(shardC.members[2]!.initialSync!.percent).toBeGreaterThan(40)
    // A non-readable member is never asked for its oplog, so no read error stands in for its state.
    for (const rs of c.replicaSets) for (const x of rs.members) expect(x.error, x.host).toBeUndefined()
    const text = c.findings.map((f) => f.reason).join('\n')
    expect(text).toContain(`shardB: ${host('shardB', 1)} is recovering: not readable`)
    expect(text).toContain(`shardB: ${host('shardB', 2)} is rolling back`)
    expect(text).toContain(`configRepl: ${host('configRepl', 1)} is starting up`)
    expect(text).toContain(`configRepl: ${host('configRepl', 2)} has not answered a heartbeat yet`)
    expect(text).toContain(`shardA: ${host('shardA', 1)} is down: the other members cannot reach it`)
    expect(text).toMatch(/shardC: \S+ is in initial sync \(STARTUP2\): 4\d % copied/)
    expect(c.replicaSets.filter((r) => r.status === 'warn').map((r) => r.name)).toEqual(['configRepl', 'shardA', 'shardB', 'shardC'])
  })

  it('a member removed from the set answers as the server does, and is no longer listed', async () => {
    const shardB = lab.peer.cluster.sets.get('shardB')!
    const removed = shardB.members[1]!.host
    shardB.setMemberState(removed, 'REMOVED')
    const c = await lab.read()
    expect(c.replicaSets.find((r) => r.name === 'shardB')!.members.map((m) => m.host)).not.toContain(removed)
    const client = new MongoClient(`mongodb://${removed}/?directConnection=true`, { auth: { username: MONGO_USER, password: MONGO_PASSWORD } })
    try {
      await expect(client.db('admin').command({ replSetGetStatus: 1 })).rejects.toMatchObject({ code: 93, codeName: 'InvalidReplicaSetConfig' })
    } finally {
      await client.close()
    }
  })

  it('an aborted migration counts once, with the reason the donor logged', async () => {
    lab.peer.cluster.failMigrations = 1
    const { result } = await lab.act({ kind: 'mongo.move-range', ns: 'shop.orders', min: '{"customerId":2000}', toShard: 'shardC' })
    expect(result.outcome).toBe('failed')
    const c = await lab.read()
    const failed = c.migrations.recent.filter((x) => x.status === 'failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatchObject({ ns: 'shop.orders', min: '{"customerId":2000}', from: 'shardA', to: 'shardC' })
    expect(failed[0]!.error).toMatch(/^Data transfer error: shardC failed to clone documents from shardA/)
    expect(c.findings.find((f) => f.code === 'migration-failed')!.reason).toMatch(/^1 migration\(s\) failed in the last hour/)
  })

  it("dates a drain from the config server's removeShard.start, not from when Switchyard first saw it", async () => {
    await lab.act({ kind: 'mongo.balancer', enable: false })
    const started = Date.now()
    await lab.peer.commands.run(
      { host: lab.peer.mongos.replace('mongodb://', ''), role: 'mongos', connectionId: 0, user: { user: MONGO_USER, password: MONGO_PASSWORD, role: 'root' } },
      { removeShard: 'shardC', $db: 'admin' },
    )
    const entry = lab.peer.cluster.changelog.find((e) => e.what === 'removeShard.start')!
    expect(entry).toMatchObject({ shard: 'config', details: { shard: 'shardC' } })
    // Two hours ago, as far as the changelog says: the long-drain finding fires at once.
    entry.time = new Date(started - 2 * 3600_000)
    const c = await lab.read()
    expect(c.shards.find((s) => s.id === 'shardC')!.drainingSince).toBe(started - 2 * 3600_000)
    expect(c.findings.find((f) => f.code === 'long-drain')!.reason).toMatch(/^shardC has been draining for 2\.0 h/)
    expect(c.collections.find((k) => k.ns === 'shop.orders')!.verdict).toEqual({ compliant: false, violation: 'draining' })
  })
})
