/**
 * Fault injection against the lab (npm run bench:chaos, after npm run build and npm run lab:up).
 * Every action runs in a child process (the CLI) that SIGKILLs itself at a step boundary or in the
 * middle of a step (SWITCHYARD_FAULT). Then, from this process: the interrupted run must be in the
 * overview's next round (probeEnvironment), resume must finish it and pass its verification, and
 * for the kill points before the PostgreSQL promotion a second pass rolls it back instead. A writer
 * runs throughout (PostgreSQL through pgbouncer; acknowledged Redis SETs) and must lose nothing.
 * Also the journal's own cost per step (synchronous writes). Last line:
 *   chaos: actions=N kill_points=N detected=N resumed=N rolled_back=N lost=0 max_detect_ms=N
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Cluster } from 'ioredis'
import { probeEnvironment } from '../src/main/features/overview/probe-environment'
import { ActionJournal } from '../src/main/core/actions/journal'
import { cli } from '../test/support/chaos'
import { isLabShape, pgLab, restoreLabShape, type PgLab } from '../test/support/pg-lab'
import { missingIds, SequentialWriter } from '../test/support/pg-writer'
import { nodesAt, planAndRun, redisLab, restoreRedisLab, type RedisLab } from '../test/integration/redis-lab-support'
import { patroniLab, type PatroniLab } from '../test/support/patroni-lab'
import { labHub } from '../test/support/lab'
import { loadLoop } from '../test/support/load-loop'

const PG_TABLE = 'switchyard_bench_chaos'
const tally = { actions: new Set<string>(), killPoints: 0, detected: 0, resumed: 0, rolledBack: 0, lost: 0, detectMs: [] as number[] }

function journalCost(): { p50: number; p99: number } {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-journal-'))
  const journal = new ActionJournal(join(dir, 'switchyard.db'))
  const runId = '00000000-0000-4000-8000-000000000001'
  journal.begin({
    runId,
    planId: 'bench',
    kind: 'bench',
    mode: 'run',
    environment: 'bench',
    endpointId: 'bench',
    targetKey: 'bench/bench',
    target: 'bench',
    title: 'bench',
    actor: 'bench',
    request: {},
    planSteps: [],
    prepared: { state: null },
  })
  const ms: number[] = []
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now()
    journal.stepStarted(runId, i, `step ${i}`)
    journal.stepEnded(runId, i, 'done', null, { lsn: `0/${i}` })
    ms.push(performance.now() - t0)
  }
  journal.finish(runId, 'succeeded', 'bench')
  journal.close()
  rmSync(dir, { recursive: true, force: true })
  ms.sort((a, b) => a - b)
  return { p50: ms[250]!, p99: ms[495]! }
}

/** The child died: how long until the overview's round reports the interrupted run. */
async function detect(hub: PgLab['hub'], endedAt: number): Promise<string | undefined> {
  const { connections } = await hub.connect('lab')
  const health = await probeEnvironment(connections, hub.journal)
  const run = health.interrupted?.[0]
  if (!run || health.status !== 'critical') return undefined
  tally.detected++
  tally.detectMs.push(Date.now() - endedAt)
  return run.runId
}

type Recover = 'resume' | 'rollback'

/**
 * Run the CLI with a kill point, then from this process: the run must be in the overview's next
 * round, and `actions resume|rollback` must succeed. Returns what happened, in words; a
 * kill-during point that falls after the run ended is not counted.
 */
async function killAndRecover(hub: PgLab['hub'], dataDir: string, args: string[], fault: string, recover: Recover): Promise<string> {
  const what = `${args.slice(0, 2).join(' ')} ${fault}`
  const child = await cli(dataDir, args, fault)
  if (child.signal !== 'SIGKILL') {
    if (fault.startsWith('kill-during') && child.code === 0) return 'the run ended before the kill point (not counted)'
    throw new Error(`${what}: the child was not killed (exit ${child.code}): ${child.stderr.slice(-400)}`)
  }
  tally.killPoints++
  const runId = await detect(hub, child.endedAt)
  if (!runId) throw new Error(`${what}: the interrupted run was not reported`)
  const done = await cli(dataDir, ['actions', recover, 'lab', runId, '--yes'])
  if (done.code !== 0) throw new Error(`${what}: ${recover} failed: ${done.stdout.slice(-600)}${done.stderr.slice(-300)}`)
  if (recover === 'resume') tally.resumed++
  else tally.rolledBack++
  return recover === 'resume' ? 'detected, resumed' : 'detected, rolled back'
}

