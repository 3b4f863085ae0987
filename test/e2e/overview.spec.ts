import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ServiceHub } from '../../src/main/service-hub'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'
import { openWebApp, shot } from '../support/web-app'

describe('web mode in Chromium', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let page: Page
  let close: () => Promise<void>

  beforeAll(async () => {
    ;({ hub, lab } = await labHub())
    ;({ page, close } = await openWebApp(hub))
  })
  afterAll(async () => {
    await close?.()
    await hub?.close()
  })

  it('shows the environment "lab" healthy, every system card green', async () => {
    await page.locator('[data-testid="env-lab"][data-status="ok"]').waitFor({ timeout: 30_000 })
    const cards = page.locator('[data-testid="env-lab"] [data-testid^="system-"][data-status]')
    expect(await cards.count()).toBe(6)
    expect(await page.locator('[data-testid="env-lab"] [data-testid^="system-"][data-status="ok"]').count()).toBe(6)
    expect(await page.locator('[data-testid="system-redis"] [data-testid="node-row"]').count()).toBe(6)
    // A few refreshes later each card carries its check-latency sparkline.
    await page.locator('[data-testid="env-lab"] canvas').first().waitFor({ timeout: 20_000 })
    await shot(page, 'overview-lab')
  })

  it('restarts a container from its card: plan with the exact call, typed confirmation, verification', async () => {
    await page.getByTestId('restart-sy-app-2').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor()
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/POST \/containers\/[0-9a-f]{12}\/restart\?t=10/)
    expect(await dialog.getByTestId('action-run').isDisabled()).toBe(true)
    await dialog.getByTestId('action-confirm').fill('sy-app-1')
    expect(await dialog.getByTestId('action-run').isDisabled()).toBe(true)
    await dialog.getByTestId('action-confirm').fill('sy-app-2')
    await shot(page, 'action-restart-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 60_000 })
    expect(await result.innerText()).toMatch(/succeeded[\s\S]*✓ running/)
    await shot(page, 'action-restart-done')
    await page.keyboard.press('Escape')
    const audit = await hub.audit.list()
    expect(audit.map((a) => [a.phase, a.target])).toEqual([
      ['finished', 'sy-app-2'],
      ['started', 'sy-app-2'],
    ])
  })

  it('adds an environment with a wrong password and shows the auth error, then the red card', async () => {
    await page.getByTestId('nav-environments').click()
    await page.getByTestId('new-environment').click()
    await page.getByTestId('env-name').fill('broken')
    await page.getByTestId('add-endpoint').click()
    await page.getByTestId('add-postgres').click()
    const node = lab.postgres.nodes[0]!
    await page.getByTestId('field-addresses').fill(`${node.name} ${node.host}:${node.port}`)
    await page.getByTestId('field-user').fill(lab.postgres.user)
    await page.getByTestId('secret-password').fill('definitely-wrong')
    await page.getByTestId('test-endpoint').click()
    const result = page.getByTestId('test-result')
    await result.waitFor({ timeout: 15_000 })
    expect(await result.innerText()).toMatch(/\[auth\].*password authentication failed/)
    await shot(page, 'environment-wrong-password')

    await page.getByTestId('save-environment').click()
    await page.getByTestId('env-row-broken').waitFor()
    await page.getByTestId('nav-overview').click()
    const broken = page.locator('[data-testid="env-broken"][data-status="critical"]')
    await broken.waitFor({ timeout: 30_000 })
    expect(await broken.getByTestId('env-reason').innerText()).toContain('password authentication failed')
    await shot(page, 'overview-with-broken-environment')
    expect(await hub.inventory.secrets.keys('broken')).toEqual(['postgres-1.password'])
  })
})
