import type { Connections } from '../../core/connections'
import { SwitchyardError, toConnError } from '../../core/errors'
import { httpRequest, urlTarget, type HttpOptions } from '../../core/http'
import type { PostgresEndpoint } from './postgres-client'

const READ_TIMEOUT_MS = 3000
export const PATRONI_DEFAULT_PORT = 8008

/**
 * Patroni's REST API, member by member: reads go to the first member that answers, writes to the
 * member the caller names (Patroni forwards nothing: a switchover must reach the leader).
 */
export class PatroniApi {
  /** The endpoint's URLs, else Patroni's default REST port on each node. */
  readonly urls: string[]

  constructor(
    private readonly endpoint: PostgresEndpoint,
    private readonly connections: Connections,
  ) {
    this.urls = endpoint.patroni?.urls ?? endpoint.nodes.map((n) => `http://${n.host.includes(':') ? `[${n.host}]` : n.host}:${PATRONI_DEFAULT_PORT}`)
  }

  async call(base: string, path: string, opts: Partial<HttpOptions> = {}): Promise<{ status: number; body: string; json: unknown }> {
    const url = new URL(path, base.endsWith('/') ? base : `${base}/`)
    const reply = await httpRequest(this.endpoint, this.connections, urlTarget(url), url.pathname + url.search, {
      timeoutMs: READ_TIMEOUT_MS,
      tls: url.protocol === 'https:',
      ...opts,
    })
    let json: unknown = null
    try {
      json = JSON.parse(reply.body)
    } catch {
      // Patroni answers some writes in plain text ("Switchover scheduled").
    }
    return { ...reply, json }
  }

  /** GET path from the first member that answers 2xx; the error names every member's reason. */
  async read(path: string): Promise<{ source: string; json: unknown }> {
    const reasons: string[] = []
    for (const base of this.urls) {
      try {
        const r = await this.call(base, path)
        if (r.status >= 200 && r.status < 300 && r.json !== null) return { source: base, json: r.json }
        reasons.push(`${base}: HTTP ${r.status}`)
      } catch (err) {
        reasons.push(`${base}: ${toConnError(err).message}`)
      }
    }
    throw new SwitchyardError('refused', `no Patroni REST API answered ${path} (${reasons.join('; ') || 'no URL configured'})`)
  }

  /** A write to one member; anything but 2xx is an error with Patroni's own words. */
  async write(base: string, method: 'POST' | 'PATCH', path: string, json: unknown, timeoutMs = 60_000): Promise<string> {
    const r = await this.call(base, path, { method, json, timeoutMs })
    const text = r.body.trim().slice(0, 500)
    if (r.status < 200 || r.status >= 300) throw new SwitchyardError('other', `Patroni ${method} ${path} answered HTTP ${r.status}: ${text || '(no body)'}`)
    return text
  }
}
