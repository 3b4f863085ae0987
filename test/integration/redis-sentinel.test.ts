import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClientContext } from '../../src/main/core/handler-types'
import { runCli } from '../../src/main/app/cli'
import { sentinelSystem } from '../../src/main/systems/sentinel'
import { HOST, startSentinelDeployment, type SentinelDeployment } from '../support/sentinel-deployment'
import { planAndRun, redisLab, type RedisLab } from './redis-lab-support'

/** Sentinel on processes of its own on 7220-7224 (the shared lab has none). */
describe('redis sentinel', () => {
  let lab: RedisLab
  let deployment: SentinelDeployment
  const client: ClientContext = { id: 'sentinel-test', emit: () => undefined, onClose: () => undefined }

  beforeAll(async () => {
    deployment = await startSentinelDeployment(7220)
    lab = await redisLab()
    await lab.hub.inventory.save(deployment.environment('sentinel'), {})
  })

  afterAll(async () => {
    deployment?.stop()
    await lab?.close()
  })

  it('shows masters, replicas, sentinels and CKQUORUM', async () => {
    const t = await sentinelSystem.handlers!(lab.hub)['sentinel:topology']!({ environment: 'sentinel', endpointId: 'sentinel' }, client)
    expect(t.status).toBe('ok')
    expect(t.sentinels.map((s) => s.masters)).toEqual([['sy'], ['sy'], ['sy']])
    const m = t.masters[0]!
    expect(m).toMatchObject({ name: 'sy', addr: `${HOST}:${deployment.master}`, quorum: 2 })
    expect(m.ckquorum.ok).toBe(true)
    expect(m.ckquorum.message).toMatch(/OK 3 usable Sentinels/)
    expect(m.replicas.map((r) => r.addr)).toEqual([`${HOST}:${deployment.replica}`])
    // the lag needs the master's own offset: SENTINEL MASTER does not report it
    expect(m.replicas[0]!.lagBytes).toBeGreaterThanOrEqual(0)
    expect(m.sentinels).toHaveLength(2)
    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    expect(await runCli(['sentinel', 'status', 'sentinel'], io, lab.hub)).toBe(0)
    expect(out.join('')).toMatch(/master sy at 127\.0\.0\.1:7220/)
    expect(await runCli(['sentinel', 'failover', 'sentinel', 'sy', '--dry-run'], io, lab.hub)).toBe(0)
    expect(out.join('')).toMatch(/SENTINEL FAILOVER sy/)
  })

  it('fails over with SENTINEL FAILOVER and verifies the new master', async () => {
    deployment.cli(deployment.master, 'SET', 'k', 'v')
    const { plan, result } = await planAndRun(lab, {
      kind: 'redis.sentinel-failover',
      environment: 'sentinel',
      endpointId: 'sentinel',
      master: 'sy',
      timeoutMs: 60_000,
    })
    expect(plan.target).toBe('sy')
    expect(plan.steps[0]!.commands[0]).toMatch(/SENTINEL FAILOVER sy$/)
    // the replica reads its own offset against the master's: what a failover now loses, in bytes
    expect(plan.dataLoss).toMatch(
      new RegExp(
        `^(up to [\\d.]+ K?i?B of writes ${HOST}:${deployment.master} accepted that even the most caught-up replica|the writes ${HOST}:${deployment.master} accepts between now and the switch)`,
      ),
    )
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(new RegExp(`${HOST}:${deployment.replica} is master of sy`))
    expect(deployment.cli(deployment.replica, 'ROLE').split('\n')[0]).toBe('master')
    expect(deployment.cli(deployment.replica, 'GET', 'k')).toBe('v')
  })
})
