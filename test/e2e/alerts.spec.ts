import Docker from 'dockerode'
import { describe, expect, it } from 'vitest'
import { webAppSuite } from '../support/web-app'

/** Alerts in the web app: a backend killed under nginx fires, shows as a toast and in the Alerts view, is acknowledged, and resolves. */
describe('Alerts view in Chromium', () => {
  const { ctx } = webAppSuite()

  it('fires when a backend dies, is acknowledged from the view, and resolves when it is back', async () => {
    await ctx.hub.alerts.saveRules('lab', 'rules:\n  - metric: backend-down\n    warn: null\n    critical: 1\n    for: 0s\n')
    const docker = new Docker({ socketPath: ctx.lab.docker.socketPath })
    const alerts = ctx.app.alerts
    await docker.getContainer('lab-api-3').kill()
    try {
      await ctx.page.getByText('backend down on app 127.0.0.1:9103', { exact: false }).first().waitFor({ timeout: 30_000 })
      await ctx.app.shot('alerts-toast')
      await alerts.open()
      const card = alerts.alert('backend-down', 'firing')
      await card.waitFor({ timeout: 15_000 })
      expect(await card.innerText()).toMatch(/critical[\s\S]*backend down on app 127\.0\.0\.1:9103/i)
      await alerts.acknowledge('backend-down', 'restarting it')
      await expect.poll(() => card.innerText(), { timeout: 10_000 }).toMatch(/acknowledged .*restarting it/)
      await ctx.app.shot('alerts-firing')
    } finally {
      await docker.getContainer('lab-api-3').start()
    }
    await ctx.page.getByText('No alert', { exact: false }).or(ctx.page.getByText('Nothing pending or firing')).first().waitFor({ timeout: 30_000 })
    await alerts.showResolved()
    await expect.poll(() => alerts.history.text(), { timeout: 10_000 }).toMatch(/nginx backend down on\s*app 127\.0\.0\.1:9103/)
    await ctx.app.shot('alerts-resolved')
    expect(await alerts.saveRules('rules:\n  - metric: backend-down\n    critical: soon\n')).toMatch(
      /line 2, rules\.0\.warn[\s\S]*line 3, rules\.0\.critical: .*expected number/,
    )
    await ctx.app.shot('alerts-rules-refused')
  })
})
