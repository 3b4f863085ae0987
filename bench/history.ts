/**
 * The metric history's write cost on the lab (npm run bench:history): every view that keeps
 * history (Redis nodes, PostgreSQL lag, MongoDB lag, nginx rates) polled every 2 s for
 * BENCH_SECONDS (default 60), as the open app would; each batched write to SQLite is timed.
 * Last line:  history: samples_per_s=N p99_write_ms=N db_mb_per_day=N
 */
import { RedisWatcher } from '../src/main/systems/redis/redis-watch'
import { dockerReplicas } from '../src/main/systems/docker'
import { mongoService } from '../src/main/systems/mongo/mongo-service'
import { nginxService } from '../src/main/systems/nginx/nginx-service'
import { postgresService } from '../src/main/systems/postgres/postgres-service'
import { labHub } from '../test/support/lab'

const POLL_MS = 2000
const SECONDS = Math.max(10, Math.min(600, Number(process.env.BENCH_SECONDS ?? 60) || 60))

async function main(): Promise<void> {
  const { hub } = await labHub()
  const history = hub.history
  const writes: { rows: number; ms: number }[] = []
  const flush = history.flush.bind(history)
  history.flush = () => {
    const r = flush()
    if (r.rows) writes.push(r)
    return r
  }
  const usedBefore = history.usedBytes()
  const watcher = new RedisWatcher(hub, 'lab', 'redis', () => undefined)
  watcher.start(POLL_MS)
  const started = Date.now()
  let polls = 0
  while (Date.now() - started < SECONDS * 1000) {
    const t0 = Date.now()
    await Promise.all([postgresService(hub).topology('lab', 'postgres'), mongoService(hub).cluster('lab'), nginxService(hub, dockerReplicas).tier('lab')])
    polls++
    await new Promise((r) => setTimeout(r, Math.max(0, POLL_MS - (Date.now() - t0))))
  }
  watcher.stop()
  history.flush()
  const elapsed = (Date.now() - started) / 1000
  const rows = writes.reduce((a, w) => a + w.rows, 0)
  const ms = writes.map((w) => w.ms).sort((a, b) => a - b)
  const p99 = ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))] ?? 0
  const grown = history.usedBytes() - usedBefore
  const mbPerDay = ((grown / elapsed) * 86_400) / (1024 * 1024)
  await hub.close()
  console.log(
    `${polls} polls of postgres, mongo and the app tier plus the Redis watcher in ${elapsed.toFixed(0)} s: ${rows} values in ${writes.length} batched writes, median ${(ms[Math.floor(ms.length / 2)] ?? 0).toFixed(2)} ms, max ${(ms.at(-1) ?? 0).toFixed(2)} ms; ${(grown / 1024).toFixed(0)} KiB used`,
  )
  console.log(`history: samples_per_s=${(rows / elapsed).toFixed(1)} p99_write_ms=${p99.toFixed(2)} db_mb_per_day=${mbPerDay.toFixed(1)}`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
