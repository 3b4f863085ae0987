import { describe, expect, it } from 'vitest'
import { cli } from '../support/chaos'
import { webAppSuite } from '../support/web-app'

/** The report's outage as a person meets it at 3 a.m.: the overview says which action was interrupted, how far it got, and resumes it. */
describe('an interrupted switchover in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the switchover that died after the fence on the overview with its steps, and resumes it from there', async () => {
    const killed = await cli(ctx.hub.options.dataDir, ['pg', 'switchover', 'lab', 'pg2', '--endpoint', 'postgres', '--yes'], 'kill-before:4')
    expect(killed.signal, killed.stderr).toBe('SIGKILL')
    const [run] = ctx.hub.journal.interrupted('lab')
    const overview = ctx.app.overview
    const card = overview.interruptedRun(run!.runId)
    await card.waitFor({ timeout: 30_000 })
    expect(await overview.environment('lab').getAttribute('data-status')).toBe('critical')
    expect(await overview.environment('lab').getByTestId('env-reason').innerText()).toMatch(/^interrupted action: Switch over PostgreSQL: pg1 → pg2 by /)
    const steps = await card.getByTestId('interrupted-steps').innerText()
    expect(steps).toMatch(/✓\s*3\. Fence pg1: fast shutdown/)
    expect(steps).toMatch(/⟳\s*4\. Read pg1's final WAL position/)
    await ctx.app.shot('overview-interrupted-switchover')

    await card.getByTestId('run-resume').click()
    const result = await ctx.app.dialog.confirmAndRun({ shots: { plan: 'interrupted-resume-plan', done: 'interrupted-resume-done' } })
    expect(result).toMatch(/succeeded/)
    await card.waitFor({ state: 'detached', timeout: 30_000 })
    await expect.poll(() => overview.environment('lab').getAttribute('data-status'), { timeout: 60_000 }).not.toBe('critical')

    expect((await runAction({ kind: 'pg.switchover', environment: 'lab', endpointId: 'postgres', newPrimary: 'pg1' })).outcome).toBe('succeeded')
  })
})
