import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { bigCluster, bigHub, stopBigCluster } from '../support/big-cluster'
import { LONG_FRAMES, RECORD_LONG_FRAMES, type LongFrame } from '../support/long-frames'
import { SCREENSHOTS, shot } from '../support/screens'
import { openWebApp } from '../support/web-app'
import { Switchyard } from './pages/switchyard'

describe('a 120-node Redis Cluster in Chromium', () => {
  let hub: ServiceHub
  let started = false
  let app: Awaited<ReturnType<typeof openWebApp>>
  let page: Page

  beforeAll(async () => {
    const big = bigCluster(60, 1)
    started = big.started
    expect(big.nodes).toBe(120)
    hub = (await bigHub(big)).hub
    app = await openWebApp(hub, RECORD_LONG_FRAMES)
    page = app.page
    // The 120 redis-servers, the poller and this test share two cores; the browser gets them
    // first, as it would on a workstation that does not host the cluster it watches.
    execFileSync('sh', ['-c', 'pgrep -f "chrom(e|ium)" | xargs -r renice -n -10 -p'], { stdio: 'ignore' })
  }, 240_000)

  afterAll(async () => {
    await app?.close()
    await hub?.close()
    // 120 nodes gossiping would load the machine under the tests that follow
    if (started) stopBigCluster()
  })

  it('renders the view, hover works, and no frame runs more than 50 ms of the page while it polls', async () => {
    const redis = await new Switchyard(page).redis.open()
    await expect.poll(() => redis.reason.innerText(), { timeout: 60_000 }).toMatch(/120 nodes/)
    expect(await redis.masters.rowCount()).toBe(60)
    expect(await redis.nodes.rowCount()).toBe(25)
    const polls = () => redis.polls()
    const start = await polls()
    const since = await page.evaluate(() => performance.now())
    for (let i = 0; i < 8; i++) {
      await redis.hoverSlotMap(0.2 + i * 0.08, 0.2 + i * 0.07, 5)
      await page.waitForTimeout(700)
    }
    await expect.poll(() => page.getByTestId('slot-hover').innerText(), { timeout: 10_000 }).toMatch(/slot \d+ · 127\.0\.0\.1:21\d{3}/)
    expect(await page.getByTestId('slot-tooltip').innerText()).toMatch(/^slot \d+\n127\.0\.0\.1:21\d{3}\nrange \d+-\d+/)
    await expect.poll(polls, { timeout: 30_000 }).toBeGreaterThanOrEqual(start + 3)
    const frames = await page.evaluate(LONG_FRAMES, since)
    writeFileSync(join(SCREENSHOTS, 'redis-big-cluster-frames.json'), JSON.stringify(frames, null, 2))
    await shot(page, 'redis-big-cluster')

    // A frame's wall time on this two-core lab also holds the time the OS gave the cluster and the
    // poller; what the page itself ran in each frame (its scripts) must stay within 50 ms.
    const heavy = frames.filter((f: LongFrame) => f.scriptMs > 50)
    expect(heavy, JSON.stringify(frames)).toEqual([])

    // the filter narrows the table to what matches
    await redis.byTestId('nodes-filter').fill('21119')
    await expect.poll(() => redis.nodes.rowCount()).toBe(1)
  })
})
