import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mongoService } from '../../src/main/systems/mongo/mongo-service'
import { chartDrawn, SCREENSHOTS } from '../support/screens'
import { webAppSuite } from '../support/web-app'

/** The lab's MongoDB (the wire-protocol peer) in the web app: chunk balance, the balancer, a step-down. */
describe('MongoDB view in Chromium', () => {
  const { ctx } = webAppSuite()
  const read = () => mongoService(ctx.hub).cluster('lab', 'mongo')

  it('shows chunks per collection per shard as the cluster counts them, the imbalance and the jumbo chunk', async () => {
    const c = await read()
    const mongo = await ctx.app.mongo.open()
    await mongo.collections.root.waitFor({ timeout: 30_000 })
    await chartDrawn(mongo.byTestId('chunk-balance-chart'))
    for (const k of c.collections) {
      const row = (await mongo.collection(k.ns).innerText()).toLowerCase()
      expect(row).toContain(String(k.chunks))
      expect(row).toContain(k.imbalance.exceeds ? 'imbalanced' : 'balanced')
    }
    expect(await mongo.finding('jumbo-chunks').innerText()).toMatch(/jumbo chunk\(s\) in shop\.events/)
    // The server's own verdict stands beside the arithmetic.
    expect(await mongo.verdict('shop.events').innerText()).toMatch(/data imbalanced/i)
    expect(await mongo.verdict('shop.orders').innerText()).toMatch(/balanced/i)
    await ctx.app.shot('mongo-balance')
  })

  it('toggles the balancer from the UI after a named confirmation, and back', async () => {
    const mongo = ctx.app.mongo
    const wasOn = (await read()).balancer.enabled
    // On and back off (or the reverse): the lab ends as it started.
    for (const turnOn of [!wasOn, wasOn]) {
      await mongo.toggleBalancer()
      const text = await mongo.dialog.confirmAndRun({ target: 'MongoDB', shots: turnOn !== wasOn ? { done: 'mongo-balancer-toggled' } : {}, timeout: 90_000 })
      expect(text).toContain('succeeded')
      await expect.poll(() => mongo.byTestId('balancer-mode').innerText(), { timeout: 15_000 }).toMatch(turnOn ? /^on/i : /^off$/i)
      expect((await read()).balancer.enabled).toBe(turnOn)
    }
  })

  it('steps down a shard primary from the UI; another member becomes primary', async () => {
    const mongo = ctx.app.mongo
    const before = (await read()).replicaSets.find((r) => r.name === 'shardB')!
    await mongo.showReplicaSets()
    await mongo.byTestId('mongo-lag-chart').waitFor()
    await ctx.app.shot('mongo-replication')
    await mongo.stepDown('shardB')
    const text = await mongo.dialog.confirmAndRun({ target: 'shardB', shots: { done: 'mongo-stepdown-done' }, timeout: 90_000 })
    expect(text).toContain('succeeded')
    expect(text).toMatch(/is the new primary of shardB, elected \d+ ms after the step-down began/)
    await mongo.member(before.primary!, 'SECONDARY').waitFor({ timeout: 15_000 })
    const after = (await read()).replicaSets.find((r) => r.name === 'shardB')!
    expect(after.primary).not.toBe(before.primary)
  })

  it('shows the hidden member in initial sync as such: its state, how far the copy is, and the finding in words', async () => {
    const mongo = ctx.app.mongo
    const syncing = (await read()).replicaSets.find((r) => r.name === 'shardC')!.members.find((m) => m.state === 'STARTUP2')!
    await mongo.showReplicaSets()
    const row = mongo.member(syncing.host)
    await row.waitFor()
    expect(await row.getAttribute('data-state')).toBe('STARTUP2')
    expect(await mongo.byTestId(`initial-sync-${syncing.host}`).innerText()).toMatch(/initial sync 4\d % · 1\.\d GiB of 2\.8 GiB · [\d.]+ h left/)
    expect(await row.innerText()).not.toMatch(/\d+ h behind/)
    const finding = mongo.finding('member-not-serving').filter({ hasText: syncing.host })
    expect(await finding.innerText()).toMatch(/is in initial sync \(STARTUP2\): 4\d % copied/)
    await row.scrollIntoViewIfNeeded()
    // the row itself, where a person looks (the full page is long with four sets)
    await ctx.page.screenshot({ path: join(SCREENSHOTS, 'mongo-initial-sync.png') })
  })

  it("clears the hashed collection's jumbo chunk from the finding's fix: a split at an exact NumberLong", async () => {
    const mongo = ctx.app.mongo
    const before = await read()
    expect(before.jumbo[0]!.min).toMatch(/^\{"_id":\{"\$numberLong":"-\d{19}"\}\}$/)
    await mongo.showBalance()
    await mongo.fix('jumbo-chunks')
    expect(await mongo.dialog.plan(20_000)).toMatch(/split: "shop\.events", middle: \{ _id: NumberLong\("-\d{19}"\) \}/)
    const text = await mongo.dialog.confirmAndRun({ target: 'shop.events', shots: { plan: 'mongo-jumbo-split-confirm' }, timeout: 90_000 })
    expect(text).toContain('succeeded')
    await mongo.finding('jumbo-chunks').waitFor({ state: 'detached', timeout: 15_000 })
    const after = await read()
    expect(after.jumbo).toEqual([])
    expect(after.collections.find((k) => k.ns === 'shop.events')!.chunks).toBe(before.collections.find((k) => k.ns === 'shop.events')!.chunks + 1)
    await ctx.app.shot('mongo-jumbo-cleared')
  })
})
