import { afterAll, beforeAll } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ActionPlan, ActionProgress, ActionResult } from '../../src/shared/actions'
import type { ActionRequest } from '../../src/shared/action-requests'
import type { ClusterNodeEntry } from '../../src/shared/systems/redis'
import { parseClusterNodes, parseKeyValues } from '../../src/shared/domain/redis-parse'
import { keySlot } from '../../src/shared/domain/slots'
import type { Cluster } from 'ioredis'
import type { ActionRunner } from '../../src/main/core/actions/action-runner'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { clusterAccess, type RedisClusterAccess } from '../../src/main/systems/redis/redis-client'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { waitForSlotAgreement } from '../../src/main/systems/redis/slot-migration'
import { labHub } from '../support/lab'
import { planAndRun as runPlan } from '../support/plan-and-run'

/**
 * Shared by the Redis integration tests: a hub on the lab, an action runner with the Redis
 * actions, and restoreRedisLab(), which puts the cluster back into the lab's shape whatever a test
 * left behind: 7000-7002 masters with their original slot ranges, replicas attached, spares 7006
 * and 7007 empty and alone, no keys, cluster_state ok.
 */

export const MASTER_PORTS = [7000, 7001, 7002]
export const ALL_PORTS = [7000, 7001, 7002, 7003, 7004, 7005]
export const SPARE_PORTS = [7006, 7007]
export const HOST = '127.0.0.1'
const CANONICAL: Record<number, [number, number]> = { 7000: [0, 5460], 7001: [5461, 10922], 7002: [10923, 16383] }

export interface RedisLab {
  hub: ServiceHub
  dataDir: string
  redisDir: string
  runner: ActionRunner
  access: RedisClusterAccess
  progress: ActionProgress[]
  close(): Promise<void>
}

export async function redisLab(): Promise<RedisLab> {
  const { hub, dataDir, lab } = await labHub()
  const progress: ActionProgress[] = []
  const runner = createActionRunner(hub, (p) => progress.push(p))
  const { connections } = await hub.connect('lab')
  return {
    hub,
    dataDir,
    redisDir: lab.redis.redisDir,
    runner,
    // A getter: the pooled access is reopened if something closed it.
    get access() {
      return clusterAccess(connections, 'redis')
    },
    progress,
    close: () => hub.close(),
  }
}

/** Plan, confirm with the plan's own target, run. */
export function planAndRun(lab: RedisLab, request: ActionRequest, onPlan?: (plan: ActionPlan) => void): Promise<{ plan: ActionPlan; result: ActionResult }> {
  return runPlan(lab.runner, request, onPlan)
}

export function cli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', HOST, '-p', String(port), ...args], { encoding: 'utf8', timeout: 10_000 }).trim()
}

function ping(port: number): boolean {
  try {
    return cli(port, 'PING') === 'PONG'
  } catch {
    return false
  }
}

export function nodesAt(port: number): ClusterNodeEntry[] {
  return parseClusterNodes(cli(port, 'CLUSTER', 'NODES'))
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await check()) return
    } catch {
      /* retry */
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** Start a lab node from its own config if it is down (the lab's redis.conf daemonizes). */
export function ensureRunning(redisDir: string, port: number): void {
  if (ping(port)) return
  const conf = join(redisDir, String(port), 'redis.conf')
  if (!existsSync(conf)) throw new Error(`no config for lab node ${port} at ${conf}`)
  execFileSync('redis-server', [conf], { stdio: 'ignore' })
}

export function pidOf(redisDir: string, port: number): number {
  return Number(readFileSync(join(redisDir, String(port), 'redis.pid'), 'utf8').trim())
}

function clusterHealthy(): boolean {
  for (const p of ALL_PORTS) if (parseKeyValues(cli(p, 'CLUSTER', 'INFO')).cluster_state !== 'ok') return false
  const view = nodesAt(7000)
  if (view.length !== 6) return false
  if (view.some((n) => n.flags.some((f) => ['fail', 'fail?', 'handshake', 'noaddr'].includes(f)))) return false
  for (const port of MASTER_PORTS) {
    const n = view.find((x) => x.port === port)
    const [a, b] = CANONICAL[port]!
    if (n?.role !== 'master' || n.slots.length !== 1 || n.slots[0]!.start !== a || n.slots[0]!.end !== b) return false
    if (!view.some((r) => r.role === 'replica' && r.masterId === n.id)) return false
  }
  for (const p of ALL_PORTS) {
    const info = parseKeyValues(cli(p, 'INFO', 'replication'))
    if (info.role === 'slave' && info.master_link_status !== 'up') return false
  }
  for (const p of ALL_PORTS) {
    const me = nodesAt(p).find((n) => n.flags.includes('myself'))
    if (me?.migrating.length || me?.importing.length) return false
  }
  // 7000's view alone is not enough: a node may still credit a slot to its old owner with a newer epoch.
  if (!slotMapsAgree()) return false
  for (const p of SPARE_PORTS) if (parseKeyValues(cli(p, 'CLUSTER', 'INFO')).cluster_known_nodes !== '1' || cli(p, 'DBSIZE') !== '0') return false
  return true
}

/** Put the lab cluster back into its original shape. Safe to call when it already is. */
export async function restoreRedisLab(lab: RedisLab): Promise<void> {
  let last: unknown
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await restoreOnce(lab)
      // Settled, as Switchyard sees it: same slot map and config epochs everywhere, replicas caught up.
      let reason = ''
      await waitFor('the lab to settle', 20_000, async () => {
        const t = await readTopology(lab.hub, 'lab', 'redis')
        reason = t.reason
        return t.status === 'ok'
      }).catch(() => {
        throw new Error(`lab did not settle: ${reason}`)
      })
      return
    } catch (err) {
      last = err
      await sleep(2000)
    }
  }
  throw last
}

