// Garbage against every listener Switchyard has: web mode (HTTP and its WebSocket, before and after
// the token) and the exporter, each a child process this bench starts on ports it checked are free,
// with a data folder of its own. Thousands of generated request targets, methods, headers, bodies
// and slow senders; WebSocket frames that are not JSON, null, numbers, deep nesting, 10 MB, raw
// protocol violations, and every contract channel with wrong payloads. Between batches a
// well-formed request must still be answered; at the end the processes must still run and their
// memory must not have grown without bound. Seeded: FUZZ_SEED=<n> replays a run.
// Needs the app built (npm run build); no lab.
//   npm run bench:fuzz            last line: fuzz: http=N ws=N exporter=N crashes=0 rss_growth_mb=N
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { requests } from '../src/shared/contract'
import { KeyFileCipher } from '../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../src/main/core/service-hub'
import { startProcess, waitForUrl } from './lib/processes'

const SCALE = Number(process.env.FUZZ_SCALE ?? 1)
const HTTP_CASES = Math.round(3000 * SCALE)
const WS_FRAMES = Math.round(3000 * SCALE)
const EXPORTER_CASES = Math.round(2000 * SCALE)
const SEED = Number(process.env.FUZZ_SEED ?? 20261206)
const CONCURRENCY = 16

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function generator(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)))
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('')
  return { next, int, pick, bytes, text }
}
type Rng = ReturnType<typeof generator>

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  await new Promise((r) => server.close(r))
  return port
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : NaN
}

