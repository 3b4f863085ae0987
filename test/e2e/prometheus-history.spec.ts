import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { redisHistory } from '../../src/main/systems/redis/redis-history'
import { readTopology } from '../../src/main/systems/redis/redis-watch'
import { labHub } from '../support/lab'
import { backfill, startPrometheus, type LabPrometheus } from '../support/prometheus'
import { chartDrawn, shot } from '../support/screens'
import { openWebApp } from '../support/web-app'
import { Switchyard } from './pages/switchyard'

const DAY = 86_400_000
const REDIS_PORTS = [7000, 7001, 7002, 7003, 7004, 7005]
const redisAt = (port: number) => `env="lab",endpoint="Redis Cluster",instance="127.0.0.1:${port}"`
const opsOf = (port: number) => 1000 + port - 7000
const memOf = (port: number) => (port - 6999) * 1048576
/** One sample a minute for two hours from start, as OpenMetrics lines (timestamps in seconds). */
const minutes = (start: number, line: (t: number, i: number) => string) => Array.from({ length: 120 }, (_, i) => line((start + i * 60_000) / 1000, i))

/** An environment naming a Prometheus: its charts reach back past anything this app recorded. */
describe('history from Prometheus in Chromium', () => {
  let hub: ServiceHub
  let prometheus: LabPrometheus
  let app: Awaited<ReturnType<typeof openWebApp>>

  beforeAll(async () => {
    const start = Date.now() - 2 * DAY
    hub = (await labHub()).hub
    const roleOf = new Map((await readTopology(hub, 'lab', 'redis')).nodes.map((n) => [n.port, n.role === 'master' ? 'master' : 'slave']))
    prometheus = await startPrometheus({
      port: 19091,
      target: '127.0.0.1:9', // nothing scrapes here: the history is what was kept before
      scrapeIntervalS: 15,
      prepare: (data) =>
        backfill(data, [
          ...minutes(start, (t, i) => `switchyard_pg_lag_seconds{env="lab",endpoint="PostgreSQL",subject="pg2"} ${20 + 10 * Math.sin(i / 10)} ${t}`),
          // every lab Redis node in the role it has now (as redis_exporter labels it), each with its own load and memory
          ...REDIS_PORTS.flatMap((port) => minutes(start, (t) => `redis_instance_info{${redisAt(port)},role="${roleOf.get(port)}"} 1 ${t}`)),
          ...REDIS_PORTS.flatMap((port) => minutes(start, (t) => `redis_instantaneous_ops_per_sec{${redisAt(port)}} ${opsOf(port)} ${t}`)),
          ...REDIS_PORTS.flatMap((port) => minutes(start, (t) => `redis_memory_used_bytes{${redisAt(port)}} ${memOf(port)} ${t}`)),
        ]),
    })
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, prometheusUrl: prometheus.url }, {}, 'lab')
    app = await openWebApp(hub)
  })

  afterAll(async () => {
    await app?.close()
    await hub?.close()
    await prometheus?.stop()
  })

  it('charts PostgreSQL lag from two days ago, and says where the history came from', async () => {
    const page = app.page
    const pg = await new Switchyard(page).postgres.open()
    await pg.node('pg1').waitFor({ timeout: 30_000 })
    await pg.byTestId('pg-history-range').getByText('7d').click()
    await expect
      .poll(() => page.getByTestId('history-source').innerText(), { timeout: 20_000 })
      .toMatch(/^History from Prometheus \(http:\/\/127\.0\.0\.1:19091\) up to .+, this app's own after$/)
    await chartDrawn(page.getByTestId('lag-chart'), 20_000)
    await shot(page, 'postgres-history-from-prometheus')
  })

  it('charts Redis load and memory per master from two days ago', async () => {
    const masters = (await readTopology(hub, 'lab', 'redis')).nodes.filter((n) => n.role === 'master')
    const history = await redisHistory(hub, 'lab', 'redis', Date.now() - 7 * DAY)
    expect(history.source.prometheusUntil).not.toBeNull()
    for (const m of masters) {
      const port = Number(m.addr.split(':')[1])
      const ops = history.ops.find((s) => s.name === m.addr)
      expect(ops?.values.filter((v) => v !== null).slice(0, 3)).toEqual([opsOf(port), opsOf(port), opsOf(port)])
      expect(history.memory.find((s) => s.name === m.addr)?.values.find((v) => v !== null)).toBe(memOf(port))
    }
    // biggest first
    expect(history.ops.map((s) => s.name)).toEqual([...masters].sort((a, b) => b.port - a.port).map((m) => m.addr))

    const page = app.page
    await new Switchyard(page).redis.open()
    await page.getByTestId('redis-history').waitFor({ timeout: 30_000 })
    await page.getByTestId('redis-history-range').getByText('7d').click()
    await expect
      .poll(() => page.getByTestId('redis-history').getByTestId('history-source').innerText(), { timeout: 20_000 })
      .toMatch(/^History from Prometheus \(http:\/\/127\.0\.0\.1:19091\) up to .+, this app's own after$/)
    await chartDrawn(page.getByTestId('redis-history-ops'), 20_000)
    await shot(page, 'redis-history-from-prometheus')
  })
})
