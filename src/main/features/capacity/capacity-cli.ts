import { parseArgs } from 'node:util'
import { CAPACITY_CRITICAL_DAYS, CAPACITY_WARN_DAYS } from '../../../shared/capacity'
import { UsageError, type CliIo } from '../../core/cli'
import type { ServiceHub } from '../../core/service-hub'
import { capacityReport } from './capacity-report'

export const CAPACITY_USAGE = `  capacity <env> [--json]        what runs out and when, worst first, from the history's trend
                                 (exit 2: something runs out within ${CAPACITY_CRITICAL_DAYS} days, 1: within ${CAPACITY_WARN_DAYS})`

const DAY = 86_400

/** `switchyard capacity <env>`: the forecasts of the Capacity view, for a terminal or a cron job. */
export async function capacityCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } })
  const name = positionals[0]
  if (!name) throw new UsageError('capacity needs <env>')
  const report = await capacityReport(hub, name)
  if (values.json) io.out(JSON.stringify(report, null, 2) + '\n')
  else {
    io.out(`${name}: ${report.resources.length} resource(s) that can run out\n`)
    for (const r of report.resources)
      io.out(`  ${r.status.toUpperCase().padEnd(8)} ${r.summary}${r.status === 'ok' || r.status === 'unknown' ? '' : ` — ${r.gauge.fix?.label ?? r.remedy}`}\n`)
    for (const u of report.unread) io.out(`  UNREAD   ${u.endpointName}: ${u.message}\n`)
  }
  const soonest = Math.min(...report.resources.map((r) => r.secondsLeft ?? Infinity))
  return soonest <= CAPACITY_CRITICAL_DAYS * DAY ? 2 : soonest <= CAPACITY_WARN_DAYS * DAY ? 1 : 0
}
