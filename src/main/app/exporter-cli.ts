import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { stringify } from 'yaml'
import { describeAlert, durationMs } from '../../shared/domain/alert-eval'
import { prometheusRules } from '../../shared/domain/prom-rules'
import { UsageError, type CliIo } from '../core/cli'
import type { ServiceHub } from '../core/service-hub'
import { environmentWatch } from '../features/alerts/environment-watch'
import { autoscaler } from '../features/autoscale/autoscaler'
import { Exporter } from './exporter'

export const EXPORTER_USAGE = `  exporter --env <env>[,<env>…] [--listen 127.0.0.1:9877] [--timeout 10s] [--allow-host <name>] [--once]
                                 serve the environments' metrics for Prometheus at /metrics
                                 (--once: print one scrape and exit); scrapes only read
  watch --env <env>[,<env>…] [--interval 15s]
                                 evaluate the alert rules, record the timeline and run the autoscaling
                                 policies on an interval, headless (what the app does while it is open)
  alerts export-rules --env <env> [--out <file>]
                                 the environment's alert rules as a Prometheus rule file`

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(listen)
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen takes host:port, not "${listen}"`)
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) }
}

async function environmentsOf(hub: ServiceHub, list: string | undefined): Promise<string[]> {
  const names = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!names.length) throw new UsageError('exporter needs --env <env>[,<env>…]')
  for (const n of names) await hub.inventory.get(n) // an unknown name stops the start, not every scrape
  return names
}

/** `switchyard exporter`: runs until SIGTERM or SIGINT (a systemd service, see resources/switchyard-exporter.service). */
export async function exporterCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      env: { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1:9877' },
      timeout: { type: 'string', default: '10s' },
      'allow-host': { type: 'string', multiple: true },
      once: { type: 'boolean' },
    },
  })
  const timeoutMs = durationMs(values.timeout)
  if (!timeoutMs) throw new UsageError(`--timeout takes a duration such as 10s, not "${values.timeout}"`)
  const exporter = new Exporter(hub, { environments: await environmentsOf(hub, values.env), timeoutMs, allowedHosts: values['allow-host'] ?? [] })
  if (values.once) {
    io.out(await exporter.scrape())
    return 0
  }
  const { host, port } = parseListen(values.listen)
  const server = await exporter.listen(host, port)
  io.out(`switchyard exporter: ${values.env} at http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics\n`)
  await untilSignal()
  await new Promise((resolve) => server.close(resolve))
  return 0
}

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })

/** `switchyard watch`: the app's alert and timeline rounds without a window, next to a read-only exporter. */
export async function watchCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { env: { type: 'string' }, interval: { type: 'string', default: '15s' } } })
  const intervalMs = durationMs(values.interval)
  if (!intervalMs) throw new UsageError(`--interval takes a duration such as 15s, not "${values.interval}"`)
  const environments = await environmentsOf(hub, values.env)
  const watch = environmentWatch(hub)
  const off = watch.subscribe((a) => io.out(`${new Date().toISOString()} ${a.state.toUpperCase()} ${describeAlert(a)} (${a.environment})\n`))
  const scaler = autoscaler(hub)
  const offDecisions = scaler.subscribe((d) => {
    if (d.verdict !== 'hold') io.out(`${new Date(d.at).toISOString()} AUTOSCALE ${d.policy} ${d.replicas} → ${d.desired} ${d.outcome}: ${d.reason}\n`)
  })
  await watch.start({ environments, intervalMs })
  scaler.start({ environments, intervalMs })
  io.out(`switchyard watch: ${environments.join(', ')} every ${values.interval} (alerts, timeline, autoscaling policies)\n`)
  await untilSignal()
  watch.stop()
  scaler.stop()
  off()
  offDecisions()
  return 0
}

/** `switchyard alerts export-rules`: the same thresholds and durations, for Prometheus and Alertmanager. */
export async function exportRulesCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { env: { type: 'string' }, out: { type: 'string' } } })
  if (!values.env) throw new UsageError('alerts export-rules needs --env <env>')
  const rules = await hub.alerts.rules(values.env)
  const text = `# Switchyard alert rules of ${values.env}, for the exporter's metrics (switchyard alerts export-rules)\n${stringify(prometheusRules(values.env, rules), { lineWidth: 0 })}`
  if (values.out) await writeFile(values.out, text)
  else io.out(text)
  return 0
}
