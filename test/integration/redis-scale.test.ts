import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Cluster } from 'ioredis'
import { MigrationStore } from '../../src/main/systems/redis/migration-store'
import {
  cli,
  HOST,
  readAll,
  slotMapsAgree,
  loadKeys,
  nodesAt,
  planAndRun,
  redisLab,
  restoreRedisLab,
  totalKeys,
  waitFor,
  type RedisLab,
} from './redis-lab-support'

const KEYS = 200_000

/**
 * Scale out 3 → 4 masters with 200k keys (interrupted half-way and resumed) while a client keeps
 * writing, add a replica, then scale back in to 3: no key lost, values intact, redirects handled.
 */
describe('redis scale out and in', () => {
  let lab: RedisLab
  let writer: Cluster | undefined

  beforeAll(async () => {
    lab = await redisLab()
    await restoreRedisLab(lab)
    await loadKeys(lab, 'k', KEYS)
  })

  afterAll(async () => {
    writer?.disconnect()
    try {
      await restoreRedisLab(lab)
    } finally {
      await lab.close()
    }
  })

  it('adds 127.0.0.1:7006 as an empty master', async () => {
    const { plan, result } = await planAndRun(lab, {
      kind: 'redis.add-master',
      environment: 'lab',
      endpointId: 'redis',
      node: { host: HOST, port: 7006 },
      rebalance: false,
      weight: 1,
      concurrency: 3,
    })
    expect(plan.steps[0]!.commands[0]).toMatch(/^127\.0\.0\.1:7006: CLUSTER MEET 127\.0\.0\.1 700[0-2]$/)
    expect(plan.prechecks.find((c) => c.name === 'node is alone')!.passed).toBe(true)
    expect(result.outcome, result.message).toBe('succeeded')
    const n = nodesAt(7000).find((x) => x.port === 7006)!
    expect(n.role).toBe('master')
    expect(n.slots).toEqual([])
  })

  it('rebalances onto it with a writing client, is cancelled half-way and resumes without losing a key', async () => {
    // A production-style client: redirects retried with a short delay, since replicas (which ioredis
    // also asks for the slot map) learn a new owner a moment after the masters do.
    writer = lab.access.cluster([`${HOST}:7000`], { maxRedirections: 32, retryDelayOnMoved: 50, retryDelayOnFailover: 100 })
    writer.on('node error', () => undefined)
    let written = 0
    let writeErrors = 0
    let writing = true
    const errors: string[] = []
    const loop = (async () => {
      const inFlight = new Set<Promise<unknown>>()
      while (writing) {
        const i = written++
        const p = writer.set(`w:${i}`, `w${i}`).catch((e: unknown) => {
          writeErrors++
          if (errors.length < 5) errors.push(String(e))
        })
        inFlight.add(p)
        void p.finally(() => inFlight.delete(p))
        if (inFlight.size >= 16) await Promise.race(inFlight)
      }
      await Promise.all(inFlight)
    })()

    const req = {
      kind: 'redis.rebalance' as const,
      environment: 'lab',
      endpointId: 'redis',
      weights: {},
      useEmptyMasters: true,
      thresholdPct: 2,
      concurrency: 3,
      batchKeys: 200,
    }
    const plan = await lab.runner.plan(req)
    expect(plan.runnable).toBe(true)
    expect(plan.steps.length).toBe(4) // three moves and the agreement wait
    expect(plan.steps[0]!.commands.some((c) => /MIGRATE 127\.0\.0\.1 7006 "" 0 10000 KEYS/.test(c))).toBe(true)
    const running = lab.runner.run(plan.planId, plan.target)
    await waitFor('a third of the slots moved', 60_000, () => lab.progress.some((p) => p.planId === plan.planId && (p.fraction ?? 0) > 0.3))
    expect(lab.runner.cancel(plan.planId)).toBe(true)
    const cancelled = await running
    expect(cancelled.outcome, cancelled.message).toBe('cancelled')
    const saved = await new MigrationStore(lab.dataDir).unfinished('lab', 'redis')
    expect(saved?.state).toBe('cancelled')
    expect(saved!.done.length).toBeGreaterThan(0)
    // No slot may be left open by a cancel.
    for (const p of [7000, 7001, 7002, 7006]) {
      const me = nodesAt(p).find((n) => n.flags.includes('myself'))!
      expect(me.migrating.length + me.importing.length).toBe(0)
    }

    const resume = await lab.runner.plan(req)
    expect(resume.summary).toMatch(/Resumes the interrupted migration/)
    const result = await lab.runner.run(resume.planId, resume.target)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification.every((v) => v.passed)).toBe(true)
    expect(await new MigrationStore(lab.dataDir).unfinished('lab', 'redis')).toBeNull()

    writing = false
    await loop
    await waitFor('every node to agree on the slot map', 10_000, slotMapsAgree)
    expect(errors).toEqual([])
    expect(writeErrors).toBe(0)
    const view = nodesAt(7000)
    const counts = view.filter((n) => n.role === 'master').map((n) => n.slots.reduce((a, r) => a + r.end - r.start + 1, 0))
    expect(counts.sort()).toEqual([4096, 4096, 4096, 4096])
    expect(totalKeys()).toBe(KEYS + written)
    // Every written key reads back with its value; a sample of the loaded ones too.
    const got = await readAll(
      writer,
      Array.from({ length: written }, (_, i) => `w:${i}`),
    )
    expect(got.filter((v, i) => v !== `w${i}`).length).toBe(0)
    for (let i = 0; i < KEYS; i += 997) expect(await writer.get(`k:${i}`)).toBe(`v${i}`)
    expect(written).toBeGreaterThan(100)
  })

  it('adds 127.0.0.1:7007 as a replica of the new master', async () => {
    const master = nodesAt(7000).find((n) => n.port === 7006)!
    const { result } = await planAndRun(lab, {
      kind: 'redis.add-replica',
      environment: 'lab',
      endpointId: 'redis',
      node: { host: HOST, port: 7007 },
      master: master.id,
    })
    expect(result.outcome, result.message).toBe('succeeded')
    expect(nodesAt(7000).find((n) => n.port === 7007)!.masterId).toBe(master.id)
    expect(cli(7007, 'INFO', 'replication')).toMatch(/master_link_status:up/)
  })

  it('removes master 127.0.0.1:7006 again: drained, its replica re-attached, forgotten and reset', async () => {
    const before = totalKeys()
    const { plan, result } = await planAndRun(lab, {
      kind: 'redis.remove-master',
      environment: 'lab',
      endpointId: 'redis',
      node: `${HOST}:7006`,
      concurrency: 3,
    })
    expect(plan.risk).toBe('high')
    expect(plan.steps.some((s) => s.commands.some((c) => c.includes('CLUSTER FORGET')))).toBe(true)
    expect(result.outcome, result.message).toBe('succeeded')
    const view = nodesAt(7000)
    expect(view.some((n) => n.port === 7006)).toBe(false)
    expect(view.filter((n) => n.role === 'master').length).toBe(3)
    expect(cli(7006, 'CLUSTER', 'INFO')).toMatch(/cluster_known_nodes:1/)
    expect(totalKeys()).toBe(before)
    await waitFor('every node to agree on the slot map', 10_000, slotMapsAgree)
    for (let i = 0; i < KEYS; i += 1999) expect(await writer!.get(`k:${i}`)).toBe(`v${i}`)
  })
})
