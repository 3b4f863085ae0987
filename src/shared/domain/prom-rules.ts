import type { AlertMetric, AlertRule } from '../alerts'
import { deepLinkUrl, type LinkView } from '../deep-link'
import { durationMs, LOWER_IS_WORSE, METRIC_LABEL } from './alert-eval'

/** The exporter's gauge for what an alert rule watches: pg-lag-seconds → switchyard_pg_lag_seconds. */
export function alertMetricName(metric: AlertMetric): string {
  return `switchyard_${metric.replace(/-/g, '_')}`
}

function alertName(metric: AlertMetric): string {
  return `Switchyard${metric.replace(/(^|-)([a-z])/g, (_, __: string, c: string) => c.toUpperCase())}`
}

const promString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`

function promDuration(d: AlertRule['for']): string {
  const ms = durationMs(d)
  return ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`
}

/**
 * The page of what each rule watches; node-down is every system's, so its link names the
 * overview and the app puts the endpoint on its own page (it routes an endpoint to its kind's page).
 */
const METRIC_VIEW: Record<AlertMetric, LinkView> = {
  'node-down': 'overview',
  'redis-lag-bytes': 'redis',
  'redis-slots': 'redis',
  'pg-lag-bytes': 'postgres',
  'pg-lag-seconds': 'postgres',
  'mongo-lag-seconds': 'mongo',
  'mongo-imbalance': 'mongo',
  'mongo-balancer-off': 'mongo',
  'backend-down': 'app',
  'backend-latency-ms': 'app',
  'upstream-error-pct': 'app',
  'upstream-latency-ms': 'app',
  'container-cpu-pct': 'app',
  'container-mem-pct': 'app',
  'capacity-seconds-left': 'capacity',
}

/**
 * The switchyard:// link of what fired, as a Prometheus template: the endpoint and the subject
 * from the alert's labels, escaped by urlquery (Go's QueryEscape: a space becomes "+", which the
 * link parser reads back as a space).
 */
export function alertLinkTemplate(environment: string, metric: AlertMetric): string {
  const base = deepLinkUrl({ kind: 'open', environment, view: METRIC_VIEW[metric] })
  return `${base}/{{ $labels.endpoint | urlquery }}/{{ $labels.subject | urlquery }}`
}

export interface PromRule {
  alert: string
  expr: string
  for: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

/**
 * An environment's alert rules as Prometheus alerting rules over the exporter's gauges, level for
 * level: warn fires between the warn and the critical threshold, critical from the critical one,
 * each after the rule's duration, so Alertmanager pages on exactly what the app shows.
 */
export function prometheusRules(environment: string, rules: readonly AlertRule[]): { groups: { name: string; rules: PromRule[] }[] } {
  const selector = (m: AlertMetric) => `${alertMetricName(m)}{env=${promString(environment)}}`
  const out: PromRule[] = []
  for (const r of rules) {
    if (!r.enabled) continue
    const levels = [
      { severity: 'warning', from: r.warn, below: r.critical },
      { severity: 'critical', from: r.critical, below: null },
    ]
    const lower = LOWER_IS_WORSE.has(r.metric)
    for (const l of levels) {
      if (l.from === null) continue
      out.push({
        alert: alertName(r.metric),
        expr: lower
          ? `${selector(r.metric)} <= ${l.from}${l.below !== null ? ` > ${l.below}` : ''}`
          : `${selector(r.metric)} >= ${l.from}${l.below !== null ? ` < ${l.below}` : ''}`,
        for: promDuration(r.for),
        labels: { severity: l.severity, switchyard_metric: r.metric },
        annotations: {
          summary: `${METRIC_LABEL[r.metric]} on {{ $labels.subject }} ({{ $labels.endpoint }}, ${environment})`,
          description: `{{ $value }} is at or ${lower ? 'below' : 'above'} the ${l.severity} threshold ${l.from}, for ${promDuration(r.for)} (Switchyard rule ${r.metric}).`,
          switchyard_url: alertLinkTemplate(environment, r.metric),
        },
      })
    }
  }
  // Not a threshold rule of the app's: an action whose process died midway is always critical.
  out.push({
    alert: 'SwitchyardActionInterrupted',
    expr: `switchyard_actions_interrupted{env=${promString(environment)}} > 0`,
    for: '0s',
    labels: { severity: 'critical', switchyard_metric: 'actions-interrupted' },
    annotations: {
      summary: `An action on ${environment} was interrupted midway`,
      description: `{{ $value }} action run(s) stopped between two steps and hold their target: switchyard actions list ${environment}, then resume, roll back or resolve each.`,
      switchyard_url: deepLinkUrl({ kind: 'open', environment, view: 'overview' }),
    },
  })
  return { groups: [{ name: `switchyard-${environment}`, rules: out }] }
}
