import { describe, expect, it } from 'vitest'
import { chartDrawn } from '../support/screens'
import { webAppSuite } from '../support/web-app'

describe('web mode in Chromium', () => {
  const { ctx } = webAppSuite()

  it('shows the environment "lab" healthy, every system card green', async () => {
    const overview = ctx.app.overview
    await overview.environmentWith('lab', 'ok').waitFor({ timeout: 30_000 })
    expect(await overview.systemCards('lab').count()).toBe(10)
    expect(await overview.systemCards('lab', 'ok').count()).toBe(10)
    expect(await overview.byTestId('system-redis').getByTestId('node-row').count()).toBe(6)
    // A few refreshes later each card carries its check-latency sparkline.
    await chartDrawn(overview.environment('lab').locator('[data-echart]').first(), 20_000)
    await ctx.app.shot('overview-lab')
  })

  it('restarts a container from its card: plan with the exact call, typed confirmation, verification', async () => {
    const { overview, dialog } = ctx.app
    await overview.restartContainer('lab-api-2')
    expect(await dialog.plan()).toMatch(/POST \/containers\/[0-9a-f]{12}\/restart\?t=10/)
    expect(await dialog.runButton.isDisabled()).toBe(true)
    await dialog.confirm('lab-api-1')
    expect(await dialog.runButton.isDisabled()).toBe(true)
    await dialog.confirm('lab-api-2')
    await ctx.app.shot('action-restart-confirm')
    expect(await dialog.run(60_000)).toMatch(/succeeded[\s\S]*✓ running/)
    await ctx.app.shot('action-restart-done')
    await dialog.close()
    const audit = await ctx.hub.audit.list()
    expect(audit.map((a) => [a.phase, a.target])).toEqual([
      ['finished', 'lab-api-2'],
      ['started', 'lab-api-2'],
    ])
  })

  it('adds an environment: TLS verified by default, then a wrong password shows the auth error and the red card', async () => {
    const environments = await ctx.app.environments.open()
    await environments.startNew('broken')
    const node = ctx.lab.postgres.nodes[0]!
    await environments.addEndpoint('postgres', {
      addresses: `${node.name} ${node.host}:${node.port}`,
      user: ctx.lab.postgres.user,
      'secret-password': 'definitely-wrong',
    })
    // verify-full by default: the lab's certificate is refused until its CA is given, before any password is sent
    await environments.testEndpoint()
    const result = environments.testResult()
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/\[tls\] unable to verify the first certificate/)
    await environments.byTestId('field-cafile').fill(ctx.lab.tls.caFile)
    await environments.testEndpoint()
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/\[auth\].*password authentication failed/)
    await ctx.app.shot('environment-wrong-password')

    await environments.save('broken')
    const overview = await ctx.app.overview.open()
    const broken = overview.environmentWith('broken', 'critical')
    await broken.waitFor({ timeout: 30_000 })
    expect(await broken.getByTestId('env-reason').innerText()).toContain('password authentication failed')
    await ctx.app.shot('overview-with-broken-environment')
    expect(await ctx.hub.inventory.secrets.keys('broken')).toEqual(['postgres-1.password'])
  })
})
