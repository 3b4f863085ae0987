import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Environment } from '../../src/shared/inventory'

/**
 * Sentinel on processes of its own (the shared lab has none): a master, a replica and three
 * sentinels on 127.0.0.1 under a temporary folder, stopped again with stop().
 */
export const HOST = '127.0.0.1'

export interface SentinelDeployment {
  master: number
  replica: number
  sentinels: number[]
  cli(port: number, ...args: string[]): string
  environment(name: string): Environment
  stop(): void
}

async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    try {
      if (check()) return
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Start master (base), replica (base+1) and sentinels (base+2..base+4) monitoring "sy" with quorum 2. */
export async function startSentinelDeployment(base: number): Promise<SentinelDeployment> {
  const master = base
  const replica = base + 1
  const sentinels = [base + 2, base + 3, base + 4]
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-sentinel-'))
  const cli = (port: number, ...args: string[]) =>
    execFileSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8', timeout: 5000 }).trim()
  const start = (port: number, lines: string[], sentinel = false) => {
    const d = join(dir, String(port))
    mkdirSync(d, { recursive: true })
    const conf = join(d, sentinel ? 'sentinel.conf' : 'redis.conf')
    writeFileSync(
      conf,
      [`port ${port}`, `bind ${HOST}`, 'protected-mode no', 'daemonize yes', `dir ${d}`, `pidfile ${d}/pid`, `logfile ${d}/log`, ...lines].join('\n') + '\n',
    )
    execFileSync('redis-server', sentinel ? [conf, '--sentinel'] : [conf], { stdio: 'ignore' })
  }
  const stop = () => {
    for (const port of [master, replica, ...sentinels]) {
      try {
        process.kill(Number(readFileSync(join(dir, String(port), 'pid'), 'utf8').trim()), 'SIGKILL')
      } catch {
        /* not running */
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    start(master, ['save ""', 'appendonly no'])
    start(replica, ['save ""', 'appendonly no', `replicaof ${HOST} ${master}`])
    for (const p of sentinels)
      start(p, [`sentinel monitor sy ${HOST} ${master} 2`, 'sentinel down-after-milliseconds sy 2000', 'sentinel failover-timeout sy 10000'], true)
    await waitFor('sentinels to find each other and see the replica in sync', 40_000, () =>
      sentinels.every(
        (p) =>
          cli(p, 'SENTINEL', 'SENTINELS', 'sy')
            .split('\n')
            .filter((l) => l === 'runid').length === 2 && /master-link-status\nok/.test(cli(p, 'SENTINEL', 'REPLICAS', 'sy')),
      ),
    )
    await waitFor('replica in sync', 10_000, () => cli(replica, 'INFO', 'replication').includes('master_link_status:up'))
  } catch (err) {
    stop()
    throw err
  }
  return {
    master,
    replica,
    sentinels,
    cli,
    stop,
    environment: (name) => ({
      name,
      endpoints: [
        { kind: 'redis-sentinel', id: 'sentinel', name: 'Sentinel', sentinels: sentinels.map((port) => ({ host: HOST, port })), masterName: 'sy', tls: false },
      ],
    }),
  }
}
