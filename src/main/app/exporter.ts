import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { AlertMetric } from '../../shared/alerts'
import { METRIC_LABEL } from '../../shared/domain/alert-eval'
import { alertMetricName } from '../../shared/domain/prom-rules'
import type { MetricSample } from '../core/metrics/samples'
import type { ServiceHub } from '../core/service-hub'
import { environmentWatch } from './environment-watch'
import { observeEnvironment, type EnvironmentObservation } from './observe-environment'

export interface ExporterOptions {
  environments: readonly string[]
  /** The longest a scrape may take; Prometheus's own X-Prometheus-Scrape-Timeout-Seconds shortens it. */
  timeoutMs: number
}

/** Keeps the scrape inside Prometheus's timeout, with time left to render and send. */
const RENDER_MARGIN_MS = 300

/**
 * The app's collectors behind /metrics: each scrape reads every endpoint of the environments
 * afresh (in parallel, each within the scrape's deadline), runs the app's alert evaluation on what
 * it read (so the timeline and alert store fill while no workstation watches), and renders every
 * system's samples with env and endpoint labels, the alert rules' inputs as switchyard_<metric>,
 * and the exporter's own health. Scrapes that arrive while one runs share its result.
 */
export class Exporter {
  readonly registry = new Registry()
  private readonly dynamic = new Map<string, { gauge: Gauge | Counter; labels: string[] }>()
  private readonly scrapes: Counter
  private readonly scrapeSeconds: Gauge
  private inFlight: Promise<string> | null = null

  constructor(
    private readonly hub: ServiceHub,
    private readonly options: ExporterOptions,
  ) {
    collectDefaultMetrics({ register: this.registry })
    this.scrapes = new Counter({ name: 'switchyard_exporter_scrapes_total', help: 'Scrapes served', registers: [this.registry] })
    this.scrapeSeconds = new Gauge({
      name: 'switchyard_exporter_scrape_duration_seconds',
      help: 'How long the last collection took',
      registers: [this.registry],
    })
  }

  /** One collection rendered in Prometheus's text format. */
  scrape(timeoutMs = this.options.timeoutMs): Promise<string> {
    this.inFlight ??= this.collect(Math.min(timeoutMs, this.options.timeoutMs)).finally(() => (this.inFlight = null))
    return this.inFlight
  }

  private async collect(timeoutMs: number): Promise<string> {
    const started = performance.now()
    const samples: MetricSample[] = []
    await Promise.all(
      this.options.environments.map(async (env) => {
        try {
          const observation = await observeEnvironment(this.hub, env, Math.max(200, timeoutMs - RENDER_MARGIN_MS))
          samples.push(...environmentSamples(env, observation), ...(await this.alertSamples(env, observation)))
        } catch (err) {
          samples.push(environmentUp(env, 0))
          console.error(`exporter: ${env}: ${(err as Error).message}`)
        }
      }),
    )
    samples.push(...actionSamples(this.hub))
    this.render(samples)
    this.scrapes.inc()
    this.scrapeSeconds.set((performance.now() - started) / 1000)
    return this.registry.metrics()
  }

  private async alertSamples(env: string, observation: EnvironmentObservation): Promise<MetricSample[]> {
    const { active } = await environmentWatch(this.hub).evaluate(env, Date.now(), observation)
    const counts = new Map<string, number>()
    for (const a of active) counts.set(`${a.state}|${a.level}`, (counts.get(`${a.state}|${a.level}`) ?? 0) + 1)
    return ['pending', 'firing'].flatMap((state) =>
      ['warn', 'critical'].map((level) => ({
        name: 'switchyard_alerts',
        help: "Alerts pending or firing by the app's own rules",
        labels: { env, state, level },
        value: counts.get(`${state}|${level}`) ?? 0,
      })),
    )
  }

