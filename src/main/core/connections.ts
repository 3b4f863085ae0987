import type { Duplex } from 'node:stream'
import type { HostPort } from '../../shared/inventory'
import { secretKey, type Endpoint, type Environment, type SecretSlot } from '../../shared/inventory'
import { SwitchyardError } from './errors'
import type { KnownHostsStore } from './ssh/known-hosts'
import { SshSession, type LocalForward } from './ssh/ssh-session'

/** What a driver dials for host:port: the address itself, or (through a bastion) a unix socket `path` carried to it. */
export type Dial = HostPort & { path?: string }

/**
 * Everything needed to reach the endpoints of one environment: its secrets, pooled SSH sessions
 * (through jump hosts) and local tunnels for endpoints reached via a bastion. Services get one of
 * these and never look up secrets or open SSH on their own.
 */
export class Connections {
  private readonly sessions = new Map<string, Promise<SshSession>>()
  private readonly tunnels = new Map<string, Promise<LocalForward>>()
  private readonly notices = new Map<string, string[]>()
  private readonly closers: (() => Promise<void>)[] = []

  constructor(
    readonly environment: Environment,
    private readonly secrets: Record<string, string>,
    private readonly knownHosts: KnownHostsStore,
    private readonly onNotice: (message: string) => void = () => undefined,
    /** Stored secrets not handed over because their endpoint now points elsewhere. */
    private readonly withheld: readonly string[] = [],
  ) {}

  /** Host-key notices (first-use trust) not yet shown, for one host or for all. */
  takeNotices(host?: string, port?: number): string[] {
    const out: string[] = []
    for (const [key, list] of this.notices) {
      if (host !== undefined && key !== `${host}:${port}`) continue
      out.push(...list)
      this.notices.delete(key)
    }
    return out
  }

  secret(endpointId: string, slot: SecretSlot = 'password'): string | undefined {
    const key = secretKey(endpointId, slot)
    if (this.withheld.includes(key))
      throw new SwitchyardError(
        'auth',
        `the stored ${slot} of "${endpointId}" was saved for another host, port or user: type it again to send it to the new address`,
      )
    return this.secrets[key]
  }

  /** Every secret value, so error messages can be scrubbed of them. */
  secretValues(): string[] {
    return Object.values(this.secrets)
  }

  endpoint(id: string): Endpoint {
    const e = this.environment.endpoints.find((x) => x.id === id)
    if (!e) throw new SwitchyardError('config', `environment ${this.environment.name} has no endpoint "${id}"`)
    return e
  }

  ssh(id: string): Promise<SshSession> {
    const cached = this.sessions.get(id)
    if (cached) {
      return cached.then((s) => {
        if (s.isOpen) return s
        this.sessions.delete(id)
        return this.ssh(id)
      })
    }
    const opening = this.open(id)
    this.sessions.set(id, opening)
    opening.catch(() => this.sessions.delete(id))
    return opening
  }

  private async open(id: string, depth = 0): Promise<SshSession> {
    const ep = this.endpoint(id)
    if (ep.kind !== 'ssh') throw new SwitchyardError('config', `"${id}" is not an SSH host`)
    if (depth > 5) throw new SwitchyardError('config', `jump hosts of "${id}" form a loop`)
    const via = ep.jumpHostId ? await this.ssh(ep.jumpHostId) : undefined
    return SshSession.connect({
      endpoint: ep,
      password: this.secret(id, 'password'),
      passphrase: this.secret(id, 'passphrase'),
      knownHosts: this.knownHosts,
      via,
      onNotice: (host, port, message) => {
        const key = `${host}:${port}`
        this.notices.set(key, [...(this.notices.get(key) ?? []), message])
        this.onNotice(message)
      },
    })
  }

  /**
   * For drivers that need an address: host:port itself, or a unix socket (in a 0700 folder) that
   * the endpoint's bastion carries to it. No TCP port is ever opened for a tunnel.
   */
  async reach(endpoint: Endpoint, target: HostPort, socketName = 'forward.sock'): Promise<Dial> {
    const via = 'viaSsh' in endpoint ? endpoint.viaSsh : undefined
    if (!via) return target
    const key = `${via}/${target.host}:${target.port}`
    let t = this.tunnels.get(key)
    if (!t) {
      t = this.ssh(via).then((s) => s.forwardLocal(target.host, target.port, socketName))
      this.tunnels.set(key, t)
      t.catch(() => this.tunnels.delete(key))
    }
    return { ...target, path: (await t).path }
  }

  /** For drivers that take a stream: one SSH channel to host:port through the endpoint's bastion, or undefined to dial it directly. */
  async stream(endpoint: Endpoint, target: HostPort): Promise<Duplex | undefined> {
    const via = 'viaSsh' in endpoint ? endpoint.viaSsh : undefined
    return via ? (await this.ssh(via)).forwardStream(target.host, target.port) : undefined
  }

  /** Run when these connections close: services release what they pooled on top of them. */
  onClose(closer: () => Promise<void>): void {
    this.closers.push(closer)
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.closers.splice(0).map((c) => c()))
    const tunnels = [...this.tunnels.values()]
    const sessions = [...this.sessions.values()]
    this.tunnels.clear()
    this.sessions.clear()
    await Promise.allSettled(tunnels.map((t) => t.then((f) => f.close())))
    await Promise.allSettled(sessions.map((s) => s.then((x) => x.close())))
  }
}