async function pgPoint(lab: PgLab, fault: string, recover: Recover): Promise<void> {
  const writer = new SequentialWriter({ ...lab.bouncedWriterOptions(PG_TABLE), intervalMs: 5 })
  await writer.prepare()
  writer.start()
  let outcome: string
  try {
    await writer.waitForCommits(50, 20_000)
    outcome = await killAndRecover(lab.hub, lab.dataDir, ['pg', 'switchover', 'lab', 'pg2', '--endpoint', 'postgres', '--yes'], fault, recover)
    await writer.waitForCommits(50, 30_000)
  } finally {
    await writer.stop()
  }
  const topo = await lab.service.topology('lab', 'postgres')
  const expected = recover === 'resume' ? 'pg2' : 'pg1'
  if (topo.primary !== expected) throw new Error(`pg ${fault}: ${topo.primary} leads after ${outcome}, not ${expected}`)
  const node = lab.pgNodes.find((n) => n.name === topo.primary)!
  const lost = (await missingIds(node, lab.writerOptions(PG_TABLE), writer.acked)).length
  tally.lost += lost
  console.log(`pg.switchover ${fault}: ${outcome}; writer ${writer.acked.length} acknowledged, ${writer.failures} failed commits, ${lost} lost`)
  if (!isLabShape(await restoreLabShape(lab))) throw new Error('the PostgreSQL lab did not return to its shape')
}

/** Acknowledged SETs across every slot while a failover is killed and resumed; afterwards each must read back. */
class RedisWriter {
  private readonly acked = new Map<string, string>()
  private running = true
  private loop: Promise<void>
  private readonly client = new Cluster([{ host: '127.0.0.1', port: 7000 }], { clusterRetryStrategy: () => 200, redisOptions: { connectTimeout: 2000 } })
  failures = 0

  constructor() {
    this.client.on('error', () => undefined)
    this.loop = (async () => {
      for (let i = 0; this.running; i++) {
        const key = `switchyard:chaos:${i}`
        try {
          await this.client.set(key, String(i))
          this.acked.set(key, String(i))
        } catch {
          this.failures++
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    })()
  }

  async stop(): Promise<number> {
    this.running = false
    await this.loop
    let lost = 0
    for (const [k, v] of this.acked) if ((await this.client.get(k)) !== v) lost++
    for (const keys of chunk([...this.acked.keys()], 500)) await Promise.all(keys.map((k) => this.client.del(k)))
    this.client.disconnect()
    return lost
  }

  get count(): number {
    return this.acked.size
  }
}

function chunk<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n))
}

async function redisPoint(lab: RedisLab, fault: string): Promise<void> {
  const master = nodesAt(7000).find((n) => n.role === 'master' && n.slots.some((r) => r.start === 0))!
  const writer = new RedisWriter()
  await new Promise((r) => setTimeout(r, 300))
  const outcome = await killAndRecover(lab.hub, lab.dataDir, ['redis', 'failover', 'lab', master.addr, '--yes'], fault, 'resume')
  const lost = await writer.stop()
  tally.lost += lost
  console.log(`redis.failover ${fault}: ${outcome}; writer ${writer.count} acknowledged, ${writer.failures} failed, ${lost} lost`)
  const now = nodesAt(7000).find((n) => n.role === 'master' && n.slots.some((r) => r.start === 0))!
  const back = await planAndRun(lab, {
    kind: 'redis.failover',
    environment: 'lab',
    endpointId: 'redis',
    master: now.addr,
    replica: 'best',
    mode: 'default',
    maxLagBytes: 1_048_576,
    timeoutMs: 30_000,
  })
  if (back.result.outcome !== 'succeeded') throw new Error(`redis: failing back: ${back.result.message}`)
}

/** Whatever a failed kill point left interrupted is resumed, so the lab is never left fenced or paused. */
async function patroniPoint(lab: PatroniLab, fault: string): Promise<void> {
  const writer = new SequentialWriter({ ...patroniWriter(lab), intervalMs: 5 })
  await writer.prepare()
  writer.start()
  let outcome: string
  try {
    await writer.waitForCommits(50, 20_000)
    outcome = await killAndRecover(lab.hub, lab.dataDir, ['pg', 'switchover', 'lab', 'ha2', '--endpoint', 'patroni', '--yes'], fault, 'resume')
    await writer.waitForCommits(50, 30_000)
  } finally {
    await writer.stop()
  }
  const leader = (await lab.leader())!
  const node = lab.lab.patroni.members.find((m) => m.name === leader)!
  const lost = (await missingIds(node, patroniWriter(lab), writer.acked)).length
  tally.lost += lost
  console.log(`pg.patroni-switchover ${fault}: ${outcome}; writer ${writer.acked.length} acknowledged, ${writer.failures} failed commits, ${lost} lost`)
  await lab.restore()
}

