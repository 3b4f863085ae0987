import { describe, expect, it } from 'vitest'
import { mongoService } from '../../src/main/systems/mongo/mongo-service'
import { join } from 'node:path'
import { chartDrawn, SCREENSHOTS, shot, webAppSuite } from '../support/web-app'

/** The lab's MongoDB (the wire-protocol peer) in the web app: chunk balance, the balancer, a step-down. */
describe('MongoDB view in Chromium', () => {
  const { ctx } = webAppSuite()
  const read = () => mongoService(ctx.hub).cluster('lab', 'mongo')

  const runAction = async (confirm: string) => {
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    await dialog.getByTestId('action-confirm').fill(confirm)
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 90_000 })
    return { dialog, text: await result.innerText() }
  }

  it('shows chunks per collection per shard as the cluster counts them, the imbalance and the jumbo chunk', async () => {
    const c = await read()
    await ctx.page.getByTestId('nav-mongo').click()
    await ctx.page.getByTestId('collections-table').waitFor({ timeout: 30_000 })
    await chartDrawn(ctx.page.getByTestId('chunk-balance-chart'))
    for (const k of c.collections) {
      const row = (await ctx.page.getByTestId(`collection-${k.ns}`).innerText()).toLowerCase()
      expect(row).toContain(String(k.chunks))
      expect(row).toContain(k.imbalance.exceeds ? 'imbalanced' : 'balanced')
    }
    expect(await ctx.page.getByTestId('mongo-finding-jumbo-chunks').innerText()).toMatch(/jumbo chunk\(s\) in shop\.events/)
    // The server's own verdict stands beside the arithmetic.
    expect(await ctx.page.getByTestId('verdict-shop.events').innerText()).toMatch(/data imbalanced/i)
    expect(await ctx.page.getByTestId('verdict-shop.orders').innerText()).toMatch(/balanced/i)
    await shot(ctx.page, 'mongo-balance')
  })

  it('toggles the balancer from the UI after a named confirmation, and back', async () => {
    const wasOn = (await read()).balancer.enabled
    // On and back off (or the reverse): the lab ends as it started.
    for (const turnOn of [!wasOn, wasOn]) {
      await ctx.page.getByTestId('balancer-toggle').click()
      const { dialog, text } = await runAction('MongoDB')
      expect(text).toContain('succeeded')
      if (turnOn !== wasOn) await shot(ctx.page, 'mongo-balancer-toggled')
      await ctx.page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'hidden' })
      await expect.poll(() => ctx.page.getByTestId('balancer-mode').innerText(), { timeout: 15_000 }).toMatch(turnOn ? /^on/i : /^off$/i)
      expect((await read()).balancer.enabled).toBe(turnOn)
    }
  })

  it('steps down a shard primary from the UI; another member becomes primary', async () => {
    const before = (await read()).replicaSets.find((r) => r.name === 'shardB')!
    await ctx.page.getByTestId('mongo-replication-tab').click()
    await ctx.page.getByTestId('mongo-lag-chart').waitFor()
    await shot(ctx.page, 'mongo-replication')
    await ctx.page.getByTestId('stepdown-shardB').click()
    const { dialog, text } = await runAction('shardB')
    expect(text).toContain('succeeded')
    expect(text).toMatch(/is the new primary of shardB, elected \d+ ms after the step-down began/)
    await shot(ctx.page, 'mongo-stepdown-done')
    await ctx.page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await ctx.page.locator(`[data-testid="member-${before.primary!}"][data-state="SECONDARY"]`).waitFor({ timeout: 15_000 })
    const after = (await read()).replicaSets.find((r) => r.name === 'shardB')!
    expect(after.primary).not.toBe(before.primary)
  })

  it('shows the hidden member in initial sync as such: its state, how far the copy is, and the finding in words', async () => {
    const syncing = (await read()).replicaSets.find((r) => r.name === 'shardC')!.members.find((m) => m.state === 'STARTUP2')!
    await ctx.page.getByTestId('mongo-replication-tab').click()
    const row = ctx.page.getByTestId(`member-${syncing.host}`)
    await row.waitFor()
    expect(await row.getAttribute('data-state')).toBe('STARTUP2')
    expect(await ctx.page.getByTestId(`initial-sync-${syncing.host}`).innerText()).toMatch(/initial sync 4\d % · 1\.\d GiB of 2\.8 GiB · [\d.]+ h left/)
    expect(await row.innerText()).not.toMatch(/\d+ h behind/)
    const finding = ctx.page.getByTestId('mongo-finding-member-not-serving').filter({ hasText: syncing.host })
    expect(await finding.innerText()).toMatch(/is in initial sync \(STARTUP2\): 4\d % copied/)
    await row.scrollIntoViewIfNeeded()
    // the row itself, where a person looks (the full page is long with four sets)
    await ctx.page.screenshot({ path: join(SCREENSHOTS, 'mongo-initial-sync.png') })
  })

  it("clears the hashed collection's jumbo chunk from the finding's fix: a split at an exact NumberLong", async () => {
    const before = await read()
    expect(before.jumbo[0]!.min).toMatch(/^\{"_id":\{"\$numberLong":"-\d{19}"\}\}$/)
    await ctx.page.getByTestId('mongo-balance-tab').click()
    await ctx.page.getByTestId('mongo-fix-jumbo-chunks').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/split: "shop\.events", middle: \{ _id: NumberLong\("-\d{19}"\) \}/)
    await shot(ctx.page, 'mongo-jumbo-split-confirm')
    const { text } = await runAction('shop.events')
    expect(text).toContain('succeeded')
    await ctx.page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await ctx.page.getByTestId('mongo-finding-jumbo-chunks').waitFor({ state: 'detached', timeout: 15_000 })
    const after = await read()
    expect(after.jumbo).toEqual([])
    expect(after.collections.find((k) => k.ns === 'shop.events')!.chunks).toBe(before.collections.find((k) => k.ns === 'shop.events')!.chunks + 1)
    await shot(ctx.page, 'mongo-jumbo-cleared')
  })
})
