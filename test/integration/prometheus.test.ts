import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import { parseDeepLink, routeDeepLink } from '../../src/shared/deep-link'
import { Exporter } from '../../src/main/app/exporter'
import { postgresService } from '../../src/main/systems/postgres/postgres-service'
import { backfill, startPrometheus, type LabPrometheus } from '../support/prometheus'
import { cli, nodesAt, pidOf, redisLabSuite, waitFor } from './redis-lab-support'

const EXPORTER_PORT = 19877
const PROMETHEUS_PORT = 19090
const DAY = 86_400_000

/** Debian's Prometheus scraping switchyard exporter on loopback, with the rules the app exports. */
describe('Prometheus scraping the exporter', () => {
  const suite = redisLabSuite()
  let prometheus: LabPrometheus
  let server: Server
  // two days ago, an hour of pg2 lag the app never saw
  const oldStart = Date.now() - 2 * DAY
  const oldSamples = Array.from({ length: 60 }, (_, i) => ({ at: oldStart + i * 60_000, value: 40 + (i % 5) }))

  beforeAll(async () => {
    const hub = suite.lab.hub
    server = await new Exporter(hub, { environments: ['lab'], timeoutMs: 10_000 }).listen('127.0.0.1', EXPORTER_PORT)
    const rules = join(mkdtempSync(join(tmpdir(), 'switchyard-rules-')), 'switchyard.rules.yml')
    const io = { out: () => undefined, err: (s: string) => void process.stderr.write(s) }
    expect(await runCli(['alerts', 'export-rules', '--env', 'lab', '--out', rules], io, hub)).toBe(0)
    prometheus = await startPrometheus({
      port: PROMETHEUS_PORT,
      target: `127.0.0.1:${EXPORTER_PORT}`,
      scrapeIntervalS: 4,
      rulesFile: rules,
      prepare: (data) =>
        backfill(
          data,
          oldSamples.map((s) => `switchyard_pg_lag_seconds{env="lab",endpoint="PostgreSQL",subject="pg2"} ${s.value} ${s.at / 1000}`),
        ),
    })
  })

  afterAll(async () => {
    await prometheus?.stop()
    await new Promise((r) => server?.close(r))
  })

  it('writes a rule file promtool accepts, with the app thresholds', () => {
    const file = readFileSync(join(prometheus.dir, 'prometheus.yml'), 'utf8').match(/- (\/.*rules\.yml)/)![1]!
    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' })
    expect(out).toMatch(/SUCCESS: \d+ rules found/)
    expect(readFileSync(file, 'utf8')).toContain('expr: switchyard_pg_lag_seconds{env="lab"} >= 30 < 300')
  })

  it("serves the lab's values: a Prometheus query returns what the cluster says", async () => {
    const view = nodesAt(7000)
    await waitFor('Prometheus has scraped the exporter', 30_000, async () => (await prometheus.query('redis_up{env="lab"}')).length === view.length)
    const up = await prometheus.query('redis_up{env="lab"}')
    expect(up.map((s) => s.metric.instance).sort()).toEqual(view.map((n) => n.addr).sort())
    const slots = await prometheus.query('sum(switchyard_redis_master_slots{env="lab"})')
    expect(Number(slots[0]!.value[1])).toBe(16384)
    const replicas = Number(/connected_slaves:(\d+)/.exec(cli(7000, 'INFO', 'replication'))![1])
    const exported = await prometheus.query('redis_connected_slaves{env="lab",instance="127.0.0.1:7000"}')
    expect(Number(exported[0]!.value[1])).toBe(replicas)
    const endpoints = await prometheus.query('switchyard_endpoint_up{env="lab"}')
    expect(endpoints.length).toBe(6)
    expect(endpoints.filter((e) => e.value[1] !== '1').map((e) => e.metric.endpoint)).toEqual([])
  })

  it('fires the exported node-down rule in Prometheus on a kill -9 of a Redis master', async () => {
    const victim = nodesAt(7000).find((n) => n.port === 7001)!
    process.kill(pidOf(suite.lab.redisDir, 7001), 'SIGKILL')
    const firing = `ALERTS{alertstate="firing",alertname="SwitchyardNodeDown",subject="${victim.addr}"}`
    await waitFor('the node-down alert firing in Prometheus', 60_000, async () => (await prometheus.query(firing)).length === 1)
    const [alert] = await prometheus.query(firing)
    expect(alert!.metric).toMatchObject({ severity: 'critical', env: 'lab', endpoint: 'Redis Cluster', switchyard_metric: 'node-down' })
    // the notification's link, as Prometheus expanded it, opens the node that fired
    const { data } = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] }
    }
    const fired = data.alerts.find((a) => a.labels.alertname === 'SwitchyardNodeDown' && a.labels.subject === victim.addr && a.state === 'firing')!
    expect(fired.annotations.switchyard_url).toBe(`switchyard://open/lab/overview/Redis+Cluster/${encodeURIComponent(victim.addr)}`)
    const env = await suite.lab.hub.inventory.get('lab')
    expect(routeDeepLink(parseDeepLink(fired.annotations.switchyard_url!), [env])).toMatchObject({
      viewId: 'redis',
      environment: 'lab',
      endpointId: env.endpoints.find((e) => e.kind === 'redis-cluster')!.id,
      node: victim.addr,
    })
    // the down node is a value, not a failed scrape
    expect((await prometheus.query(`redis_up{instance="${victim.addr}"}`))[0]!.value[1]).toBe('0')
    expect((await prometheus.query('up{job="switchyard"}'))[0]!.value[1]).toBe('1')
  })

  it("shows history from Prometheus older than the app's own store, and the app's store after it", async () => {
    const hub = suite.lab.hub
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, prometheusUrl: prometheus.url }, {}, 'lab')
    await postgresService(hub).topology('lab', 'postgres') // one sample of the app's own
    const { samples, source } = await postgresService(hub).lagHistory('lab', 'postgres', Date.now() - 3 * DAY)
    expect(source).toMatchObject({ prometheus: prometheus.url, error: null })
    const old = samples.filter((s) => s.at < Date.now() - DAY)
    expect(old.length).toBeGreaterThan(10)
    expect(old.every((s) => s.standbys.pg2!.seconds! >= 40 && s.standbys.pg2!.seconds! <= 44)).toBe(true)
    // then the app's own, after Prometheus's newest point (a 3-day chart averages it into a bucket of ~2 minutes)
    expect(samples.at(-1)!.at).toBeGreaterThan(source.prometheusUntil!)
    expect(samples.at(-1)!.at).toBeGreaterThan(Date.now() - 5 * 60_000)

    // Prometheus gone: the app's own store alone, and why
    await hub.inventory.save({ ...env, prometheusUrl: 'http://127.0.0.1:1' }, {}, 'lab')
    const fallback = await postgresService(hub).lagHistory('lab', 'postgres', Date.now() - 3 * DAY)
    expect(fallback.source.error).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:1 did not answer/)
    expect(fallback.samples.every((s) => s.at > Date.now() - DAY)).toBe(true)
    await hub.inventory.save(env, {}, 'lab')
  })
})
