import { parseArgs } from 'node:util'
import { METRIC_NAME, METRIC_UNIT, type ScalingDecision } from '../../../shared/autoscale'
import { durationMs } from '../../../shared/domain/alert-eval'
import { UsageError, type CliIo } from '../../core/cli'
import type { ServiceHub } from '../../core/service-hub'
import { autoscaler } from './autoscaler'

export const AUTOSCALE_USAGE = `  autoscale status <env> [--json]
                                 each policy's decision now (one round, acting in act mode)
                                 (exit 1 while a policy wants a change it may not make)
  autoscale history <env> [--policy <name>] [--from 24h] [--json]
                                 every decision, oldest first
  autoscale pause|resume <env>   hold every policy of the environment (they still record)`

const line = (d: ScalingDecision) =>
  `${new Date(d.at).toISOString()}  ${d.policy.padEnd(14)} ${d.verdict.toUpperCase().padEnd(4)} ${String(d.replicas).padStart(2)} → ${String(d.desired).padEnd(2)} ${d.outcome.padEnd(11)} ${d.reason}${d.detail ? ` (${d.detail})` : ''}\n`

const metrics = (d: ScalingDecision) =>
  d.metrics
    .map((m) => `${METRIC_NAME[m.metric]} ${m.value === null ? '?' : m.value.toFixed(1)} ${METRIC_UNIT[m.metric]} (up > ${m.up}, down < ${m.down})`)
    .join(', ')

/** `switchyard autoscale`: the policies' decisions now and before, and the switch that pauses them. */
export async function autoscaleCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const [verb, name, ...rest] = args
  if (!name) throw new UsageError('autoscale needs a verb and <env>')
  const scaler = autoscaler(hub)
  switch (verb) {
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } } })
      const decisions = await scaler.round(name)
      const paused = scaler.store.paused(name)
      if (values.json) io.out(JSON.stringify({ paused, decisions }, null, 2) + '\n')
      else {
        io.out(
          decisions.length
            ? `${name}: ${decisions.length} polic${decisions.length > 1 ? 'ies' : 'y'}${paused ? ', PAUSED' : ''}\n`
            : `${name}: no autoscaling policy\n`,
        )
        for (const d of decisions) io.out(line(d) + `    ${metrics(d)}\n`)
      }
      return decisions.some((d) => d.outcome === 'recommended' || d.outcome === 'deferred' || d.outcome === 'failed') ? 1 : 0
    }
    case 'history': {
      const { values } = parseArgs({ args: rest, options: { policy: { type: 'string' }, from: { type: 'string', default: '24h' }, json: { type: 'boolean' } } })
      const back = durationMs(values.from)
      if (!back) throw new UsageError(`--from takes a duration such as 90m or 24h, not "${values.from}"`)
      const decisions = scaler.store.history(name, { policy: values.policy, sinceMs: Date.now() - back })
      if (values.json) io.out(JSON.stringify(decisions, null, 2) + '\n')
      else for (const d of decisions) io.out(line(d))
      return 0
    }
    case 'pause':
    case 'resume':
      scaler.store.setPaused(name, verb === 'pause')
      io.out(`${name}: autoscaling policies ${verb === 'pause' ? 'paused (they record what they would do, and act never)' : 'resumed'}\n`)
      return 0
    default:
      throw new UsageError(`autoscale takes status, history, pause or resume, not "${verb}"`)
  }
}
