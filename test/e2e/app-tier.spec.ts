import { describe, expect, it } from 'vitest'
import { dockerReplicas } from '../../src/main/systems/docker'
import { nginxService } from '../../src/main/systems/nginx/nginx-service'
import { loadLoop } from '../support/load-loop'
import { chartDrawn } from '../support/screens'
import { webAppSuite } from '../support/web-app'

/** The app tier in the web app: nginx's upstreams joined with the lab's containers and Swarm tasks, and a scale from the UI. */
describe('App tier view in Chromium', () => {
  const { ctx, runAction } = webAppSuite()
  const read = () => nginxService(ctx.hub, dockerReplicas).tier('lab', 'nginx')

  it('shows each upstream with the container or task behind every backend, its probe and its load', async () => {
    const t = await read()
    const tier = await ctx.app.appTier.open()
    await tier.backends('app').root.waitFor({ timeout: 30_000 })
    await chartDrawn(tier.byTestId('request-rate-chart'))
    for (const u of t.upstreams)
      for (const b of u.backends) {
        const row = await tier.backend(b.address).innerText()
        expect(row).toContain(b.replica!.name)
        expect(row).toMatch(/HTTP 200/)
      }
    expect(await tier.group('swarm_app').innerText()).toMatch(/swarm app_api · 2\/2/i)
    // a few polls, so the rate charts have a line
    await expect
      .poll(async () => (await nginxService(ctx.hub, dockerReplicas).stubHistory('lab', 'nginx')).samples.length, { timeout: 20_000 })
      .toBeGreaterThan(3)
    await ctx.app.shot('app-tier')
    await tier.showContainers()
    await tier.openLogs('lab-api-1')
    await expect.poll(() => tier.logs().innerText(), { timeout: 15_000 }).toMatch(/listening on 127\.0\.0\.1:9101/)
    await ctx.app.shot('app-tier-containers-logs')
    await ctx.page.keyboard.press('Escape')
  })

  it('scales the Swarm service 2 → 3 from the UI under traffic, with no failed request', async () => {
    const tier = await ctx.app.appTier.open()
    await tier.showUpstreams()
    const loop = loadLoop(`http://${ctx.lab.nginx.swarmListen}/`, { concurrency: 2, maxMs: 90_000 })
    await tier.startScale('swarm_app', 3)
    const text = await tier.dialog.confirmAndRun({ shots: { plan: 'app-tier-scale-plan', done: 'app-tier-scale-done' } })
    const load = await loop.stop()
    expect(text).toContain('succeeded')
    expect(load.failed, load.errors.join('; ')).toBe(0)
    await tier.backend('127.0.0.1:9203').waitFor({ timeout: 15_000 })
    expect(await tier.group('swarm_app').innerText()).toMatch(/3\/3/)
    await ctx.app.shot('app-tier-scaled')
    const back = await runAction({ kind: 'app.scale', environment: 'lab', endpointId: 'nginx', upstream: 'swarm_app', replicas: 2 })
    expect(back.outcome).toBe('succeeded')
  })
})
