import { readFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Server } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type ConnectConfig } from 'ssh2'
import type { EndpointOf } from '../../../shared/inventory'
import { SwitchyardError, withTimeout } from '../errors'
import { hostKeyChangedError, type KnownHostsStore } from './known-hosts'

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

export interface LocalForward {
  host: string
  port: number
  close(): Promise<void>
}

/** One authenticated SSH connection with host-key verification, command execution and tunnels. */
export class SshSession {
  private closed = false
  private readonly forwards = new Set<Server>()

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
          } else rejection = hostKeyChangedError(d.info)
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

  /** Run one command line (build it with shellCommand/shq). Resolves with its exit code; never throws for a non-zero exit. */
  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const run = new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err) {
          reject(err)
          return
        }
        let stdout = ''
        let stderr = ''
        stream.on('data', (d: Buffer) => {
          const s = d.toString('utf8')
          stdout += s
          opts.onStdout?.(s)
        })
        stream.stderr.on('data', (d: Buffer) => {
          const s = d.toString('utf8')
          stderr += s
          opts.onStderr?.(s)
        })
        stream.on('close', (code: number | null, signal?: string) => resolve({ code, signal, stdout, stderr }))
      })
    })
    return withTimeout(`"${command.slice(0, 60)}" on ${this.label}`, opts.timeoutMs ?? 60_000, run)
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

  /** A local port on 127.0.0.1 whose connections are carried to host:port by this session. */
  forwardLocal(host: string, port: number): Promise<LocalForward> {
    return this.listenLocal(() => this.forwardStream(host, port))
  }

  /** A local port on 127.0.0.1 whose connections reach a unix socket on the remote host. */
  forwardLocalSocket(socketPath: string): Promise<LocalForward> {
    return this.listenLocal(() => this.forwardSocketStream(socketPath))
  }

  private async listenLocal(open: () => Promise<Duplex>): Promise<LocalForward> {
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
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', resolve)
    })
    this.forwards.add(server)
    const local = server.address() as AddressInfo
    return {
      host: '127.0.0.1',
      port: local.port,
      close: () =>
        new Promise<void>((resolve) => {
          this.forwards.delete(server)
          server.close(() => resolve())
        }),
    }
  }

  close(): void {
    for (const s of this.forwards) s.close()
    this.forwards.clear()
    this.closed = true
    this.client.end()
  }
}
