import type { FailoverMode, RedisNode } from '../systems/redis'
import { parseAddr } from './redis-parse'

/** Which replica to promote, and what each CLUSTER FAILOVER mode does, in words a DBA can check. */

export interface ReplicaChoice {
  replica?: RedisNode
  reason: string
}

/** Find a node by id, id prefix (≥ 8 chars) or host:port. */
export function findNode<T extends { id: string; addr: string; host: string; port: number }>(nodes: readonly T[], ref: string): T | undefined {
  const r = ref.trim()
  const byId = nodes.find((n) => n.id === r)
  if (byId) return byId
  const hp = parseAddr(r)
  if (hp) return nodes.find((n) => n.addr === r || (n.host === hp.host && n.port === hp.port))
  if (r.length >= 8) {
    const prefixed = nodes.filter((n) => n.id.startsWith(r))
    if (prefixed.length === 1) return prefixed[0]
  }
  return undefined
}

function usable(n: RedisNode): boolean {
  return !n.flags.some((f) => f === 'fail' || f === 'fail?' || f === 'handshake' || f === 'noaddr') && !n.error && n.stats !== null
}

/** The best replica of a master: reachable, link up, smallest lag (then largest offset, then id). */
export function chooseBestReplica(nodes: readonly RedisNode[], masterId: string): ReplicaChoice {
  const replicas = nodes.filter((n) => n.role === 'replica' && n.masterId === masterId)
  if (replicas.length === 0) return { reason: 'the master has no replica' }
  const candidates = replicas.filter(usable)
  if (candidates.length === 0) return { reason: `none of the ${replicas.length} replica(s) is reachable and healthy` }
  const linked = candidates.filter((n) => n.stats?.masterLinkStatus === 'up')
  const pool = linked.length ? linked : candidates
  const sorted = [...pool].sort(
    (a, b) => (a.lagBytes ?? Infinity) - (b.lagBytes ?? Infinity) || (b.stats?.replOffset ?? 0) - (a.stats?.replOffset ?? 0) || a.id.localeCompare(b.id),
  )
  const best = sorted[0]!
  const why = linked.length ? `link up, lag ${best.lagBytes ?? '?'} bytes` : 'no replica has its link up; picked the one with the largest offset'
  return { replica: best, reason: replicas.length > 1 ? `best of ${replicas.length} replicas: ${why}` : why }
}

export const failoverModeText: Record<FailoverMode, { command: (replica: string) => string; explain: string; risk: 'low' | 'medium' | 'high' }> = {
  default: {
    command: () => 'CLUSTER FAILOVER',
    explain:
      'Coordinated (manual) failover: the master stops accepting writes, the replica catches up to its exact offset, then gets elected with the votes of the other masters and takes over. No write is lost. Needs the old master and a majority of masters reachable.',
    risk: 'medium',
  },
  force: {
    command: () => 'CLUSTER FAILOVER FORCE',
    explain:
      'The replica does not wait for the master (use when the master is down or unresponsive) but still needs the votes of a majority of masters. Writes the old master accepted and had not yet replicated are lost.',
    risk: 'medium',
  },
  takeover: {
    command: () => 'CLUSTER FAILOVER TAKEOVER',
    explain:
      'The replica promotes itself without any agreement: it bumps the config epoch on its own and claims the slots. Use only when a majority of masters is unreachable (e.g. a lost data centre). Unreplicated writes are lost and, if the old master is alive in a partition, two masters may accept writes until it sees the new epoch.',
    risk: 'high',
  },
}
