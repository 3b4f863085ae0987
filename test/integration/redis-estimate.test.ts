import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActionRequest } from '../../src/shared/action-requests'
import { RedisRebalanceRequest } from '../../src/shared/systems/redis'
import { errorPct } from '../../src/shared/domain/run-estimate'
import { redisCapacity } from '../../src/main/systems/redis/redis-observe'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { cli, loadKeys, planAndRun, redisLab, restoreRedisLab, totalKeys, type RedisLab } from './redis-lab-support'

const KEYS = 150_000

const rebalance = (weights: Record<string, number>): ActionRequest =>
  RedisRebalanceRequest.parse({ kind: 'redis.rebalance', environment: 'lab', endpointId: 'redis', weights, useEmptyMasters: false })

/**
 * A rebalance's plan says per master what moves and what memory it leaves, and how long it will
 * take; the journal keeps the prediction next to what the run took, and the next rebalance is
 * predicted from this cluster's own earlier run within 25 %.
 */
describe('what a rebalance will move and how long it takes', () => {
  let lab: RedisLab

  beforeAll(async () => {
    lab = await redisLab()
    await restoreRedisLab(lab)
    await loadKeys(lab, 'est', KEYS)
  })

  afterAll(async () => {
    cli(7000, 'CONFIG', 'SET', 'maxmemory', '0')
    try {
      await restoreRedisLab(lab)
    } finally {
      await lab.close()
    }
  })

  it('says slots, keys, bytes and memory per master, refuses a move past 90 % of maxmemory, and learns the rate from the run before', async () => {
    const used = Number(/used_memory:(\d+)/.exec(cli(7000, 'INFO', 'memory'))![1])
    cli(7000, 'CONFIG', 'SET', 'maxmemory', String(Math.round(used * 1.2)))
    const tight = await lab.runner.plan(rebalance({ '127.0.0.1:7000': 3 }))
    const memory = tight.prechecks.find((c) => c.name === 'every master below 90 % of maxmemory after the moves')!
    expect(tight.runnable).toBe(false)
    expect(memory.detail).toMatch(/^127\.0\.0\.1:7000 would hold [\d.]+ MiB = \d+ % of [\d.]+ MiB$/)
    cli(7000, 'CONFIG', 'SET', 'maxmemory', '0')

    // memory as Redis counts it against maxmemory (without the replica's output buffer)
    const countedOf = (port: number) => {
      const info = cli(port, 'INFO', 'memory')
      const field = (name: string) => Number(new RegExp(`${name}:(\\d+)`).exec(info)![1])
      return field('used_memory') - field('mem_not_counted_for_evict')
    }
    const before = countedOf(7000)
    const first = await planAndRun(lab, rebalance({ '127.0.0.1:7000': 3 }))
    const grew = countedOf(7000) - before
    const [from, to] = /memory ([\d.]+) MiB → ([\d.]+) MiB/
      .exec(first.plan.whatIf.find((l) => l.startsWith('127.0.0.1:7000:'))!)!
      .slice(1)
      .map((x) => Number(x) * 1024 * 1024)
    console.log(`rebalance bytes: 127.0.0.1:7000 predicted to grow ${to! - from!}, grew ${grew}`)
    expect(Math.abs(grew - (to! - from!)) / grew).toBeLessThan(0.25)
    const firstCheck = first.result.checked.find((c) => c.metric === 'duration')!
    console.log(`first rebalance (calibration only): predicted ${firstCheck.predicted.toFixed(2)} s, took ${firstCheck.actual.toFixed(2)} s`)
    expect(first.result.outcome, first.result.message).toBe('succeeded')
    expect(first.plan.whatIf.find((l) => l.startsWith('127.0.0.1:7000:'))).toMatch(/^127\.0\.0\.1:7000: \+\d+ slots, \+\d+ keys \(\+[\d.]+ [KM]iB\)/)
    expect(first.plan.estimate?.basis).toMatch(/no earlier migration/)

    // 7000 now holds more than its share: its memory card offers the rebalance that evens it out
    const gauges = redisCapacity(await readTopology(lab.hub, 'lab', 'redis'))
    expect(gauges.find((g) => g.subject === '127.0.0.1:7000')!.fix).toEqual({ label: 'Rebalance slots evenly', request: { kind: 'redis.rebalance' } })
    expect(gauges.find((g) => g.subject === '127.0.0.1:7001')!.fix).toBeUndefined()

    const second = await planAndRun(lab, rebalance({}))
    expect(second.result.outcome, second.result.message).toBe('succeeded')
    expect(second.plan.estimate?.basis).toMatch(/the last migration on this cluster/)
    expect(second.plan.track[0]?.runId).toBeDefined()
    const check = second.result.checked.find((c) => c.metric === 'duration')!
    console.log(`estimate: rebalance predicted_s=${check.predicted.toFixed(2)} actual_s=${check.actual.toFixed(2)} error_pct=${errorPct(check).toFixed(1)}`)
    expect(Math.abs(errorPct(check))).toBeLessThan(25)
    expect(totalKeys()).toBeGreaterThanOrEqual(KEYS)
  })
})