async function restoreOnce(lab: RedisLab): Promise<void> {
  // A test may have frozen a node (SIGSTOP) and died before thawing it.
  for (const p of [...ALL_PORTS, ...SPARE_PORTS]) {
    try {
      process.kill(pidOf(lab.redisDir, p), 'SIGCONT')
    } catch {
      /* not running */
    }
  }
  for (const p of [...ALL_PORTS, ...SPARE_PORTS]) ensureRunning(lab.redisDir, p)
  await waitFor('lab nodes answering', 15_000, () => [...ALL_PORTS, ...SPARE_PORTS].every(ping))
  if (clusterHealthy()) {
    for (const p of MASTER_PORTS) cli(p, 'FLUSHALL')
    return
  }
  // 1. Close any open slot.
  for (const p of [...ALL_PORTS, ...SPARE_PORTS]) {
    const me = nodesAt(p).find((n) => n.flags.includes('myself'))
    for (const s of [...(me?.migrating ?? []).map((m) => m.slot), ...(me?.importing ?? []).map((i) => i.slot)])
      cli(p, 'CLUSTER', 'SETSLOT', String(s), 'STABLE')
  }
  // 2. 7000-7002 are the masters: fail back any pair whose roles are swapped.
  await waitFor('no failed nodes', 30_000, () => !nodesAt(7000).some((n) => n.flags.includes('fail') || n.flags.includes('fail?')))
  for (const port of MASTER_PORTS) {
    if (nodesAt(port).find((n) => n.flags.includes('myself'))?.role === 'replica') {
      await waitFor(`${port} replication link up`, 30_000, () => parseKeyValues(cli(port, 'INFO', 'replication')).master_link_status === 'up')
      cli(port, 'CLUSTER', 'FAILOVER')
      await waitFor(`${port} master again`, 20_000, () => nodesAt(port).find((n) => n.flags.includes('myself'))?.role === 'master')
    }
  }
  // 3. Slots back to their original owners. The keys go first, so every master can simply be told the
  //    canonical owner of every slot it sees differently; the canonical masters then bump their epoch.
  for (const p of [...MASTER_PORTS, ...SPARE_PORTS]) {
    const me = nodesAt(p).find((n) => n.flags.includes('myself'))
    if (me?.role === 'master') cli(p, 'FLUSHALL')
  }
  const view = nodesAt(7000)
  const canonicalId = new Map(MASTER_PORTS.map((p) => [p, view.find((n) => n.port === p)!.id]))
  const ownerOf = (slot: number) => canonicalId.get(slot <= 5460 ? 7000 : slot <= 10922 ? 7001 : 7002)!
  let changed = false
  for (const m of view.filter((n) => n.role === 'master')) {
    const own = new Map<number, string>()
    for (const n of nodesAt(m.port)) if (n.role === 'master') for (const r of n.slots) for (let x = r.start; x <= r.end; x++) own.set(x, n.id)
    const cmds: (string | number)[][] = []
    for (let slot = 0; slot < 16384; slot++) if (own.get(slot) !== ownerOf(slot)) cmds.push(['CLUSTER', 'SETSLOT', slot, 'NODE', ownerOf(slot)])
    if (cmds.length) {
      changed = true
      const res = await lab.access.pipeline(m.addr, cmds, 60_000)
      const bad = res.find(([e]) => e)
      if (bad) throw new Error(`${m.addr}: ${bad[0]!.message}`)
    }
  }
  if (changed) for (const p of MASTER_PORTS) cli(p, 'CLUSTER', 'BUMPEPOCH')
  // A node that still credits a slot to a former owner with a newer epoch only yields to a newer epoch
  // from the rightful owner: bump exactly those owners.
  for (let round = 0; round < 5 && !slotMapsAgree(); round++) {
    for (const port of disputedOwners(canonicalId)) cli(port, 'CLUSTER', 'BUMPEPOCH')
    await sleep(1000)
  }
  await waitForSlotAgreement(
    lab.access,
    nodesAt(7000).filter((n) => n.role === 'master'),
  )
  // 4. Spares out of the cluster: replicas re-attached, forgotten everywhere, reset.
  const spareIds = view.filter((n) => SPARE_PORTS.includes(n.port)).map((n) => n.id)
  for (const id of spareIds) {
    for (const p of ALL_PORTS) {
      try {
        cli(p, 'CLUSTER', 'FORGET', id)
      } catch {
        /* unknown already */
      }
    }
  }
  for (const p of SPARE_PORTS) {
    cli(p, 'FLUSHALL')
    cli(p, 'CLUSTER', 'RESET', 'HARD')
  }
  // 5. Every lab replica follows a lab master (one each).
  const after = nodesAt(7000)
  const masterIds = MASTER_PORTS.map((p) => after.find((n) => n.port === p)!.id)
  for (const r of after.filter((n) => n.role === 'replica' && ALL_PORTS.includes(n.port))) {
    if (!r.masterId || !masterIds.includes(r.masterId)) {
      const free = masterIds.find((id) => !after.some((x) => x.masterId === id && x.role === 'replica'))
      if (free) cli(r.port, 'CLUSTER', 'REPLICATE', free)
    }
  }
  await waitFor('lab cluster back in shape', 20_000, clusterHealthy)
}

