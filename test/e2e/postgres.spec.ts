import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { createHandlers } from '../../src/main/app-handlers'
import type { ServiceHub } from '../../src/main/service-hub'
import { labHub } from '../support/lab'
import { openWebApp, shot } from '../support/web-app'

describe('PostgreSQL view in Chromium', () => {
  let hub: ServiceHub
  let page: Page
  let close: () => Promise<void>

  beforeAll(async () => {
    ;({ hub } = await labHub())
    ;({ page, close } = await openWebApp(hub))
  })
  afterAll(async () => {
    await close?.()
    await hub?.close()
  })

  it('shows the topology with lag in bytes and seconds, charted over time', async () => {
    await page.getByTestId('nav-postgres').click()
    await page.locator('[data-testid="pg-node-pg1"][data-role="primary"]').waitFor({ timeout: 30_000 })
    expect(await page.locator('[data-testid^="pg-node-"][data-role="standby"]').count()).toBe(2)
    await expect.poll(() => page.getByTestId('lag-table').locator('tbody tr').count(), { timeout: 20_000 }).toBe(2)
    await page.getByTestId('lag-chart').locator('canvas').waitFor({ timeout: 30_000 })
    await shot(page, 'postgres-topology')
  })

  it('runs a switchover from the UI after a named confirmation, then the roles swap', async () => {
    await page.getByTestId('pg-actions').click()
    await page.getByTestId('switchover-pg2').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 30_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/pg_promote/)
    const label = await dialog.locator('label').filter({ hasText: 'to confirm' }).innerText()
    await dialog.getByTestId('action-confirm').fill(/Type (\S+) to confirm/.exec(label)![1]!)
    await shot(page, 'postgres-switchover-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 120_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(page, 'postgres-switchover-done')
    await page.keyboard.press('Escape')
    await page.locator('[data-testid="pg-node-pg2"][data-role="primary"]').waitFor({ timeout: 30_000 })

    // Switch back so the lab keeps its shape, through the same action.
    const handlers = createHandlers(hub, { info: { mode: 'web', version: 'e2e', dataDir: hub.options.dataDir, secretBackend: { kind: 'keyfile' } }, broadcastProgress: () => undefined })
    const client = { id: 'e2e', emit: () => undefined, onClose: () => undefined }
    const plan = await handlers['action:plan']({ kind: 'pg.switchover', environment: 'lab', endpointId: 'postgres', newPrimary: 'pg1' }, client)
    expect((await handlers['action:run']({ planId: plan.planId, confirm: plan.target }, client)).outcome).toBe('succeeded')
  })
})
