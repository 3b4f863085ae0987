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

  it('fails over a master from the UI after a named confirmation, and the roles swap', async () => {
    const firstMaster = ctx.page.getByTestId('masters-table').locator('tbody tr').first()
    const masterAddr = (await firstMaster.locator('td').first().innerText()).trim()
    await firstMaster.getByRole('button', { name: 'Failover' }).click()
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
    // Fail back so the lab keeps its shape: promote the old master again, through the same action.
    const old = (await readTopology(ctx.hub, 'lab', 'redis')).nodes.find((n) => n.addr === masterAddr)!
    expect((await runAction({ kind: 'redis.failover', environment: 'lab', endpointId: 'redis', master: old.masterId!, replica: old.id })).outcome).toBe(
      'succeeded',
    )
  })
})
