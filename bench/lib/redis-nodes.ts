import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { Redis } from 'ioredis'

/**
 * Throw-away redis-server processes for the benchmark: their own ports, their own folder, nothing
 * persisted, always on 127.0.0.1. stopAll() is safe to call twice and from a signal handler.
 */
export interface LocalNode {
  port: number
  dir: string
  pidfile: string
}

export function startNode(baseDir: string, port: number, extra: string[] = []): LocalNode {
  const dir = join(baseDir, String(port))
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const pidfile = join(dir, 'redis.pid')
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode no',
    'daemonize yes',
    `dir ${dir}`,
    `pidfile ${pidfile}`,
    `logfile ${join(dir, 'redis.log')}`,
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    'cluster-node-timeout 5000',
    'save ""',
    'appendonly no',
    ...extra,
  ].join('\n')
  writeFileSync(join(dir, 'redis.conf'), conf + '\n')
  const r = spawnSync('redis-server', [join(dir, 'redis.conf')], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error(`redis-server on ${port} failed to start (see ${dir}/redis.log)`)
  return { port, dir, pidfile }
}

export async function waitPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    c.on('error', () => undefined)
    try {
      await c.connect()
      await c.ping()
      return
    } catch {
      /* not yet */
    } finally {
      c.disconnect()
    }
    if (Date.now() > deadline) throw new Error(`redis on ${port} does not answer PING`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Stop a node this bench started: by the pid in its own pidfile, never by whatever answers on its port. */
export function stopNode(node: LocalNode): void {
  if (!existsSync(node.pidfile)) return
  const pid = Number(readFileSync(node.pidfile, 'utf8').trim())
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
}

/**
 * Refuse to start on a port something else listens on (the lab's Sentinel pair sits on 7100-7101);
 * waits up to waitMs for ports our own killed nodes are still releasing.
 */
export async function assertPortsFree(ports: readonly number[], waitMs = 5000): Promise<void> {
  const deadline = Date.now() + waitMs
  let taken = await listening(ports)
  while (taken.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    taken = await listening(ports)
  }
  if (taken.length) throw new Error(`ports ${taken.join(', ')} are in use by processes this bench did not start: set BENCH_PORT_BASE to free ones`)
}

async function listening(ports: readonly number[]): Promise<number[]> {
  return (
    await Promise.all(
      ports.map(
        (port) =>
          new Promise<number | null>((resolve) => {
            const socket = connect(port, '127.0.0.1')
            socket.once('connect', () => {
              socket.destroy()
              resolve(port)
            })
            socket.once('error', () => resolve(null))
          }),
      ),
    )
  ).filter((p): p is number => p !== null)
}

/** Run redis-cli with arguments (no shell); resolves with its output and duration. */
export function redisCli(args: string[], timeoutMs = 600_000): Promise<{ code: number | null; out: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve) => {
    const p = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, ms: Date.now() - started })
    })
  })
}
