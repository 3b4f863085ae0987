import { describe, expect, it } from 'vitest'
import { mongoService } from '../../src/main/systems/mongo/mongo-service'
import { chartDrawn, shot, webAppSuite } from '../support/web-app'

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
})
