import { describe, expect, it } from 'vitest'
import { webAppSuite } from '../support/web-app'

const REST = 'http://127.0.0.1:18008'
const leaderNow = async () =>
  ((await (await fetch(`${REST}/cluster`)).json()) as { members: { name: string; role: string }[] }).members.find((m) => m.role === 'leader')?.name

/** The Patroni cluster and the pgbouncer of the lab in the web app. */
describe('Patroni and pgbouncer in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the pgbouncer card: the database, where it points, its clients and servers', async () => {
    await ctx.app.overview.open()
    const card = ctx.page.getByText('app → 127.0.0.1:15432')
    await card.waitFor({ timeout: 30_000 })
    await card.scrollIntoViewIfNeeded()
    await ctx.app.shot('pgbouncer-card')
  })

  it('shows the Patroni members next to PostgreSQL and switches over through Patroni from the UI', async () => {
    const before = (await leaderNow())!
    const candidate = ['ha1', 'ha2', 'ha3'].find((m) => m !== before)!
    const pg = await ctx.app.postgres.openEndpoint('lab', 'patroni')
    await pg.patroniMembers.root.waitFor({ timeout: 30_000 })
    await expect.poll(() => pg.patroniMembers.rowCount(), { timeout: 20_000 }).toBe(3)
    expect(await pg.node(before, 'primary').count()).toBe(1)
    await ctx.app.shot('patroni-view')

    await pg.openActionsMenu()
    expect(await pg.byTestId('switchover-ha2').count()).toBe(0)
    await pg.byTestId(`patroni-switchover-${candidate}`).click()
    expect(await pg.dialog.plan()).toContain(`/switchover {"leader":"${before}","candidate":"${candidate}"}`)
    const text = await pg.dialog.confirmAndRun({ shots: { plan: 'patroni-switchover-confirm', done: 'patroni-switchover-done' }, timeout: 150_000 })
    expect(text).toContain('succeeded')
    await pg.node(candidate, 'primary').waitFor({ timeout: 30_000 })
    expect(await leaderNow()).toBe(candidate)

    // Back to the leader the lab started with, through the same action.
    expect((await runAction({ kind: 'pg.patroni-switchover', environment: 'lab', endpointId: 'patroni', candidate: before })).outcome).toBe('succeeded')
  })
})
