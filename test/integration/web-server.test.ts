import { mkdtempSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createHandlers } from '../../src/main/app/handlers'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { startWebServer, type WebServer } from '../../src/main/app/web-server'

function openSocket(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

/** Raw bytes to the port (no client library would send these), and the status line that comes back. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    let got = ''
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('end', () => resolve(got.split('\r\n')[0] ?? ''))
    socket.on('error', reject)
    socket.setTimeout(5000, () => {
      socket.destroy()
      resolve(got.split('\r\n')[0] ?? '')
    })
  })
}

function call(ws: WebSocket, id: number, channel: string, payload: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const msg = JSON.parse((data as Buffer).toString('utf8')) as { id: number; reply: { ok: boolean; value?: unknown; error?: { code: string } } }
      if (msg.id === id) {
        ws.off('message', on)
        resolve(msg.reply)
      }
    }
    ws.on('message', on)
    ws.send(JSON.stringify({ id, channel, payload }))
  })
}

describe('web mode server', () => {
  let server: WebServer
  let hub: ServiceHub
  const rendererDir = join(__dirname, '../../src/renderer')

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-web-'))
    hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
    server = await startWebServer({
      rendererDir,
      handlers: () =>
        createHandlers(hub, { info: { mode: 'web', version: 'test', dataDir, secretBackend: { kind: 'keyfile' } }, broadcastProgress: () => undefined }),
    })
  })
  afterAll(async () => {
    await server?.close()
    await hub?.close()
  })

  const base = () => `http://127.0.0.1:${server.port}`

  it('listens on 127.0.0.1 only, on a random port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
  })

  it('refuses pages without the token and serves them with it, setting a strict cookie and CSP', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401)
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401)
    const ok = await fetch(server.url)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/)
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'")
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!
    // the cookie's name carries the port: another app on 127.0.0.1 (cookies ignore ports) neither reads ours by name nor overwrites it
    expect(cookie).toBe(`switchyard_token_${server.port}=${server.token}`)
    expect((await fetch(`${base()}/index.html`, { headers: { cookie } })).status).toBe(200)
    expect((await fetch(`${base()}/index.html`, { headers: { cookie: `switchyard_token=${server.token}` } })).status).toBe(401)
    expect((await fetch(`${base()}/index.html`, { method: 'POST', headers: { cookie }, body: 'x' })).status).toBe(405)
  })

  it('refuses a foreign Host header (DNS rebinding) and path traversal', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: `/?token=${server.token}`, headers: { host: 'evil.example:80' } }, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(421)
    const trav = await fetch(`${base()}/..%2f..%2fpackage.json?token=${server.token}`)
    expect([403, 404]).toContain(trav.status)
  })

  it('answers request targets no URL parser accepts with a 400, before and after the token, and stays up', async () => {
    const host = `127.0.0.1:${server.port}`
    expect(await raw(server.port, `GET //[ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request')
    expect(
      await raw(server.port, `GET /% HTTP/1.1\r\nHost: ${host}\r\nCookie: switchyard_token_${server.port}=${server.token}\r\nConnection: close\r\n\r\n`),
    ).toBe('HTTP/1.1 400 Bad Request')
    expect(
      await raw(
        server.port,
        `GET //[ HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    ).toBe('HTTP/1.1 400 Bad Request')
    expect((await fetch(server.url)).status).toBe(200)
  })

  it('opens the contract WebSocket only with the token and our own Origin', async () => {
    await expect(openSocket(`ws://127.0.0.1:${server.port}/ws`, base())).rejects.toThrow(/401/)
    await expect(openSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, 'http://evil.example')).rejects.toThrow(/401/)
    const ws = await openSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, base())
    try {
      expect(await call(ws, 1, 'app:info', {})).toMatchObject({ ok: true, value: { mode: 'web' } })
      expect(await call(ws, 2, 'env:list', {})).toEqual({ ok: true, value: [] })
      expect(await call(ws, 3, 'shell:exec', {})).toMatchObject({ ok: false, error: { code: 'config' } })
      ws.send('not json')
      expect(await call(ws, 4, 'settings:get', {})).toMatchObject({ ok: true, value: { refreshIntervalMs: 2000 } })
      // Frames that parse but are no message: each gets an error frame, and the socket and the server stay.
      for (const frame of ['null', '42', '[]', '"x"', '{"id":'.repeat(10)]) ws.send(frame)
      expect(await call(ws, 5, 'app:info', {})).toMatchObject({ ok: true })
    } finally {
      ws.close()
    }
  })
})
