import type { HealthStatus } from '../health'
import type { PgFinding, PgLagThresholds, PgNodeSnapshot, PgReplicationRow, PgStandbyLag } from '../systems/postgres'
import { gradeHigh, reasonFor, worstStatus } from './health'
import { compareLsn, lsnDiff, maxLsn } from './pg-lsn'
import { formatBytes, formatSeconds } from './units'

export const DEFAULT_LAG_THRESHOLDS: PgLagThresholds = {
  bytes: { warn: 16 * 1024 * 1024, critical: 256 * 1024 * 1024 },
  seconds: { warn: 10, critical: 60 },
}

/** Replication slot names allow only lower-case letters, digits and underscore. */
export function slotNameFor(nodeName: string): string {
  return nodeName
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63)
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
function sameHost(a: string, b: string): boolean {
  return a === b || (LOOPBACK.has(a) && LOOPBACK.has(b))
}

/** The listed node at host:port, as a WAL receiver's sender_host/sender_port names it. */
export function nodeAt(nodes: readonly Pick<PgNodeSnapshot, 'name' | 'host' | 'port'>[], host: string | null, port: number | null): string | undefined {
  if (host === null || port === null) return undefined
  return nodes.find((n) => n.port === port && sameHost(n.host, host))?.name
}

function rowFor(upstream: PgNodeSnapshot | undefined, standby: string): PgReplicationRow | undefined {
  if (!upstream) return undefined
  return upstream.replication.find((r) => r.applicationName === standby) ?? upstream.replication.find((r) => r.slotName === slotNameFor(standby))
}

export interface LagInput {
  /** Standby reachable and in recovery; false when its server cannot be reached. */
  reachable: boolean
  error?: string
  /** pg_stat_replication.state on the upstream, or the WAL receiver status when the upstream is not known. */
  state: string | null
  syncState: string | null
  bytes: number | null
  /** replay_lag as measured by the upstream; null when the upstream reports none (idle or not connected). */
  replayLagSeconds: number | null
  /** Seconds since the last replayed commit by the standby's clock; only meaningful while bytes > 0. */
  replayAgeSeconds: number | null
}

/**
 * Grade one standby. Lag in seconds is only held against a standby that still has WAL to replay:
 * on an idle primary the last replayed commit gets old while nothing is outstanding, which is
 * "caught up (idle)", not lag.
 */
export function gradeLag(
  input: LagInput,
  t: PgLagThresholds = DEFAULT_LAG_THRESHOLDS,
): Pick<PgStandbyLag, 'status' | 'label' | 'reason' | 'bytes' | 'seconds'> {
  const { bytes } = input
  if (!input.reachable && input.state === null) {
    return { status: 'critical', label: 'down', reason: `down${input.error ? `: ${input.error}` : ''}`, bytes, seconds: null }
  }
  const state = input.state ?? 'not streaming'
  if (state !== 'streaming') {
    const catching = state === 'catchup' || state === 'startup' || state === 'backup'
    return {
      status: catching ? 'warn' : 'critical',
      label: catching ? 'catching up' : 'not streaming',
      reason: `${catching ? 'catching up' : 'not streaming'} (${state})${bytes !== null ? `, ${formatBytes(bytes)} behind` : ''}`,
      bytes,
      seconds: input.replayLagSeconds,
    }
  }
  if (bytes === 0) {
    const idle = input.replayLagSeconds === null
    return {
      status: 'ok',
      label: idle ? 'caught up (idle)' : 'streaming',
      reason: idle ? 'caught up (idle)' : 'caught up',
      bytes: 0,
      seconds: input.replayLagSeconds ?? 0,
    }
  }
  const seconds = input.replayLagSeconds ?? (bytes === null ? null : input.replayAgeSeconds)
  const byBytes = bytes === null ? 'unknown' : gradeHigh(bytes, t.bytes)
  const bySeconds = seconds === null ? 'ok' : gradeHigh(seconds, t.seconds)
  const status: HealthStatus = bytes === null && seconds === null ? 'unknown' : worstStatus([byBytes === 'unknown' ? 'ok' : byBytes, bySeconds])
  const parts = [
    bytes === null ? 'bytes behind unknown' : `${formatBytes(bytes)} behind`,
    seconds === null ? undefined : `${formatSeconds(seconds)} replay lag`,
  ]
  return { status, label: 'streaming', reason: parts.filter(Boolean).join(', '), bytes, seconds }
}

export interface BuiltTopology {
  primary: string | null
  nodes: PgNodeSnapshot[]
  standbys: PgStandbyLag[]
  findings: PgFinding[]
  status: HealthStatus
  reason: string
}

/**
 * Put the per-node readings together: who is primary, whom each standby streams from (also
 * cascades and standbys not in the node list), lag per standby and the findings a DBA must see.
 */
