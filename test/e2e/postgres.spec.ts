import { describe, expect, it } from 'vitest'
import { chartDrawn, shot, webAppSuite } from '../support/web-app'

describe('PostgreSQL view in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the topology with lag in bytes and seconds, charted over time', async () => {
    await ctx.page.getByTestId('nav-postgres').click()
    await ctx.page.locator('[data-testid="pg-node-pg1"][data-role="primary"]').waitFor({ timeout: 30_000 })
    expect(await ctx.page.locator('[data-testid^="pg-node-"][data-role="standby"]').count()).toBe(2)
    await expect.poll(() => ctx.page.getByTestId('lag-table').locator('tbody tr').count(), { timeout: 20_000 }).toBe(2)
    await chartDrawn(ctx.page.getByTestId('lag-chart'))
    await shot(ctx.page, 'postgres-topology')
  })

  it('runs a switchover from the UI after a named confirmation, then the roles swap', async () => {
    await ctx.page.getByTestId('pg-actions').click()
    await ctx.page.getByTestId('switchover-pg2').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 30_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/pg_promote/)
    const label = await dialog.locator('label').filter({ hasText: 'to confirm' }).innerText()
    await dialog.getByTestId('action-confirm').fill(/Type (\S+) to confirm/.exec(label)![1]!)
    await shot(ctx.page, 'postgres-switchover-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 120_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(ctx.page, 'postgres-switchover-done')
    await ctx.page.keyboard.press('Escape')
    await ctx.page.locator('[data-testid="pg-node-pg2"][data-role="primary"]').waitFor({ timeout: 30_000 })

    // Switch back so the lab keeps its shape, through the same action.
    expect((await runAction({ kind: 'pg.switchover', environment: 'lab', endpointId: 'postgres', newPrimary: 'pg1' })).outcome).toBe('succeeded')
  })
})
