import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { ActionRequest } from '../../src/shared/action-requests'
import { parseClusterNodes } from '../../src/shared/domain/redis-parse'
import { planAndRun } from '../support/plan-and-run'
import { webAppSuite } from '../support/web-app'

const nodes = () => parseClusterNodes(execFileSync('redis-cli', ['-p', '7000', 'CLUSTER', 'NODES'], { encoding: 'utf8' }))

/** A guided procedure run from the UI to the end, its report, and the failover it made on the timeline. */
describe('Procedures and the timeline in Chromium', () => {
  const { ctx } = webAppSuite()

  it('runs the Redis master failover procedure from the UI to the end, opens its report, and shows the failover on the timeline', async () => {
    const procedures = await ctx.app.procedures.open()
    await procedures.start('redis-master-failover', { master: '127.0.0.1:7000' })

    // checks pass by themselves, then the failover waits for its confirmation
    await procedures.waitForStep('failover', 'your confirmation', 30_000)
    expect(await procedures.step('cluster-ok').innerText()).toMatch(/16384 of 16384 slots served/)
    expect(await procedures.step('failover').getByTestId('action-plan').innerText()).toMatch(/CLUSTER FAILOVER/)
    await ctx.app.shot('procedure-confirm')
    await procedures.confirmStep('failover', '127.0.0.1:7000')

    // the waits pass, then the manual maintenance step waits for a tick
    await procedures.waitForStep('maintenance', 'your tick')
    expect(await procedures.step('demoted').innerText()).toMatch(/127\.0\.0\.1:7000 is replica of/)
    await procedures.tickStep('maintenance', 'config change applied')
    await expect.poll(() => procedures.runState(), { timeout: 60_000 }).toMatch(/succeeded/i)
    await ctx.app.shot('procedure-succeeded')

    expect(await procedures.report()).toMatch(/# Redis master failover for maintenance: succeeded[\s\S]*config change applied[\s\S]*CLUSTER FAILOVER/)
    await ctx.app.shot('procedure-report')
    await ctx.page.keyboard.press('Escape')

    // the timeline: our failover (audit), the role changes the watch saw, the procedure's steps
    const heir = nodes().find((n) => n.flags.includes('master') && nodes().find((r) => r.port === 7000)?.masterId === n.id)!
    const timeline = await ctx.app.timeline.open()
    await expect.poll(() => timeline.entries.text(), { timeout: 30_000 }).toMatch(new RegExp(`${heir.host}:${heir.port} became master`))
    expect(await timeline.entries.text()).toMatch(/redis\.failover on .* succeeded/)
    await timeline.openMoment(`${heir.host}:${heir.port} became master`)
    await ctx.app.shot('timeline-failover')

    expect(await timeline.incidentReport('planned failover check')).toMatch(/# Incident: planned failover check[\s\S]*## Timeline/)
    await ctx.page.keyboard.press('Escape')

    // give 7000 its slots back for the tests after this one
    await planAndRun(createActionRunner(ctx.hub), ActionRequest.parse({ environment: 'lab', kind: 'redis.failover', master: `${heir.host}:${heir.port}` }))
    expect(nodes().find((n) => n.port === 7000)?.flags).toContain('master')
  })
})
