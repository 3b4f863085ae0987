import type { Alert, AlertMetric, AlertRule, Observation } from '../alerts'
import { CAPACITY_CRITICAL_DAYS, CAPACITY_WARN_DAYS } from '../capacity'
import { REPLICA_LOAD } from './thresholds'

/** The seeds' thresholds (CPU > 70 %, memory > 80 %, p95 > 500 ms, errors > 5 %) and the replication limits a DBA pages on. */
export const DEFAULT_RULES: AlertRule[] = [
  { metric: 'node-down', warn: null, critical: 1, for: '0s', enabled: true },
  { metric: 'redis-slots', warn: null, critical: 1, for: '0s', enabled: true },
  { metric: 'redis-lag-bytes', warn: 1_048_576, critical: 104_857_600, for: '1m', enabled: true },
  { metric: 'pg-lag-bytes', warn: 16_777_216, critical: 1_073_741_824, for: '1m', enabled: true },
  { metric: 'pg-lag-seconds', warn: 30, critical: 300, for: '1m', enabled: true },
  { metric: 'mongo-lag-seconds', warn: 10, critical: 60, for: '1m', enabled: true },
  { metric: 'mongo-imbalance', warn: 1, critical: null, for: '10m', enabled: true },
  { metric: 'mongo-balancer-off', warn: 1, critical: null, for: '30m', enabled: true },
  { metric: 'backend-down', warn: null, critical: 1, for: '30s', enabled: true },
  { metric: 'backend-latency-ms', warn: 500, critical: 2000, for: '2m', enabled: true },
  { metric: 'upstream-error-pct', warn: 5, critical: 20, for: '2m', enabled: true },
  { metric: 'upstream-latency-ms', warn: 500, critical: 2000, for: '2m', enabled: true },
  { metric: 'container-cpu-pct', warn: REPLICA_LOAD.cpuHighPct, critical: 90, for: '2m', enabled: true },
  { metric: 'container-mem-pct', warn: REPLICA_LOAD.memHighPct, critical: 95, for: '2m', enabled: true },
  // runs out within 7 days, within 2 days
  { metric: 'capacity-seconds-left', warn: CAPACITY_WARN_DAYS * 86_400, critical: CAPACITY_CRITICAL_DAYS * 86_400, for: '10m', enabled: true },
]

/** Metrics where a low value is the trouble: the threshold is "at or below". */
export const LOWER_IS_WORSE: ReadonlySet<AlertMetric> = new Set(['capacity-seconds-left'])

export const METRIC_LABEL: Record<AlertMetric, string> = {
  'node-down': 'node down',
  'redis-slots': 'uncovered or open slots',
  'redis-lag-bytes': 'Redis replica lag (bytes)',
  'pg-lag-bytes': 'PostgreSQL lag (bytes)',
  'pg-lag-seconds': 'PostgreSQL lag (seconds)',
  'mongo-lag-seconds': 'MongoDB member lag (seconds)',
  'mongo-imbalance': 'chunk imbalance',
  'mongo-balancer-off': 'balancer off',
  'backend-down': 'nginx backend down',
  'backend-latency-ms': 'backend latency (ms)',
  'upstream-error-pct': 'nginx upstream error rate %',
  'upstream-latency-ms': 'upstream p95 response time (ms, access log)',
  'container-cpu-pct': 'container CPU %',
  'container-mem-pct': 'container memory %',
  'capacity-seconds-left': 'time until it runs out (s, forecast)',
}

export function durationMs(d: AlertRule['for']): number {
  if (typeof d === 'number') return d * 1000
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)$/.exec(d)
  if (!m) return 0
  return Number(m[1]) * (m[2] === 'h' ? 3600_000 : m[2] === 'm' ? 60_000 : 1000)
}

export function alertKey(o: Pick<Observation, 'endpointId' | 'metric' | 'subject'>): string {
  return `${o.endpointId}|${o.metric}|${o.subject}`
}

