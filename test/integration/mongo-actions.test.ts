import { Long } from 'bson'
import { errorPct } from '../../src/shared/domain/run-estimate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { mongoLab, type MongoLab } from '../support/mongo-lab'

const until = async <T>(what: string, ms: number, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Every MongoDB action against the lab peer: plan with exact commands, run, verification, audit. */
describe('MongoDB actions', () => {
  let lab: MongoLab
  beforeAll(async () => {
    lab = await mongoLab()
  })
  afterAll(async () => {
    await lab?.close()
  })

  it('sets and clears the balancer window; it round-trips through config.settings', async () => {
    const { plan, result } = await lab.act({ kind: 'mongo.balancer-window', window: { start: '23:00', stop: '06:00' } })
    expect(plan.steps[0]!.commands).toEqual([
      'db.getSiblingDB("config").settings.updateOne({ _id: "balancer" }, { $set: { activeWindow: { start: "23:00", stop: "06:00" } } }, { upsert: true })',
    ])
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification).toEqual([{ name: 'window reads back', passed: true, detail: '23:00–06:00' }])
    expect((await lab.read()).balancer.window).toEqual({ start: '23:00', stop: '06:00' })
    expect((await lab.act({ kind: 'mongo.balancer-window', window: null })).result.outcome).toBe('succeeded')
    expect((await lab.read()).balancer.window).toBeNull()
  })

  it('sets the chunk size', async () => {
    const { result } = await lab.act({ kind: 'mongo.chunk-size', sizeMB: 64 })
    expect(result.outcome, result.message).toBe('succeeded')
    const c = await lab.read()
    expect(c.balancer).toMatchObject({ chunkSizeMB: 64, chunkSizeDefault: false })
    expect(c.collections.find((k) => k.ns === 'shop.events')!.imbalance.threshold).toBe(3 * 64 * 1024 * 1024)
    await lab.act({ kind: 'mongo.chunk-size', sizeMB: 128 })
  })

  it('moves a range to another shard with moveRange', async () => {
    const { plan, result } = await lab.act({ kind: 'mongo.move-range', ns: 'shop.orders', min: '{"customerId":{"$minKey":1}}', toShard: 'shardC' })
    expect(plan.steps[0]!.commands[0]).toBe(
      'db.adminCommand({ moveRange: "shop.orders", min: { customerId: MinKey() }, max: { customerId: 1000 }, toShard: "shardC" })',
    )
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification[0]).toMatchObject({ passed: true, detail: 'on shardC' })
    expect(lab.peer.cluster.chunkCounts()['shop.orders']).toEqual({ shardA: 7, shardB: 8, shardC: 9 })
    const c = await lab.read()
    expect(c.migrations.recent[0]).toMatchObject({ ns: 'shop.orders', from: 'shardA', to: 'shardC', status: 'succeeded' })
    expect(c.migrations.recent[0]!.durationMs).toBeGreaterThanOrEqual(100)
  })

  it('splits a jumbo chunk that can be split: the flag goes with the split', async () => {
    lab.peer.cluster.chunkAt('shop.orders', { min: { customerId: 5000 } }).doc.jumbo = true
    expect((await lab.read()).jumbo.map((j) => j.min)).toContain('{"customerId":5000}')
    const { plan, result } = await lab.act({ kind: 'mongo.clear-jumbo', ns: 'shop.orders', min: '{"customerId":5000}', split: true })
    expect(plan.steps[0]!.commands[0]).toBe('db.adminCommand({ split: "shop.orders", bounds: [ { customerId: 5000 }, { customerId: 6000 } ] })')
    expect(result.outcome, result.message).toBe('succeeded')
    const c = await lab.read()
    expect(c.jumbo.map((j) => j.ns)).toEqual(['shop.events'])
    expect(c.collections.find((k) => k.ns === 'shop.orders')!.chunks).toBe(25)
  })

  it('refuses to move a jumbo chunk; one holding a single key cannot be split, so only its flag is cleared', async () => {
    const chunk = lab.peer.cluster.chunkAt('shop.orders', { min: { customerId: 7000 } })
    chunk.doc.jumbo = true
    chunk.singleKey = true
    const plan = await lab.runner.plan({
      kind: 'mongo.move-range',
      environment: 'mongo',
      endpointId: 'mongo',
      ns: 'shop.orders',
      min: '{"customerId":7000}',
      toShard: 'shardB',
    })
    expect(plan.runnable).toBe(false)
    expect(plan.prechecks.find((c) => !c.passed)!.detail).toMatch(/flagged jumbo: split it/)
    // The chunk holds a single key value: the split fails and says so, nothing changes.
    const split = await lab.act({ kind: 'mongo.clear-jumbo', ns: 'shop.orders', min: '{"customerId":7000}', split: true })
    expect(split.result.outcome).toBe('failed')
    expect(split.result.message).toMatch(/CannotSplit/)
    const cleared = await lab.act({ kind: 'mongo.clear-jumbo', ns: 'shop.orders', min: '{"customerId":7000}', split: false })
    expect(cleared.plan.steps[0]!.commands[0]).toBe(
      'db.adminCommand({ clearJumboFlag: "shop.orders", bounds: [ { customerId: 7000 }, { customerId: 8000 } ] })',
    )
    expect(cleared.result.outcome, cleared.result.message).toBe('succeeded')
    expect((await lab.read()).jumbo.map((j) => j.ns)).toEqual(['shop.events'])
  })

  it("splits the hashed collection's jumbo chunk at the middle of its NumberLong range, from the finding's own fix", async () => {
    const c = await lab.read()
    const finding = c.findings.find((f) => f.code === 'jumbo-chunks')!
    expect(finding.fix!.request).toEqual({ kind: 'mongo.clear-jumbo', ns: 'shop.events', min: '{"_id":{"$numberLong":"-7378697629483820640"}}', split: true })
    const { plan, result } = await lab.act(finding.fix!.request as Parameters<typeof lab.act>[0])
    // (-7378697629483820640 + -6763806160360168920) / 2, exactly: no double could hold it.
    expect(plan.steps[0]!.commands[0]).toBe('db.adminCommand({ split: "shop.events", middle: { _id: NumberLong("-7071251894921994780") } })')
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification[0]).toMatchObject({ passed: true, detail: 'cleared' })
    const after = await lab.read()
    expect(after.jumbo).toEqual([])
    expect(after.collections.find((k) => k.ns === 'shop.events')!.chunks).toBe(31)
    // The right half starts at the split point, and moves by its exact bound.
    const moved = await lab.act({ kind: 'mongo.move-range', ns: 'shop.events', min: '{"_id":{"$numberLong":"-7071251894921994780"}}', toShard: 'shardC' })
    expect(moved.result.outcome, moved.result.message).toBe('succeeded')
    expect(lab.peer.cluster.chunkAt('shop.events', { min: { _id: Long.fromString('-7071251894921994780') } }).doc.shard).toBe('shardC')
  })

  it('starts the balancer, which evens out shop.events; stopping waits for the round to end', async () => {
    const { result } = await lab.act({ kind: 'mongo.balancer', enable: true })
    expect(result.outcome, result.message).toBe('succeeded')
    await until(
      'shop.events balanced',
      30_000,
      () => lab.read(),
      (c) => !c.collections.find((k) => k.ns === 'shop.events')!.imbalance.exceeds,
    )
    const stop = await lab.act({ kind: 'mongo.balancer', enable: false })
    expect(stop.result.outcome, stop.result.message).toBe('succeeded')
    expect(stop.result.verification.map((v) => v.passed)).toEqual([true, true])
    expect((await lab.read()).balancer).toMatchObject({ enabled: false, running: false })
  })

  it('steps down a shard primary after checking a caught-up secondary, and reports the election', async () => {
    const before = (await lab.read()).replicaSets.find((r) => r.name === 'shardB')!
    const { plan, result } = await lab.act({ kind: 'mongo.step-down', replicaSet: 'shardB', catchUpSecs: 10 })
    expect(plan.steps[0]!.commands[0]).toBe('db.adminCommand({ replSetStepDown: 60, secondaryCatchUpPeriodSecs: 10 })')
    expect(plan.prechecks.map((c) => c.passed)).toEqual([true, true, true])
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(/is the new primary of shardB, elected \d+ ms after the step-down began/)
    const after = (await lab.read()).replicaSets.find((r) => r.name === 'shardB')!
    expect(after.primary).not.toBe(before.primary)
    expect(after.members.find((m) => m.host === before.primary)!.state).toBe('SECONDARY')
  })

  it('refuses a step-down when no electable secondary is caught up', async () => {
    const rs = lab.peer.cluster.sets.get('shardA')!
    for (const m of rs.members.slice(1)) m.lagMs = 60_000
    try {
      const plan = await lab.runner.plan({ kind: 'mongo.step-down', environment: 'mongo', endpointId: 'mongo', replicaSet: 'shardA', catchUpSecs: 10 })
      expect(plan.runnable).toBe(false)
      expect(plan.prechecks[1]).toMatchObject({ name: 'an electable secondary within 10 s', passed: false })
      expect(plan.prechecks[1]!.detail).toMatch(/60 s behind/)
    } finally {
      for (const m of rs.members) m.lagMs = 0
    }
  })

  it('adds a shard and the balancer moves chunks onto it', async () => {
    const spare = lab.peer.cluster.sets.get('shardD')!.connectionString()
    await lab.act({ kind: 'mongo.balancer', enable: true })
    const { plan, result } = await lab.act({ kind: 'mongo.add-shard', connectionString: spare })
    expect(plan.prechecks.every((c) => c.passed)).toBe(true)
    expect(plan.steps[0]!.commands[0]).toBe(`db.adminCommand({ addShard: "${spare}" })`)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(/shardD added and holds [1-9]\d* chunk\(s\)/)
    expect(lab.progress.some((p) => /shardD holds \d+ chunk\(s\) after/.test(p))).toBe(true)
  })

  it('removes a shard: drains it, moves its database primaries, and watches until it completes', async () => {
    const { plan, result } = await lab.act({ kind: 'mongo.remove-shard', shard: 'shardA' })
    expect(plan.steps[1]!.commands).toEqual([
      'db.adminCommand({ movePrimary: "shop", to: "shardB" })  // once the chunks are off',
      'db.adminCommand({ movePrimary: "logs", to: "shardB" })  // once the chunks are off',
      'db.adminCommand({ removeShard: "shardA" })  // every 2 s until state: "completed"',
    ])
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(/shardA removed after/)
    // the add-shard before left moves in the changelog: the drain is predicted at their pace
    expect(plan.whatIf[0]).toMatch(/^shardA: \d+ chunk\(s\) holding [\d.]+ [MG]iB move to shardB, shardC, shardD; shop, logs move their primary to shardB$/)
    expect(plan.estimate?.basis).toMatch(
      /^the balancer's pace in the changelog: [\d.]+ m?s per chunk off one shard, pauses between rounds included \(\d+ moves\)$/,
    )
    const drain = result.checked.find((c) => c.metric === 'duration')!
    console.info(`remove-shard drain: predicted ${drain.predicted.toFixed(1)} s, took ${drain.actual.toFixed(1)} s (${errorPct(drain).toFixed(0)} %)`)
    expect(Math.abs(errorPct(drain))).toBeLessThan(60)
    expect(lab.progress.some((p) => /shardA: \d+ chunk\(s\) left, 2 database\(s\) to move/.test(p))).toBe(true)
    const c = await lab.read()
    expect(c.shards.map((s) => s.id)).toEqual(['shardB', 'shardC', 'shardD'])
    expect(Object.values(lab.peer.cluster.chunkCounts()).every((row) => !('shardA' in row))).toBe(true)
    await lab.act({ kind: 'mongo.balancer', enable: false })
  })

  it('the CLI plans with --dry-run and changes nothing', async () => {
    let out = ''
    const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) }
    expect(await runCli(['mongo', 'balancer', 'mongo', '--window', '01:00-05:00', '--dry-run'], io, lab.hub)).toBe(0)
    expect(out).toMatch(/activeWindow: \{ start: "01:00", stop: "05:00" \}/)
    expect((await lab.read()).balancer.window).toBeNull()
    expect(await runCli(['mongo', 'balancer', 'mongo', '--window', '1-5'], io, lab.hub)).toBe(2)
  })
})
