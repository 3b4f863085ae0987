import { formatTime, reportHtml, reportMarkdown, type ReportDoc } from '../../../shared/domain/report'
import type { ProcedureRun } from '../../../shared/procedures'
import type { ServiceHub } from '../../core/service-hub'
import { commandBlocks, timelineRows } from '../incidents/incident-report'

const seconds = (from: number | null, to: number | null) => (from && to ? `${((to - from) / 1000).toFixed(1)} s` : '')

/** A run's report: each step with who and when, its evidence and timing, the commands its actions sent, and the timeline meanwhile. */
export function procedureReport(hub: ServiceHub, run: ProcedureRun): { markdown: string; html: string } {
  const to = run.finishedAt ?? Date.now()
  const planIds = new Set(run.steps.flatMap((s) => (s.plan ? [s.plan.planId] : [])))
  const records = hub.audit.between(run.startedAt, to).filter((r) => planIds.has(r.planId))
  const params = Object.entries(run.params).map(([k, v]) => `${k}=${v}`)
  const doc: ReportDoc = {
    title: `${run.title}: ${run.state}`,
    subtitle: `Procedure ${run.procedure} on ${run.environment}${params.length ? ` (${params.join(', ')})` : ''}, started ${formatTime(run.startedAt)} by ${run.startedBy}${
      run.finishedAt ? `, ended ${formatTime(run.finishedAt)} after ${seconds(run.startedAt, run.finishedAt)}` : ''
    }. ${run.reason}.`,
    sections: [
      {
        kind: 'table',
        title: 'Steps',
        columns: ['#', 'step', 'type', 'status', 'by', 'started', 'took', 'evidence and notes'],
        rows: run.steps.map((s, i) => [
          String(i + 1),
          s.title,
          s.type,
          s.status,
          s.actor ?? '',
          s.startedAt ? formatTime(s.startedAt) : '',
          seconds(s.startedAt, s.finishedAt),
          [...s.evidence, ...(s.note ? [`note: ${s.note}`] : []), ...(s.next ? [`next: ${s.next}`] : [])].join('\n'),
        ]),
        empty: 'No step.',
      },
      { kind: 'code', title: 'Commands run', blocks: commandBlocks(records), empty: 'No action was run in this procedure.' },
      {
        kind: 'table',
        title: 'Timeline meanwhile',
        columns: ['time', 'severity', 'kind', 'what happened'],
        rows: timelineRows(hub.timeline.list(run.environment, run.startedAt, to)),
        empty: 'Nothing was recorded meanwhile.',
      },
    ],
  }
  return { markdown: reportMarkdown(doc), html: reportHtml(doc) }
}
