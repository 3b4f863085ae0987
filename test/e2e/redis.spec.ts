import { describe, expect, it } from 'vitest'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { shot, webAppSuite } from '../support/web-app'

describe('Redis Cluster view in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the slot map of the lab with 3 masters sharing the 16384 slots', async () => {
    await ctx.page.getByTestId('nav-redis').click()
    await ctx.page.getByTestId('slot-map').locator('canvas').first().waitFor({ timeout: 30_000 })
    const rows = ctx.page.getByTestId('masters-table').locator('tbody tr')
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3)
    const slots = (await rows.allInnerTexts()).map((t) => Number(t.split('\t')[1]))
    expect(slots.reduce((a, b) => a + b, 0)).toBe(16384)
    expect(await ctx.page.getByTestId('nodes-table').locator('tbody tr').count()).toBe(6)
    const box = (await ctx.page.getByTestId('slot-map').boundingBox())!
    await ctx.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => ctx.page.getByTestId('slot-hover').innerText(), { timeout: 10_000 }).toMatch(/slot \d+ · 127\.0\.0\.1:\d+ · \d+ keys/)
    await shot(ctx.page, 'redis-slot-map')
  })

  /** Master address → the colour of its swatch in the Masters table. */
  const masterColors = async (): Promise<Record<string, string>> => {
    const rows = ctx.page.getByTestId('masters-table').locator('tbody tr')
    const out: Record<string, string> = {}
    for (const row of await rows.all())
      out[(await row.getByTestId('master-addr').innerText()).trim()] = await row
        .getByTestId('master-color')
        .evaluate((e) => getComputedStyle(e).backgroundColor)
    return out
  }

  it('fails over a master from the UI after a named confirmation, the roles swap and no other master changes colour', async () => {
    const before = await masterColors()
    expect(new Set(Object.values(before)).size).toBe(3)
    const firstMaster = ctx.page.getByTestId('masters-table').locator('tbody tr').first()
    const masterAddr = (await firstMaster.getByTestId('master-addr').innerText()).trim()
    await firstMaster.getByRole('button', { name: /^Actions for / }).click()
    await ctx.page.getByTestId('failover-default').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/CLUSTER FAILOVER/)
    const label = await dialog.locator('label').filter({ hasText: 'to confirm' }).innerText()
    const name = /Type (\S+) to confirm/.exec(label)![1]!
    await dialog.getByTestId('action-confirm').fill(name)
    await shot(ctx.page, 'redis-failover-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 90_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(ctx.page, 'redis-failover-done')
    await ctx.page.keyboard.press('Escape')
    await expect
      .poll(async () => (await ctx.page.getByTestId('masters-table').locator('tbody tr').allInnerTexts()).join('\n'), { timeout: 30_000 })
      .not.toContain(masterAddr)
    // The two masters not involved keep their colours; the promoted replica gets one of its own.
    const after = await masterColors()
    const others = Object.keys(before).filter((a) => a !== masterAddr)
    for (const a of others) expect(after[a], a).toBe(before[a])
    const promoted = Object.keys(after).find((a) => !(a in before))!
    expect(others.map((a) => after[a])).not.toContain(after[promoted])
    await shot(ctx.page, 'redis-after-failover-colors')
    // Fail back so the lab keeps its shape: promote the old master again, through the same action.
    const old = (await readTopology(ctx.hub, 'lab', 'redis')).nodes.find((n) => n.addr === masterAddr)!
    expect((await runAction({ kind: 'redis.failover', environment: 'lab', endpointId: 'redis', master: old.masterId!, replica: old.id })).outcome).toBe(
      'succeeded',
    )
    // Back to the original masters, and after a reload: every master has its first colour again.
    await ctx.page.reload()
    await expect.poll(async () => Object.keys(await masterColors()).sort(), { timeout: 30_000 }).toEqual(Object.keys(before).sort())
    expect(await masterColors()).toEqual(before)
  })
})
