import { describe, expect, it } from 'vitest'
import { shot, webAppSuite } from '../support/web-app'

const REST = 'http://127.0.0.1:18008'
const leaderNow = async () =>
  ((await (await fetch(`${REST}/cluster`)).json()) as { members: { name: string; role: string }[] }).members.find((m) => m.role === 'leader')?.name

/** The Patroni cluster and the pgbouncer of the lab in the web app. */
describe('Patroni and pgbouncer in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the pgbouncer card: the database, where it points, its clients and servers', async () => {
    await ctx.page.getByTestId('nav-overview').click()
    const card = ctx.page.getByText('app → 127.0.0.1:15432')
    await card.waitFor({ timeout: 30_000 })
    await card.scrollIntoViewIfNeeded()
    await shot(ctx.page, 'pgbouncer-card')
  })

  it('shows the Patroni members next to PostgreSQL and switches over through Patroni from the UI', async () => {
    const before = (await leaderNow())!
    const candidate = ['ha1', 'ha2', 'ha3'].find((m) => m !== before)!
    await ctx.page.evaluate(() => (location.hash = '#/postgres/lab/patroni'))
    const members = ctx.page.getByTestId('patroni-members')
    await members.waitFor({ timeout: 30_000 })
    await expect.poll(() => members.locator('tbody tr').count(), { timeout: 20_000 }).toBe(3)
    expect(await ctx.page.locator(`[data-testid="pg-node-${before}"][data-role="primary"]`).count()).toBe(1)
    await shot(ctx.page, 'patroni-view')

    await ctx.page.getByTestId('pg-actions').click()
    expect(await ctx.page.getByTestId('switchover-ha2').count()).toBe(0)
    await ctx.page.getByTestId(`patroni-switchover-${candidate}`).click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 30_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toContain(`/switchover {"leader":"${before}","candidate":"${candidate}"}`)
    const label = await dialog.locator('label').filter({ hasText: 'to confirm' }).innerText()
    await dialog.getByTestId('action-confirm').fill(/Type (\S+) to confirm/.exec(label)![1]!)
    await shot(ctx.page, 'patroni-switchover-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 150_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(ctx.page, 'patroni-switchover-done')
    await ctx.page.keyboard.press('Escape')
    await ctx.page.locator(`[data-testid="pg-node-${candidate}"][data-role="primary"]`).waitFor({ timeout: 30_000 })
    expect(await leaderNow()).toBe(candidate)

    // Back to the leader the lab started with, through the same action.
    expect((await runAction({ kind: 'pg.patroni-switchover', environment: 'lab', endpointId: 'patroni', candidate: before })).outcome).toBe('succeeded')
  })
})
