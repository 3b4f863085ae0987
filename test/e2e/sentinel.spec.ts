import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSentinelDeployment, type SentinelDeployment } from '../support/sentinel-deployment'
import { shot, webAppSuite } from '../support/web-app'

describe('Redis Sentinel view in Chromium', () => {
  const { ctx } = webAppSuite()
  let deployment: SentinelDeployment

  beforeAll(async () => {
    deployment = await startSentinelDeployment(7230)
    await ctx.hub.inventory.save(deployment.environment('sentinel'), {})
  })
  afterAll(() => deployment?.stop())

  it('shows the master, its replica, the sentinels and CKQUORUM', async () => {
    await ctx.page.getByTestId('nav-sentinel').click()
    const master = ctx.page.getByTestId('sentinel-master-sy')
    await master.waitFor({ timeout: 30_000 })
    expect(await master.getByTestId('ckquorum').innerText()).toMatch(/^ckquorum ok$/i)
    expect(await master.innerText()).toContain(`127.0.0.1:${deployment.replica}`)
    await shot(ctx.page, 'sentinel')
  })

  it('runs SENTINEL FAILOVER from the UI after a named confirmation, and the replica becomes master', async () => {
    await ctx.page.getByTestId('sentinel-actions').click()
    await ctx.page.getByTestId('sentinel-failover-sy').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/SENTINEL FAILOVER sy/)
    await dialog.getByTestId('action-confirm').fill('sy')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 90_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(ctx.page, 'sentinel-failover-done')
    expect(deployment.cli(deployment.replica, 'ROLE').split('\n')[0]).toBe('master')
  })
})
