import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { SwitchyardError } from '../../core/errors'
import { shellCommand, shq } from '../../core/ssh/quote'
import { replaceRemoteFile, restoreRemoteFile } from '../../core/ssh/remote-file'
import type { SshSession } from '../../core/ssh/ssh-session'
import { pollUntil } from '../../core/wait'
import { splitDump } from './nginx-config'

type NginxEndpoint = EndpointOf<'nginx'>

/** Backups of a config file kept next to it, newest first; older ones are pruned. */

/**
 * nginx on its host, over SSH: the effective configuration (`nginx -T`), `nginx -t`, graceful
 * reloads, atomic writes with a backup, the error log, and the TCP connections to a backend.
 */
export class NginxHost {
  private constructor(
    private readonly session: SshSession,
    private readonly endpoint: NginxEndpoint,
  ) {}

  static async open(endpoint: NginxEndpoint, connections: Connections): Promise<NginxHost> {
    if (!endpoint.sshHostId)
      throw new SwitchyardError('config', `${endpoint.name} names no SSH host: Switchyard needs one to read nginx's configuration and to change upstreams`)
    return new NginxHost(await connections.ssh(endpoint.sshHostId), endpoint)
  }

  /** nginx with the endpoint's -c and -p, and then the given flags. */
  command(...flags: string[]): string {
    const args = [...(this.endpoint.configPath ? ['-c', this.endpoint.configPath] : []), ...(this.endpoint.prefix ? ['-p', this.endpoint.prefix] : [])]
    return shellCommand('nginx', ...args, ...flags)
  }

  async version(): Promise<string | null> {
    const r = await this.session.exec(this.command('-v'), { timeoutMs: 10_000 })
    return /nginx\/(\S+)/.exec(r.stderr + r.stdout)?.[1] ?? null
  }

  /** The effective configuration, file by file, as `nginx -T` prints it. */
  async dump(): Promise<{ path: string; text: string }[]> {
    const r = await this.session.exec(this.command('-T', '-q'), { timeoutMs: 15_000 })
    if (r.code !== 0) throw new SwitchyardError('protocol', `nginx -T failed: ${nginxMessage(r.stderr || r.stdout)}`)
    return splitDump(r.stdout)
  }

  /** `nginx -t`: ok, or nginx's own words on what is wrong. */
  async test(): Promise<{ ok: boolean; message: string }> {
    const r = await this.session.exec(this.command('-t'), { timeoutMs: 15_000 })
    return { ok: r.code === 0, message: nginxMessage(r.stderr || r.stdout) }
  }

  /** The master's worker processes (pid file from the configuration, relative to the prefix). */
  async workers(pidPath: string | null): Promise<string[]> {
    const path = pidPath ?? '/run/nginx.pid'
    const abs = path.startsWith('/') ? path : `${this.endpoint.prefix ?? '/etc/nginx/'}${path}`
    const r = await this.session.exec(`ps -o pid= --ppid "$(cat -- ${shq(abs)})"`, { timeoutMs: 10_000 })
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
  }

  /**
   * Graceful reload: new workers take new connections, old ones finish their requests and exit.
   * Resolves once new workers run, so what follows can rely on the new configuration.
   */
  async reload(pidPath: string | null, signal?: AbortSignal): Promise<void> {
    const before = new Set(await this.workers(pidPath))
    const r = await this.session.exec(this.command('-s', 'reload'), { timeoutMs: 15_000 })
    if (r.code !== 0) throw new SwitchyardError('other', `nginx -s reload failed: ${nginxMessage(r.stderr || r.stdout)}`)
    await pollUntil(
      'nginx to start workers with the new configuration',
      10_000,
      async () => ((await this.workers(pidPath)).some((p) => !before.has(p)) ? { done: undefined } : { waiting: 'no new worker yet' }),
      100,
      signal,
    )
  }

  readFile(path: string): Promise<string> {
    return this.session.run(shellCommand('cat', '--', path), { timeoutMs: 10_000 })
  }

  /** Replace a file atomically with a dated backup (see replaceRemoteFile); returns the backup's path. */
  writeAtomic(path: string, text: string): Promise<string> {
    return replaceRemoteFile(this.session, path, text)
  }

  restore(path: string, backup: string): Promise<void> {
    return restoreRemoteFile(this.session, path, backup)
  }

  async tail(path: string, lines: number): Promise<string> {
    const r = await this.session.exec(shellCommand('tail', '-n', lines, '--', path), { timeoutMs: 10_000 })
    if (r.code !== 0) throw new SwitchyardError('other', `cannot read ${path}: ${r.stderr.trim()}`)
    return r.stdout
  }

  /** What a file holds from a byte offset on (at most maxBytes), and its size now. */
  async readFrom(path: string, size: (now: number) => number, maxBytes: number): Promise<{ from: number; text: string }> {
    const stat = await this.session.exec(shellCommand('stat', '-c', '%s', '--', path), { timeoutMs: 10_000 })
    if (stat.code !== 0) throw new SwitchyardError('other', `cannot read ${path}: ${stat.stderr.trim()}`)
    const from = size(Number(stat.stdout.trim()))
    const r = await this.session.exec(`${shellCommand('tail', '-c', `+${from + 1}`, '--', path)} | ${shellCommand('head', '-c', maxBytes)}`, {
      timeoutMs: 10_000,
    })
    if (r.code !== 0) throw new SwitchyardError('other', `cannot read ${path}: ${r.stderr.trim()}`)
    return { from, text: r.stdout }
  }

  /** Established TCP connections from this host to a backend: its requests in flight. */
  async inFlight(address: string): Promise<number> {
    const out = await this.session.run(shellCommand('ss', '-Htn', 'state', 'established', 'dst', address), { timeoutMs: 10_000 })
    return out.split('\n').filter((l) => l.trim()).length
  }

  /**
   * This host's TCP connections to a backend, open or recently closed, by local address: each with
   * its state and, in TIME-WAIT, the seconds it has left (a reused port shows a fresh timer).
   */
  async socketsTo(address: string): Promise<Map<string, { state: string; timewaitLeft: number | null }>> {
    const out = await this.session.run(shellCommand('ss', '-Htno', 'state', 'connected', 'dst', address), { timeoutMs: 10_000 })
    const sockets = new Map<string, { state: string; timewaitLeft: number | null }>()
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/)
      if (f.length < 5) continue
      const timer = /timer:\(timewait,(\d+(?:\.\d+)?)(ms|sec|min)/.exec(line)
      const left = timer ? Number(timer[1]) * (timer[2] === 'ms' ? 0.001 : timer[2] === 'min' ? 60 : 1) : null
      sockets.set(f[3]!, { state: f[0]!, timewaitLeft: left })
    }
    return sockets
  }
}

/** nginx's own message without its "nginx: " prefixes and the "test failed" trailer. */
export function nginxMessage(text: string): string {
  return (
    text
      .split('\n')
      .map((l) =>
        l
          .replace(/^nginx: /, '')
          .replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: /, '$1 ')
          .trim(),
      )
      .filter((l) => l && !/configuration file .* test (is successful|failed)/.test(l))
      .join('\n') || text.trim()
  )
}
