/**
 * npm run bench:redis — scale a loaded 3-master cluster out to 4 masters three times in one run:
 * with Switchyard's slot-migration engine, with `redis-cli --cluster rebalance` (default pipeline
 * of 10 keys) and with `--cluster-pipeline 1000`, each on a freshly started and loaded cluster.
 * Measures keys moved per second and checks that no key was lost.
 *
 *   BENCH_KEYS        keys to load (default 1000000), 100-byte values spread over all slots
 *   BENCH_PORT_BASE   first of four free ports (default 7200; the bench refuses ports in use)
 *   BENCH_CONCURRENCY migrations in flight (default 3), BENCH_BATCH keys per MIGRATE (default 1000)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { KeyFileCipher } from '../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../src/main/core/service-hub'
import { clusterAccess } from '../src/main/systems/redis/redis-client'
import { discoverCluster } from '../src/main/systems/redis/redis-reader'
import { newMigrationRecord, runSlotMigration, waitForSlotAgreement } from '../src/main/systems/redis/slot-migration'
import { planRebalance } from '../src/shared/domain/redis-rebalance'
import type { LabDescription } from '../test/lab/lab-environment'
import { LAB_DIR } from '../test/support/lab'
import { listening } from './lib/processes'
import { redisCli, stopNode, type LocalNode } from './lib/redis-nodes'
import { freshCluster, loadEvenCluster } from './lib/redis-cluster'

const KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000)
const BASE = Number(process.env.BENCH_PORT_BASE ?? 7200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 3)
const BATCH = Number(process.env.BENCH_BATCH ?? 1000)
const PORTS = [BASE, BASE + 1, BASE + 2, BASE + 3]
const HOST = '127.0.0.1'
const baseDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-redis-'))
let nodes: LocalNode[] = []

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`)
}

function cleanup(): void {
  for (const n of nodes) stopNode(n)
  nodes = []
  rmSync(baseDir, { recursive: true, force: true })
}
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    cleanup()
    process.exit(130)
  })

function client(port: number): Redis {
  const c = new Redis({ host: HOST, port, maxRetriesPerRequest: 1, retryStrategy: () => null })
  c.on('error', () => undefined)
  return c
}

const value = (i: number) => `v${i}:`.padEnd(100, 'x')

async function freshBenchCluster(): Promise<void> {
  for (const n of nodes) stopNode(n)
  nodes = []
  nodes = await freshCluster(baseDir, PORTS, 3)
}

async function load(): Promise<void> {
  const started = Date.now()
  await loadEvenCluster(PORTS, 3, KEYS, 'bench', value)
  log(`loaded ${KEYS} keys in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

async function dbsizes(): Promise<number[]> {
  const cs = PORTS.map(client)
  try {
    return await Promise.all(cs.map((c) => c.dbsize()))
  } finally {
    for (const c of cs) c.disconnect()
  }
}

/** Total keys on the masters, plus a sample of values read through a cluster-aware client. */
async function verify(label: string): Promise<number> {
  const sizes = await dbsizes()
  const total = sizes.reduce((a, b) => a + b, 0)
  const c = new Redis.Cluster([{ host: HOST, port: BASE }], { redisOptions: { maxRetriesPerRequest: 2 } })
  c.on('error', () => undefined)
  let bad = 0
  try {
    for (let k = 0; k < 200; k++) {
      const i = Math.floor((k * KEYS) / 200)
      if ((await c.get(`bench:${i}`)) !== value(i)) bad++
    }
  } finally {
    c.disconnect()
  }
  const lost = KEYS - total + bad
  log(`${label}: keys per node ${sizes.join('/')}, total ${total}, sampled values wrong ${bad}, lost ${lost}`)
  return Math.max(0, lost)
}

