import http from 'node:http'
import https from 'node:https'
import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'

export interface StubStatus {
  active: number
  accepts: number
  handled: number
  requests: number
  reading: number
  writing: number
  waiting: number
}

/** Parse nginx's stub_status page; anything else is a protocol error, not a crash. */
export function parseStubStatus(text: string): StubStatus {
  const active = /Active connections:\s*(\d+)/.exec(text)
  const counters = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text)
  const rww = /Reading:\s*(\d+)\s+Writing:\s*(\d+)\s+Waiting:\s*(\d+)/.exec(text)
  if (!active || !counters || !rww) throw new SwitchyardError('protocol', 'the status URL did not return an nginx stub_status page')
  return {
    active: Number(active[1]),
    accepts: Number(counters[1]),
    handled: Number(counters[2]),
    requests: Number(counters[3]),
    reading: Number(rww[1]),
    writing: Number(rww[2]),
    waiting: Number(rww[3]),
  }
}

/**
 * An HTTP GET of host:port/path as the endpoint reaches it (through its bastion when it has one), on
 * a connection of its own that closes after the reply, so a probe never looks like a request in flight.
 */
export async function httpGet(
  endpoint: EndpointOf<'nginx'>,
  connections: Connections,
  target: { host: string; port: number },
  path: string,
  timeoutMs: number,
  tls = false,
): Promise<{ status: number; body: string }> {
  const at = await connections.reach(endpoint, target)
  const get = tls ? https.get : http.get
  return new Promise((resolve, reject) => {
    const req = get({ host: at.host, port: at.port, path, agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c.length + body.length > 1_000_000 ? '' : c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new SwitchyardError('timeout', `no answer from ${target.host}:${target.port} within ${timeoutMs} ms`)))
    req.on('error', reject)
  })
}

export async function readStubStatus(endpoint: EndpointOf<'nginx'>, connections: Connections): Promise<StubStatus> {
  const url = new URL(endpoint.statusUrl)
  const res = await httpGet(
    endpoint,
    connections,
    { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) },
    url.pathname + url.search,
    3000,
    url.protocol === 'https:',
  )
  if (res.status !== 200) throw new SwitchyardError('protocol', `stub_status answered HTTP ${res.status}`)
  return parseStubStatus(res.body)
}
