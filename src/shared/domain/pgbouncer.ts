import type { PgbouncerDatabase, PgbouncerPool } from '../systems/pgbouncer'

export interface BouncerFinding {
  status: 'warn' | 'critical'
  reason: string
}

/** Seconds a client may wait for a server connection before it is an outage rather than a queue. */
export const WAIT_CRITICAL_S = 5

/** Clients waiting, saturated pools, paused or disabled databases. */
export function bouncerFindings(databases: readonly PgbouncerDatabase[], pools: readonly PgbouncerPool[]): BouncerFinding[] {
  const out: BouncerFinding[] = []
  for (const p of pools) {
    const size = databases.find((d) => d.name === p.database)?.poolSize ?? 0
    if (p.clientsWaiting > 0)
      out.push({
        status: p.maxWaitSeconds >= WAIT_CRITICAL_S ? 'critical' : 'warn',
        reason: `${p.clientsWaiting} client(s) waiting on ${p.database}/${p.user}, the oldest for ${p.maxWaitSeconds.toFixed(1)} s`,
      })
    if (size > 0 && p.serversActive >= size)
      out.push({ status: 'warn', reason: `pool ${p.database}/${p.user} saturated: ${p.serversActive}/${size} server connections busy` })
  }
  for (const d of databases) {
    if (d.paused) out.push({ status: 'warn', reason: `${d.name} is paused: clients wait until RESUME` })
    if (d.disabled) out.push({ status: 'warn', reason: `${d.name} is disabled: new clients are refused` })
  }
  return out
}

/**
 * The ini with database `name`'s host and port replaced, in the [databases] section only; other
 * options on the line stay. Returns null when the database has no line of its own there.
 */
export function repointIni(text: string, name: string, host: string, port: number): string | null {
  let section = ''
  let found = false
  const out: string[] = []
  for (const line of text.split('\n')) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line)
    if (header) section = header[1]!.trim().toLowerCase()
    const m = section === 'databases' ? /^(\s*)([^=\s;#]+|"[^"]+")(\s*=\s*)(.*)$/.exec(line) : null
    if (!m || m[2]!.replace(/^"|"$/g, '') !== name) {
      out.push(line)
      continue
    }
    found = true
    let conn = m[4]!
    conn = /(^|\s)host=\S+/.test(conn) ? conn.replace(/(^|\s)host=\S+/, `$1host=${host}`) : `host=${host} ${conn}`
    conn = /(^|\s)port=\S+/.test(conn) ? conn.replace(/(^|\s)port=\S+/, `$1port=${port}`) : `${conn} port=${port}`
    out.push(`${m[1]}${m[2]}${m[3]}${conn.trim()}`)
  }
  return found ? out.join('\n') : null
}
