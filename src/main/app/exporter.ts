import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import type { MetricSample } from '../core/metrics/samples'
import type { ServiceHub } from '../core/service-hub'
import { collectSamples } from '../features/exporter/collect'

export interface ExporterOptions {
  environments: readonly string[]
  /** The longest a scrape may take; Prometheus's own X-Prometheus-Scrape-Timeout-Seconds shortens it. */
  timeoutMs: number
  /** Host headers answered besides the listen address and loopback names (the name Prometheus scrapes it by). */
  allowedHosts?: readonly string[]
}

/** Keeps the scrape inside Prometheus's timeout, with time left to render and send. */
const RENDER_MARGIN_MS = 300
/** No header may shrink a scrape's deadline below this: a 1 ms deadline would report every endpoint down. */
export const MIN_SCRAPE_MS = 1000
const MAX_CONCURRENT_SCRAPES = 4

/** The deadline a scrape gets from Prometheus's header: clamped between the floor and the configured timeout; garbage means the configured one. */
export function scrapeDeadline(header: string | string[] | undefined, configuredMs: number): number {
  const seconds = typeof header === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(header) ? Number(header) : NaN
  if (!Number.isFinite(seconds) || seconds <= 0) return configuredMs
  return Math.min(configuredMs, Math.max(MIN_SCRAPE_MS, seconds * 1000))
}

/**
 * The app's collectors behind /metrics: each scrape reads every endpoint of the environments
 * afresh (in parallel, each within the scrape's deadline; a read still running from an earlier
 * scrape is joined, never doubled) and renders every system's samples with env and endpoint
 * labels, the alert rules' inputs as switchyard_<metric>, the alert states the watch loop stored
 * (`switchyard watch` or the app), and the exporter's own health. A scrape only reads: nothing a
 * request says changes an alert, the timeline or a fact.
 */
export class Exporter {
  readonly registry = new Registry()
  private readonly dynamic = new Map<string, { gauge: Gauge | Counter; labels: string[] }>()
  private readonly scrapes: Counter
  private readonly scrapeSeconds: Gauge
  private scraping = 0
  private rendering: Promise<void> = Promise.resolve()

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
  async scrape(timeoutMs = this.options.timeoutMs): Promise<string> {
    // one registry renders every collection: scrapes run one after the other, their reads shared
    const previous = this.rendering
    let release!: () => void
    this.rendering = new Promise<void>((r) => (release = r))
    await previous
    try {
      return await this.collect(Math.min(timeoutMs, this.options.timeoutMs))
    } finally {
      release()
    }
  }
  private async collect(timeoutMs: number): Promise<string> {
    const started = performance.now()
    const samples = await collectSamples(this.hub, this.options.environments, Math.max(200, timeoutMs - RENDER_MARGIN_MS))
    this.render(samples)
    this.scrapes.inc()
    this.scrapeSeconds.set((performance.now() - started) / 1000)
    return this.registry.metrics()
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
  async listen(host: string, port: number): Promise<Server> {
    const server = createServer({ maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 60_000 }, (req, res) => {
      this.serve(req, res, hosts).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('internal error\n')
      })
    })
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
      else socket.destroy()
    })
    server.maxConnections = 64
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, resolve)
    })
    const hosts = exporterHosts(host, (server.address() as AddressInfo).port, this.options.allowedHosts ?? [])
    return server
  }

  private async serve(req: IncomingMessage, res: ServerResponse, hosts: ReadonlySet<string>): Promise<void> {
    req.resume()
    const path = (req.url ?? '/').split('?')[0]
    const refused = this.refusal(req, path, hosts)
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'text/plain; charset=utf-8', ...refused.headers }).end(refused.body)
      return
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Switchyard exporter</h1><a href="/metrics">/metrics</a></body></html>\n')
      return
    }
    this.scraping++
    try {
      const body = await this.scrape(scrapeDeadline(req.headers['x-prometheus-scrape-timeout-seconds'], this.options.timeoutMs))
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(req.method === 'HEAD' ? undefined : body)
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`collection failed: ${(err as Error).message}\n`)
    } finally {
      this.scraping--
    }
  }

  /** Why a request gets no metrics: a Host that is not ours (a browser page rebinding a name to this address sends its own), another method or path, too many scrapes at once. */
  private refusal(
    req: IncomingMessage,
    path: string | undefined,
    hosts: ReadonlySet<string>,
  ): { status: number; body: string; headers?: Record<string, string> } | undefined {
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) return { status: 421, body: 'unknown Host: scrape the exporter by its address\n' }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, body: 'only GET\n', headers: { allow: 'GET, HEAD' } }
    if (path !== '/metrics' && path !== '/') return { status: 404, body: 'not found; metrics are at /metrics\n' }
    if (path === '/metrics' && this.scraping >= MAX_CONCURRENT_SCRAPES)
      return { status: 503, body: `more than ${MAX_CONCURRENT_SCRAPES} scrapes at once\n`, headers: { 'retry-after': '1' } }
    return undefined
  }
}

/** The Host headers the exporter answers: its listen address, loopback names, this machine's names and addresses when it listens on all, and the configured ones. */
export function exporterHosts(listenHost: string, port: number, extra: readonly string[]): Set<string> {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h)
  const names = new Set(['127.0.0.1', 'localhost', '::1', listenHost, ...extra])
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    names.add(hostname())
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address)
  }
  const out = new Set<string>()
  for (const n of names) {
    const h = n.toLowerCase()
    out.add(`${bracket(h)}:${port}`)
    if (port === 80) out.add(bracket(h))
  }
  return out
}
