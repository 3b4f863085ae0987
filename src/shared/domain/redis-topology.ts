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
import { countSlots, formatRanges, SLOT_COUNT, toRanges, uncoveredRanges, type SlotRange } from './slots'

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

export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let u = 0
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}

function hostOf(n: ClusterNodeEntry): string {
  return n.hostname || n.host
}

function label(n: ClusterNodeEntry): string {
  return n.addr
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

function slotSignature(nodes: readonly ClusterNodeEntry[]): string {
  return nodes
    .filter((n) => n.role === 'master' && n.slots.length > 0)
    .map((n) => `${n.id}=${formatRanges(n.slots)}`)
    .sort()
    .join(' ')
}

/** The whole snapshot, from polls; never throws for a node that did not answer. */
export function buildTopology(input: BuildTopologyInput): RedisTopology {
  const t = input.thresholds ?? defaultThresholds
  const ref = input.polls.find((p) => p.addr === input.referenceAddr && p.nodes)
  const base = {
    environment: input.environment,
    endpointId: input.endpointId,
    name: input.name,
    features: input.features,
    checkedAt: input.checkedAt,
    durationMs: input.durationMs,
  }
  if (!ref?.nodes) {
    const err = input.polls.find((p) => p.error)?.error
    return {
      ...base,
      seed: null,
      clusterState: 'unknown',
      clusterInfo: {},
      nodes: [],
      slots: [],
      masters: [],
      findings: [
        { code: 'unreachable', severity: 'critical', message: `no seed node answered${err ? `: ${err.message}` : ''}`, nodes: input.polls.map((p) => p.addr) },
      ],
      status: err?.code === 'config' || err?.code === 'auth' ? 'unknown' : 'critical',
      reason: `no seed node answered${err ? `: ${err.message}` : ''}`,
      ...(err ? { error: err } : {}),
    }
  }
  const byAddr = (a: { host: string; port: number }, b: { host: string; port: number }) => a.host.localeCompare(b.host) || a.port - b.port
  const view = [...ref.nodes].sort(byAddr)
  const pollById = new Map<string, NodePoll>()
  for (const p of input.polls) {
    const me = myselfOf(p.nodes)
    const id = me?.id ?? view.find((n) => n.addr === p.addr)?.id
    if (id) pollById.set(id, p)
  }
  const stats = new Map<string, RedisNode['stats']>()
  for (const n of view) {
    const p = pollById.get(n.id)
    stats.set(n.id, p?.info ? statsFromInfo(p.info) : null)
  }
  const open = openSlots(input.polls)
  const findings: RedisFinding[] = []
  const byId = new Map(view.map((n) => [n.id, n]))

  const nodes: RedisNode[] = view.map((n) => {
    const p = pollById.get(n.id)
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
    if (lagBytes !== null && lagBytes >= t.lagWarnBytes) raise(lagBytes >= t.lagCriticalBytes ? 'critical' : 'warn', `replica ${fmtBytes(lagBytes)} behind`)
    if (s?.memoryFraction !== null && s?.memoryFraction !== undefined && s.memoryFraction >= t.memoryWarn)
      raise(s.memoryFraction >= t.memoryCritical ? 'critical' : 'warn', `memory ${Math.round(s.memoryFraction * 100)}% of maxmemory`)
    let detail: string
    if (notes.length) detail = notes.join('; ')
    else if (n.role === 'master') detail = `master, ${countSlots(n.slots)} slots${s ? `, ${s.keys} keys, ${fmtBytes(s.usedMemory)}` : ''}`
    else {
      const m = n.masterId ? byId.get(n.masterId) : undefined
      detail = `replica of ${m ? label(m) : (n.masterId ?? '?')}${lagBytes !== null ? `, lag ${fmtBytes(lagBytes)}` : ''}`
    }
    return { ...entry, stats: s, lagBytes, ...(p?.error ? { error: p.error } : {}), status, detail }
  })

  // --- findings ---
  const clusterInfo = ref.clusterInfo ?? {}
  const clusterState = clusterInfo.cluster_state ?? 'unknown'
  if (clusterState !== 'ok') findings.push({ code: 'cluster-state', severity: 'critical', message: `cluster_state is ${clusterState}`, nodes: [ref.addr] })

  const covered: SlotRange[] = view.filter((n) => n.role === 'master').flatMap((n) => n.slots)
  const uncovered = uncoveredRanges(covered)
  if (uncovered.length)
    findings.push({
      code: 'uncovered-slots',
      severity: 'critical',
      message: `${countSlots(uncovered)} slots have no owner: ${formatRanges(uncovered)}`,
      nodes: [],
      fix: { kind: 'redis.fix', label: 'Assign the uncovered slots (like redis-cli --cluster fix)' },
    })

  const openAll = toRanges([...open.migrating.keys(), ...open.importing.keys()])
  if (openAll.length) {
    findings.push({
      code: 'open-slots',
      severity: 'warn',
      message: `${countSlots(openAll)} slots are open (migrating/importing): ${formatRanges(openAll)}`,
      nodes: [...open.byNode.keys()].map((id) => byId.get(id)?.addr ?? id),
      fix: { kind: 'redis.fix', label: 'Close the open slots (like redis-cli --cluster fix)' },
    })
  }

  for (const n of view) {
    if (n.flags.includes('fail'))
      findings.push({
        code: 'node-failed',
        severity: n.role === 'master' && n.slots.length ? 'critical' : 'warn',
        message: `${n.role} ${label(n)} is flagged FAIL`,
        nodes: [n.addr],
      })
    else if (n.flags.includes('fail?'))
      findings.push({ code: 'node-pfail', severity: 'warn', message: `${n.role} ${label(n)} is suspected failing (PFAIL)`, nodes: [n.addr] })
    if (n.flags.includes('handshake') || n.flags.includes('noaddr'))
      findings.push({
        code: 'handshake',
        severity: 'warn',
        message: `${label(n)} is ${n.flags.includes('handshake') ? 'still in handshake' : 'without an address'}`,
        nodes: [n.addr],
      })
    const p = pollById.get(n.id)
    if (p?.error && !n.flags.includes('fail'))
      findings.push({
        code: 'unreachable',
        severity: n.role === 'master' && n.slots.length ? 'critical' : 'warn',
        message: `${label(n)} did not answer: ${p.error.message}`,
        nodes: [n.addr],
      })
  }

  const liveMasters = view.filter((n) => n.role === 'master' && !n.flags.includes('fail') && !n.flags.includes('handshake') && !n.flags.includes('noaddr'))
  const replicasOf = (id: string) => view.filter((r) => r.role === 'replica' && r.masterId === id && !r.flags.includes('fail'))
  for (const m of liveMasters) {
    if (m.slots.length === 0) continue
    const reps = replicasOf(m.id)
    if (reps.length === 0)
      findings.push({
        code: 'master-without-replica',
        severity: 'warn',
        message: `master ${label(m)} has no working replica: losing it loses ${countSlots(m.slots)} slots`,
        nodes: [m.addr],
        fix: { kind: 'redis.add-replica', label: 'Add a replica to this master' },
      })
  }
  const hosts = new Set(view.filter((n) => !n.flags.includes('noaddr')).map(hostOf))
  if (hosts.size === 1 && view.length > 1) {
    findings.push({
      code: 'single-host',
      severity: 'info',
      message: `all ${view.length} nodes run on one host (${[...hosts][0]}): replicas do not protect against losing that host`,
      nodes: [],
    })
  } else {
    for (const m of liveMasters) {
      const reps = replicasOf(m.id)
      if (reps.length && reps.every((r) => hostOf(r) === hostOf(m)))
        findings.push({
          code: 'replica-same-host',
          severity: 'warn',
          message: `every replica of ${label(m)} runs on its master's host ${hostOf(m)}`,
          nodes: [m.addr, ...reps.map((r) => r.addr)],
        })
    }
  }

  for (const n of nodes) {
    if (n.role !== 'replica' || !n.stats) continue
    if (n.stats.masterLinkStatus === 'down')
      findings.push({ code: 'replica-link-down', severity: 'warn', message: `replica ${n.addr} has its replication link down`, nodes: [n.addr] })
    else if (n.lagBytes !== null && n.lagBytes >= t.lagWarnBytes)
      findings.push({
        code: 'replica-lag',
        severity: n.lagBytes >= t.lagCriticalBytes ? 'critical' : 'warn',
        message: `replica ${n.addr} is ${fmtBytes(n.lagBytes)} behind its master`,
        nodes: [n.addr],
      })
  }
  for (const n of nodes) {
    const f = n.stats?.memoryFraction
    if (f === null || f === undefined || f < t.memoryWarn) continue
    findings.push({
      code: 'memory',
      severity: f >= t.memoryCritical ? 'critical' : 'warn',
      message: `${n.addr} uses ${Math.round(f * 100)}% of maxmemory (${fmtBytes(n.stats!.usedMemory)} of ${fmtBytes(n.stats!.maxmemory)})`,
      nodes: [n.addr],
    })
  }

  // Nodes that disagree with the reference on who owns which slot, or on a master's config epoch.
  const refSig = slotSignature(view)
  const refEpochs = new Map(view.filter((n) => n.role === 'master').map((n) => [n.id, n.configEpoch]))
  const disagree: string[] = []
  for (const p of input.polls) {
    if (!p.nodes || p === ref) continue
    const epochDiff = p.nodes.some((n) => n.role === 'master' && refEpochs.has(n.id) && refEpochs.get(n.id) !== n.configEpoch)
    if (slotSignature(p.nodes) !== refSig || epochDiff) disagree.push(p.addr)
  }
  if (disagree.length)
    findings.push({
      code: 'config-disagreement',
      severity: 'warn',
      message: `${disagree.length} node(s) see a different slot map or config epoch than ${ref.addr}: ${disagree.join(', ')} (normal for a few seconds after a change)`,
      nodes: disagree,
    })

  const masters = masterBalance(liveMasters, view, stats)
  const worst = masters.reduce((m, b) => Math.max(m, Math.abs(b.imbalancePct)), 0)
  const empty = masters.filter((m) => m.slots === 0)
  if (empty.length)
    findings.push({
      code: 'empty-master',
      severity: 'warn',
      message: `${empty.length} master(s) hold no slots: ${empty.map((m) => m.addr).join(', ')}`,
      nodes: empty.map((m) => m.addr),
      fix: { kind: 'redis.rebalance', label: 'Rebalance slots onto the empty masters' },
    })
  else if (worst > t.imbalanceInfoPct)
    findings.push({
      code: 'imbalance',
      severity: worst > t.imbalanceWarnPct ? 'warn' : 'info',
      message: `slots are up to ${worst.toFixed(1)}% away from an even split`,
      nodes: [],
      fix: { kind: 'redis.rebalance', label: 'Rebalance slots evenly' },
    })

  const graded = findings.map((f) => ({ status: severityStatus[f.severity], reason: f.message }))
  let status: HealthStatus = 'ok'
  for (const g of graded) if (order[g.status] > order[status]) status = g.status
  const reasons = graded.filter((g) => g.status === status).map((g) => g.reason)
  const reason =
    status === 'ok'
      ? `cluster ok: ${liveMasters.length} masters, ${view.length - liveMasters.length} other nodes, all 16384 slots covered`
      : [...new Set(reasons)].join('; ')

  return {
    ...base,
    seed: ref.addr,
    clusterState,
    clusterInfo,
    nodes,
    slots: slotOwnerRanges(view, open),
    masters,
    findings,
    status,
    reason,
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