export function buildTopology(readings: readonly PgNodeSnapshot[], t: PgLagThresholds = DEFAULT_LAG_THRESHOLDS): BuiltTopology {
  const nodes: PgNodeSnapshot[] = readings.map((n) => ({ ...n, replication: [...n.replication], slots: [...n.slots] }))
  const findings: PgFinding[] = []
  const primaries = nodes.filter((n) => n.role === 'primary')
  // With two primaries, the one other nodes stream from is "the" primary; the other is the stray.
  const fedBy = (p: PgNodeSnapshot) => p.replication.filter((r) => r.state === 'streaming').length
  const primaryNode = [...primaries].sort((a, b) => fedBy(b) - fedBy(a) || compareTimeline(b, a))[0]
  const primary = primaryNode?.name ?? null

  if (nodes.every((n) => n.role === 'down')) findings.push({ status: 'critical', reason: 'no node reachable' })
  else if (primaries.length === 0) findings.push({ status: 'critical', reason: 'no primary: every reachable node is a standby' })
  if (primaries.length > 1) {
    findings.push({ status: 'critical', reason: `split brain: ${primaries.map((p) => p.name).join(' and ')} both accept writes` })
    for (const p of primaries) if (p !== primaryNode) p.needsRewind = true
  }

  // Upstream of each reachable standby, from its WAL receiver.
  for (const n of nodes) {
    if (n.role !== 'standby') continue
    const wr = n.walReceiver
    const sender = wr ? (nodeAt(nodes, wr.senderHost, wr.senderPort) ?? (wr.senderHost !== null ? `${wr.senderHost}:${wr.senderPort ?? ''}` : null)) : null
    n.upstream = sender ?? nodes.find((u) => u.name !== n.name && rowFor(u, n.name))?.name ?? null
  }
  // Standbys that upstreams report but that are not in the node list (e.g. a replica just added).
  for (const u of [...nodes]) {
    for (const r of u.replication) {
      if (nodes.some((n) => n.name === r.applicationName || slotNameFor(n.name) === r.slotName)) continue
      nodes.push({
        name: r.applicationName || `pid ${r.pid}`,
        host: r.clientAddr ?? '?',
        port: 0,
        listed: false,
        role: 'standby',
        upstream: u.name,
        replication: [],
        slots: [],
        replayLsn: r.replayLsn,
        receiveLsn: r.flushLsn,
      })
    }
  }

  const primaryLsn = primaryNode?.currentLsn
  const standbys: PgStandbyLag[] = []
  for (const n of nodes) {
    if (n.role === 'primary') continue
    // Without any primary, a node that is down is most likely the failed primary, not a standby.
    if (n.role === 'down' && !primaryNode) {
      findings.push({ status: 'critical', reason: `${n.name} is down${n.error ? `: ${n.error.message}` : ''}` })
      continue
    }
    const upstreamName = n.role === 'standby' ? (n.upstream ?? null) : (nodes.find((u) => u.name !== n.name && rowFor(u, n.name))?.name ?? null)
    const upstream = nodes.find((u) => u.name === upstreamName)
    const row = rowFor(upstream, n.name)
    let bytes: number | null = null
    if (row && upstream === primaryNode && row.replayBytes !== null) bytes = Math.max(0, row.replayBytes)
    else if (primaryLsn && n.replayLsn) bytes = Math.max(0, lsnDiff(primaryLsn, n.replayLsn))
    const state = n.role === 'down' ? null : (row?.state ?? n.walReceiver?.status ?? 'not streaming')
    const graded = gradeLag(
      {
        reachable: n.role !== 'down',
        error: n.error?.message,
        state,
        syncState: row?.syncState ?? null,
        bytes: n.role === 'down' ? null : bytes,
        replayLagSeconds: row?.replayLagMs != null ? row.replayLagMs / 1000 : null,
        replayAgeSeconds: n.replayAgeSeconds ?? null,
      },
      t,
    )
    standbys.push({ standby: n.name, upstream: upstreamName, state: state ?? 'down', syncState: row?.syncState ?? null, ...graded })
  }

  for (const n of nodes) {
    for (const s of n.slots) {
      if (s.walStatus === 'lost') findings.push({ status: 'critical', reason: `slot ${s.name} on ${n.name} lost required WAL; its standby must be re-cloned` })
      else if (!s.active && (s.retainedBytes ?? 0) > 0)
        findings.push({ status: 'warn', reason: `slot ${s.name} on ${n.name} is inactive and retains ${formatBytes(s.retainedBytes ?? 0)} of WAL` })
      else if (s.walStatus === 'unreserved')
        findings.push({ status: 'warn', reason: `slot ${s.name} on ${n.name} is past max_slot_wal_keep_size; WAL will be removed at the next checkpoint` })
    }
    if (n.needsRewind) findings.push({ status: 'warn', reason: `${n.name} diverged from ${primary ?? 'the primary'}: rejoin it with pg_rewind` })
    if (n.role === 'standby' && n.replayPaused) findings.push({ status: 'warn', reason: `WAL replay is paused on ${n.name}` })
  }
  for (const s of standbys) if (s.status !== 'ok') findings.push({ status: s.status, reason: `${s.standby}: ${s.reason}` })

  const status = worstStatus([...findings.map((f) => f.status), 'ok'])
  const okText = `${primary ?? 'no'} primary, ${standbys.length} standby(s) ok`
  return { primary, nodes, standbys, findings, status, reason: findings.length ? reasonFor(findings, okText) : okText }
}

function compareTimeline(a: PgNodeSnapshot, b: PgNodeSnapshot): number {
  return (a.timeline ?? 0) - (b.timeline ?? 0)
}

export interface Candidate {
  name: string
  receiveLsn: string | null
  replayLsn: string | null
}

/**
 * The standby to promote when the primary is gone: the one holding the most WAL (received, not
 * just replayed: it replays the rest before promotion), ties broken by replay, then list order.
 */
export function mostAdvancedStandby(candidates: readonly Candidate[]): Candidate | undefined {
  const pos = (c: Candidate) => maxLsn(c.receiveLsn, c.replayLsn)
  let best: Candidate | undefined
  for (const c of candidates) {
    const p = pos(c)
    if (!p) continue
    if (!best) {
      best = c
      continue
    }
    const bp = pos(best)!
    const cmp = compareLsn(p, bp)
    if (cmp > 0 || (cmp === 0 && c.replayLsn && best.replayLsn && compareLsn(c.replayLsn, best.replayLsn) > 0)) best = c
  }
  return best
}