/** Canonical masters some node sees a slot of theirs credited to another node. */
function disputedOwners(canonicalId: Map<number, string>): number[] {
  const ports = nodesAt(7000).map((n) => n.port)
  return MASTER_PORTS.filter((owner) => {
    const [a, b] = CANONICAL[owner]!
    return ports.some((p) => nodesAt(p).some((n) => n.role === 'master' && n.id !== canonicalId.get(owner) && n.slots.some((r) => r.start <= b && r.end >= a)))
  })
}

/** Load n keys "<prefix>:<i>" with values "v<i>" straight into their owners, pipelined per node. */
export async function loadKeys(lab: RedisLab, prefix: string, n: number): Promise<void> {
  const owners = new Map<number, string>()
  for (const m of nodesAt(7000).filter((x) => x.role === 'master')) for (const r of m.slots) for (let s = r.start; s <= r.end; s++) owners.set(s, m.addr)
  for (let i = 0; i < n; i += 20_000) {
    const byNode = new Map<string, string[][]>()
    for (let j = i; j < Math.min(n, i + 20_000); j++) {
      const key = `${prefix}:${j}`
      const addr = owners.get(keySlot(key))!
      let list = byNode.get(addr)
      if (!list) byNode.set(addr, (list = []))
      list.push(['SET', key, `v${j}`])
    }
    await Promise.all([...byNode].map(([addr, cmds]) => lab.access.pipeline(addr, cmds, 60_000)))
  }
}

/** GET many keys through a cluster client, a window at a time; returns the values in order. */
export async function readAll(c: Cluster, keys: string[]): Promise<(string | null)[]> {
  const out: (string | null)[] = []
  for (let i = 0; i < keys.length; i += 2000) out.push(...(await Promise.all(keys.slice(i, i + 2000).map((k) => c.get(k)))))
  return out
}

/** Every member's own CLUSTER NODES gives the same owner for every slot. */
export function slotMapsAgree(): boolean {
  const sig = (port: number) =>
    nodesAt(port)
      .filter((n) => n.role === 'master' && n.slots.length)
      .map((n) => `${n.id}=${n.slots.map((r) => `${r.start}-${r.end}`).join(',')}`)
      .sort()
      .join(' ')
  const ports = nodesAt(7000)
    .filter((n) => !n.flags.includes('fail'))
    .map((n) => n.port)
  const first = sig(ports[0]!)
  return ports.every((p) => sig(p) === first)
}

export function totalKeys(): number {
  return nodesAt(7000)
    .filter((n) => n.role === 'master')
    .reduce((a, n) => a + Number(cli(n.port, 'DBSIZE')), 0)
}

/** One Redis test file's lab: restored to its shape before the first test and after the last, then closed. */
export function redisLabSuite(): { readonly lab: RedisLab } {
  const suite = {} as { lab: RedisLab }
  beforeAll(async () => {
    suite.lab = await redisLab()
    await restoreRedisLab(suite.lab)
  })
  afterAll(async () => {
    try {
      await restoreRedisLab(suite.lab)
    } finally {
      await suite.lab.close()
    }
  })
  return suite
}
