import type { ConnError, HealthStatus } from '../health'
import type {
  ClusterNodeEntry,
  MasterBalance,
  RedisFeatures,
  RedisFinding,
  RedisNode,
  RedisTimelineEvent,
  RedisTopology,
  SlotOwnerRange,
} from '../systems/redis'
import { myselfOf, statsFromInfo } from './redis-parse'
import { countSlots, SLOT_COUNT } from './slots'
import { topologyFindings } from './redis-topology-findings'
import { formatBytes } from './units'

/**
 * Turns what every node said (CLUSTER NODES, CLUSTER INFO, INFO) into one snapshot: the slot map,
 * balance per master and the health findings a DBA acts on.
 */

export interface NodePoll {
  /** host:port as announced. */
  addr: string
  nodes?: ClusterNodeEntry[]
  info?: Record<string, string>
  clusterInfo?: Record<string, string>
  error?: ConnError
}

export interface TopologyThresholds {
  memoryWarn: number
  memoryCritical: number
  lagWarnBytes: number
  lagCriticalBytes: number
  /** Percent away from the even share before the imbalance becomes a warning. */
  imbalanceWarnPct: number
  imbalanceInfoPct: number
}

export const defaultThresholds: TopologyThresholds = {
  memoryWarn: 0.8,
  memoryCritical: 0.9,
  lagWarnBytes: 1_048_576,
  lagCriticalBytes: 64 * 1_048_576,
  imbalanceWarnPct: 10,
  imbalanceInfoPct: 2,
}

export interface BuildTopologyInput {
  environment: string
  endpointId: string
  name: string
  /** The poll whose CLUSTER NODES is the reference view. */
  referenceAddr: string | null
  polls: readonly NodePoll[]
  features: RedisFeatures
  checkedAt: number
  durationMs: number
  thresholds?: TopologyThresholds
}

const badFlags = ['fail', 'fail?', 'handshake', 'noaddr']

export function isUsable(n: ClusterNodeEntry): boolean {
  return !n.flags.some((f) => badFlags.includes(f))
}

/** Owner of every slot per one node's view; null where uncovered. */
export function slotOwners(nodes: readonly ClusterNodeEntry[]): (string | null)[] {
  const owners = new Array<string | null>(SLOT_COUNT).fill(null)
  for (const n of nodes) {
    if (n.role !== 'master') continue
    for (const r of n.slots) for (let s = r.start; s <= r.end; s++) owners[s] = n.id
  }
  return owners
}

/** Runs of slots sharing owner and migration state, for the 16384-cell slot map. */
export function slotOwnerRanges(
  nodes: readonly ClusterNodeEntry[],
  open: { migrating: Map<number, string>; importing: Map<number, string> },
): SlotOwnerRange[] {
  const owners = slotOwners(nodes)
  const out: SlotOwnerRange[] = []
  for (let s = 0; s < SLOT_COUNT; s++) {
    const owner = owners[s] ?? null
    const migratingTo = open.migrating.get(s)
    const importingFrom = open.importing.get(s)
    const last = out[out.length - 1]
    if (last && last.end === s - 1 && last.owner === owner && last.migratingTo === migratingTo && last.importingFrom === importingFrom) last.end = s
    else out.push({ start: s, end: s, owner, ...(migratingTo ? { migratingTo } : {}), ...(importingFrom ? { importingFrom } : {}) })
  }
  return out
}

/** Open (half-migrated) slots from the "myself" line of every node that answered. */
export function openSlots(polls: readonly NodePoll[]): {
  migrating: Map<number, string>
  importing: Map<number, string>
  byNode: Map<string, { migrating: number[]; importing: number[] }>
} {
  const migrating = new Map<number, string>()
  const importing = new Map<number, string>()
  const byNode = new Map<string, { migrating: number[]; importing: number[] }>()
  for (const p of polls) {
    const me = myselfOf(p.nodes)
    if (!me) continue
    for (const m of me.migrating) migrating.set(m.slot, m.to)
    for (const i of me.importing) importing.set(i.slot, i.from)
    if (me.migrating.length || me.importing.length)
      byNode.set(me.id, { migrating: me.migrating.map((m) => m.slot), importing: me.importing.map((i) => i.slot) })
  }
  return { migrating, importing, byNode }
}

const severityStatus: Record<RedisFinding['severity'], HealthStatus> = { info: 'ok', warn: 'warn', critical: 'critical' }
const order: Record<HealthStatus, number> = { ok: 0, unknown: 1, warn: 2, critical: 3 }

