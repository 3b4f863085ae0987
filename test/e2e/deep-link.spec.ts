import { describe, expect, it } from 'vitest'
import { collectSamples } from '../../src/main/features/exporter/collect'
import { prometheusRules } from '../../src/shared/domain/prom-rules'
import { nodesAt } from '../integration/redis-lab-support'
import { webAppSuite } from '../support/web-app'

/** What Prometheus's urlquery writes for a label (Go's QueryEscape). */
const queryEscape = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')

describe('switchyard:// links in web mode', () => {
  const { ctx } = webAppSuite()

  it('a link to a Redis node by the endpoint name lands on the Redis page with that node highlighted', async () => {
    const replica = nodesAt(7000).find((n) => n.role === 'replica')!
    await ctx.app.openLink(`open/lab/overview/Redis+Cluster/${encodeURIComponent(replica.addr)}`)
    expect(await ctx.app.routedHash()).toBe(`#/redis/lab/redis/${encodeURIComponent(replica.addr)}`)
    await ctx.app.focused.first().waitFor({ timeout: 30_000 })
    expect(await ctx.app.focused.count()).toBe(1)
    expect(await ctx.app.focused.innerText()).toContain(replica.addr)
    expect(await ctx.app.focused.isVisible()).toBe(true)
    await ctx.app.shot('deep-link-redis-node')
  })

  it("an exported rule's switchyard_url, filled in with a real sample's labels, opens the standby that fired", async () => {
    const rules = prometheusRules('lab', await ctx.hub.alerts.rules('lab')).groups[0]!.rules
    const template = rules.find((r) => r.labels.switchyard_metric === 'pg-lag-seconds')!.annotations.switchyard_url!
    const sample = (await collectSamples(ctx.hub, ['lab'], 15_000)).find((s) => s.name === 'switchyard_pg_lag_seconds' && s.labels.endpoint === 'PostgreSQL')!
    const url = template.replace(/\{\{ \$labels\.(\w+) \| urlquery \}\}/g, (_, label: string) => queryEscape(sample.labels[label]!))
    expect(url).toBe(`switchyard://open/lab/postgres/PostgreSQL/${sample.labels.subject}`)
    await ctx.app.openLink(url.slice('switchyard://'.length))
    expect(await ctx.app.routedHash()).toBe(`#/postgres/lab/postgres/${sample.labels.subject}`)
    const row = ctx.app.postgres.byTestId('lag-table').locator('[data-focused="true"]')
    await row.waitFor({ timeout: 30_000 })
    expect(await row.innerText()).toContain(sample.labels.subject)
    await ctx.app.shot('deep-link-postgres-standby')
  })

  it('a link the app cannot follow says why and opens what exists; an incident link opens its report', async () => {
    await ctx.app.openLink('open/lab/shell')
    await ctx.page.getByText('This link cannot be opened').waitFor()
    await ctx.page.getByText('"shell" is not a view').waitFor()
    expect(await ctx.app.routedHash()).toBe('#/overview')

    await ctx.app.openLink('open/lab/redis/Old+Cluster/127.0.0.1:7001')
    await ctx.page.getByText('lab has no endpoint "Old Cluster"').waitFor()
    expect(await ctx.app.routedHash()).toBe('#/redis/lab')

    const to = Date.now()
    await ctx.app.openLink(`incident/lab?from=${to - 3_600_000}&to=${to}`)
    expect(await ctx.app.routedHash()).toBe(`#/timeline/lab?from=${to - 3_600_000}&to=${to}`)
    await ctx.app.timeline.byTestId('report-markdown').waitFor({ timeout: 30_000 })
    expect(await ctx.app.timeline.byTestId('report-markdown').innerText()).toMatch(/lab/)
  })
})
