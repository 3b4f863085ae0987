import { describe, expect, it } from 'vitest'
import type { RedisTimelineEvent } from '../../src/shared/systems/redis'
import { shellCommand } from '../../src/main/core/ssh/quote'
import { readTopology, recordNodes, RedisWatcher } from '../../src/main/systems/redis/redis-watch'
import { redisHistory } from '../../src/main/systems/redis/redis-history'
import { cli, nodesAt, pidOf, planAndRun, waitFor, redisLabSuite } from './redis-lab-support'

/** Each CLUSTER FAILOVER mode on the suite.lab, then a killed master and the automatic failover, each failed back. */
describe('redis failover', () => {
  const suite = redisLabSuite()

  const replicaOf = (port: number) => {
    const view = nodesAt(7000)
    const m = view.find((n) => n.port === port)!
    return view.find((n) => n.role === 'replica' && n.masterId === m.id)!
  }

  for (const mode of ['default', 'force', 'takeover'] as const) {
    it(`fails over 127.0.0.1:7001 in ${mode} mode and back`, async () => {
      const replica = replicaOf(7001)
      const { plan, result } = await planAndRun(suite.lab, {
        kind: 'redis.failover',
        environment: 'lab',
        endpointId: 'redis',
        master: '127.0.0.1:7001',
        replica: 'best',
        mode,
        maxLagBytes: 1_048_576,
        timeoutMs: 30_000,
      })
      expect(plan.target).toBe('127.0.0.1:7001')
      expect(plan.steps[0]!.commands[0]).toBe(`${replica.addr}: CLUSTER FAILOVER${mode === 'default' ? '' : ` ${mode.toUpperCase()}`}`)
      expect(plan.risk).toBe(mode === 'takeover' ? 'high' : 'medium')
      if (mode === 'takeover') expect(plan.warnings.join(' ')).toMatch(/TAKEOVER skips the election/)
      expect(result.outcome, result.message).toBe('succeeded')
      expect(result.message).toMatch(/is master of 5461-10922 after/)
      expect(result.verification.every((v) => v.passed)).toBe(true)
      const view = nodesAt(7000)
      expect(view.find((n) => n.id === replica.id)!.role).toBe('master')
      expect(view.find((n) => n.port === 7001)!.role).toBe('replica')

      // Fail back with the same action (default mode), so the lab keeps its shape.
      const back = await planAndRun(suite.lab, {
        kind: 'redis.failover',
        environment: 'lab',
        endpointId: 'redis',
        master: replica.addr,
        replica: '127.0.0.1:7001',
        mode: 'default',
        maxLagBytes: 1_048_576,
        timeoutMs: 30_000,
      })
      expect(back.result.outcome, back.result.message).toBe('succeeded')
      expect(nodesAt(7000).find((n) => n.port === 7001)!.role).toBe('master')
      // The failover before taught the fail-back's plan how long it takes and how long writes wait.
      expect(back.plan.estimate?.basis).toMatch(/^the last (run|\d+ runs) of this action on this target$/)
      expect(back.plan.estimate?.writePause?.seconds).toBeGreaterThan(0)
      expect(back.plan.estimate!.writePause!.seconds).toBeLessThanOrEqual(back.plan.estimate!.duration!.seconds)
      expect(back.result.checked.map((c) => c.metric)).toEqual(['duration', 'writePause'])
    })
  }

  it('charts a failed-over master in the history as a master up to the failover, and its replica from then on', async () => {
    const { hub } = suite.lab
    const since = Date.now()
    const poll = async (n: number) => {
      for (let i = 0; i < n; i++) {
        recordNodes(hub, await readTopology(hub, 'lab', 'redis'))
        await new Promise((r) => setTimeout(r, 300))
      }
    }
    const replica = replicaOf(7001)
    await poll(3)
    const failover = { kind: 'redis.failover', environment: 'lab', endpointId: 'redis', mode: 'default', maxLagBytes: 1_048_576, timeoutMs: 30_000 } as const
    const over = await planAndRun(suite.lab, { ...failover, master: '127.0.0.1:7001', replica: replica.addr })
    expect(over.result.outcome, over.result.message).toBe('succeeded')
    const failedOverAt = Date.now()
    await poll(3)
    try {
      const h = await redisHistory(hub, 'lab', 'redis', since)
      const series = (name: string) => h.ops.find((s) => s.name === name)?.values.map((v, i) => ({ at: h.at[i]!, v })) ?? []
      const old = series('127.0.0.1:7001').filter((p) => p.v !== null)
      const successor = series(replica.addr).filter((p) => p.v !== null)
      // 7001 is a replica now, and still charted as the master it was
      expect(old.length).toBeGreaterThanOrEqual(3)
      expect(old.every((p) => p.at < failedOverAt)).toBe(true)
      expect(successor.length).toBeGreaterThanOrEqual(3)
      expect(successor.every((p) => p.at > since + 600)).toBe(true)
    } finally {
      const back = await planAndRun(suite.lab, { ...failover, master: replica.addr, replica: '127.0.0.1:7001' })
      expect(back.result.outcome, back.result.message).toBe('succeeded')
    }
  })

  it('refuses a default failover when the master is down (pre-check) and names FORCE', async () => {
    // A plan on a healthy cluster with an absurd lag limit fails its lag pre-check only in default mode.
    const plan = await suite.lab.runner.plan({
      kind: 'redis.failover',
      environment: 'lab',
      endpointId: 'redis',
      master: '127.0.0.1:7002',
      replica: 'best',
      mode: 'default',
      maxLagBytes: 0,
      timeoutMs: 30_000,
    })
    const lag = plan.prechecks.find((c) => c.name === 'replica lag')!
    expect(lag.detail).toMatch(/behind/)
    await expect(suite.lab.runner.run(plan.planId, 'wrong-target')).rejects.toThrow(/confirmation does not match/)
  })

  it('sees a killed master fail over automatically in the timeline, restarts it over SSH and fails back', async () => {
    const { connections } = await suite.lab.hub.connect('lab')
    const timeline: RedisTimelineEvent[] = []
    const watcher = new RedisWatcher(suite.lab.hub, 'lab', 'redis', (e) => timeline.push(...e.timeline))
    const victim = nodesAt(7000).find((n) => n.port === 7002)!
    const replica = replicaOf(7002)
    const pid = pidOf(suite.lab.redisDir, 7002)
    watcher.start(300)
    try {
      await waitFor('first snapshot', 5000, () => watcher.last !== undefined)
      const killedAt = Date.now()
      process.kill(pid, 'SIGKILL')
      await waitFor(
        'automatic promotion',
        30_000,
        () => nodesAt(7000).find((n) => n.id === replica.id)?.role === 'master' && cli(7000, 'CLUSTER', 'INFO').includes('cluster_state:ok'),
      )
      const failoverMs = Date.now() - killedAt
      await waitFor('timeline to show it', 5000, () => timeline.some((e) => e.kind === 'promoted' && e.node === replica.addr))
      const kinds = timeline.map((e) => `${e.kind}@${e.node ?? ''}`)
      expect(kinds).toContain(`unreachable@${victim.addr}`)
      expect(kinds.some((k) => k === `node-failed@${victim.addr}` || k === `pfail@${victim.addr}`)).toBe(true)
      expect(kinds).toContain(`promoted@${replica.addr}`)
      expect(failoverMs).toBeLessThan(30_000)

      // Restart the killed node over SSH with its own config; it rejoins as a replica.
      const ssh = await connections.ssh('lab-ssh')
      await ssh.run(shellCommand('redis-server', `${suite.lab.redisDir}/7002/redis.conf`))
      await waitFor(
        'old master back as a replica',
        30_000,
        () => nodesAt(7000).find((n) => n.port === 7002)?.role === 'replica' && cli(7002, 'INFO', 'replication').includes('master_link_status:up'),
      )
      await waitFor('timeline to show the recovery', 5000, () =>
        timeline.some((e) => (e.kind === 'reachable' || e.kind === 'node-recovered') && e.node === victim.addr),
      )
      const back = await planAndRun(suite.lab, {
        kind: 'redis.failover',
        environment: 'lab',
        endpointId: 'redis',
        master: replica.addr,
        replica: victim.addr,
        mode: 'default',
        maxLagBytes: 1_048_576,
        timeoutMs: 30_000,
      })
      expect(back.result.outcome, back.result.message).toBe('succeeded')
    } finally {
      watcher.stop()
    }
  })
})