  /** Gauges are made once per name (remade when a new label shows up) and cleared before each collection's values. */
  private render(samples: readonly MetricSample[]): void {
    const byName = new Map<string, MetricSample[]>()
    for (const s of samples) {
      const list = byName.get(s.name)
      if (list) list.push(s)
      else byName.set(s.name, [s])
    }
    for (const name of this.dynamic.keys())
      if (!byName.has(name)) {
        this.registry.removeSingleMetric(name)
        this.dynamic.delete(name)
      }
    for (const [name, list] of byName) {
      const labels = [...new Set(list.flatMap((s) => Object.keys(s.labels)))].sort()
      let d = this.dynamic.get(name)
      if (!d || labels.some((l) => !d!.labels.includes(l))) {
        if (d) this.registry.removeSingleMetric(name)
        const config = { name, help: list[0]!.help, labelNames: labels, registers: [this.registry] }
        d = { gauge: list[0]!.type === 'counter' ? new Counter(config) : new Gauge(config), labels }
        this.dynamic.set(name, d)
      }
      d.gauge.reset()
      for (const s of list) {
        if (d.gauge instanceof Gauge) d.gauge.set(s.labels, s.value)
        else d.gauge.inc(s.labels, s.value)
      }
    }
  }

  /** Serve /metrics on host:port until close(). */
  listen(host: string, port: number): Promise<Server> {
    const server = createServer((req, res) => void this.serve(req, res))
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve(server))
    })
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' || (path !== '/metrics' && path !== '/')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n')
      return
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Switchyard exporter</h1><a href="/metrics">/metrics</a></body></html>\n')
      return
    }
    const header = Number(req.headers['x-prometheus-scrape-timeout-seconds'])
    try {
      const body = await this.scrape(Number.isFinite(header) && header > 0 ? header * 1000 : this.options.timeoutMs)
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(body)
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`collection failed: ${(err as Error).message}\n`)
    }
  }
}

const environmentUp = (env: string, value: number): MetricSample => ({
  name: 'switchyard_environment_up',
  help: 'Whether the environment could be read from the inventory',
  labels: { env },
  value,
})

/** Every endpoint's samples labelled with env and endpoint, whether it could be read and how long it took, and the alert rules' inputs. */
export function environmentSamples(env: string, o: EnvironmentObservation): MetricSample[] {
  const out: MetricSample[] = [environmentUp(env, 1)]
  const failed = new Set(o.endpoints.filter((e) => e.error).map((e) => e.endpointId))
  const names = new Map(o.endpoints.map((e) => [e.endpointId, e.name]))
  for (const e of o.endpoints) {
    const at = { env, endpoint: e.name, system: e.system }
    out.push(
      { name: 'switchyard_endpoint_up', help: 'Whether the endpoint could be read within the scrape deadline', labels: at, value: e.error ? 0 : 1 },
      { name: 'switchyard_endpoint_read_seconds', help: 'How long reading the endpoint took', labels: at, value: e.durationMs / 1000 },
      ...e.samples.map((s) => ({ ...s, labels: { ...s.labels, env, endpoint: e.name } })),
    )
    // an endpoint that could not be read at all is one node down, named by the endpoint (its error changes from scrape to scrape)
    if (e.error) out.push({ name: alertMetricName('node-down'), help: helpOf('node-down'), labels: { env, endpoint: e.name, subject: e.name }, value: 1 })
  }
  for (const v of o.values)
    if (!failed.has(v.endpointId))
      out.push({
        name: alertMetricName(v.metric),
        help: helpOf(v.metric),
        labels: { env, endpoint: names.get(v.endpointId) ?? v.endpointId, subject: v.subject },
        value: v.value,
      })
  return out
}

const helpOf = (metric: AlertMetric) => `${METRIC_LABEL[metric]}: what the app's alert rule ${metric} watches, per subject`

function actionSamples(hub: ServiceHub): MetricSample[] {
  const finished = hub.audit.outcomes().map((r) => ({
    name: 'switchyard_actions_total',
    help: 'Actions finished, by kind and outcome (from the audit trail)',
    type: 'counter' as const,
    labels: { env: r.environment, action: r.kind, outcome: r.outcome },
    value: r.count,
  }))
  const interrupted = hub.journal.interruptedCounts().map((r) => ({
    name: 'switchyard_actions_interrupted',
    help: 'Action runs whose process died midway, not yet resumed, rolled back or resolved (from the action journal)',
    type: 'gauge' as const,
    labels: { env: r.environment },
    value: r.count,
  }))
  return [...finished, ...interrupted]
}
