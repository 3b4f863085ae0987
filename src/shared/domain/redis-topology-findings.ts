import type { ClusterNodeEntry, MasterBalance, RedisFinding, RedisNode } from '../systems/redis'
import { countSlots, formatRanges, toRanges, uncoveredRanges, type SlotRange } from './slots'
import { formatBytes } from './units'
import type { NodePoll, TopologyThresholds } from './redis-topology'

/** What the findings are read from: the reference node's view, the graded nodes and the polls behind them. */
export interface TopologyReading {
  /** The reference node's CLUSTER NODES, sorted by address. */
  view: readonly ClusterNodeEntry[]
  nodes: readonly RedisNode[]
  ref: NodePoll
  polls: readonly NodePoll[]
  pollById: ReadonlyMap<string, NodePoll>
  open: { migrating: Map<number, string>; importing: Map<number, string>; byNode: Map<string, unknown> }
  /** Masters not failed, in handshake or without an address. */
  liveMasters: readonly ClusterNodeEntry[]
  masters: readonly MasterBalance[]
  thresholds: TopologyThresholds
}

export const hostOf = (n: ClusterNodeEntry): string => n.hostname || n.host

const replicasOf = (r: TopologyReading, id: string) => r.view.filter((n) => n.role === 'replica' && n.masterId === id && !n.flags.includes('fail'))

function clusterFindings(r: TopologyReading): RedisFinding[] {
  const out: RedisFinding[] = []
  const clusterState = r.ref.clusterInfo?.cluster_state ?? 'unknown'
  if (clusterState !== 'ok') out.push({ code: 'cluster-state', severity: 'critical', message: `cluster_state is ${clusterState}`, nodes: [r.ref.addr] })
  const covered: SlotRange[] = r.view.filter((n) => n.role === 'master').flatMap((n) => n.slots)
  const uncovered = uncoveredRanges(covered)
  if (uncovered.length)
    out.push({
      code: 'uncovered-slots',
      severity: 'critical',
      message: `${countSlots(uncovered)} slots have no owner: ${formatRanges(uncovered)}`,
      nodes: [],
      fix: { kind: 'redis.fix', label: 'Assign the uncovered slots (like redis-cli --cluster fix)' },
    })
  const openAll = toRanges([...r.open.migrating.keys(), ...r.open.importing.keys()])
  if (openAll.length) {
    const addrOf = new Map(r.view.map((n) => [n.id, n.addr]))
    out.push({
      code: 'open-slots',
      severity: 'warn',
      message: `${countSlots(openAll)} slots are open (migrating/importing): ${formatRanges(openAll)}`,
      nodes: [...r.open.byNode.keys()].map((id) => addrOf.get(id) ?? id),
      fix: { kind: 'redis.fix', label: 'Close the open slots (like redis-cli --cluster fix)' },
    })
  }
  return out
}

function nodeStateFindings(r: TopologyReading): RedisFinding[] {
  const out: RedisFinding[] = []
  for (const n of r.view) {
    const holdsSlots = n.role === 'master' && n.slots.length > 0
    if (n.flags.includes('fail'))
      out.push({ code: 'node-failed', severity: holdsSlots ? 'critical' : 'warn', message: `${n.role} ${n.addr} is flagged FAIL`, nodes: [n.addr] })
    else if (n.flags.includes('fail?'))
      out.push({ code: 'node-pfail', severity: 'warn', message: `${n.role} ${n.addr} is suspected failing (PFAIL)`, nodes: [n.addr] })
    if (n.flags.includes('handshake') || n.flags.includes('noaddr'))
      out.push({
        code: 'handshake',
        severity: 'warn',
        message: `${n.addr} is ${n.flags.includes('handshake') ? 'still in handshake' : 'without an address'}`,
        nodes: [n.addr],
      })
    const p = r.pollById.get(n.id)
    if (p?.error && !n.flags.includes('fail'))
      out.push({ code: 'unreachable', severity: holdsSlots ? 'critical' : 'warn', message: `${n.addr} did not answer: ${p.error.message}`, nodes: [n.addr] })
  }
  return out
}

/** Masters without a working replica, and replicas that would fall with their master's host. */
function redundancyFindings(r: TopologyReading): RedisFinding[] {
  const out: RedisFinding[] = []
  for (const m of r.liveMasters)
    if (m.slots.length > 0 && replicasOf(r, m.id).length === 0)
      out.push({
        code: 'master-without-replica',
        severity: 'warn',
        message: `master ${m.addr} has no working replica: losing it loses ${countSlots(m.slots)} slots`,
        nodes: [m.addr],
        fix: { kind: 'redis.add-replica', label: 'Add a replica to this master' },
      })
  const hosts = new Set(r.view.filter((n) => !n.flags.includes('noaddr')).map(hostOf))
  if (hosts.size === 1 && r.view.length > 1)
    return [
      ...out,
      {
        code: 'single-host',
        severity: 'info',
        message: `all ${r.view.length} nodes run on one host (${[...hosts][0]}): replicas do not protect against losing that host`,
        nodes: [],
      },
    ]
  for (const m of r.liveMasters) {
    const reps = replicasOf(r, m.id)
    if (reps.length && reps.every((n) => hostOf(n) === hostOf(m)))
      out.push({
        code: 'replica-same-host',
        severity: 'warn',
        message: `every replica of ${m.addr} runs on its master's host ${hostOf(m)}`,
        nodes: [m.addr, ...reps.map((n) => n.addr)],
      })
  }
  return out
}

