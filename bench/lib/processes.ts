import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** CPU time a process has used so far (user + system), from /proc. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are the 12th and 13th
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
}

/** A server process for a bench, stopped by stop(); its output kept for an error message. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; log: () => string; stop: () => void } {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  const keep = (c: Buffer) => (log = (log + c.toString()).slice(-4000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  return { child, log: () => log, stop: () => void child.kill('SIGTERM') }
}

/** Wait until a URL answers 200. */
export async function waitForUrl(url: string, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${log()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** Wall time of each of n runs, after a warm-up of two. */
export async function timeRuns(n: number, run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 2; i++) await run()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await run()
    out.push(performance.now() - t)
  }
  return out
}

/** Which of these 127.0.0.1 ports accept a TCP connection now. */
export async function listening(ports: readonly number[]): Promise<number[]> {
  const { connect } = await import('node:net')
  const open = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const s = connect({ host: '127.0.0.1', port })
          const done = (open: boolean) => {
            s.destroy()
            resolve(open)
          }
          s.setTimeout(1000, () => done(false))
          s.once('connect', () => done(true))
          s.once('error', () => resolve(false))
        }),
    ),
  )
  return ports.filter((_, i) => open[i])
}
