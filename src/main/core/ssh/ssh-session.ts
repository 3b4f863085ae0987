import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { randomUUID } from 'node:crypto'
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2'
import type { EndpointOf } from '../../../shared/inventory'
import { SwitchyardError, withTimeout } from '../errors'
import { hostKeyChangedError, hostKeyUnknownError, type KnownHostsStore } from './known-hosts'

export interface SshConnectOptions {
  endpoint: EndpointOf<'ssh'>
  password?: string
  passphrase?: string
  knownHosts: KnownHostsStore
  /** Reach the host through this already-open session (a jump host / bastion). */
  via?: SshSession
  /** Told about a key trusted on first use, so the UI can show its fingerprint. */
  onNotice?: (host: string, port: number, message: string) => void
  readyTimeoutMs?: number
}

export interface ExecOptions {
  timeoutMs?: number
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
}

export interface ExecResult {
  code: number | null
  signal?: string
  stdout: string
  stderr: string
}

/** A unix socket, alone in a folder only this user can enter, whose connections the session carries to the remote end. */
export interface LocalForward {
  path: string
  close(): Promise<void>
}

/** Session channels one connection opens at once: below OpenSSH's default MaxSessions (10), with one more kept for cleaning up after a timed-out command. */
export const CHANNELS_PER_SESSION = 8

/**
 * The line sshd hands to the account's login shell: /bin/sh running the command, which travels in
 * base64 so that no quoting rule of bash, dash, zsh, csh or fish ever touches it. The tag in sh's
 * arguments finds the command's processes again if it has to be killed.
 */
export function posixCommand(command: string, tag: string): string {
  const b64 = Buffer.from(command, 'utf8').toString('base64')
  return `/bin/sh -c 'eval "$(printf %s ${b64} | base64 -d)"' ${tag}`
}

/** A counting semaphore: acquire() resolves with the release once a slot is free, first come first served. */
class Slots {
  private used = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly size: number) {}

  async acquire(): Promise<() => void> {
    if (this.used >= this.size) await new Promise<void>((r) => this.waiting.push(r))
    else this.used++
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.used--
    }
  }
}

/** One authenticated SSH connection with host-key verification, command execution and tunnels. */
export class SshSession {
  private closed = false
  private readonly channels = new Slots(CHANNELS_PER_SESSION)
  private readonly cleanups = new Slots(1)
  private readonly forwards = new Set<() => Promise<void>>()

  private constructor(
    private readonly client: Client,
    readonly label: string,
  ) {
    client.on('close', () => (this.closed = true))
    client.on('error', () => (this.closed = true))
  }

  get isOpen(): boolean {
    return !this.closed
  }

  static async connect(opts: SshConnectOptions): Promise<SshSession> {
    const { endpoint: ep } = opts
    const label = `${ep.user}@${ep.host}:${ep.port}`
    const config: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      readyTimeout: opts.readyTimeoutMs ?? 10_000,
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
    }
    if (ep.auth.method === 'key') {
      try {
        config.privateKey = await readFile(ep.auth.keyPath)
      } catch (err) {
        throw new SwitchyardError('config', `cannot read the private key ${ep.auth.keyPath}: ${(err as Error).message}`)
      }
      if (opts.passphrase) config.passphrase = opts.passphrase
    } else if (ep.auth.method === 'agent') {
      if (!process.env.SSH_AUTH_SOCK) throw new SwitchyardError('config', 'SSH agent authentication chosen, but no agent is running (SSH_AUTH_SOCK is not set)')
      config.agent = process.env.SSH_AUTH_SOCK
    } else {
      if (!opts.password) throw new SwitchyardError('auth', `no password stored for ${label}`)
      config.password = opts.password
    }
    if (opts.via) config.sock = await opts.via.forwardStream(ep.host, ep.port)

