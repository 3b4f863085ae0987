import { describe, expect, it } from 'vitest'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { webAppSuite } from '../support/web-app'
import { loadKeys, redisLab, restoreRedisLab } from '../integration/redis-lab-support'

describe('Redis Cluster view in Chromium', () => {
  const { ctx, runAction } = webAppSuite()

  it('shows the slot map of the lab with 3 masters sharing the 16384 slots', async () => {
    const redis = await ctx.app.redis.open()
    await redis.waitForSlotMap()
    await expect.poll(() => redis.masters.rowCount(), { timeout: 20_000 }).toBe(3)
    const slots = (await redis.masters.column(1)).map(Number)
    expect(slots.reduce((a, b) => a + b, 0)).toBe(16384)
    expect(await redis.nodes.rowCount()).toBe(6)
    await redis.hoverSlotMap(0.5, 0.5)
    await expect.poll(() => redis.byTestId('slot-hover').innerText(), { timeout: 10_000 }).toMatch(/slot \d+ · 127\.0\.0\.1:\d+ · \d+ keys/)
    await ctx.app.shot('redis-slot-map')
  })

  it('fails over a master from the UI after a named confirmation, the roles swap and no other master changes colour', async () => {
    const redis = ctx.app.redis
    const before = await redis.masterColors()
    expect(new Set(Object.values(before)).size).toBe(3)
    const firstMaster = redis.masters.rows.first()
    const masterAddr = await redis.masterAddr(firstMaster)
    await redis.startFailover(firstMaster)
    expect(await redis.dialog.plan(20_000)).toMatch(/CLUSTER FAILOVER/)
    const result = await redis.dialog.confirmAndRun({ shots: { plan: 'redis-failover-confirm', done: 'redis-failover-done' }, timeout: 90_000 })
    expect(result).toContain('succeeded')
    await expect.poll(() => redis.masters.text(), { timeout: 30_000 }).not.toContain(masterAddr)
    // The two masters not involved keep their colours; the promoted replica gets one of its own.
    const after = await redis.masterColors()
    const others = Object.keys(before).filter((a) => a !== masterAddr)
    for (const a of others) expect(after[a], a).toBe(before[a])
    const promoted = Object.keys(after).find((a) => !(a in before))!
    expect(others.map((a) => after[a])).not.toContain(after[promoted])
    await ctx.app.shot('redis-after-failover-colors')
    // Fail back so the lab keeps its shape: promote the old master again, through the same action.
    const old = (await readTopology(ctx.hub, 'lab', 'redis')).nodes.find((n) => n.addr === masterAddr)!
    expect((await runAction({ kind: 'redis.failover', environment: 'lab', endpointId: 'redis', master: old.masterId!, replica: old.id })).outcome).toBe(
      'succeeded',
    )
    // Back to the original masters, and after a reload: every master has its first colour again.
    await ctx.page.reload()
    await expect.poll(async () => Object.keys(await redis.masterColors()).sort(), { timeout: 30_000 }).toEqual(Object.keys(before).sort())
    expect(await redis.masterColors()).toEqual(before)
  })

  it('plans a rebalance with what moves per master and how long from the run before; the result sets the prediction beside what it took', async () => {
    const lab = await redisLab()
    try {
      await loadKeys(lab, 'e2e-estimate', 30_000)
      const skew = await runAction({ kind: 'redis.rebalance', environment: 'lab', endpointId: 'redis', weights: { '127.0.0.1:7000': 2 } })
      expect(skew.outcome, skew.message).toBe('succeeded')
      const redis = await ctx.app.redis.open()
      await redis.waitForSlotMap()
      await redis.startRebalance()
      await redis.dialog.plan()
      const whatIf = await redis.dialog.whatIf()
      expect(whatIf.find((l) => l.startsWith('127.0.0.1:7000:'))).toMatch(
        /^127\.0\.0\.1:7000: −\d+ slots, −\d+ keys \(−[\d.]+ [KM]iB\); memory [\d.]+ [KM]iB → [\d.]+ [KM]iB \(no maxmemory\)$/,
      )
      expect(whatIf.filter((l) => /^127\.0\.0\.1:700[12]: \+\d+ slots/.test(l))).toHaveLength(2)
      const estimate = await redis.dialog.estimate()
      expect(estimate).toMatch(/How long: about [\d.]+ (ms|s) \([\d.]+ (ms|s) – [\d.]+ (ms|s)\)/)
      expect(estimate).toContain('from the last migration on this cluster')
      expect(estimate).toMatch(/the last prediction for this target was within \d+ % of what the run took/)
      await redis.dialog.root.getByTestId('action-what-if').scrollIntoViewIfNeeded()
      await ctx.app.shot('redis-rebalance-whatif-top')
      const result = await redis.dialog.confirmAndRun({ shots: { plan: 'redis-rebalance-whatif', done: 'redis-rebalance-checked' }, timeout: 90_000 })
      expect(result).toMatch(/predicted [\d.]+ (ms|s), took [\d.]+ (ms|s) \(/)
    } finally {
      await restoreRedisLab(lab)
      await lab.close()
    }
  })
})
