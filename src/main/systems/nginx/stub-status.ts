import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { httpRequest, urlTarget } from '../../core/http'

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

export async function readStubStatus(endpoint: EndpointOf<'nginx'>, connections: Connections): Promise<StubStatus> {
  const url = new URL(endpoint.statusUrl)
  const res = await httpRequest(endpoint, connections, urlTarget(url), url.pathname + url.search, { timeoutMs: 3000, tls: url.protocol === 'https:' })
  if (res.status !== 200) throw new SwitchyardError('protocol', `stub_status answered HTTP ${res.status}`)
  return parseStubStatus(res.body)
}
