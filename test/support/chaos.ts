import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url))

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** When the process ended (killed or exited). */
  endedAt: number
}

/**
 * The CLI in a child process of its own on a test's data folder, as a person would run it; with a
 * fault (SWITCHYARD_FAULT=kill-before:N or kill-during:N:MS) it SIGKILLs itself at that step.
 */
export function cli(
  dataDir: string,
  args: string[],
  fault?: string,
  timeoutMs = 180_000,
  /** Called with everything the child wrote to stderr so far, to signal it at a moment of the run. */
  watch?: (stderr: string, signal: (s: NodeJS.Signals) => void) => void,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_HOME: dataDir }
    if (fault) env.SWITCHYARD_FAULT = fault
    else delete env.SWITCHYARD_FAULT
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      watch?.(stderr, (sig) => child.kill(sig))
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`switchyard ${args.join(' ')} did not end within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, endedAt: Date.now() })
    })
  })
}
