import type { PatroniHistoryEntry, PatroniMember } from '../systems/patroni'
import type { PgNodeSnapshot } from '../systems/postgres'

/** Patroni's leader roles: a leader accepts writes, a standby_leader leads a standby cluster. */
export const isLeaderRole = (role: string) => role === 'leader' || role === 'master' || role === 'primary'
/** Member states of a healthy replica. */
const HEALTHY_STATES = new Set(['running', 'streaming'])

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Members from GET /cluster, matched to the endpoint's nodes by host and port. Throws on a reply without a members list. */
export function parseClusterMembers(reply: unknown, nodes: readonly { name: string; host: string; port: number }[]): PatroniMember[] {
  const members = obj(reply).members
  if (!Array.isArray(members)) throw new Error('the reply has no "members" list: is this a Patroni REST API?')
  return members.map((raw) => {
    const m = obj(raw)
    const host = str(m.host)
    const port = int(m.port)
    const name = str(m.name) ?? '?'
    return {
      name,
      role: str(m.role) ?? 'unknown',
      state: str(m.state) ?? 'unknown',
      host,
      port,
      apiUrl: str(m.api_url),
      timeline: int(m.timeline),
      lagBytes: int(m.lag),
      pendingRestart: m.pending_restart === true,
      tags: obj(m.tags),
      node: nodes.find((n) => n.host === host && n.port === port)?.name ?? nodes.find((n) => n.name === name)?.name ?? null,
    }
  })
}

/** GET /history: [timeline, lsn, reason, timestamp, new leader] rows, oldest first. */
export function parseHistory(reply: unknown): PatroniHistoryEntry[] {
  if (!Array.isArray(reply)) return []
  return reply.flatMap((row) => {
    if (!Array.isArray(row) || typeof row[0] !== 'number') return []
    return [{ timeline: row[0], lsn: Number(row[1]) || 0, reason: String(row[2] ?? ''), at: str(row[3]), leader: str(row[4]) }]
  })
}

/** Where Patroni's view and PostgreSQL's own disagree, and what Patroni itself flags. */
export function patroniFindings(
  members: readonly PatroniMember[],
  nodes: readonly PgNodeSnapshot[],
  paused: boolean,
): { disagreements: string[]; warnings: string[] } {
  const disagreements: string[] = []
  const warnings: string[] = []
  const leaders = members.filter((m) => isLeaderRole(m.role))
  if (leaders.length === 0) disagreements.push('Patroni has no leader')
  for (const m of members) {
    const n = m.node ? nodes.find((x) => x.name === m.node) : undefined
    if (!n) continue
    if (isLeaderRole(m.role) && n.role === 'standby') disagreements.push(`Patroni says ${m.name} leads, but PostgreSQL on ${n.name} is in recovery`)
    if (!isLeaderRole(m.role) && m.role !== 'standby_leader' && n.role === 'primary')
      disagreements.push(`PostgreSQL on ${n.name} accepts writes, but Patroni has ${m.name} as ${m.role}`)
    if (n.role === 'down' && HEALTHY_STATES.has(m.state))
      disagreements.push(`Patroni reports ${m.name} ${m.state}, but PostgreSQL on ${n.name} does not answer`)
    if (n.timeline !== undefined && m.timeline !== null && n.timeline !== m.timeline && n.role !== 'down')
      disagreements.push(`${m.name}: timeline ${m.timeline} in Patroni, ${n.timeline} in PostgreSQL`)
  }
  for (const n of nodes)
    if (n.role === 'primary' && !members.some((m) => m.node === n.name)) disagreements.push(`${n.name} accepts writes but is not a Patroni member`)
  if (paused) warnings.push('Patroni is paused: automatic failover is off (maintenance mode)')
  for (const m of members) {
    if (!HEALTHY_STATES.has(m.state)) warnings.push(`${m.name} is ${m.state} in Patroni`)
    if (m.pendingRestart) warnings.push(`${m.name} has a restart pending (a changed setting needs it)`)
    if (m.tags.nofailover === true) warnings.push(`${m.name} is tagged nofailover: it is never promoted`)
  }
  return { disagreements, warnings }
}