    const client = new Client()
    let verdict: Promise<void> = Promise.resolve()
    let rejection: SwitchyardError | undefined
    config.hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
      verdict = opts.knownHosts.check(ep.host, ep.port, key).then(
        (d) => {
          if (d.trusted) {
            if (d.firstUse)
              opts.onNotice?.(ep.host, ep.port, `new host key for ${ep.host}:${ep.port} trusted on first use: ${d.info.algorithm} ${d.info.fingerprint}`)
          } else rejection = d.unknown ? hostKeyUnknownError(d.info) : hostKeyChangedError(d.info)
          verify(d.trusted)
        },
        (err: unknown) => {
          rejection = new SwitchyardError('config', `cannot read the known-hosts store: ${(err as Error).message}`)
          verify(false)
        },
      )
    }

    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        client.removeAllListeners('ready')
        // a failed connection may still report the socket's end later: that must not be an uncaught error
        client.on('error', () => undefined)
        client.end()
        void verdict.finally(() => reject(rejection ?? err))
      }
      client.once('ready', () => {
        client.removeListener('error', fail)
        resolve()
      })
      client.once('error', fail)
      client.connect(config)
    })
    return new SshSession(client, label)
  }

  /**
   * Run one command line (build it with shellCommand/shq) under /bin/sh, whatever the account's
   * login shell. Resolves with its exit code; never throws for a non-zero exit. At most
   * CHANNELS_PER_SESSION run at once (the rest wait their turn, below sshd's MaxSessions); one
   * that times out has its channel closed and every process it started killed on the host.
   */
  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? 60_000
    const tag = `switchyard-${randomUUID()}`
    const release = await this.channels.acquire()
    const channelOpen = this.openExec(posixCommand(command, tag))
    const run = channelOpen.then(
      (channel) =>
        new Promise<ExecResult>((resolve) => {
          let stdout = ''
          let stderr = ''
          channel.on('data', (d: Buffer) => {
            const s = d.toString('utf8')
            stdout += s
            opts.onStdout?.(s)
          })
          channel.stderr.on('data', (d: Buffer) => {
            const s = d.toString('utf8')
            stderr += s
            opts.onStderr?.(s)
          })
          channel.on('close', (code: number | null, signal?: string) => resolve({ code, signal, stdout, stderr }))
        }),
    )
    run.catch(() => undefined)
    try {
      return await withTimeout(`"${command.slice(0, 60)}" on ${this.label}`, timeoutMs, run)
    } catch (err) {
      if ((err as SwitchyardError).code === 'timeout') {
        // the command may have started only now (sshd forks one session at a time): kill it once it has
        const channel = await withTimeout('the channel to open', 5000, channelOpen).catch(() => undefined)
        channel?.close()
        // sshd keeps the session (and counts it against MaxSessions) until its processes are gone
        await this.killTagged(tag)
        await withTimeout('the channel to close', 5000, run).catch(() => undefined)
      }
      throw err
    } finally {
      release()
    }
  }

  /**
   * An exec channel. sshd refuses one while it still counts sessions that are closing (their
   * processes not yet reaped) against MaxSessions: that refusal is retried for a few seconds.
   */
  private async openExec(line: string): Promise<ClientChannel> {
    for (let delay = 25; ; delay *= 2) {
      try {
        return await new Promise<ClientChannel>((resolve, reject) => this.client.exec(line, (err, channel) => (err ? reject(err) : resolve(channel))))
      } catch (err) {
        if (delay > 1600 || !/open failed|administratively prohibited|resource shortage/i.test((err as Error).message) || this.closed)
          throw new SwitchyardError('closed', `cannot open a channel on ${this.label}: ${(err as Error).message}`)
        await new Promise((r) => setTimeout(r, delay))
      }
    }
  }

  /** Everything a timed-out command started: its session on the host (sshd gives each channel its own), found by the tag in its shell's arguments. */
  private async killTagged(tag: string): Promise<void> {
    const kill = `for p in $(pgrep -f ${tag}); do s=$(ps -o sid= -p "$p" | tr -d ' '); [ -n "$s" ] && pkill -KILL -s "$s"; done; true`
    const release = await this.cleanups.acquire()
    try {
      await withTimeout(
        `cleaning up after a timed-out command on ${this.label}`,
        5000,
        this.openExec(posixCommand(kill, `switchyard-cleanup-${randomUUID()}`)).then(
          (channel) =>
            new Promise<void>((resolve) => {
              channel.resume()
              channel.stderr.resume()
              channel.on('close', () => resolve())
            }),
        ),
      ).catch(() => undefined)
    } finally {
      release()
    }
  }

  /** A file's bytes to a path on the host over SFTP (no size limit of a command line); mode 0600 unless given. */
  async writeFile(path: string, data: string | Buffer, mode = 0o600): Promise<void> {
    const release = await this.channels.acquire()
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
        this.client.sftp((err, s) => (err ? reject(new SwitchyardError('other', `SFTP on ${this.label}: ${err.message}`)) : resolve(s))),
      )
      try {
        await withTimeout(
          `writing ${path} on ${this.label}`,
          30_000,
          new Promise<void>((resolve, reject) =>
            sftp.writeFile(path, data, { mode }, (err) =>
              err ? reject(new SwitchyardError('other', `cannot write ${path} on ${this.label}: ${err.message}`)) : resolve(),
            ),
          ),
        )
      } finally {
        sftp.end()
      }
    } finally {
      release()
    }
  }

  /** Like exec, but a non-zero exit is an error carrying the end of stderr. */
  async run(command: string, opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(command, opts)
    if (r.code !== 0) {
      const tail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')
      throw new SwitchyardError('other', `command failed on ${this.label} (exit ${r.code ?? r.signal}): ${command}\n${tail}`)
    }
    return r.stdout
  }

  forwardStream(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
        err ? reject(new SwitchyardError('refused', `tunnel via ${this.label} to ${host}:${port} failed: ${err.message}`)) : resolve(stream),
      )
    })
  }

  /** A stream to a unix socket on the remote host (e.g. /var/run/docker.sock). */
  forwardSocketStream(socketPath: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.openssh_forwardOutStreamLocal(socketPath, (err, stream) =>
        err ? reject(new SwitchyardError('refused', `tunnel via ${this.label} to ${socketPath} failed: ${err.message}`)) : resolve(stream),
      )
    })
  }

  /**
   * For a driver that can only dial an address: a local unix socket carried to host:port. Never a
   * TCP port — any local user could reach the remote end through one (Patroni's POST /failover).
   */
  forwardLocal(host: string, port: number, socketName: string): Promise<LocalForward> {
    return this.listenLocal(() => this.forwardStream(host, port), socketName)
  }

  /** A local unix socket whose connections reach a unix socket on the remote host (docker.sock). */
  forwardLocalSocket(socketPath: string): Promise<LocalForward> {
    return this.listenLocal(() => this.forwardSocketStream(socketPath), 'docker.sock')
  }

  private async listenLocal(open: () => Promise<Duplex>, socketName: string): Promise<LocalForward> {
    const server = createServer((sock) => {
      open().then(
        (remote) => {
          sock.pipe(remote).pipe(sock)
          remote.on('error', () => sock.destroy())
          sock.on('error', () => remote.destroy())
        },
        () => sock.destroy(),
      )
    })
    // mkdtemp makes the folder 0700: the socket's own mode is not honoured everywhere, the folder's is
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-fwd-'))
    const path = join(dir, socketName)
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(path, resolve)
      })
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      throw err
    }
    const close = () =>
      new Promise<void>((resolve) => {
        this.forwards.delete(close)
        server.close(() => void rm(dir, { recursive: true, force: true }).then(resolve, resolve))
      })
    this.forwards.add(close)
    return { path, close }
  }

  close(): void {
    for (const close of this.forwards) void close()
    this.forwards.clear()
    this.closed = true
    this.client.end()
  }
}