/** Even share of slots per master (weights 1), for display of the imbalance. */
export function masterBalance(masters: readonly ClusterNodeEntry[], all: readonly ClusterNodeEntry[], stats: Map<string, RedisNode['stats']>): MasterBalance[] {
  const expected = masters.length ? SLOT_COUNT / masters.length : 0
  return masters.map((m) => {
    const slots = countSlots(m.slots)
    const s = stats.get(m.id)
    return {
      id: m.id,
      addr: m.addr,
      slots,
      ranges: m.slots,
      expectedSlots: expected,
      imbalancePct: expected ? Math.round(((slots - expected) / expected) * 1000) / 10 : 0,
      keys: s ? s.keys : null,
      usedMemory: s ? s.usedMemory : null,
      replicas: all.filter((r) => r.masterId === m.id && r.role === 'replica' && !r.flags.includes('fail')).length,
    }
  })
}

interface NodeContext {
  poll?: NodePoll
  stats: Map<string, RedisNode['stats']>
  byId: Map<string, ClusterNodeEntry>
  thresholds: TopologyThresholds
}

/** One node as the tables show it: its own view of open slots, its lag behind its master, its status and why. */
function gradeNode(n: ClusterNodeEntry, { poll: p, stats, byId, thresholds: t }: NodeContext): RedisNode {
  const s = stats.get(n.id) ?? null
  const me = myselfOf(p?.nodes)
  const entry: ClusterNodeEntry = {
    ...n,
    flags: n.flags.filter((f) => f !== 'myself'),
    migrating: me?.migrating ?? n.migrating,
    importing: me?.importing ?? n.importing,
  }
  let lagBytes: number | null = null
  if (n.role === 'replica' && n.masterId && s) {
    const ms = stats.get(n.masterId)
    if (ms) lagBytes = Math.max(0, ms.replOffset - s.replOffset)
  }
  let status: HealthStatus = 'ok'
  const notes: string[] = []
  const raise = (st: HealthStatus, note: string) => {
    if (order[st] > order[status]) status = st
    notes.push(note)
  }
  if (p?.error) raise(n.role === 'master' ? 'critical' : 'warn', `unreachable: ${p.error.message}`)
  else if (!p) raise('unknown', 'not polled')
  if (n.flags.includes('fail')) raise(n.role === 'master' && n.slots.length ? 'critical' : 'warn', 'flagged FAIL by the cluster')
  else if (n.flags.includes('fail?')) raise('warn', 'suspected failing (PFAIL)')
  if (n.flags.includes('handshake')) raise('warn', 'handshake in progress')
  if (n.flags.includes('noaddr')) raise('warn', 'no known address')
  if (n.linkState === 'disconnected' && !n.flags.includes('myself')) raise('warn', 'cluster bus link down')
  if (s?.role === 'replica' && s.masterLinkStatus === 'down') raise('warn', 'replication link down')
  if (lagBytes !== null && lagBytes >= t.lagWarnBytes) raise(lagBytes >= t.lagCriticalBytes ? 'critical' : 'warn', `replica ${formatBytes(lagBytes)} behind`)
  if (s?.memoryFraction !== null && s?.memoryFraction !== undefined && s.memoryFraction >= t.memoryWarn)
    raise(s.memoryFraction >= t.memoryCritical ? 'critical' : 'warn', `memory ${Math.round(s.memoryFraction * 100)}% of maxmemory`)
  let detail: string
  if (notes.length) detail = notes.join('; ')
  else if (n.role === 'master') detail = `master, ${countSlots(n.slots)} slots${s ? `, ${s.keys} keys, ${formatBytes(s.usedMemory)}` : ''}`
  else detail = `replica of ${(n.masterId && byId.get(n.masterId)?.addr) ?? n.masterId ?? '?'}${lagBytes !== null ? `, lag ${formatBytes(lagBytes)}` : ''}`
  return { ...entry, stats: s, lagBytes, ...(p?.error ? { error: p.error } : {}), status, detail }
}

type TopologyBase = Pick<RedisTopology, 'environment' | 'endpointId' | 'name' | 'features' | 'checkedAt' | 'durationMs'>

/** No seed answered: nothing to show but why. */
function unreachableTopology(base: TopologyBase, polls: readonly NodePoll[]): RedisTopology {
  const err = polls.find((p) => p.error)?.error
  const reason = `no seed node answered${err ? `: ${err.message}` : ''}`
  return {
    ...base,
    seed: null,
    clusterState: 'unknown',
    clusterInfo: {},
    nodes: [],
    slots: [],
    masters: [],
    findings: [{ code: 'unreachable', severity: 'critical', message: reason, nodes: polls.map((p) => p.addr) }],
    status: err?.code === 'config' || err?.code === 'auth' ? 'unknown' : 'critical',
    reason,
    ...(err ? { error: err } : {}),
  }
}

/** The worst finding's status, and what it says (or the cluster's shape when all is well). */
function overallStatus(findings: readonly RedisFinding[], liveMasters: number, nodes: number): { status: HealthStatus; reason: string } {
  const graded = findings.map((f) => ({ status: severityStatus[f.severity], reason: f.message }))
  let status: HealthStatus = 'ok'
  for (const g of graded) if (order[g.status] > order[status]) status = g.status
  if (status === 'ok') return { status, reason: `cluster ok: ${liveMasters} masters, ${nodes - liveMasters} other nodes, all 16384 slots covered` }
  return { status, reason: [...new Set(graded.filter((g) => g.status === status).map((g) => g.reason))].join('; ') }
}