async function switchyardRound(): Promise<{ keysPerSec: number; lost: number }> {
  await freshBenchCluster()
  await load()
  const dataDir = mkdtempSync(join(baseDir, 'data-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  try {
    await hub.inventory.save(
      { name: 'bench', endpoints: [{ kind: 'redis-cluster', id: 'redis', name: 'bench', seeds: [{ host: HOST, port: BASE }], tls: false }] },
      {},
    )
    const { connections } = await hub.connect('bench')
    const access = clusterAccess(connections, 'redis')
    const started = Date.now()
    const { topology, polls } = await discoverCluster(access, { environment: 'bench' })
    const view = polls.find((p) => p.addr === topology.seed)?.nodes ?? []
    const plan = planRebalance(
      topology.masters.map((m) => ({ id: m.id, addr: m.addr, ranges: m.ranges, weight: 1 })),
      { useEmptyMasters: true, thresholdPct: 2 },
    )
    const record = newMigrationRecord('bench', 'redis', plan.moves, 'bench rebalance')
    const outcome = await runSlotMigration({ access, record, nodes: view, concurrency: CONCURRENCY, batchKeys: BATCH, chunkSlots: 64 })
    await waitForSlotAgreement(
      access,
      view.filter((n) => n.role === 'master'),
    )
    const ms = Date.now() - started
    const moved = (await dbsizes())[3]!
    log(`switchyard: ${plan.slotsToMove} slots, ${outcome.keysMoved} keys in ${(ms / 1000).toFixed(2)} s (engine ${outcome.keysPerSec} keys/s)`)
    return { keysPerSec: Math.round(moved / (ms / 1000)), lost: await verify('switchyard') }
  } finally {
    await hub.close()
  }
}

async function redisCliRound(label: string, extra: string[]): Promise<{ keysPerSec: number; lost: number }> {
  await freshBenchCluster()
  await load()
  const r = await redisCli(['--cluster', 'rebalance', `${HOST}:${BASE}`, '--cluster-use-empty-masters', ...extra])
  if (r.code !== 0) throw new Error(`redis-cli ${label} failed (exit ${r.code}):\n${r.out.slice(-2000)}`)
  const moved = (await dbsizes())[3]!
  log(`${label}: ${moved} keys moved in ${(r.ms / 1000).toFixed(2)} s`)
  return { keysPerSec: Math.round(moved / (r.ms / 1000)), lost: await verify(label) }
}

/** The lab's Redis and Sentinel ports, when the lab is up: a bench must leave them as it found them. */
function labPorts(): number[] {
  const file = join(LAB_DIR, 'lab.json')
  if (!existsSync(file)) return []
  const lab = JSON.parse(readFileSync(file, 'utf8')) as LabDescription
  return [...lab.redis.seeds.map((s) => s.port), ...lab.sentinel.data, ...lab.sentinel.sentinels.map((s) => s.port)]
}

async function main(): Promise<void> {
  const labUp = await listening(labPorts())
  log(`${KEYS} keys, ports ${PORTS.join(',')}, dir ${baseDir}; the lab's Redis and Sentinel listen on ${labUp.join(',') || 'nothing'}`)
  const sy = await switchyardRound()
  const cli = await redisCliRound('redis-cli', [])
  const cli1000 = await redisCliRound('redis-cli-p1000', ['--cluster-pipeline', '1000'])
  const lost = sy.lost + cli.lost + cli1000.lost
  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'inf')
  cleanup()
  const stillUp = await listening(labUp)
  const gone = labUp.filter((p) => !stillUp.includes(p))
  if (gone.length) log(`the lab's ports ${gone.join(',')} stopped listening during the bench`)
  console.log(
    `rebalance keys/s: switchyard=${sy.keysPerSec} redis-cli=${cli.keysPerSec} redis-cli-p1000=${cli1000.keysPerSec} ratio=${ratio(sy.keysPerSec, cli.keysPerSec)} ratio_p1000=${ratio(sy.keysPerSec, cli1000.keysPerSec)} lost=${lost} lab_ports_kept=${stillUp.length}/${labUp.length}`,
  )
  if (gone.length) process.exitCode = 1
}

main()
  .then(() => {
    cleanup()
    process.exit(process.exitCode ?? 0)
  })
  .catch((err: unknown) => {
    log(`failed: ${err instanceof Error ? err.stack : String(err)}`)
    cleanup()
    process.exit(1)
  })
