import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls'
import type { Dial } from './connections'
import { SwitchyardError } from './errors'

export interface TlsCheck {
  /** PEM file of the CA that signs the servers; the system's CAs when absent. */
  caFile?: string
  /** verify-ca: the chain is checked, the name in the certificate is not. */
  skipNameCheck?: boolean
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new SwitchyardError('config', `cannot read the CA file ${path}: ${(err as Error).message}`)
  }
}

/**
 * Node TLS options that verify the server: its chain against the CA file (or the system's CAs) and,
 * unless verify-ca was chosen, its certificate against `host` — the server's own name, also when the
 * bytes go through a tunnel's socket. SNI only for names, never for IP addresses (RFC 6066 §3).
 */
export function tlsOptions(host: string | undefined, check: TlsCheck = {}): ConnectionOptions {
  return {
    rejectUnauthorized: true,
    ...(host ? { host } : {}),
    ...(host && isIP(host) === 0 ? { servername: host } : {}),
    ...(check.caFile ? { ca: readCa(check.caFile) } : {}),
    ...(check.skipNameCheck ? { checkServerIdentity: () => undefined } : {}),
  }
}

/**
 * A certificate check for connections whose socket is a tunnel's (the TLS layer sees a socket
 * path, not the server): the certificate must name one of the hosts the endpoint was given.
 */
export function namesOneOf(hosts: readonly string[]): (hostname: string, cert: PeerCertificate) => Error | undefined {
  return (_hostname, cert) => {
    const errors = hosts.map((h) => checkServerIdentity(h, cert))
    return errors.some((e) => e === undefined) ? undefined : errors[0]
  }
}

/** Socket options for a dialled address (the tunnel's socket, or host and port), with TLS checked against the server's own name when asked. */
export function dialOptions(at: Dial, tls?: TlsCheck): { path?: string; host?: string; port?: number; tls?: ConnectionOptions } {
  const target = at.path ? { path: at.path } : { host: at.host, port: at.port }
  return tls ? { ...target, tls: tlsOptions(at.host, tls) } : target
}
