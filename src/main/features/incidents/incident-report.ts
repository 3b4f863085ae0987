import type { AuditRecord } from '../../../shared/actions'
import { describeAlert } from '../../../shared/domain/alert-eval'
import { formatTime, reportHtml, reportMarkdown, type ReportDoc } from '../../../shared/domain/report'
import type { MomentSeries, TimelineEntry } from '../../../shared/timeline'
import type { ServiceHub } from '../../core/service-hub'
import { moduleFor } from '../../core/system-module'
import { systems } from '../../systems'
import { environmentFindings } from '../alerts/environment-findings'

/** Every endpoint's metric history over a window, as its own system charts it. */
export async function environmentMoments(hub: ServiceHub, name: string, from: number, to: number): Promise<MomentSeries[]> {
  const environment = await hub.inventory.get(name)
  const lists = await Promise.all(environment.endpoints.map(async (e) => (await moduleFor(systems, e).moments?.(hub, name, e.id, from, to)) ?? []))
  return lists.flat().filter((s) => s.points.some((p) => p[1] !== null))
}

export function timelineRows(entries: readonly TimelineEntry[]): string[][] {
  return entries.map((e) => [formatTime(e.at), e.severity, e.kind, e.message])
}

/** The commands an action sent, from its audit records: the plan's steps and how it ended. */
export function commandBlocks(records: readonly AuditRecord[]): { caption: string; lines: string[] }[] {
  const finished = new Map(records.filter((r) => r.phase === 'finished').map((r) => [r.planId, r]))
  return records
    .filter((r) => r.phase === 'started')
    .map((r) => {
      const end = finished.get(r.planId)?.result
      return {
        caption: `${formatTime(r.at)} ${r.actor}: ${r.kind} on ${r.target}${end ? ` — ${end.outcome} in ${(end.durationMs / 1000).toFixed(1)} s` : ' — no end recorded'}`,
        lines: (r.steps ?? []).flatMap((s) => [`# ${s.title}`, ...s.commands]),
      }
    })
}

/** An incident's window: what happened, what fired, what was done (with the exact commands), the charts, what needs attention now. */
export async function incidentReport(hub: ServiceHub, name: string, from: number, to: number, title?: string): Promise<{ markdown: string; html: string }> {
  const [entries, series, findings] = await Promise.all([
    Promise.resolve(hub.timeline.list(name, from, to)),
    environmentMoments(hub, name, from, to),
    environmentFindings(hub, name).catch(() => []),
  ])
  const alerts = [...hub.alerts.active(name), ...hub.alerts.recent(name, 500)].filter((a) => a.since <= to && (a.resolvedAt ?? Infinity) >= from)
  const records = hub.audit.between(from, to).filter((r) => r.environment === name)
  const doc: ReportDoc = {
    title: title ?? `Incident report: ${name}`,
    subtitle: `Environment ${name}, ${formatTime(from)} to ${formatTime(to)}; generated ${formatTime(Date.now())} by Switchyard.`,
    sections: [
      {
        kind: 'table',
        title: 'Timeline',
        columns: ['time', 'severity', 'kind', 'what happened'],
        rows: timelineRows(entries),
        empty: 'Nothing was recorded in this window.',
      },
      {
        kind: 'table',
        title: 'Alerts',
        columns: ['alert', 'level', 'state', 'since', 'resolved', 'acknowledged'],
        rows: alerts.map((a) => [
          describeAlert(a),
          a.level,
          a.state,
          formatTime(a.since),
          a.resolvedAt ? formatTime(a.resolvedAt) : '',
          a.ack ? `${formatTime(a.ack.at)} ${a.ack.note}` : '',
        ]),
        empty: 'No alert was active in this window.',
      },
      { kind: 'code', title: 'Commands run', blocks: commandBlocks(records), empty: 'No action was run from Switchyard in this window.' },
      { kind: 'charts', title: 'Charts', series, from, to },
      {
        kind: 'table',
        title: 'Findings now',
        columns: ['endpoint', 'severity', 'finding'],
        rows: findings.map((f) => [f.endpointName, f.severity, f.message]),
        empty: 'Nothing needs attention now.',
      },
    ],
  }
  return { markdown: reportMarkdown(doc), html: reportHtml(doc) }
}
