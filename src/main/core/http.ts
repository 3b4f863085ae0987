import http from 'node:http'
import https from 'node:https'
import { connect as tlsConnect } from 'node:tls'
import type { Endpoint } from '../../shared/inventory'
import type { Connections } from './connections'
import { SwitchyardError } from './errors'
import { tlsOptions } from './tls'

export interface HttpReply {
  status: number
  body: string
}

export interface HttpOptions {
  method?: 'GET' | 'POST' | 'PATCH'
  /** Sent as JSON. */
  json?: unknown
  timeoutMs: number
  tls?: boolean
}

/** host and port of an http(s) URL, for reaching it through a bastion. */
export function urlTarget(url: URL): { host: string; port: number } {
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }
}

/**
 * One HTTP request to host:port/path as the endpoint reaches it (through its bastion when it has
 * one), on a connection of its own that closes after the reply, so a probe never looks like a
 * request in flight. Replies are capped at 1 MB.
 */
export async function httpRequest(
  endpoint: Endpoint,
  connections: Connections,
  target: { host: string; port: number },
  path: string,
  opts: HttpOptions,
): Promise<HttpReply> {
  const channel = await connections.stream(endpoint, target)
  const body = opts.json === undefined ? undefined : JSON.stringify(opts.json)
  const headers: Record<string, string | number> = { connection: 'close', host: `${target.host}:${target.port}` }
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  const request = opts.tls ? https.request : http.request
  return new Promise((resolve, reject) => {
    // through a bastion the SSH channel is the connection (TLS on top of it, checked against the target's name)
    const createConnection = channel ? () => (opts.tls ? tlsConnect({ socket: channel, ...tlsOptions(target.host) }) : channel) : undefined
    const req = request(
      { host: target.host, port: target.port, path, method: opts.method ?? 'GET', agent: false, headers, timeout: opts.timeoutMs, createConnection },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c.length + text.length > 1_000_000 ? '' : c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new SwitchyardError('timeout', `no answer from ${target.host}:${target.port} within ${opts.timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}