function patroniWriter(lab: PatroniLab) {
  const o = lab.lab.postgres
  return {
    nodes: lab.lab.patroni.members.map((m) => ({ host: m.host, port: m.port })),
    user: o.user,
    password: o.password,
    database: o.database,
    table: PG_TABLE,
  }
}

/** An nginx drain killed after the backend was marked down: resumed (it converges), or rolled back by the opposite drain. */
async function drainPoint(recover: Recover): Promise<number> {
  const { hub, dataDir, lab } = await labHub()
  const loop = loadLoop(`http://${lab.nginx.listen}/`, { concurrency: 4, maxMs: 100_000 })
  let outcome: string
  try {
    outcome = await killAndRecover(hub, dataDir, ['app', 'drain', 'lab', 'app', '127.0.0.1:9102', '--yes'], 'kill-before:2', recover)
    if (recover === 'resume') {
      const back = await cli(dataDir, ['app', 'drain', 'lab', 'app', '127.0.0.1:9102', '--undo', '--yes'])
      if (back.code !== 0) throw new Error(`drain: returning the backend failed: ${back.stdout.slice(-400)}`)
    }
  } finally {
    await finishLeftovers(hub, dataDir)
    await hub.close()
  }
  const load = await loop.stop()
  console.log(`app.drain kill-before:2: ${outcome}; ${load.requests} requests through nginx, ${load.failed} failed`)
  return load.failed
}

async function finishLeftovers(hub: PgLab['hub'], dataDir: string): Promise<void> {
  for (const r of hub.journal.interrupted('lab')) {
    const done = await cli(dataDir, ['actions', 'resume', 'lab', r.runId, '--yes'])
    console.log(`left interrupted: ${r.title} (${r.runId.slice(0, 8)}): resume exited ${done.code}`)
  }
}

async function main(): Promise<number> {
  const cost = journalCost()
  console.log(`journal: one step's intent and outcome written synchronously: p50 ${cost.p50.toFixed(2)} ms, p99 ${cost.p99.toFixed(2)} ms`)

  const pg = await pgLab()
  try {
    if (!isLabShape(await restoreLabShape(pg))) throw new Error('the PostgreSQL lab is not in its shape')
    const steps = (await pg.runner.plan({ kind: 'pg.switchover', environment: 'lab', endpointId: 'postgres', newPrimary: 'pg2' })).steps
    const promote = steps.findIndex((s) => s.irreversible)
    tally.actions.add('pg.switchover')
    for (let step = 1; step <= steps.length; step++) await pgPoint(pg, `kill-before:${step}`, 'resume')
    // Before the promotion the way back is open: the same kill points, rolled back.
    for (let step = 2; step <= promote + 1; step++) await pgPoint(pg, `kill-before:${step}`, 'rollback')
  } finally {
    await finishLeftovers(pg.hub, pg.dataDir)
    await restoreLabShape(pg).catch(() => undefined)
    await pg.hub.close()
  }

  const ha = await patroniLab()
  try {
    await ha.restore()
    tally.actions.add('pg.patroni-switchover')
    for (const fault of ['kill-before:1', 'kill-before:2', 'kill-during:2:1000']) await patroniPoint(ha, fault)
  } finally {
    await finishLeftovers(ha.hub, ha.dataDir)
    await ha.restore().catch(() => undefined)
    await ha.hub.close()
  }

  const redis = await redisLab()
  try {
    await restoreRedisLab(redis)
    tally.actions.add('redis.failover')
    for (const fault of ['kill-before:1', 'kill-during:1:200', 'kill-during:1:600', 'kill-before:2']) await redisPoint(redis, fault)
  } finally {
    await finishLeftovers(redis.hub, redis.dataDir)
    await restoreRedisLab(redis).catch(() => undefined)
    await redis.close()
  }

  tally.actions.add('app.drain')
  const failedRequests = (await drainPoint('resume')) + (await drainPoint('rollback'))
  console.log(`requests through nginx that failed while drains were killed and recovered: ${failedRequests}`)

  console.log(
    `chaos: actions=${tally.actions.size} kill_points=${tally.killPoints} detected=${tally.detected} resumed=${tally.resumed} rolled_back=${tally.rolledBack} lost=${tally.lost} max_detect_ms=${Math.max(0, ...tally.detectMs)}`,
  )
  return tally.lost > 0 || tally.detected !== tally.killPoints ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
