import { whereStopped } from './action-runs'
import type { ActionRun, AuditRecord } from '../actions'
import type { Alert, Observation } from '../alerts'
import type { Fact, TimelineEntry, TimelineKind, TimelineSeverity } from '../timeline'
import { describeAlert } from './alert-eval'

const factKey = (f: Fact) => `${f.endpointId}|${f.aspect}|${f.subject}`
/** Aspects whose subject coming or going is news (a member joined or left); the others only change value. */
const MEMBERSHIP = new Set<Fact['aspect']>(['role', 'backend', 'primary'])

/** A node-down observation as a reachability fact, so every system's nodes going down and up reach the timeline. */
export function reachabilityFacts(observations: readonly Observation[]): Fact[] {
  return observations
    .filter((o) => o.metric === 'node-down')
    .map((o) => ({ endpointId: o.endpointId, subject: o.subject, aspect: 'reachable', value: o.value > 0 ? 'down' : 'up' }))
}

function describeChange(f: Fact, before: string): { kind: TimelineKind; severity: TimelineSeverity; message: string } {
  switch (f.aspect) {
    case 'reachable':
      return f.value === 'down'
        ? { kind: 'node', severity: 'critical', message: `${f.subject} is down` }
        : { kind: 'node', severity: 'ok', message: `${f.subject} is up again` }
    case 'role':
      return { kind: 'role', severity: f.value === 'down' ? 'critical' : 'warn', message: `${f.subject} became ${f.value} (was ${before})` }
    case 'primary':
      return { kind: 'role', severity: 'warn', message: `${f.subject}: primary ${before} → ${f.value}` }
    case 'slots':
      return { kind: 'migration', severity: 'info', message: `${f.subject} owns ${f.value} slots (was ${before})` }
    case 'balancer':
      return { kind: 'balancer', severity: 'info', message: `balancer ${f.value} (was ${before})` }
    case 'backend':
      return {
        kind: 'node',
        severity: f.value === 'down' ? 'critical' : f.value === 'up' ? 'ok' : 'warn',
        message: `backend ${f.subject} ${f.value} (was ${before})`,
      }
    case 'replicas':
      return { kind: 'state', severity: 'info', message: `${f.subject}: ${before} → ${f.value} replicas` }
    case 'state':
      return { kind: 'state', severity: f.value === 'ok' ? 'ok' : 'warn', message: `${f.subject} state ${before} → ${f.value}` }
  }
}

/**
 * What changed between two polls' facts. Only endpoints observed this round are compared (one that
 * could not be read is not "everything vanished"); a subject seen for the first time on an endpoint
 * already known is new, and one no longer reported is gone.
 */
export function factChanges(prev: readonly Fact[], next: readonly Fact[], observed: ReadonlySet<string>, at: number): TimelineEntry[] {
  const before = new Map(prev.map((f) => [factKey(f), f]))
  const known = new Set(prev.map((f) => f.endpointId))
  const out: TimelineEntry[] = []
  const entry = (f: Fact, e: { kind: TimelineKind; severity: TimelineSeverity; message: string }): TimelineEntry => ({
    at,
    ...e,
    endpointId: f.endpointId,
    subject: f.subject,
    source: 'poll',
  })
  for (const f of next) {
    const p = before.get(factKey(f))
    if (p && p.value !== f.value) out.push(entry(f, describeChange(f, p.value)))
    else if (!p && known.has(f.endpointId) && MEMBERSHIP.has(f.aspect))
      out.push(entry(f, { kind: 'node', severity: 'info', message: `${f.subject} appeared (${f.aspect} ${f.value})` }))
  }
  const after = new Set(next.map(factKey))
  for (const p of prev)
    if (observed.has(p.endpointId) && !after.has(factKey(p)) && MEMBERSHIP.has(p.aspect))
      out.push(entry(p, { kind: 'node', severity: 'info', message: `${p.subject} is no longer reported (was ${p.aspect} ${p.value})` }))
  return out
}

/** The facts to keep: this round's, and the last known of endpoints that could not be observed. */
export function mergeFacts(prev: readonly Fact[], next: readonly Fact[], observed: ReadonlySet<string>): Fact[] {
  return [...prev.filter((f) => !observed.has(f.endpointId)), ...next]
}

export function alertEntry(a: Alert): TimelineEntry {
  const at = a.state === 'resolved' ? (a.resolvedAt ?? a.since) : a.state === 'firing' ? (a.firedAt ?? a.since) : a.since
  const severity: TimelineSeverity = a.state === 'resolved' ? 'ok' : a.state === 'pending' ? 'info' : a.level
  const message = a.state === 'resolved' ? describeAlert(a) : `${a.state === 'pending' ? 'breach began' : 'fired'}, ${describeAlert(a)}`
  return { at, kind: 'alert', severity, endpointId: a.endpointId, subject: a.subject, message, source: 'alert' }
}

export function auditEntry(r: AuditRecord): TimelineEntry {
  const base = { at: r.at, kind: 'action' as const, endpointId: null, subject: r.target, source: 'audit' as const }
  if (r.phase === 'started') return { ...base, severity: 'info', message: `${r.actor} started ${r.kind} on ${r.target}` }
  const outcome = r.result?.outcome ?? 'finished'
  const seconds = r.result ? ` in ${(r.result.durationMs / 1000).toFixed(1)} s` : ''
  return {
    ...base,
    severity: outcome === 'succeeded' ? 'ok' : 'critical',
    message: `${r.kind} on ${r.target} ${outcome}${seconds}: ${r.result?.message ?? ''}`.trim(),
  }
}

/** A run the journal holds as interrupted, at the moment its last step began: how far it got, and that nobody finished it. */
export function interruptedEntry(r: ActionRun): TimelineEntry {
  const at = Math.max(r.startedAt, ...r.steps.map((s) => s.startedAt))
  return {
    at,
    kind: 'action',
    severity: 'critical',
    endpointId: r.endpointId,
    subject: r.target,
    message: `${r.title} by ${r.actor} was INTERRUPTED: ${whereStopped(r)}; resume, roll back or resolve it`,
    source: 'journal',
  }
}

export function byTime(a: TimelineEntry, b: TimelineEntry): number {
  return a.at - b.at
}
