import { afterAll, describe, expect, it } from 'vitest'
import { capacityScope } from '../../src/main/features/capacity/capacity-history'
import { cli, HOST } from '../integration/redis-lab-support'
import { primaryClient } from '../support/pg-lab'
import { chartDrawn } from '../support/screens'
import { webAppSuite } from '../support/web-app'

const NODE = 7002
const SLOT = 'sy_e2e_idle_slot'
const MIB = 1024 * 1024
const HOUR = 3_600_000

describe('Capacity view in Chromium', () => {
  const { ctx } = webAppSuite()
  const pgClient = () => primaryClient(ctx.lab)

  afterAll(async () => {
    cli(NODE, 'CONFIG', 'SET', 'maxmemory', '0')
    const c = pgClient()
    await c.connect().catch(() => undefined)
    await c.query(`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1`, [SLOT]).catch(() => undefined)
    await c.end().catch(() => undefined)
  })

  it('puts the resource that runs out soonest first, its history with the limit and the forecast cone, and drops an idle slot from its card', async () => {
    // two hours of a master's memory growing 0.6 MiB an hour, with some noise, toward a maxmemory 1.5 MiB above where it is now
    const used = Number(/used_memory:(\d+)/.exec(cli(NODE, 'INFO', 'memory'))![1])
    cli(NODE, 'CONFIG', 'SET', 'maxmemory', String(used + 1.5 * MIB))
    const now = Date.now()
    for (let t = now - 2 * HOUR, i = 0; t < now - 30_000; t += 60_000, i++)
      ctx.hub.history.record(capacityScope('lab', 'redis'), t, {
        [`redis-memory|${HOST}:${NODE}`]: used - ((now - t) / HOUR) * 0.6 * MIB + Math.sin(i * 1.7) * 15_000,
      })
    const c = pgClient()
    await c.connect()
    await c.query(`select pg_create_physical_replication_slot($1, true)`, [SLOT])
    await c.end()

    const view = await ctx.app.capacity.open()
    const first = view.urgent.first()
    await expect.poll(() => first.getAttribute('data-status'), { timeout: 60_000 }).toBe('critical')
    expect(await first.getByTestId('capacity-summary').innerText()).toMatch(
      new RegExp(`^${HOST}:${NODE}: memory reaches maxmemory \\(.*\\) in [23]\\.\\d h \\(`),
    )
    await chartDrawn(first.locator('[data-echart]'))
    await ctx.app.shot('capacity-view')

    const slotKey = `postgres|pg-wal-retained|pg1/${SLOT}`
    // not urgent (the lab's disk is large): its row in the table, a click for its card and fix
    await view.row(slotKey).waitFor({ timeout: 60_000 })
    await view.row(slotKey).click()
    await view.fix(slotKey).click()
    expect(await view.dialog.plan()).toContain(`pg_drop_replication_slot('${SLOT}')`)
    expect(await view.dialog.confirmAndRun({ shots: { plan: 'capacity-drop-slot-plan' } })).toContain('succeeded')
    await view.row(slotKey).waitFor({ state: 'detached', timeout: 60_000 })
  })
})
