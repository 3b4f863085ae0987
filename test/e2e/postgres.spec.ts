import { describe, expect, it } from 'vitest'
import { chartDrawn } from '../support/screens'
import { webAppSuite } from '../support/web-app'

describe('PostgreSQL view in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the topology with lag in bytes and seconds, charted over time', async () => {
    const pg = await ctx.app.postgres.open()
    await pg.node('pg1', 'primary').waitFor({ timeout: 30_000 })
    expect(await pg.nodesWithRole('standby').count()).toBe(2)
    await expect.poll(() => pg.lag.rowCount(), { timeout: 20_000 }).toBe(2)
    await chartDrawn(pg.byTestId('lag-chart'))
    await ctx.app.shot('postgres-topology')
  })

  it('runs a switchover from the UI after a named confirmation, then the roles swap', async () => {
    const pg = ctx.app.postgres
    await pg.startSwitchover('pg2')
    expect(await pg.dialog.plan()).toMatch(/pg_promote/)
    const text = await pg.dialog.confirmAndRun({ shots: { plan: 'postgres-switchover-confirm', done: 'postgres-switchover-done' } })
    expect(text).toContain('succeeded')
    await pg.node('pg2', 'primary').waitFor({ timeout: 30_000 })

    // Switch back so the lab keeps its shape, through the same action.
    expect((await runAction({ kind: 'pg.switchover', environment: 'lab', endpointId: 'postgres', newPrimary: 'pg1' })).outcome).toBe('succeeded')
  })
})
