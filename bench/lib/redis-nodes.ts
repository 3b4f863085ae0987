import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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

export function stopNode(node: LocalNode): void {
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(node.port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 5000 })
  if (existsSync(node.pidfile)) {
    const pid = Number(readFileSync(node.pidfile, 'utf8').trim())
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
  }
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
