import Docker from 'dockerode'
import { describe, expect, it } from 'vitest'
import { shot, webAppSuite } from '../support/web-app'

/** Alerts in the web app: a backend killed under nginx fires, shows as a toast and in the Alerts view, is acknowledged, and resolves. */
describe('Alerts view in Chromium', () => {
  const { ctx } = webAppSuite()

  it('fires when a backend dies, is acknowledged from the view, and resolves when it is back', async () => {
    await ctx.hub.alerts.saveRules('lab', 'rules:\n  - metric: backend-down\n    warn: null\n    critical: 1\n    for: 0s\n')
    const docker = new Docker({ socketPath: ctx.lab.docker.socketPath })
    await docker.getContainer('lab-api-3').kill()
    try {
      await ctx.page.getByText('backend down on app 127.0.0.1:9103', { exact: false }).first().waitFor({ timeout: 30_000 })
      await shot(ctx.page, 'alerts-toast')
      await ctx.page.getByTestId('nav-alerts').click()
      const card = ctx.page.locator('[data-testid="alert-backend-down"][data-state="firing"]')
      await card.waitFor({ timeout: 15_000 })
      expect(await card.innerText()).toMatch(/critical[\s\S]*backend down on app 127\.0\.0\.1:9103/i)
      await card.getByPlaceholder('note').fill('restarting it')
      await ctx.page.getByTestId('ack-backend-down').click()
      await expect.poll(() => card.innerText(), { timeout: 10_000 }).toMatch(/acknowledged .*restarting it/)
      await shot(ctx.page, 'alerts-firing')
    } finally {
      await docker.getContainer('lab-api-3').start()
    }
    await ctx.page.getByText('No alert', { exact: false }).or(ctx.page.getByText('Nothing pending or firing')).first().waitFor({ timeout: 30_000 })
    await ctx.page.getByRole('tab', { name: 'Resolved' }).click()
    await expect.poll(() => ctx.page.getByTestId('alerts-history').innerText(), { timeout: 10_000 }).toMatch(/nginx backend down on\s*app 127\.0\.0\.1:9103/)
    await shot(ctx.page, 'alerts-resolved')
    await ctx.page.getByTestId('alerts-rules-tab').click()
    await ctx.page.getByTestId('alerts-rules').fill('rules:\n  - metric: backend-down\n    critical: soon\n')
    await ctx.page.getByTestId('alerts-rules-save').click()
    expect(await ctx.page.getByTestId('alerts-rules-result').innerText()).toMatch(/line 2, rules\.0\.warn[\s\S]*line 3, rules\.0\.critical: .*expected number/)
    await shot(ctx.page, 'alerts-rules-refused')
  })
})
