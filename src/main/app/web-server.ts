import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import type { EventChannel, EventPayload } from '../../shared/contract'
import type { ClientContext, Handlers } from '../core/handler-types'
import { dispatch } from './dispatch'
import { contentSecurityPolicy, readRendererFile, rendererFile } from './renderer-files'

export interface WebServerOptions {
  rendererDir: string
  /** Built once the clients exist, because actions broadcast progress to all of them. */
  handlers: (broadcast: <E extends EventChannel>(event: E, payload: EventPayload<E>) => void) => Handlers
  port?: number
  token?: string
}

export interface WebServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

/** Bounds on what one client may ask of web mode. */
export const WEB_LIMITS = {
  maxHeaderBytes: 16 * 1024,
  maxFrameBytes: 4 * 1024 * 1024,
  /** Requests one socket may have in flight; more get a 'busy' reply instead of a queue. */
  maxInFlightPerSocket: 64,
  maxSockets: 32,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const

/** Cookies ignore ports, so the name carries ours: two instances (or another app on 127.0.0.1) never overwrite each other's. */
export const tokenCookie = (port: number) => `switchyard_token_${port}`

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieToken(req: IncomingMessage, port: number): string | undefined {
  const name = tokenCookie(port)
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * Web mode: the same services behind HTTP + WebSocket on 127.0.0.1 only. Every request needs the
 * per-launch token (in the URL once, then an HttpOnly SameSite=Strict cookie); the Host header
 * must be ours (no DNS rebinding) and a WebSocket's Origin must be ours (no cross-site sockets).
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const sockets = new Map<WebSocket, ClientContext & { close(): void }>()
  const send = (ws: WebSocket, message: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
  }
  const broadcast = <E extends EventChannel>(event: E, payload: EventPayload<E>) => {
    for (const ws of sockets.keys()) send(ws, { event, payload })
  }
  const handlers = options.handlers(broadcast)
  let port = 0
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  const csp = () => contentSecurityPolicy([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`])

  // Any request, however malformed, gets an answer; none may take the process down.
  const server = createServer(
    { maxHeaderSize: WEB_LIMITS.maxHeaderBytes, headersTimeout: WEB_LIMITS.headersTimeoutMs, requestTimeout: WEB_LIMITS.requestTimeoutMs },
    (req, res) => {
      serveFile(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end('internal error')
      })
    },
  )
  server.maxConnections = WEB_LIMITS.maxSockets * 4
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })
  async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseTarget(req.url)
    if (!url) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target')
    if (!allowedHosts().has(req.headers.host ?? '')) return void res.writeHead(421).end('wrong host')
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end()
    req.resume() // a GET with a body: read and drop it
    const queryToken = url.searchParams.get('token')
    if (!sameToken(queryToken, token) && !sameToken(cookieToken(req, port), token)) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Switchyard web mode needs the token printed at launch: open the URL it printed.')
      return
    }
    const headers: Record<string, string> = {
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (queryToken) headers['set-cookie'] = `${tokenCookie(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
    const path = rendererFile(options.rendererDir, url.pathname)
    if (path === undefined) return void res.writeHead(400, headers).end('bad path')
    const file = await readRendererFile(options.rendererDir, path)
    res.writeHead(file.status, { ...headers, 'content-type': file.type }).end(req.method === 'HEAD' ? undefined : file.body)
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: WEB_LIMITS.maxFrameBytes })
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy())
    const url = parseTarget(req.url)
    if (!url) return void socket.end('HTTP/1.1 400 Bad Request\r\n\r\n')
    const origin = req.headers.origin ?? ''
    const originOk = [...allowedHosts()].some((h) => origin === `http://${h}`)
    const tokenOk = sameToken(url.searchParams.get('token'), token) || sameToken(cookieToken(req, port), token)
    if (url.pathname !== '/ws' || !allowedHosts().has(req.headers.host ?? '') || !originOk || !tokenOk) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n')
      return
    }
    if (sockets.size >= WEB_LIMITS.maxSockets) return void socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws))
  })
  wss.on('connection', (ws: WebSocket) => {
    const cleanups: (() => void)[] = []
    const client = {
      id: randomUUID(),
      emit: <E extends EventChannel>(event: E, payload: EventPayload<E>) => send(ws, { event, payload }),
      onClose: (fn: () => void) => void cleanups.push(fn),
      close: () => cleanups.splice(0).forEach((fn) => fn()),
    }
    sockets.set(ws, client)
    let inFlight = 0
    ws.on('message', (data) => {
      const msg = parseMessage(rawText(data))
      if (!msg) {
        send(ws, { id: null, reply: { ok: false, error: { code: 'protocol', message: 'malformed message: an object with id, channel and payload' } } })
        return
      }
      const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null
      if (inFlight >= WEB_LIMITS.maxInFlightPerSocket) {
        send(ws, {
          id,
          reply: { ok: false, error: { code: 'protocol', message: `more than ${WEB_LIMITS.maxInFlightPerSocket} requests in flight on this connection` } },
        })
        return
      }
      inFlight++
      dispatch(handlers, msg.channel, msg.payload, client)
        .then(
          (reply) => send(ws, { id, reply }),
          () => send(ws, { id, reply: { ok: false, error: { code: 'other', message: 'internal error' } } }),
        )
        .finally(() => inFlight--)
    })
    ws.on('close', () => {
      client.close()
      sockets.delete(ws)
    })
    ws.on('error', () => ws.close())
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const [ws, c] of sockets) {
        c.close()
        ws.terminate()
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A WebSocket message as text, whichever of its three buffer shapes ws delivered. */
function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return data instanceof ArrayBuffer ? Buffer.from(new Uint8Array(data)).toString('utf8') : data.toString('utf8')
}

/** A request target as a URL on our origin; undefined for one no URL parser accepts (`//[`). */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1')
  } catch {
    return undefined
  }
}

/** A frame as a request message: a JSON object; anything else (null, a number, an array, not JSON) is undefined. */
function parseMessage(text: string): { id?: unknown; channel?: unknown; payload?: unknown } | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined
  } catch {
    return undefined
  }
}
