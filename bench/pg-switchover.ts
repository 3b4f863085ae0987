/**
 * Switchover comparison on the lab (npm run bench:pg). In one run, the same sequential writer
 * (commits ids every 2 ms, reconnects to whichever node is primary) against:
 *   (a) Switchyard's direct switchover pg1 → pg2 → pg1, the writer on the nodes;
 *   (b) the same switchover with the writer through pgbouncer (PAUSE / repoint / RESUME);
 *   (c) Patroni's own `patronictl switchover --force`, default settings, on the Patroni cluster;
 *   (d) Switchyard driving Patroni (pg.patroni-switchover) on the same cluster.
 * BENCH_RUNS (default 3) round trips each. Per switchover: write-unavailability (the longest time
 * without an acknowledged commit), total time (until every member runs again), client errors;
 * afterwards every acknowledged id must exist on every node. Last line:
 *   switchover: sy_unavailable_ms_max=N sy_total_ms_max=N pgbouncer_client_errors=N patroni_unavailable_ms_max=N patroni_total_ms_max=N ratio=N lost=0
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { act, isLabShape, pgLab, restoreLabShape, type PgLab } from '../test/support/pg-lab'
import { patroniLab } from '../test/support/patroni-lab'
import { missingIds, SequentialWriter, type WriterOptions } from '../test/support/pg-writer'

const RUNS = Math.max(1, Math.min(10, Number.parseInt(process.env.BENCH_RUNS ?? '3', 10) || 3))
const TABLE = 'switchyard_bench_switchover'
const run = promisify(execFile)

interface Tally {
  unavailable: number[]
  totals: number[]
  errors: number
  lost: number
}
const tally = (): Tally => ({ unavailable: [], totals: [], errors: 0, lost: 0 })
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const max = (xs: number[]) => Math.max(0, ...xs)

/** Run `switchTo` for each target in turn with the writer going; then count ids missing anywhere. */
async function measure(
  label: string,
  opts: WriterOptions,
  nodes: { host: string; port: number }[],
  targets: string[],
  switchTo: (target: string) => Promise<number>,
): Promise<Tally> {
  const t = tally()
  const writer = new SequentialWriter({ ...opts, intervalMs: 2 })
  await writer.prepare()
  writer.start()
  try {
    await writer.waitForCommits(200, 20_000)
    for (let i = 1; i <= RUNS; i++)
      for (const target of targets) {
        const t0 = Date.now()
        const failuresBefore = writer.failures
        const total = await switchTo(target)
        await writer.waitForCommits(100, 30_000)
        const gap = writer.maxGapMs(t0)
        t.unavailable.push(gap)
        t.totals.push(total)
        t.errors += writer.failures - failuresBefore
        console.log(`${label} run ${i} → ${target}: unavailable ${gap} ms, total ${total} ms, client errors ${writer.failures - failuresBefore}`)
      }
  } finally {
    await writer.stop()
  }
  const primary = await primaryOf(opts, nodes)
  const lsn = (await primary.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l
  for (const n of nodes) t.lost += (await missingIds(n, opts, writer.acked, lsn)).length
  await primary.query(`DROP TABLE IF EXISTS ${TABLE}`)
  await primary.end()
  console.log(
    `${label}: unavailable ms median ${med(t.unavailable)} max ${max(t.unavailable)}; total ms median ${med(t.totals)} max ${max(t.totals)}; client errors ${t.errors}; ${writer.acked.length} acknowledged, ${t.lost} lost`,
  )
  return t
}

async function primaryOf(o: WriterOptions, nodes: { host: string; port: number }[]): Promise<pg.Client> {
  for (const n of nodes) {
    const c = new pg.Client({ host: n.host, port: n.port, user: o.user, password: o.password, database: o.database })
    c.on('error', () => undefined)
    try {
      await c.connect()
      if (!(await c.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0]!.r) return c
    } catch {
      // next
    }
    await c.end().catch(() => undefined)
  }
  throw new Error('no primary')
}

async function direct(lab: PgLab, opts: WriterOptions, label: string): Promise<Tally> {
  return measure(label, opts, lab.pgNodes, ['pg2', 'pg1'], async (target) => {
    const { result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: target })
    if (result.outcome !== 'succeeded') throw new Error(`${label}: ${result.message}`)
    return result.durationMs
  })
}

async function main(): Promise<number> {
  const lab = await pgLab()
  const ha = await patroniLab()
  if (!isLabShape(await restoreLabShape(lab))) throw new Error('the lab is not in its original shape')
  await ha.restore()
  const haNodes = ha.lab.patroni.members.map((m) => ({ host: m.host, port: m.port }))
  const haOpts: WriterOptions = { ...lab.writerOptions(TABLE), nodes: haNodes, database: lab.lab.postgres.database }
  const members = ['ha2', 'ha1']
  try {
    const a = await direct(lab, lab.writerOptions(TABLE), '(a) switchyard direct')
    const b = await direct(lab, lab.bouncedWriterOptions(TABLE), '(b) switchyard + pgbouncer')
    const config = ha.lab.patroni.members[0]!.configPath
    const c = await measure('(c) patronictl switchover', haOpts, haNodes, members, async (target) => {
      const leader = (await ha.leader())!
      const t0 = Date.now()
      await run('runuser', ['-u', 'postgres', '--', 'patronictl', '-c', config, 'switchover', '--leader', leader, '--candidate', target, '--force'], {
        cwd: '/',
        timeout: 180_000,
      })
      await ha.waitHealthy(180_000)
      return Date.now() - t0
    })
    const d = await measure('(d) switchyard drives patroni', haOpts, haNodes, members, async (target) => {
      const { result } = await ha.act({ kind: 'pg.patroni-switchover', candidate: target })
      if (result.outcome !== 'succeeded') throw new Error(`(d): ${result.message}`)
      return result.durationMs
    })
    const syU = max(a.unavailable)
    const pU = max(c.unavailable)
    console.log(`(d) switchyard driving patroni: unavailable max ${max(d.unavailable)} ms, total max ${max(d.totals)} ms`)
    const lost = a.lost + b.lost + c.lost + d.lost
    console.log(
      `switchover: sy_unavailable_ms_max=${syU} sy_total_ms_max=${max(a.totals)} pgbouncer_client_errors=${b.errors} patroni_unavailable_ms_max=${pU} patroni_total_ms_max=${max(c.totals)} ratio=${syU ? (pU / syU).toFixed(1) : 'inf'} lost=${lost}`,
    )
    return lost > 0 || b.errors > 0 ? 1 : 0
  } finally {
    await restoreLabShape(lab).catch(() => undefined)
    await ha.restore().catch(() => undefined)
    await lab.hub.close()
    await ha.hub.close()
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(2)
  },
)
