import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countSlots } from '../../src/shared/domain/slots'
import { runCli } from '../../src/main/app/cli'
import { cli, HOST, loadKeys, nodesAt, planAndRun, redisLab, restoreRedisLab, slotMapsAgree, totalKeys, waitFor, type RedisLab } from './redis-lab-support'

/** Scale out with a node started over SSH from a template config (7008, outside the lab's ports), then scale back in and stop it. */
describe('redis add master started over SSH', () => {
  let lab: RedisLab
  let dir: string
  const PORT = 7008

  beforeAll(async () => {
    lab = await redisLab()
    dir = join(lab.redisDir, '..', 'redis-extra', String(PORT))
    await restoreRedisLab(lab)
    await loadKeys(lab, 'ssh', 5000)
  })

  afterAll(async () => {
    try {
      execFileSync('redis-cli', ['-h', HOST, '-p', String(PORT), 'SHUTDOWN', 'NOSAVE'], { stdio: 'ignore', timeout: 5000 })
    } catch {
      /* not running */
    }
    rmSync(join(dir, '..'), { recursive: true, force: true }) // the redis-extra folder this test created
    try {
      await restoreRedisLab(lab)
    } finally {
      await lab.close()
    }
  })

  it('starts the node from the template, joins it and rebalances onto it', async () => {
    const request = {
      kind: 'redis.add-master' as const,
      environment: 'lab',
      endpointId: 'redis',
      node: { host: HOST, port: PORT },
      rebalance: true,
      weight: 1,
      concurrency: 3,
      start: { template: join(lab.redisDir, '7006', 'redis.conf'), dir },
    }
    // The CLI builds the same request and shows the same plan.
    const out: string[] = []
    const io = { out: (x: string) => void out.push(x), err: (x: string) => void out.push(x) }
    expect(
      await runCli(['redis', 'add-master', 'lab', `${HOST}:${PORT}`, '--start-template', request.start.template, '--start-dir', dir, '--dry-run'], io, lab.hub),
    ).toBe(0)
    expect(out.join('')).toContain(`redis-server ${dir}/redis.conf --daemonize yes`)
    const { plan, result } = await planAndRun(lab, request)
    const start = plan.steps[0]!
    expect(start.title).toMatch(/^Start redis-server on root@127\.0\.0\.1:2222 from /)
    expect(start.commands[0]).toBe(`mkdir -p ${dir}`)
    expect(start.commands[1]).toMatch(/^sed -e 's\|\^port \.\*\|port 7008\|'/)
    expect(start.commands[2]).toBe(`redis-server ${dir}/redis.conf --daemonize yes`)
    expect(plan.prechecks.find((c) => c.name === 'port free')!.passed).toBe(true)
    expect(plan.steps.filter((s) => s.title.startsWith('Move ')).length).toBe(3)
    expect(result.outcome, result.message).toBe('succeeded')
    const n = nodesAt(7000).find((x) => x.port === PORT)!
    expect(n.role).toBe('master')
    expect(countSlots(n.slots)).toBe(4096)
    expect(cli(PORT, 'CONFIG', 'GET', 'dir')).toContain(dir)
    expect(totalKeys()).toBe(5000)
  })

  it('removes it again and leaves the cluster as it was', async () => {
    const { result } = await planAndRun(lab, { kind: 'redis.remove-master', environment: 'lab', endpointId: 'redis', node: `${HOST}:${PORT}`, concurrency: 3 })
    expect(result.outcome, result.message).toBe('succeeded')
    expect(nodesAt(7000).some((x) => x.port === PORT)).toBe(false)
    expect(cli(PORT, 'CLUSTER', 'INFO')).toMatch(/cluster_known_nodes:1/)
    expect(totalKeys()).toBe(5000)
    await waitFor('every node to agree on the slot map', 10_000, slotMapsAgree)
  })
})