/** The whole snapshot, from polls; never throws for a node that did not answer. */
export function buildTopology(input: BuildTopologyInput): RedisTopology {
  const thresholds = input.thresholds ?? defaultThresholds
  const ref = input.polls.find((p) => p.addr === input.referenceAddr && p.nodes)
  const base: TopologyBase = {
    environment: input.environment,
    endpointId: input.endpointId,
    name: input.name,
    features: input.features,
    checkedAt: input.checkedAt,
    durationMs: input.durationMs,
  }
  if (!ref?.nodes) return unreachableTopology(base, input.polls)
  const view = [...ref.nodes].sort((a, b) => a.host.localeCompare(b.host) || a.port - b.port)
  const pollById = new Map<string, NodePoll>()
  for (const p of input.polls) {
    const id = myselfOf(p.nodes)?.id ?? view.find((n) => n.addr === p.addr)?.id
    if (id) pollById.set(id, p)
  }
  const stats = new Map<string, RedisNode['stats']>(view.map((n) => [n.id, pollById.get(n.id)?.info ? statsFromInfo(pollById.get(n.id)!.info!) : null]))
  const byId = new Map(view.map((n) => [n.id, n]))
  const nodes = view.map((n) => gradeNode(n, { poll: pollById.get(n.id), stats, byId, thresholds }))
  const open = openSlots(input.polls)
  const liveMasters = view.filter((n) => n.role === 'master' && !n.flags.includes('fail') && !n.flags.includes('handshake') && !n.flags.includes('noaddr'))
  const masters = masterBalance(liveMasters, view, stats)
  const findings = topologyFindings({ view, nodes, ref, polls: input.polls, pollById, open, liveMasters, masters, thresholds })
  const clusterInfo = ref.clusterInfo ?? {}
  return {
    ...base,
    seed: ref.addr,
    clusterState: clusterInfo.cluster_state ?? 'unknown',
    clusterInfo,
    nodes,
    slots: slotOwnerRanges(view, open),
    masters,
    findings,
    ...overallStatus(findings, liveMasters.length, view.length),
  }
}

/** What changed between two snapshots, for the event timeline. */
export function topologyEvents(prev: RedisTopology | undefined, next: RedisTopology): RedisTimelineEvent[] {
  const at = next.checkedAt
  if (!prev) return []
  const out: RedisTimelineEvent[] = []
  if (prev.clusterState !== next.clusterState) out.push({ at, kind: 'state-changed', message: `cluster_state ${prev.clusterState} → ${next.clusterState}` })
  const before = new Map(prev.nodes.map((n) => [n.id, n]))
  const after = new Map(next.nodes.map((n) => [n.id, n]))
  for (const n of next.nodes) {
    const p = before.get(n.id)
    if (!p) {
      out.push({ at, kind: 'node-added', node: n.addr, message: `${n.addr} joined as ${n.role}` })
      continue
    }
    const failed = (x: RedisNode) => x.flags.includes('fail')
    const pfail = (x: RedisNode) => x.flags.includes('fail?')
    if (!failed(p) && failed(n)) out.push({ at, kind: 'node-failed', node: n.addr, message: `${n.addr} flagged FAIL` })
    else if (!pfail(p) && pfail(n) && !failed(n)) out.push({ at, kind: 'pfail', node: n.addr, message: `${n.addr} suspected failing (PFAIL)` })
    if ((failed(p) || pfail(p)) && !failed(n) && !pfail(n))
      out.push({ at, kind: 'node-recovered', node: n.addr, message: `${n.addr} is reachable by the cluster again` })
    if (p.role === 'replica' && n.role === 'master') out.push({ at, kind: 'promoted', node: n.addr, message: `${n.addr} promoted to master` })
    if (p.role === 'master' && n.role === 'replica') out.push({ at, kind: 'demoted', node: n.addr, message: `${n.addr} is now a replica` })
    if (!p.error && n.error) out.push({ at, kind: 'unreachable', node: n.addr, message: `${n.addr} stopped answering: ${n.error.message}` })
    if (p.error && !n.error) out.push({ at, kind: 'reachable', node: n.addr, message: `${n.addr} answers again` })
    if (n.role === 'master' && p.role === 'master') {
      const a = countSlots(p.slots)
      const b = countSlots(n.slots)
      if (a !== b) out.push({ at, kind: 'slots-moved', node: n.addr, message: `${n.addr} now owns ${b} slots (was ${a})` })
    }
  }
  for (const p of prev.nodes) if (!after.has(p.id)) out.push({ at, kind: 'node-removed', node: p.addr, message: `${p.addr} left the cluster` })
  return out
}