function replicationAndMemoryFindings(r: TopologyReading): RedisFinding[] {
  const t = r.thresholds
  const out: RedisFinding[] = []
  for (const n of r.nodes) {
    if (n.role !== 'replica' || !n.stats) continue
    if (n.stats.masterLinkStatus === 'down')
      out.push({ code: 'replica-link-down', severity: 'warn', message: `replica ${n.addr} has its replication link down`, nodes: [n.addr] })
    else if (n.lagBytes !== null && n.lagBytes >= t.lagWarnBytes)
      out.push({
        code: 'replica-lag',
        severity: n.lagBytes >= t.lagCriticalBytes ? 'critical' : 'warn',
        message: `replica ${n.addr} is ${formatBytes(n.lagBytes)} behind its master`,
        nodes: [n.addr],
      })
  }
  for (const n of r.nodes) {
    const f = n.stats?.memoryFraction
    if (f === null || f === undefined || f < t.memoryWarn) continue
    out.push({
      code: 'memory',
      severity: f >= t.memoryCritical ? 'critical' : 'warn',
      message: `${n.addr} uses ${Math.round(f * 100)}% of maxmemory (${formatBytes(n.stats!.usedMemory)} of ${formatBytes(n.stats!.maxmemory)})`,
      nodes: [n.addr],
    })
  }
  return out
}

function slotSignature(nodes: readonly ClusterNodeEntry[]): string {
  return nodes
    .filter((n) => n.role === 'master' && n.slots.length > 0)
    .map((n) => `${n.id}=${formatRanges(n.slots)}`)
    .sort()
    .join(' ')
}

/** Nodes that disagree with the reference on who owns which slot, or on a master's config epoch. */
function disagreementFindings(r: TopologyReading): RedisFinding[] {
  const refSig = slotSignature(r.view)
  const refEpochs = new Map(r.view.filter((n) => n.role === 'master').map((n) => [n.id, n.configEpoch]))
  const disagree: string[] = []
  for (const p of r.polls) {
    if (!p.nodes || p === r.ref) continue
    const epochDiff = p.nodes.some((n) => n.role === 'master' && refEpochs.has(n.id) && refEpochs.get(n.id) !== n.configEpoch)
    if (slotSignature(p.nodes) !== refSig || epochDiff) disagree.push(p.addr)
  }
  if (!disagree.length) return []
  return [
    {
      code: 'config-disagreement',
      severity: 'warn',
      message: `${disagree.length} node(s) see a different slot map or config epoch than ${r.ref.addr}: ${disagree.join(', ')} (normal for a few seconds after a change)`,
      nodes: disagree,
    },
  ]
}

function balanceFindings(r: TopologyReading): RedisFinding[] {
  const worst = r.masters.reduce((m, b) => Math.max(m, Math.abs(b.imbalancePct)), 0)
  const empty = r.masters.filter((m) => m.slots === 0)
  if (empty.length)
    return [
      {
        code: 'empty-master',
        severity: 'warn',
        message: `${empty.length} master(s) hold no slots: ${empty.map((m) => m.addr).join(', ')}`,
        nodes: empty.map((m) => m.addr),
        fix: { kind: 'redis.rebalance', label: 'Rebalance slots onto the empty masters' },
      },
    ]
  if (worst <= r.thresholds.imbalanceInfoPct) return []
  return [
    {
      code: 'imbalance',
      severity: worst > r.thresholds.imbalanceWarnPct ? 'warn' : 'info',
      message: `slots are up to ${worst.toFixed(1)}% away from an even split`,
      nodes: [],
      fix: { kind: 'redis.rebalance', label: 'Rebalance slots evenly' },
    },
  ]
}

/** Every finding a DBA acts on, in the order they matter: the cluster, its nodes, redundancy, replication, agreement, balance. */
export function topologyFindings(r: TopologyReading): RedisFinding[] {
  return [
    ...clusterFindings(r),
    ...nodeStateFindings(r),
    ...redundancyFindings(r),
    ...replicationAndMemoryFindings(r),
    ...disagreementFindings(r),
    ...balanceFindings(r),
  ]
}
