import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { KnownHost } from '../../../shared/contract'
import type { HostKeyInfo } from '../../../shared/health'
import { SwitchyardError } from '../errors'
import { readJson, writeJson } from '../json-file'

/** OpenSSH-style fingerprint: SHA256 of the key blob, base64 without padding. */
export function fingerprintOf(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '')
}

/** The algorithm name is the first length-prefixed string of an SSH public key blob. */
export function algorithmOf(key: Buffer): string {
  if (key.length < 4) return 'unknown'
  const len = key.readUInt32BE(0)
  return len > 0 && len < 64 && key.length >= 4 + len ? key.subarray(4, 4 + len).toString('ascii') : 'unknown'
}

export type HostKeyDecision = { trusted: true; firstUse: boolean; info: HostKeyInfo } | { trusted: false; unknown: boolean; info: HostKeyInfo }

/**
 * The app's own known-hosts store. A host's first key is refused — before any password or key is
 * sent — until someone who saw its fingerprint trusts it (the app's "Trust this key", `switchyard
 * hostkey trust`, a pin from a file); `acceptNew` (the CLI's --accept-new-host-key) trusts it on
 * first use instead. Every later connection must present the same key; a different one is refused
 * until the user removes the old entry on purpose.
 */
export class KnownHostsStore {
  private readonly path: string
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    dataDir: string,
    private readonly acceptNew = false,
  ) {
    this.path = join(dataDir, 'known_hosts.json')
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn)
    this.queue = next.catch(() => undefined)
    return next
  }

  list(): Promise<KnownHost[]> {
    return readJson<KnownHost[]>(this.path, [])
  }

  check(host: string, port: number, key: Buffer): Promise<HostKeyDecision> {
    return this.serial(async () => {
      const all = await this.list()
      const info: HostKeyInfo = { host, port, algorithm: algorithmOf(key), fingerprint: fingerprintOf(key) }
      const known = all.find((k) => k.host === host && k.port === port)
      if (!known) {
        if (!this.acceptNew) return { trusted: false, unknown: true, info }
        all.push({ ...info, addedAt: Date.now() })
        await writeJson(this.path, all)
        return { trusted: true, firstUse: true, info }
      }
      if (known.fingerprint === info.fingerprint) return { trusted: true, firstUse: false, info }
      return { trusted: false, unknown: false, info: { ...info, previousFingerprint: known.fingerprint } }
    })
  }

  /** Trust the key with this fingerprint for host:port, as someone compared it with the server's; refused when another key is already trusted there. */
  trust(host: string, port: number, algorithm: string, fingerprint: string): Promise<KnownHost> {
    return this.serial(async () => {
      const all = await this.list()
      const known = all.find((k) => k.host === host && k.port === port)
      if (known && known.fingerprint !== fingerprint)
        throw new SwitchyardError('hostkey-changed', `${host}:${port} already has a trusted key (${known.fingerprint}); remove it under Known hosts first`)
      if (known) return known
      const entry: KnownHost = { host, port, algorithm, fingerprint, addedAt: Date.now() }
      await writeJson(this.path, [...all, entry])
      return entry
    })
  }

  /** Trust exactly this key for host:port, replacing any other: for keys known out of band (the lab's own). */
  pin(host: string, port: number, key: Buffer): Promise<KnownHost> {
    return this.serial(async () => {
      const entry: KnownHost = { host, port, algorithm: algorithmOf(key), fingerprint: fingerprintOf(key), addedAt: Date.now() }
      await writeJson(this.path, [...(await this.list()).filter((k) => !(k.host === host && k.port === port)), entry])
      return entry
    })
  }

  forget(host: string, port: number): Promise<boolean> {
    return this.serial(async () => {
      const all = await this.list()
      const rest = all.filter((k) => !(k.host === host && k.port === port))
      if (rest.length === all.length) return false
      await writeJson(this.path, rest)
      return true
    })
  }
}

export function hostKeyUnknownError(info: HostKeyInfo): SwitchyardError {
  return new SwitchyardError(
    'hostkey-unknown',
    `UNKNOWN HOST KEY for ${info.host}:${info.port} (${info.algorithm} ${info.fingerprint}): nothing was sent to it. ` +
      `Compare it with the server's own (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) before trusting it: "Check fingerprint…" in the app, ` +
      `or switchyard hostkey trust ${info.host}:${info.port} ${info.fingerprint}.`,
    info,
  )
}

export function hostKeyChangedError(info: HostKeyInfo): SwitchyardError {
  return new SwitchyardError(
    'hostkey-changed',
    `HOST KEY CHANGED for ${info.host}:${info.port}: expected ${info.previousFingerprint}, got ${info.fingerprint}. ` +
      'This can mean the server was rebuilt, or that someone is intercepting the connection. ' +
      'Connection blocked; verify the new key with the server owner, then remove the old entry under Known hosts.',
    info,
  )
}
