import type { AlertMetric, AlertRule } from '../alerts'
import { durationMs, METRIC_LABEL } from './alert-eval'

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
    for (const l of levels) {
      if (l.from === null) continue
      out.push({
        alert: alertName(r.metric),
        expr: `${selector(r.metric)} >= ${l.from}${l.below !== null ? ` < ${l.below}` : ''}`,
        for: promDuration(r.for),
        labels: { severity: l.severity, switchyard_metric: r.metric },
        annotations: {
          summary: `${METRIC_LABEL[r.metric]} on {{ $labels.subject }} ({{ $labels.endpoint }}, ${environment})`,
          description: `{{ $value }} is at or above the ${l.severity} threshold ${l.from}, for ${promDuration(r.for)} (Switchyard rule ${r.metric}).`,
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
    },
  })
  return { groups: [{ name: `switchyard-${environment}`, rules: out }] }
}
