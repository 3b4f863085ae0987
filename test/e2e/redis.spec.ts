import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ServiceHub } from '../../src/main/service-hub'
import { createHandlers } from '../../src/main/app-handlers'
import { labHub } from '../support/lab'
import { openWebApp, shot } from '../support/web-app'

describe('Redis Cluster view in Chromium', () => {
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

  it('shows the slot map of the lab with 3 masters sharing the 16384 slots', async () => {
    await page.getByTestId('nav-redis').click()
    await page.getByTestId('slot-map').locator('canvas').first().waitFor({ timeout: 30_000 })
    const rows = page.getByTestId('masters-table').locator('tbody tr')
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3)
    const slots = (await rows.allInnerTexts()).map((t) => Number(t.split('\t')[1]))
    expect(slots.reduce((a, b) => a + b, 0)).toBe(16384)
    expect(await page.getByTestId('nodes-table').locator('tbody tr').count()).toBe(6)
    const box = (await page.getByTestId('slot-map').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await expect.poll(() => page.getByTestId('slot-hover').innerText(), { timeout: 10_000 }).toMatch(/slot \d+ · 127\.0\.0\.1:\d+ · \d+ keys/)
    await shot(page, 'redis-slot-map')
  })

  it('fails over a master from the UI after a named confirmation, and the roles swap', async () => {
    const firstMaster = page.getByTestId('masters-table').locator('tbody tr').first()
    const masterAddr = (await firstMaster.locator('td').first().innerText()).trim()
    await firstMaster.getByRole('button', { name: 'Failover' }).click()
    await page.getByTestId('failover-default').click()
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/CLUSTER FAILOVER/)
    const label = await dialog.locator('label').filter({ hasText: 'to confirm' }).innerText()
    const name = /Type (\S+) to confirm/.exec(label)![1]!
    await dialog.getByTestId('action-confirm').fill(name)
    await shot(page, 'redis-failover-confirm')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 90_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(page, 'redis-failover-done')
    await page.keyboard.press('Escape')
    await expect.poll(async () => (await page.getByTestId('masters-table').locator('tbody tr').allInnerTexts()).join('\n'), { timeout: 30_000 }).not.toContain(masterAddr)
    // Fail back so the lab keeps its shape: promote the old master again, through the same action.
    const handlers = createHandlers(hub, { info: { mode: 'web', version: 'e2e', dataDir: hub.options.dataDir, secretBackend: { kind: 'keyfile' } }, broadcastProgress: () => undefined })
    const client = { id: 'e2e', emit: () => undefined, onClose: () => undefined }
    const topology = await handlers['redis:topology']({ environment: 'lab', endpointId: 'redis' }, client)
    const old = topology.nodes.find((n) => n.addr === masterAddr)!
    const plan = await handlers['action:plan']({ kind: 'redis.failover', environment: 'lab', endpointId: 'redis', master: old.masterId!, replica: old.id, mode: 'default', maxLagBytes: 1_048_576, timeoutMs: 30_000 }, client)
    expect((await handlers['action:run']({ planId: plan.planId, confirm: plan.target }, client)).outcome).toBe('succeeded')
  })
})