/** A request's bytes: a method, a target, a version, headers and a body, each sometimes broken. */
function httpCase(rng: Rng, host: string, token: string): Buffer {
  const method = rng.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'BREW', 'G\0T', '', 'GET GET', rng.text(8)])
  const targets = [
    '/',
    '//[',
    '/%',
    '/%zz',
    '/%00',
    '/a%00b',
    '/..%2f..%2fetc/passwd',
    '/../../../etc/passwd',
    '*',
    'http://evil.example/',
    `/?token=${token}`,
    `/?token=${token}%`,
    '/?token=',
    '/index.html?token=%E0%A4%A',
    '/ws',
    `/ws?token=${token}`,
    '/metrics',
    '/metrics?x=%',
    `/${'a'.repeat(rng.pick([100, 9000, 70_000]))}`,
    '/\u00ff\u0100\ud800',
    `/${rng.text(rng.int(200))}`,
    '',
  ]
  let target = rng.pick(targets)
  if (rng.next() < 0.3 && target.length > 0) {
    const at = rng.int(target.length)
    target = target.slice(0, at) + rng.pick(['%', '[', ']', '\0', ' ', '#', '?', '\\', '\t', '%2', '\u00e9']) + target.slice(at)
  }
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9', '', 'HTTP/1.1 extra'])
  const headers: string[] = []
  const hostChoice = rng.int(7)
  if (hostChoice < 3) headers.push(`Host: ${host}`)
  else if (hostChoice === 3) headers.push('Host: evil.example')
  else if (hostChoice === 4) headers.push(`Host: ${host}`, 'Host: evil.example')
  else if (hostChoice === 5) headers.push(`Host: ${'h'.repeat(rng.pick([10, 20_000]))}`)
  const cookie = rng.int(6)
  if (cookie === 0) headers.push(`Cookie: switchyard_token_${host.split(':')[1]}=${token}`)
  if (cookie === 1) headers.push(`Cookie: ${rng.text(rng.int(300))}`)
  if (cookie === 2) headers.push(`Cookie: switchyard_token_${host.split(':')[1]}=${token.slice(1)}`)
  for (let i = rng.int(4); i > 0; i--)
    headers.push(
      rng.pick([
        `X-${rng.text(6)}: ${rng.text(rng.int(100))}`,
        rng.text(5),
        ': empty name',
        ' folded continuation',
        `X-Big: ${'b'.repeat(rng.pick([100, 20_000, 70_000]))}`,
        'X-Prometheus-Scrape-Timeout-Seconds: 0.001',
        `X-Prometheus-Scrape-Timeout-Seconds: ${rng.pick(['-1', 'NaN', '1e309', 'abc', '0'])}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: not base64',
        'Sec-WebSocket-Version: 13',
        `Origin: ${rng.pick(['http://evil.example', `http://${host}`, 'null'])}`,
        'Expect: 100-continue',
      ]),
    )
  let body = Buffer.alloc(0)
  const framing = rng.int(6)
  if (framing === 1) {
    body = rng.bytes(rng.int(2000))
    headers.push(`Content-Length: ${body.length}`)
  } else if (framing === 2) headers.push(`Content-Length: ${rng.pick(['-1', 'abc', '99999999999', '5, 6'])}`)
  else if (framing === 3) {
    headers.push('Transfer-Encoding: chunked')
    body = Buffer.from(rng.pick(['5\r\nhello\r\n0\r\n\r\n', 'zz\r\nxx\r\n', `${'f'.repeat(20)}\r\n`, '0\r\n']))
  } else if (framing === 4) headers.push('Content-Length: 5', 'Transfer-Encoding: chunked')
  const eol = rng.next() < 0.9 ? '\r\n' : '\n'
  const head = `${method} ${target} ${version}${eol}${headers.join(eol)}${eol}Connection: close${eol}${eol}`
  return Buffer.concat([Buffer.from(head, 'latin1'), body])
}

/** Send bytes (sometimes slowly) and wait for the answer or the close; a hang is cut after a while. */
function send(port: number, bytes: Buffer, slow: boolean): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1')
    let got = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(got.split('\r\n')[0] ?? '')
    }
    const timer = setTimeout(done, slow ? 4000 : 3000)
    socket.on('data', (d) => (got += d.toString('latin1')))
    socket.on('error', (e: NodeJS.ErrnoException) => {
      got ||= `(${e.code})`
      done()
    })
    socket.on('close', done)
    socket.on('connect', () => {
      if (!slow) return void socket.write(bytes)
      let i = 0
      const drip = setInterval(() => {
        if (i >= bytes.length || socket.destroyed) clearInterval(drip)
        else socket.write(bytes.subarray(i, i + 7))
        i += 7
      }, 50)
    })
  })
}

async function inBatches(n: number, each: (i: number) => Promise<void>, between: () => Promise<void>): Promise<void> {
  for (let start = 0; start < n; start += 200) {
    const end = Math.min(n, start + 200)
    let next = start
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < end) await each(next++)
      }),
    )
    await between()
  }
}

/** A random JSON value: deep, wide, huge strings, prototype keys, numbers at the edges. */
function jsonValue(rng: Rng, depth = 0): unknown {
  const k = rng.int(depth > 3 ? 6 : 9)
  switch (k) {
    case 0:
      return null
    case 1:
      return rng.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 65536, 7000])
    case 2:
      return rng.pick(['', 'lab', '../../etc/passwd', '<img src=x onerror=alert(1)>', rng.text(rng.int(50)), 'x'.repeat(rng.pick([10, 100_000]))])
    case 3:
      return rng.next() < 0.5
    case 4:
      return rng.pick(['__proto__', 'constructor', 'prototype'])
    case 5:
      return `${rng.int(1000)}`
    case 6:
      return Array.from({ length: rng.int(5) }, () => jsonValue(rng, depth + 1))
    default: {
      const o: Record<string, unknown> = {}
      for (let i = rng.int(5); i > 0; i--)
        o[rng.pick(['name', 'environment', 'endpointId', 'id', 'kind', 'payload', '__proto__', 'constructor', 'intervalMs', rng.text(4)])] = jsonValue(
          rng,
          depth + 1,
        )
      return o
    }
  }
}

function wsFrame(rng: Rng, channels: readonly string[], id: number): string | Buffer {
  const k = rng.int(14)
  if (k === 0) return rng.text(rng.int(100))
  if (k === 1) return rng.pick(['', '{', 'null', '1', '-0', '[]', '"x"', 'true', '{"id":1}', '{"channel":"app:info"}'])
  if (k === 2) return '['.repeat(100_000) + ']'.repeat(100_000)
  if (k === 3) return '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)
  if (k === 4) return rng.bytes(rng.int(500))
  if (k === 5) return JSON.stringify({ id, channel: rng.text(12), payload: jsonValue(rng) })
  if (k === 6) return JSON.stringify({ id: jsonValue(rng), channel: rng.pick(channels), payload: jsonValue(rng) })
  return JSON.stringify({ id, channel: rng.pick(channels), payload: jsonValue(rng) })
}

/** A WebSocket handshake by hand, then bytes no client library would send. */
function rawWsViolation(port: number, host: string, token: string, rng: Rng): Promise<void> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    const timer = setTimeout(() => s.destroy(), 2000)
    s.on('close', () => {
      clearTimeout(timer)
      resolve()
    })
    s.on('error', () => undefined)
    s.on('connect', () =>
      s.write(
        `GET /ws HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nCookie: switchyard_token_${host.split(':')[1]}=${token}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    )
    s.once('data', () => {
      const frames = [
        Buffer.from([0x83, 0x80, 1, 2, 3, 4]), // reserved opcode 3
        Buffer.from([0x81, 0x05, 104, 101, 108, 108, 111]), // unmasked client frame
        Buffer.from([0x09, 0x80, 1, 2, 3, 4]), // fragmented ping
        Buffer.from([0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), // 2^63 - 1 bytes announced
        Buffer.concat([Buffer.from([0x81, 0x84, 0, 0, 0, 0]), Buffer.from([0xff, 0xfe, 0xfd, 0xfc])]), // text that is not UTF-8
        rng.bytes(64),
      ]
      s.write(rng.pick(frames))
    })
  })
}

