import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { mongoLab, type MongoLab } from '../support/mongo-lab'

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
    expect(c.collections.map((k) => k.ns)).toEqual(['logs.requests', 'shop.events', 'shop.orders'])
    for (const k of c.collections) expect(Object.fromEntries(k.shards.map((s) => [s.shard, s.chunks]))).toEqual(truth[k.ns])
    expect(c.shards.map((s) => [s.id, s.chunks, s.draining])).toEqual([
      ['shardA', 30, false],
      ['shardB', 18, false],
      ['shardC', 18, false],
    ])
    expect(c.dataDistribution).toBe(true)
    expect(c.shards.find((s) => s.id === 'shardA')!.dataBytes).toBe((8 + 18) * 40 * 1024 * 1024 + 4 * 60 * 1024 * 1024)
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
    expect(c.jumbo).toEqual([{ ns: 'shop.events', shard: 'shardA', min: '{"_id":3000}', max: '{"_id":4000}' }])
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
    expect((await lab.read()).collections).toHaveLength(3)
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
      expect((await lab.read()).shards).toHaveLength(3)
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
