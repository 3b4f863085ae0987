import { describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { ActionRequest } from '../../src/shared/action-requests'
import { parseClusterNodes } from '../../src/shared/domain/redis-parse'
import { planAndRun } from '../support/plan-and-run'
import { shot, webAppSuite } from '../support/web-app'
import { execFileSync } from 'node:child_process'

const nodes = () => parseClusterNodes(execFileSync('redis-cli', ['-p', '7000', 'CLUSTER', 'NODES'], { encoding: 'utf8' }))

/** A guided procedure run from the UI to the end, its report, and the failover it made on the timeline. */
describe('Procedures and the timeline in Chromium', () => {
  const { ctx } = webAppSuite()

  it('runs the Redis master failover procedure from the UI to the end, opens its report, and shows the failover on the timeline', async () => {
    const page = ctx.page
    await page.getByTestId('nav-procedures').click()
    await page.getByTestId('start-redis-master-failover').click()
    await page.getByTestId('param-master').fill('127.0.0.1:7000')
    await page.getByTestId('procedure-start').click()

    // checks pass by themselves, then the failover waits for its confirmation
    const failover = page.getByTestId('step-failover')
    await page.getByTestId('step-failover-status').getByText('your confirmation').waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('step-cluster-ok').innerText()).toMatch(/16384 of 16384 slots served/)
    expect(await failover.getByTestId('action-plan').innerText()).toMatch(/CLUSTER FAILOVER/)
    await shot(page, 'procedure-confirm')
    await failover.getByTestId('step-confirm').fill('127.0.0.1:7000')
    await failover.getByTestId('step-run').click()

    // the waits pass, then the manual maintenance step waits for a tick
    await page.getByTestId('step-maintenance-status').getByText('your tick').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('step-demoted').innerText()).toMatch(/127\.0\.0\.1:7000 is replica of/)
    await page.getByTestId('step-maintenance').getByTestId('step-note').fill('config change applied')
    await page.getByTestId('step-maintenance').getByTestId('step-tick').click()
    await expect.poll(() => page.getByTestId('run-state').innerText(), { timeout: 60_000 }).toMatch(/succeeded/i)
    await shot(page, 'procedure-succeeded')

    await page.getByTestId('run-report').click()
    const report = page.getByTestId('report-markdown')
    await report.waitFor()
    expect(await report.innerText()).toMatch(/# Redis master failover for maintenance: succeeded[\s\S]*config change applied[\s\S]*CLUSTER FAILOVER/)
    await shot(page, 'procedure-report')
    await page.keyboard.press('Escape')

    // the timeline: our failover (audit), the role changes the watch saw, the procedure's steps
    const heir = nodes().find((n) => n.flags.includes('master') && nodes().find((r) => r.port === 7000)?.masterId === n.id)!
    await page.getByTestId('nav-timeline').click()
    const table = page.getByTestId('timeline-table')
    await expect.poll(() => table.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`${heir.host}:${heir.port} became master`))
    expect(await table.innerText()).toMatch(/redis\.failover on .* succeeded/)
    await table.getByText(`${heir.host}:${heir.port} became master`).first().click()
    await page.getByTestId('timeline-moment').waitFor()
    await shot(page, 'timeline-failover')

    await page.getByTestId('incident-title').fill('planned failover check')
    await page.getByTestId('incident-start').click()
    await page.getByTestId('incident-report').click()
    expect(await page.getByTestId('report-markdown').innerText()).toMatch(/# Incident: planned failover check[\s\S]*## Timeline/)
    await page.keyboard.press('Escape')

    // give 7000 its slots back for the tests after this one
    await planAndRun(createActionRunner(ctx.hub), ActionRequest.parse({ environment: 'lab', kind: 'redis.failover', master: `${heir.host}:${heir.port}` }))
    expect(nodes().find((n) => n.port === 7000)?.flags).toContain('master')
  })
})
