import type { ConnError, ConnErrorCode, HostKeyInfo } from '../../shared/health'

/** An error that already knows how to present itself to a DBA. */
export class SwitchyardError extends Error {
  constructor(
    readonly code: ConnErrorCode,
    message: string,
    readonly hostKey?: HostKeyInfo,
  ) {
    super(message)
    this.name = 'SwitchyardError'
  }
}

const byErrno: Record<string, [ConnErrorCode, string]> = {
  ECONNREFUSED: ['refused', 'connection refused (is the server running and listening on that port?)'],
  ECONNRESET: ['closed', 'connection reset by the server'],
  EPIPE: ['closed', 'the server closed the connection'],
  ETIMEDOUT: ['timeout', 'timed out'],
  ENOTFOUND: ['dns', 'host name not found'],
  EAI_AGAIN: ['dns', 'host name lookup failed (temporary)'],
  EHOSTUNREACH: ['refused', 'host unreachable'],
  ENETUNREACH: ['refused', 'network unreachable'],
  ENOENT: ['config', 'file or socket not found'],
  EACCES: ['config', 'permission denied'],
}

const patterns: [RegExp, ConnErrorCode][] = [
  [
    /WRONGPASS|NOAUTH|invalid username-password|password authentication failed|authentication failed|All configured authentication methods failed|no pg_hba\.conf entry|SCRAM|Authentication failed/i,
    'auth',
  ],
  [/timed? ?out|timeout/i, 'timeout'],
  [/Connection is closed|socket hang up|Connection terminated|closed the connection|unexpectedly|ended by other party|Connection lost/i, 'closed'],
  [/certificate|SSL|TLS|self[- ]signed/i, 'tls'],
  [/ECONNREFUSED|connect refused/i, 'refused'],
  [/ENOTFOUND|getaddrinfo/i, 'dns'],
  [/Unexpected|parse|malformed|Protocol error|invalid reply/i, 'protocol'],
]

/** Remove anything that looks like a credential from a message before it leaves main. */
export function scrub(message: string, secrets: readonly string[] = []): string {
  let out = message.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@').replace(/(password[=:]\s*)\S+/gi, '$1***')
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***')
  return out
}

/** Map anything thrown by a driver, a socket or ssh2 to the contract's ConnError. */
export function toConnError(err: unknown, secrets: readonly string[] = []): ConnError {
  if (err instanceof SwitchyardError) return { code: err.code, message: scrub(err.message, secrets), ...(err.hostKey ? { hostKey: err.hostKey } : {}) }
  const e = (err ?? {}) as { code?: unknown; message?: unknown; level?: unknown; errors?: unknown[] }
  // AggregateError from happy-eyeballs connects carries the real cause inside.
  if (Array.isArray(e.errors) && e.errors.length > 0) return toConnError(e.errors[0], secrets)
  const raw = typeof e.message === 'string' && e.message ? e.message : String(err)
  const message = scrub(raw, secrets)
  const errno = typeof e.code === 'string' ? byErrno[e.code] : undefined
  if (errno) {
    const [code, text] = errno
    return { code, message: `${text}: ${message}` }
  }
  if (e.level === 'client-authentication') return { code: 'auth', message: `authentication failed: ${message}` }
  if (e.level === 'client-timeout') return { code: 'timeout', message: `timed out: ${message}` }
  // PostgreSQL SQLSTATE class 28 is invalid authorization.
  if (typeof e.code === 'string' && /^28/.test(e.code)) return { code: 'auth', message }
  for (const [re, code] of patterns) if (re.test(raw)) return { code, message }
  return { code: 'other', message }
}

/** Run a promise with a deadline; the error names what timed out. */
export async function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SwitchyardError('timeout', `${what} timed out after ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