function levelOf(rule: AlertRule, value: number): { level: 'warn' | 'critical'; threshold: number } | null {
  const breaches = (threshold: number) => (LOWER_IS_WORSE.has(rule.metric) ? value <= threshold : value >= threshold)
  if (rule.critical !== null && breaches(rule.critical)) return { level: 'critical', threshold: rule.critical }
  if (rule.warn !== null && breaches(rule.warn)) return { level: 'warn', threshold: rule.warn }
  return null
}

export interface Evaluation {
  /** The active alerts (pending or firing) after this round. */
  active: Alert[]
  /** Alerts that changed state this round: newly pending, fired, changed level, or resolved. */
  changed: Alert[]
}

/**
 * One round: each observation against its rule. A breach starts pending and fires once it has
 * held for the rule's duration; a firing alert whose condition clears is resolved; a pending one
 * that clears is dropped. Alerts of endpoints not observed this round (unreachable) stay as they
 * are, so an outage of the observer never resolves anything.
 */
export function evaluate(
  environment: string,
  previous: readonly Alert[],
  observations: readonly Observation[],
  observed: ReadonlySet<string>,
  rules: readonly AlertRule[],
  now: number,
): Evaluation {
  const byKey = new Map(previous.map((a) => [a.key, a]))
  const active: Alert[] = []
  const changed: Alert[] = []
  const seen = new Set<string>()
  for (const o of observations) {
    const rule = rules.find((r) => r.metric === o.metric && r.enabled)
    if (!rule) continue
    const key = alertKey(o)
    seen.add(key)
    const before = byKey.get(key)
    const breach = levelOf(rule, o.value)
    if (!breach) {
      if (before?.state === 'firing') changed.push({ ...before, state: 'resolved', value: o.value, resolvedAt: now })
      continue
    }
    const since = before?.since ?? now
    const due = now - since >= durationMs(rule.for)
    const state = before?.state === 'firing' || due ? 'firing' : 'pending'
    const next: Alert = {
      key,
      environment,
      endpointId: o.endpointId,
      metric: o.metric,
      subject: o.subject,
      state,
      level: breach.level,
      value: o.value,
      threshold: breach.threshold,
      since,
      firedAt: state === 'firing' ? (before?.firedAt ?? now) : null,
      resolvedAt: null,
      ack: before?.ack ?? null,
      silencedUntil: before?.silencedUntil ?? null,
      silenceNote: before?.silenceNote ?? null,
    }
    active.push(next)
    if (!before || before.state !== next.state || before.level !== next.level) changed.push(next)
  }
  for (const a of previous)
    if (!seen.has(a.key)) {
      if (!observed.has(a.endpointId)) active.push(a)
      // the subject is gone (a node removed, a backend taken out of the upstream): nothing holds any more
      else if (a.state === 'firing') changed.push({ ...a, state: 'resolved', resolvedAt: now })
    }
  return { active, changed }
}

/** Whether a change should reach a person now: firing or resolved, not silenced. */
export function notifies(a: Alert, now: number): boolean {
  return (a.state === 'firing' || a.state === 'resolved') && !(a.silencedUntil !== null && a.silencedUntil > now)
}

/** Metrics that are a yes (1) or a no (0): their value says nothing more than the alert itself. */
const YES_NO: ReadonlySet<AlertMetric> = new Set(['node-down', 'backend-down', 'mongo-balancer-off', 'mongo-imbalance'])

export function describeAlert(a: Alert): string {
  const what = METRIC_LABEL[a.metric]
  if (a.state === 'resolved') return `resolved: ${what} on ${a.subject}`
  if (YES_NO.has(a.metric)) return `${a.level}: ${what} on ${a.subject}`
  return `${a.level}: ${what} on ${a.subject} is ${Number.isInteger(a.value) ? a.value : a.value.toFixed(1)} (threshold ${a.threshold})`
}
