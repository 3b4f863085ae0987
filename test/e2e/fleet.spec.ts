import { beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../src/shared/inventory'
import { webAppSuite } from '../support/web-app'

const FLEET = 20

/** The overview of many environments: worst first, healthy ones folded, a filter and "problems only". */
describe('the overview of a fleet in Chromium', () => {
  const { ctx } = webAppSuite()
  const cluster = (name: string, seeds: { host: string; port: number }[]): Environment => ({
    name,
    endpoints: [{ kind: 'redis-cluster', id: 'cache', name: 'cache', seeds, tls: false }],
  })
  const shownNames = () => ctx.app.overview.shownEnvironments()

  beforeAll(async () => {
    for (let i = 1; i <= FLEET; i++) await ctx.hub.inventory.save(cluster(`fleet-${String(i).padStart(2, '0')}`, ctx.lab.redis.seeds))
    // nothing listens on 7999: this one is down
    await ctx.hub.inventory.save(cluster('fleet-down', [{ host: '127.0.0.1', port: 7999 }]))
  })

  it('shows the environment that is down first and folds the healthy ones to a line each', async () => {
    await ctx.app.overview.byTestId('fleet-count-critical').waitFor({ timeout: 30_000 })
    await expect.poll(() => ctx.app.overview.fleetSummary.innerText(), { timeout: 30_000 }).toMatch(/22 environments\s*1 critical\s*21 ok/i)
    const names = await shownNames()
    expect(names[0]).toBe('fleet-down')
    expect(names.slice(1)).toEqual([
      'fleet-01',
      'fleet-02',
      'fleet-03',
      'fleet-04',
      'fleet-05',
      'fleet-06',
      'fleet-07',
      'fleet-08',
      'fleet-09',
      'fleet-10',
      'fleet-11',
      'fleet-12',
      'fleet-13',
      'fleet-14',
      'fleet-15',
      'fleet-16',
      'fleet-17',
      'fleet-18',
      'fleet-19',
      'fleet-20',
      'lab',
    ])
    expect(await ctx.app.overview.folded().count()).toBe(FLEET + 1)
    expect(await ctx.app.overview.environment('fleet-down').getByTestId('system-redis').getAttribute('data-status')).toBe('critical')
    expect(await ctx.app.overview.environment('fleet-07').innerText()).toMatch(/fleet-07\s*OK\s*1 system, 1 OK/)
    await ctx.app.shot('overview-fleet')

    await ctx.app.overview.unfold('fleet-07')
    await ctx.app.overview.environment('fleet-07').getByTestId('system-redis').waitFor()
    await ctx.app.overview.fold('fleet-07')
    await ctx.app.overview.folded('fleet-07').waitFor()
  })

  it('filters by environment or by system, and shows only the problems when asked', async () => {
    await ctx.app.overview.filter('fleet-1')
    await expect
      .poll(shownNames)
      .toEqual(['fleet-10', 'fleet-11', 'fleet-12', 'fleet-13', 'fleet-14', 'fleet-15', 'fleet-16', 'fleet-17', 'fleet-18', 'fleet-19'])
    expect(await ctx.app.overview.folded().count()).toBe(0)

    await ctx.app.overview.filter('sentinel')
    await expect.poll(shownNames).toEqual(['lab'])
    expect(await ctx.app.overview.environment('lab').locator('[data-testid^="system-"][data-status]').count()).toBe(1)

    await ctx.app.overview.filter('no-such-thing')
    await ctx.app.overview.byTestId('fleet-empty').waitFor()

    await ctx.app.overview.filter('')
    await ctx.app.overview.problemsOnly()
    await expect.poll(shownNames).toEqual(['fleet-down'])
    await ctx.app.shot('overview-fleet-problems')
  })
})
