import { describe, expect, it } from 'vitest'
import { chartDrawn, shot, webAppSuite } from '../support/web-app'

describe('web mode in Chromium', () => {
  const { ctx } = webAppSuite()

  it('shows the environment "lab" healthy, every system card green', async () => {
    await ctx.page.locator('[data-testid="env-lab"][data-status="ok"]').waitFor({ timeout: 30_000 })
    const cards = ctx.page.locator('[data-testid="env-lab"] [data-testid^="system-"][data-status]')
    expect(await cards.count()).toBe(10)
    expect(await ctx.page.locator('[data-testid="env-lab"] [data-testid^="system-"][data-status="ok"]').count()).toBe(10)
    expect(await ctx.page.locator('[data-testid="system-redis"] [data-testid="node-row"]').count()).toBe(6)
    // A few refreshes later each card carries its check-latency sparkline.
    await chartDrawn(ctx.page.locator('[data-testid="env-lab"] [data-echart]').first(), 20_000)
    await shot(ctx.page, 'overview-lab')
  })

  it('restarts a container from its card: plan with the exact call, typed confirmation, verification', async () => {
    await ctx.page.getByTestId('restart-lab-api-2').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor()
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/POST \/containers\/[0-9a-f]{12}\/restart\?t=10/)
    expect(await dialog.getByTestId('action-run').isDisabled()).toBe(true)
    await dialog.getByTestId('action-confirm').fill('lab-api-1')
    expect(await dialog.getByTestId('action-run').isDisabled()).toBe(true)
    await dialog.getByTestId('action-confirm').fill('lab-api-2')
    await shot(ctx.page, 'action-restart-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 60_000 })
    expect(await result.innerText()).toMatch(/succeeded[\s\S]*✓ running/)
    await shot(ctx.page, 'action-restart-done')
    await ctx.page.keyboard.press('Escape')
    const audit = await ctx.hub.audit.list()
    expect(audit.map((a) => [a.phase, a.target])).toEqual([
      ['finished', 'lab-api-2'],
      ['started', 'lab-api-2'],
    ])
  })

  it('adds an environment: TLS verified by default, then a wrong password shows the auth error and the red card', async () => {
    await ctx.page.getByTestId('nav-environments').click()
    await ctx.page.getByTestId('new-environment').click()
    await ctx.page.getByTestId('env-name').fill('broken')
    await ctx.page.getByTestId('add-endpoint').click()
    await ctx.page.getByTestId('add-postgres').click()
    const node = ctx.lab.postgres.nodes[0]!
    await ctx.page.getByTestId('field-addresses').fill(`${node.name} ${node.host}:${node.port}`)
    await ctx.page.getByTestId('field-user').fill(ctx.lab.postgres.user)
    await ctx.page.getByTestId('secret-password').fill('definitely-wrong')
    // verify-full by default: the lab's certificate is refused until its CA is given, before any password is sent
    await ctx.page.getByTestId('test-endpoint').click()
    const result = ctx.page.getByTestId('test-result')
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/\[tls\] unable to verify the first certificate/)
    await ctx.page.getByTestId('field-cafile').fill(ctx.lab.tls.caFile)
    await ctx.page.getByTestId('test-endpoint').click()
    await expect.poll(() => result.innerText(), { timeout: 15_000 }).toMatch(/\[auth\].*password authentication failed/)
    await shot(ctx.page, 'environment-wrong-password')

    await ctx.page.getByTestId('save-environment').click()
    await ctx.page.getByTestId('env-row-broken').waitFor()
    await ctx.page.getByTestId('nav-overview').click()
    const broken = ctx.page.locator('[data-testid="env-broken"][data-status="critical"]')
    await broken.waitFor({ timeout: 30_000 })
    expect(await broken.getByTestId('env-reason').innerText()).toContain('password authentication failed')
    await shot(ctx.page, 'overview-with-broken-environment')
    expect(await ctx.hub.inventory.secrets.keys('broken')).toEqual(['postgres-1.password'])
  })
})
