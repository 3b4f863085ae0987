// Scrape cost of switchyard exporter against the exporters teams already run, in the same run:
// Debian's prometheus-redis-exporter (one /scrape per node, all nodes in parallel, as Prometheus
// scrapes them) and prometheus-postgres-exporter (one process per server, in parallel), over the
// lab's Redis Cluster (6 nodes), the 120-node cluster and the lab's 3 PostgreSQL servers.
// Switchyard scrapes all of it in one /metrics. 50 scrapes each after a warm-up.
// Needs the lab up and the app built: npm run lab:up && npm run build && npm run bench:exporter
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { KeyFileCipher } from '../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../src/main/core/service-hub'
import { labDescription } from '../test/support/lab'
import { bigCluster, bigEnvironment } from '../test/support/big-cluster'
import { labEnvironment } from '../test/lab/lab-environment'
import { cpuMs, median, startProcess, timeRuns, waitForUrl } from './lib/processes'

const SCRAPES = 50
const SY_PORT = 19878
const REDIS_EXPORTER_PORT = 19121
const PG_EXPORTER_PORT = 19187

async function body(url: string): Promise<string> {
  const r = await fetch(url)
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`)
  return r.text()
}

const seriesIn = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length

async function main(): Promise<void> {
  const lab = labDescription()
  const big = bigCluster(60, 1)
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-exporter-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  const { environment, secrets } = labEnvironment(lab)
  const redis = environment.endpoints.find((e) => e.id === 'redis')!
  if (redis.kind !== 'redis-cluster') throw new Error('the lab endpoint redis is not a Redis Cluster')
  const pg = environment.endpoints.find((e) => e.id === 'postgres')!
  const bigRedis = bigEnvironment(big).endpoints[0]!
  const endpoints = [redis, pg, { ...bigRedis, id: 'redis-big' }, ...environment.endpoints.filter((e) => e.kind === 'ssh')]
  await hub.inventory.save(
    // the SSH hosts stay for the endpoints that name them; they are not scraped
    { name: 'bench', endpoints },
    Object.fromEntries(Object.entries(secrets).filter(([k]) => endpoints.some((e) => k.startsWith(`${e.id}.`)))),
  )
  await hub.close()

  const sy = startProcess('node', ['bin/switchyard.js', 'exporter', '--env', 'bench', '--listen', `127.0.0.1:${SY_PORT}`], { SWITCHYARD_HOME: dataDir })
  const redisExporter = startProcess('prometheus-redis-exporter', ['-web.listen-address', `127.0.0.1:${REDIS_EXPORTER_PORT}`])
  const pgLab = lab.postgres
  const pgExporters = pgLab.nodes.map((n, i) =>
    startProcess('prometheus-postgres-exporter', [`--web.listen-address=127.0.0.1:${PG_EXPORTER_PORT + i}`], {
      DATA_SOURCE_NAME: `postgresql://${pgLab.user}:${pgLab.password}@${n.host}:${n.port}/${pgLab.database}?sslmode=disable`,
    }),
  )
  try {
    await waitForUrl(`http://127.0.0.1:${SY_PORT}/`, 30_000, sy.log)
    await waitForUrl(`http://127.0.0.1:${REDIS_EXPORTER_PORT}/metrics`, 30_000, redisExporter.log)
    await Promise.all(pgExporters.map((p, i) => waitForUrl(`http://127.0.0.1:${PG_EXPORTER_PORT + i}/metrics`, 30_000, p.log)))

    const syUrl = `http://127.0.0.1:${SY_PORT}/metrics`
    const redisTargets = [...lab.redis.seeds.map((s) => s.port), ...big.ports]
    const redisUrls = redisTargets.map((p) => `http://127.0.0.1:${REDIS_EXPORTER_PORT}/scrape?target=redis://127.0.0.1:${p}`)
    const pgUrls = pgExporters.map((_, i) => `http://127.0.0.1:${PG_EXPORTER_PORT + i}/metrics`)

    const syCpu0 = cpuMs(sy.child.pid!)
    const syMs = await timeRuns(SCRAPES, () => body(syUrl))
    const syCpu = (cpuMs(sy.child.pid!) - syCpu0) / (SCRAPES + 2)
    const reCpu0 = cpuMs(redisExporter.child.pid!)
    const reMs = await timeRuns(SCRAPES, () => Promise.all(redisUrls.map(body)))
    const reCpu = (cpuMs(redisExporter.child.pid!) - reCpu0) / (SCRAPES + 2)
    const pgCpu0 = pgExporters.reduce((n, p) => n + cpuMs(p.child.pid!), 0)
    const pgMs = await timeRuns(SCRAPES, () => Promise.all(pgUrls.map(body)))
    const pgCpu = (pgExporters.reduce((n, p) => n + cpuMs(p.child.pid!), 0) - pgCpu0) / (SCRAPES + 2)

    const sySeries = seriesIn(await body(syUrl))
    const reSeries = (await Promise.all(redisUrls.map(body))).reduce((n, t) => n + seriesIn(t), 0)
    const pgSeries = (await Promise.all(pgUrls.map(body))).reduce((n, t) => n + seriesIn(t), 0)
    console.log(
      `switchyard: ${redisUrls.length} Redis nodes + ${pgUrls.length} PostgreSQL servers in one scrape, ${sySeries} series, ${syCpu.toFixed(0)} ms CPU per scrape`,
    )
    console.log(`redis_exporter: ${redisUrls.length} targets scraped in parallel, ${reSeries} series, ${reCpu.toFixed(0)} ms CPU per round`)
    console.log(`postgres_exporter: ${pgUrls.length} processes scraped in parallel, ${pgSeries} series, ${pgCpu.toFixed(0)} ms CPU per round`)
    console.log(
      `exporter: sy_scrape_ms_p50=${median(syMs).toFixed(0)} redis_exporter_ms_p50=${median(reMs).toFixed(0)} postgres_exporter_ms_p50=${median(pgMs).toFixed(0)} sy_cpu_ms_per_scrape=${syCpu.toFixed(0)}`,
    )
  } finally {
    sy.stop()
    redisExporter.stop()
    for (const p of pgExporters) p.stop()
  }
}

await main()
