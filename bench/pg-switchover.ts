/**
 * Switchover benchmark on the lab (npm run bench:pg): BENCH_RUNS (default 3) runs of switchover
 * pg1 → pg2 and back, while a writer commits sequential ids every few ms and reconnects to
 * whichever node is primary. Measures per switchover the write-unavailability window (first failed
 * to first successful commit) and the total switchover time (run through verification), and checks
 * that every acknowledged id exists on every node. Last line:
 *   switchover: runs=N unavailable_ms_max=X total_ms_max=Y lost=Z
 */
import pg from 'pg'
import { act, isLabShape, pgLab, restoreLabShape } from '../test/support/pg-lab'
import { missingIds, SequentialWriter } from '../test/support/pg-writer'

const RUNS = Math.max(1, Math.min(20, Number.parseInt(process.env.BENCH_RUNS ?? '3', 10) || 3))
const BUDGET_MS = 200_000
const TABLE = 'switchyard_bench_switchover'

async function main(): Promise<number> {
  const lab = await pgLab()
  const started = Date.now()
  const writer = new SequentialWriter({ ...lab.writerOptions(TABLE), intervalMs: 2 })
  const unavailable: number[] = []
  const totals: number[] = []
  let failures = 0
  let runs = 0
  try {
    if (!isLabShape(await restoreLabShape(lab))) throw new Error('the lab is not in its original shape')
    await writer.prepare()
    writer.start()
    await writer.waitForCommits(200)
    for (let run = 1; run <= RUNS; run++) {
      if (Date.now() - started > BUDGET_MS) {
        console.log(`time budget reached after ${runs} run(s)`)
        break
      }
      for (const target of ['pg2', 'pg1'] as const) {
        const t0 = Date.now()
        const { plan, result } = await act(lab.runner, { kind: 'pg.switchover', newPrimary: target })
        const wall = Date.now() - t0
        await writer.waitForCommits(100, 15_000)
        const outage = writer.maxOutageMs(t0)
        unavailable.push(outage)
        totals.push(result.durationMs)
        if (result.outcome !== 'succeeded') failures++
        console.log(
          `run ${run} ${plan.title.replace(/^Switch over [^:]+: /, '')}: ${result.outcome}, unavailable ${outage} ms, switchover ${result.durationMs} ms (plan+run ${wall} ms), acknowledged ${writer.acked.length}`,
        )
        if (result.outcome !== 'succeeded') {
          console.log(`  ${result.message}`)
          break
        }
      }
      runs = run
      if (failures) break
    }
  } finally {
    await writer.stop()
  }

  // Every acknowledged id on every node, once each has replayed the primary's current position.
  const opts = lab.writerOptions(TABLE)
  const c = new pg.Client({ host: '127.0.0.1', port: 15432, user: opts.user, password: opts.password, database: opts.database })
  await c.connect()
  const lsn = (await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn
  const lost = new Set<number>()
  for (const n of lab.pgNodes) for (const id of await missingIds(n, opts, writer.acked, lsn)) lost.add(id)
  await c.query(`DROP TABLE IF EXISTS ${TABLE}`)
  await c.end()
  if (!isLabShape(await restoreLabShape(lab))) console.log('WARNING: the lab is not back in its original shape')
  await lab.hub.close()

  const uMax = Math.max(0, ...unavailable)
  const tMax = Math.max(0, ...totals)
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
  console.log(`switchovers: ${totals.length}, ${writer.acked.length} ids acknowledged, ${failures} failed`)
  console.log(`unavailable ms: median ${med(unavailable)}, max ${uMax} (target < 2000); switchover ms: median ${med(totals)}, max ${tMax} (target < 10000)`)
  console.log(`switchover: runs=${runs} unavailable_ms_max=${uMax} total_ms_max=${tMax} lost=${lost.size}`)
  return failures > 0 || lost.size > 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err)
    process.exit(2)
  },
)
