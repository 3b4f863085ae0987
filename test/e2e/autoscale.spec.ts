import { describe, expect, it } from 'vitest'
import { autoscaler } from '../../src/main/features/autoscale/autoscaler'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { readAppTier } from '../../src/main/systems'
import { loadLoop } from '../support/load-loop'
import { planAndRun } from '../support/plan-and-run'
import { chartDrawn } from '../support/screens'
import { webAppSuite } from '../support/web-app'
import { labPolicies } from '../support/autoscale-policies'
import { clippedOn } from './pages/layout-check'

const POLICY = labPolicies({ name: 'api', upstream: 'app', min: 3 })

/** The Autoscaling tab: a policy written and validated in the app, then its history after a scale-up and a scale-down. */
describe('autoscaling in Chromium', () => {
  const { ctx } = webAppSuite()
  /** The Compose service at the lab's 3 replicas, whatever a test before left. */
  const toLabSize = async () => {
    const t = await readAppTier(ctx.hub, 'lab', 'nginx')
    const running = t.groups.find((g) => g.key === t.upstreams.find((u) => u.name === 'app')!.group)!.replicas.filter((r) => r.running).length
    if (running !== 3)
      await planAndRun(createActionRunner(ctx.hub), { environment: 'lab', endpointId: 'nginx', kind: 'app.scale', upstream: 'app', replicas: 3 })
  }

  it('refuses an invalid policy with its lines, saves a valid one, and charts the scale-up under load and the scale-down after', async () => {
    await toLabSize()
    const tier = await ctx.app.appTier.open()
    await tier.byTestId('app-reason').waitFor({ timeout: 30_000 })
    await tier.showAutoscaling()
    const refused = await tier.savePolicies(POLICY.replace('min: 3', 'min: 9'))
    expect(refused).toMatch(/line 6, policies\.0\.min: min must not be above max/)
    await ctx.app.shot('autoscale-policy-refused')
    expect(await tier.savePolicies(POLICY)).toMatch(/saved: 1 policy/)
    await tier.policy('api').waitFor({ timeout: 15_000 })

    // the open app's loop, faster than its default so the test sees a whole cycle
    const scaler = autoscaler(ctx.hub)
    scaler.start({ environments: ['lab'], intervalMs: 2000 })
    try {
      const work = loadLoop(`http://${ctx.lab.nginx.listen}/work?ms=40`, { concurrency: 3, maxMs: 150_000 })
      try {
        await expect.poll(() => tier.decisions.text().catch(() => ''), { timeout: 120_000, interval: 2000 }).toMatch(/up 3 → 5 · scaled/i)
      } finally {
        expect((await work.stop()).failed).toBe(0)
      }
      await expect.poll(() => tier.decisions.text(), { timeout: 120_000, interval: 2000 }).toMatch(/down 5 → 3 · scaled/i)
    } finally {
      scaler.stop()
      await scaler.store.save('lab', 'policies: []\n')
    }
    await chartDrawn(tier.byTestId('scaling-history-api'))
    await tier.policy('api').scrollIntoViewIfNeeded()
    await ctx.app.shot('autoscale-history')
    // the tab at the narrowest common laptop width: nothing cut
    await ctx.page.setViewportSize({ width: 1280, height: 800 })
    await ctx.page.waitForTimeout(500)
    expect(await clippedOn(ctx.page)).toEqual([])
    await ctx.app.shot('autoscale-1280')
    await ctx.page.setViewportSize({ width: 1440, height: 900 })
    await toLabSize()
  }, 360_000)
})
