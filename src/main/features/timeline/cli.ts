import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { durationMs } from '../../../shared/domain/alert-eval'
import { formatTime } from '../../../shared/domain/report'
import { UsageError, type CliIo } from '../../core/cli'
import type { ServiceHub } from '../../core/service-hub'
import { incidentReport } from '../incidents/incident-report'

/** "2026-11-24T03:10:00Z", epoch milliseconds, or a duration back from now ("90m", "2h"). */
export function parseWhen(s: string, now = Date.now()): number {
  if (/^\d{12,}$/.test(s)) return Number(s)
  if (/^\d+(\.\d+)?\s*(s|m|h)$/.test(s)) return now - durationMs(s)
  if (/^\d+(\.\d+)?d$/.test(s)) return now - Number(s.slice(0, -1)) * 86_400_000
  const t = Date.parse(s)
  if (Number.isNaN(t)) throw new UsageError(`cannot read the time "${s}": give an ISO time, epoch milliseconds, or a duration back from now such as 2h`)
  return t
}

function window(values: { from?: string; to?: string }, defaultFrom: string): { from: number; to: number } {
  const now = Date.now()
  const from = parseWhen(values.from ?? defaultFrom, now)
  const to = values.to ? parseWhen(values.to, now) : now
  if (from >= to) throw new UsageError('--from must be before --to')
  return { from, to }
}

/** `switchyard timeline <env> [--from] [--to] [--json]`: what happened, oldest first. */
export async function timelineCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  })
  const name = positionals[0]
  if (!name) throw new UsageError('timeline needs <env>')
  const { from, to } = window(values, '1h')
  const entries = hub.timeline.list(name, from, to)
  if (values.json) io.out(JSON.stringify(entries, null, 2) + '\n')
  else for (const e of entries) io.out(`${formatTime(e.at)}  ${e.severity.padEnd(8)} ${e.kind.padEnd(9)} ${e.message}\n`)
  return 0
}

/** `switchyard incident report <env> --from --to [--html] [--out file]`. */
export async function incidentCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { from: { type: 'string' }, to: { type: 'string' }, html: { type: 'boolean' }, out: { type: 'string' }, title: { type: 'string' } },
    allowPositionals: true,
  })
  const [verb, name] = positionals
  if (verb !== 'report' || !name) throw new UsageError('incident report <env> --from <time> [--to <time>] [--html] [--out <file>]')
  const { from, to } = window(values, '1h')
  const report = await incidentReport(hub, name, from, to, values.title)
  const text = values.html ? report.html : report.markdown
  if (values.out) {
    await writeFile(values.out, text)
    io.out(`wrote ${values.out}\n`)
  } else io.out(text)
  return 0
}
