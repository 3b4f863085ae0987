import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { labHub } from '../support/lab'
import { backfill, startPrometheus, type LabPrometheus } from '../support/prometheus'
import { openWebApp, shot } from '../support/web-app'

const DAY = 86_400_000

/** An environment naming a Prometheus: its charts reach back past anything this app recorded. */
describe('history from Prometheus in Chromium', () => {
  let hub: ServiceHub
  let prometheus: LabPrometheus
  let app: Awaited<ReturnType<typeof openWebApp>>

  beforeAll(async () => {
    const start = Date.now() - 2 * DAY
    prometheus = await startPrometheus({
      port: 19091,
      target: '127.0.0.1:9', // nothing scrapes here: the history is what was kept before
      scrapeIntervalS: 15,
      prepare: (data) =>
        backfill(
          data,
          Array.from(
            { length: 120 },
            (_, i) => `switchyard_pg_lag_seconds{env="lab",endpoint="PostgreSQL",subject="pg2"} ${20 + 10 * Math.sin(i / 10)} ${(start + i * 60_000) / 1000}`,
          ),
        ),
    })
    hub = (await labHub()).hub
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, prometheusUrl: prometheus.url }, {}, 'lab')
    app = await openWebApp(hub)
  })

  afterAll(async () => {
    await app?.close()
    await hub?.close()
    await prometheus?.stop()
  })

  it('charts PostgreSQL lag from two days ago, and says where the history came from', async () => {
    const page = app.page
    await page.getByTestId('nav-postgres').click()
    await page.locator('[data-testid="pg-node-pg1"]').waitFor({ timeout: 30_000 })
    await page.getByTestId('pg-history-range').getByText('7d').click()
    await expect
      .poll(() => page.getByTestId('history-source').innerText(), { timeout: 20_000 })
      .toMatch(/^History from Prometheus \(http:\/\/127\.0\.0\.1:19091\) up to .+, this app's own after$/)
    await page.getByTestId('lag-chart').locator('canvas').waitFor({ timeout: 20_000 })
    await shot(page, 'postgres-history-from-prometheus')
  })
})