async function main(): Promise<void> {
  const rng = generator(SEED)
  const home = mkdtempSync(join(tmpdir(), 'switchyard-fuzz-'))
  const unused = await freePort()
  const hub = new ServiceHub({ dataDir: home, cipher: new KeyFileCipher(home) })
  await hub.inventory.save({
    name: 'fuzz',
    endpoints: [{ kind: 'redis-cluster', id: 'redis', name: 'nowhere', seeds: [{ host: '127.0.0.1', port: unused }], tls: false }],
  })
  await hub.close()

  const webPort = await freePort()
  const exporterPort = await freePort()
  const web = startProcess('node', ['out/main/web.js'], { SWITCHYARD_HOME: home, SWITCHYARD_PORT: String(webPort) })
  const exporter = startProcess('node', ['bin/switchyard.js', 'exporter', '--env', 'fuzz', '--listen', `127.0.0.1:${exporterPort}`, '--timeout', '2s'], {
    SWITCHYARD_HOME: home,
  })
  let crashes = 0
  for (const [name, p] of [
    ['web mode', web],
    ['exporter', exporter],
  ] as const)
    p.child.on('exit', (code, signal) => {
      crashes++
      process.stderr.write(`fuzz: ${name} exited (${code ?? signal}):\n${p.log()}\n`)
    })
  const stopAll = () => {
    web.child.removeAllListeners('exit')
    exporter.child.removeAllListeners('exit')
    web.stop()
    exporter.stop()
  }
  try {
    const token = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`web mode did not start:\n${web.log()}`)), 30_000)
      web.child.stdout!.on('data', (d: Buffer) => {
        const m = /\?token=([A-Za-z0-9_-]+)/.exec(String(d))
        if (m) {
          clearTimeout(t)
          resolve(m[1]!)
        }
      })
    })
    const webHost = `127.0.0.1:${webPort}`
    const exporterHost = `127.0.0.1:${exporterPort}`
    const wellFormed = {
      web: Buffer.from(`GET /?token=${token} HTTP/1.1\r\nHost: ${webHost}\r\nConnection: close\r\n\r\n`),
      exporter: Buffer.from(`GET /metrics HTTP/1.1\r\nHost: ${exporterHost}\r\nConnection: close\r\n\r\n`),
    }
    let unanswered = 0
    const check = async (which: 'web' | 'exporter') => {
      const t = performance.now()
      const status = await send(which === 'web' ? webPort : exporterPort, wellFormed[which], false)
      if (status !== 'HTTP/1.1 200 OK') {
        unanswered++
        process.stderr.write(`fuzz: a well-formed request to ${which} got "${status}" after ${Math.round(performance.now() - t)} ms\n`)
      }
    }
    await waitForUrl(`http://${exporterHost}/metrics`, 30_000, exporter.log)
    await check('web')
    await check('exporter')
    // memory is measured from after the first batch of each kind (V8 sizes its heap to the load, then holds)
    let baseline = { web: NaN, exporter: NaN }
    const measureBaseline = () => (baseline = { web: rssMb(web.child.pid!), exporter: rssMb(exporter.child.pid!) })

    const statuses = new Map<string, number>()
    const count = (s: string) => statuses.set(s.slice(0, 12) || '(closed)', (statuses.get(s.slice(0, 12) || '(closed)') ?? 0) + 1)
    await inBatches(
      HTTP_CASES,
      async () => void count(await send(webPort, httpCase(rng, webHost, token), rng.next() < 0.02)),
      async () => {
        await check('web')
        if (Number.isNaN(baseline.web)) measureBaseline()
      },
    )

    // WebSocket: unauthenticated upgrades first, then frames on authenticated sockets
    const channels = Object.keys(requests)
    let frames = 0
    for (let i = 0; i < 100; i++) {
      const url = rng.pick([`ws://${webHost}/ws`, `ws://${webHost}/ws?token=x`, `ws://${webHost}//[`, `ws://${webHost}/ws?token=${token}`])
      const origin = rng.pick(['http://evil.example', `http://${webHost}`, 'null'])
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(url, { origin, headers: { host: rng.pick([webHost, 'evil.example']) } })
        ws.on('error', () => resolve())
        ws.on('open', () => {
          ws.close()
          resolve()
        })
        ws.on('close', () => resolve())
      })
      frames++
    }
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${webHost}/ws?token=${token}`, { origin: `http://${webHost}` })
        ws.on('open', () => resolve(ws))
        ws.on('error', reject)
      })
    let ws = await open()
    let replies = 0
    const attach = (s: WebSocket) => s.on('message', () => replies++)
    attach(ws)
    for (let i = 0; frames < WS_FRAMES; i++) {
      if (ws.readyState !== WebSocket.OPEN) {
        ws = await open()
        attach(ws)
      }
      const k = rng.int(100)
      if (k === 0)
        ws.send(Buffer.alloc(10 * 1024 * 1024, 0x61)) // over the frame limit: the server closes this socket
      else if (k === 1) await rawWsViolation(webPort, webHost, token, rng)
      else if (k === 2)
        for (let j = 0; j < 200; j++) ws.send(JSON.stringify({ id: j, channel: 'app:info', payload: {} })) // a burst past the in-flight limit
      else ws.send(wsFrame(rng, channels, i))
      frames++
      if (frames % 200 === 0) {
        await new Promise((r) => setTimeout(r, 50))
        await check('web')
      }
    }
    ws.close()

    await inBatches(
      EXPORTER_CASES,
      async () => void count(await send(exporterPort, httpCase(rng, exporterHost, token), rng.next() < 0.02)),
      () => check('exporter'),
    )

    // a quiet moment, then what the processes hold
    await new Promise((r) => setTimeout(r, 3000))
    await check('web')
    await check('exporter')
    const grown = { web: rssMb(web.child.pid!) - baseline.web, exporter: rssMb(exporter.child.pid!) - baseline.exporter }
    const growth = Math.max(grown.web, grown.exporter)
    console.log(
      `fuzz: memory (RSS) grew ${grown.web.toFixed(1)} MB in web mode (from ${baseline.web.toFixed(0)}), ${grown.exporter.toFixed(1)} MB in the exporter (from ${baseline.exporter.toFixed(0)})`,
    )
    console.log(
      `fuzz: seed ${SEED}; answers ${[...statuses]
        .sort((a, b) => b[1] - a[1])
        .map(([s, n]) => `${s.replace('HTTP/1.1 ', '')}×${n}`)
        .join(', ')}`,
    )
    console.log(`fuzz: websocket replies and error frames ${replies}; well-formed requests unanswered ${unanswered}`)
    console.log(`fuzz: http=${HTTP_CASES} ws=${frames} exporter=${EXPORTER_CASES} crashes=${crashes} rss_growth_mb=${growth.toFixed(1)}`)
    if (crashes > 0 || unanswered > 0) process.exitCode = 1
  } finally {
    stopAll()
  }
}

await main()
