import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Environment } from '../../src/shared/inventory'
import type { ClientContext } from '../../src/main/handlers'
import { redisCommand } from '../../src/main/redis/redis-cli'
import { redisHandlers } from '../../src/main/redis/redis-handlers'
import { planAndRun, redisLab, waitFor, type RedisLab } from './redis-lab-support'

/**
 * Sentinel on processes of its own (the shared lab has none): a master, a replica and three
 * sentinels on 7220-7224 under a temporary folder, stopped again afterwards.
 */
const HOST = '127.0.0.1'
const MASTER = 7220
const REPLICA = 7221
const SENTINELS = [7222, 7223, 7224]
const dir = mkdtempSync(join(tmpdir(), 'switchyard-sentinel-'))

function start(port: number, lines: string[], sentinel = false): void {
  const d = join(dir, String(port))
  mkdirSync(d, { recursive: true })
  const conf = join(d, sentinel ? 'sentinel.conf' : 'redis.conf')
  writeFileSync(conf, [`port ${port}`, `bind ${HOST}`, 'protected-mode no', 'daemonize yes', `dir ${d}`, `pidfile ${d}/pid`, `logfile ${d}/log`, ...lines].join('\n') + '\n')
  execFileSync('redis-server', sentinel ? [conf, '--sentinel'] : [conf], { stdio: 'ignore' })
}

function stopAll(): void {
  for (const port of [MASTER, REPLICA, ...SENTINELS]) {
    try {
      process.kill(Number(readFileSync(join(dir, String(port), 'pid'), 'utf8').trim()), 'SIGKILL')
    } catch {
      /* not running */
    }
  }
  rmSync(dir, { recursive: true, force: true })
}

const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).trim()

describe('redis sentinel', () => {
  let lab: RedisLab
  const client: ClientContext = { id: 'sentinel-test', emit: () => undefined, onClose: () => undefined }

  beforeAll(async () => {
    try {
      start(MASTER, ['save ""', 'appendonly no'])
      start(REPLICA, ['save ""', 'appendonly no', `replicaof ${HOST} ${MASTER}`])
      for (const p of SENTINELS) start(p, [`sentinel monitor sy ${HOST} ${MASTER} 2`, 'sentinel down-after-milliseconds sy 2000', 'sentinel failover-timeout sy 10000'], true)
      await waitFor('sentinels to find each other and see the replica in sync', 40_000, () =>
        SENTINELS.every((p) => cli(p, 'SENTINEL', 'SENTINELS', 'sy').split('\n').filter((l) => l === 'runid').length === 2 && /master-link-status\nok/.test(cli(p, 'SENTINEL', 'REPLICAS', 'sy'))),
      )
      await waitFor('replica in sync', 10_000, () => cli(REPLICA, 'INFO', 'replication').includes('master_link_status:up'))
      lab = await redisLab()
      const env: Environment = { name: 'sentinel', endpoints: [{ kind: 'redis-sentinel', id: 'sentinel', name: 'Sentinel', sentinels: SENTINELS.map((port) => ({ host: HOST, port })), masterName: 'sy', tls: false }] }
      await lab.hub.inventory.save(env, {})
    } catch (err) {
      stopAll()
      throw err
    }
  })

  afterAll(async () => {
    stopAll()
    await lab?.close()
  })

  it('shows masters, replicas, sentinels and CKQUORUM', async () => {
    const t = await redisHandlers(lab.hub)['redis:sentinel']({ environment: 'sentinel', endpointId: 'sentinel' }, client)
    expect(t.status).toBe('ok')
    expect(t.sentinels.map((s) => s.masters)).toEqual([['sy'], ['sy'], ['sy']])
    const m = t.masters[0]!
    expect(m).toMatchObject({ name: 'sy', addr: `${HOST}:${MASTER}`, quorum: 2 })
    expect(m.ckquorum.ok).toBe(true)
    expect(m.ckquorum.message).toMatch(/OK 3 usable Sentinels/)
    expect(m.replicas.map((r) => r.addr)).toEqual([`${HOST}:${REPLICA}`])
    expect(m.sentinels).toHaveLength(2)
    const out: string[] = []
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s) }
    expect(await redisCommand(['status', 'sentinel', '--endpoint', 'sentinel'], lab.hub, io)).toBe(0)
    expect(out.join('')).toMatch(/master sy at 127\.0\.0\.1:7220/)
    expect(await redisCommand(['sentinel-failover', 'sentinel', 'sy', '--dry-run'], lab.hub, io)).toBe(0)
    expect(out.join('')).toMatch(/SENTINEL FAILOVER sy/)
  })

  it('fails over with SENTINEL FAILOVER and verifies the new master', async () => {
    cli(MASTER, 'SET', 'k', 'v')
    const { plan, result } = await planAndRun(lab, { kind: 'redis.sentinel-failover', environment: 'sentinel', endpointId: 'sentinel', master: 'sy', timeoutMs: 60_000 })
    expect(plan.target).toBe('sy')
    expect(plan.steps[0]!.commands[0]).toMatch(/SENTINEL FAILOVER sy$/)
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.message).toMatch(new RegExp(`${HOST}:${REPLICA} is master of sy`))
    expect(cli(REPLICA, 'ROLE').split('\n')[0]).toBe('master')
    expect(cli(REPLICA, 'GET', 'k')).toBe('v')
  })
})
