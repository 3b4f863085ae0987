import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { describeAlert } from '../../shared/domain/alert-eval'
import { pluginExitCode } from '../../shared/domain/health'
import type { EnvironmentHealth } from '../../shared/health'
import { defaultDataDir } from '../core/app-paths'
import { MARK, UsageError, type CliContext, type CliIo } from '../core/cli'
import { toConnError } from '../core/errors'
import { terminalSafe } from '../core/terminal-text'
import { KeyFileCipher } from '../core/inventory/secret-cipher'
import { ServiceHub } from '../core/service-hub'
import { systems } from '../systems'
import { createActionRunner } from '../features/actions/runner'
import { environmentWatch } from '../features/alerts/environment-watch'
import { probeEnvironment } from '../features/overview/probe-environment'
import { incidentCommand, timelineCommand } from '../features/timeline/cli'
import { procedureCommand } from '../features/procedures/cli'
import { EXPORTER_USAGE, exportRulesCommand, exporterCommand, watchCommand } from './exporter-cli'
import { ACTIONS_USAGE, actionsCommand } from '../features/actions/cli'
import { AUTOSCALE_USAGE, autoscaleCommand } from '../features/autoscale/autoscale-cli'
import { CAPACITY_USAGE, capacityCommand } from '../features/capacity/capacity-cli'
import { whereStopped } from '../../shared/domain/action-runs'

const commands = systems.flatMap((s) => (s.cli ? [s.cli] : []))

const USAGE = `usage: switchyard <command>

  status <env> [--json]          health of every system of an environment
                                 (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  env list                       environments in the inventory
  env export <env>               print an environment as YAML (no secrets)
  env import <file> [--overwrite]
  audit export                   every audit record, oldest first, as JSON lines
  hostkey list                   SSH host keys trusted
  hostkey trust <host:port> <SHA256:…>
                                 trust a host's key after comparing its fingerprint
  hostkey forget <host:port>     forget a trusted key (to accept a deliberately changed one)
  --accept-new-host-key          (any command) trust an SSH host's first key instead of refusing it
  alerts <env> [--json]          evaluate the environment's alert rules now; pending and firing alerts
                                 (exit 0 none firing, 1 warning, 2 critical)
${EXPORTER_USAGE}
  timeline <env> [--from 2h] [--to <time>] [--json]
                                 what was observed and done, oldest first
  incident report <env> --from <time> [--to <time>] [--html] [--out <file>]
                                 the window's timeline, alerts, commands run, charts and findings
                                 (times: ISO, epoch ms, or a duration back from now such as 90m)
  procedure list|validate|run|resume|runs|report
                                 guided procedures (switchyard procedure help)
${ACTIONS_USAGE}
${AUTOSCALE_USAGE}
${CAPACITY_USAGE}
${commands.map((c) => `  ${c.name} ${c.summary}\n`).join('')}
  (switchyard <command> help for each command's options)
`

export function formatHealth(h: EnvironmentHealth): string {
  const lines = [`${MARK[h.status]} ${h.environment}: ${h.reason}`]
  for (const r of h.interrupted ?? [])
    lines.push(
      `  CRITICAL action   ${r.title}: INTERRUPTED, ${whereStopped(r)}; by ${r.actor} at ${new Date(r.startedAt).toISOString()} (switchyard actions show ${r.environment} ${r.runId.slice(0, 8)})`,
    )
  for (const s of h.systems) {
    lines.push(`  ${MARK[s.status].padEnd(8)} ${s.system.padEnd(8)} ${s.name}: ${s.reason}`)
    for (const n of s.nodes) if (n.status !== 'ok') lines.push(`           ${n.label}: ${n.error ? `[${n.error.code}] ${n.error.message}` : n.detail}`)
    for (const notice of s.notices) lines.push(`           note: ${notice}`)
  }
  return lines.join('\n') + '\n'
}

async function status(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true })
  const name = positionals[0]
  if (!name) {
    io.err(USAGE)
    return 3
  }
  const { connections } = await hub.connect(name)
  const health = await probeEnvironment(connections, hub.journal)
  io.out(values.json ? JSON.stringify(health, null, 2) + '\n' : formatHealth(health))
  return pluginExitCode(health.status)
}

async function env(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { overwrite: { type: 'boolean' } }, allowPositionals: true })
  const [verb, arg] = positionals
  if (verb === 'list') {
    for (const v of await hub.inventory.list())
      io.out(`${v.environment.name}\t${v.environment.endpoints.length} endpoints\t${v.environment.description ?? ''}\n`)
    return 0
  }
  if (verb === 'export' && arg) {
    io.out(await hub.inventory.exportYaml(arg))
    return 0
  }
  if (verb === 'import' && arg) {
    const v = await hub.inventory.importYaml(await readFile(arg, 'utf8'), values.overwrite ?? false)
    io.out(`imported ${v.environment.name} (${v.environment.endpoints.length} endpoints); add its secrets in the app\n`)
    return 0
  }
  io.err(USAGE)
  return 3
}

async function alerts(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  if (args[0] === 'export-rules') return exportRulesCommand(hub, args.slice(1), io)
  const [name, flag] = args
  if (!name) throw new UsageError('alerts needs <env>')
  const { active } = await environmentWatch(hub).evaluate(name)
  if (flag === '--json') io.out(JSON.stringify(active, null, 2) + '\n')
  else {
    io.out(active.length ? '' : `OK ${name}: no alert pending or firing\n`)
    for (const a of active)
      io.out(
        `${a.state.toUpperCase().padEnd(8)} ${describeAlert(a)} (${a.endpointId}, since ${new Date(a.since).toISOString()})${a.ack ? ' [acknowledged]' : ''}\n`,
      )
  }
  const firing = active.filter((a) => a.state === 'firing')
  return firing.some((a) => a.level === 'critical') ? 2 : firing.length ? 1 : 0
}

async function hostkey(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const [verb, at, fingerprint] = args
  if (verb === 'list') {
    for (const k of await hub.knownHosts.list()) io.out(`${k.host}:${k.port}\t${k.algorithm} ${k.fingerprint}\tsince ${new Date(k.addedAt).toISOString()}\n`)
    return 0
  }
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(at ?? '')
  if (!m) throw new UsageError('hostkey trust|forget takes host:port')
  const [host, port] = [m[1]!, Number(m[2])]
  if (verb === 'forget') {
    io.out((await hub.knownHosts.forget(host, port)) ? `forgot the key of ${host}:${port}\n` : `no key trusted for ${host}:${port}\n`)
    return 0
  }
  if (verb === 'trust' && fingerprint && /^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) {
    const k = await hub.knownHosts.trust(host, port, '(given as fingerprint)', fingerprint)
    io.out(`trusted ${k.fingerprint} for ${host}:${port}\n`)
    return 0
  }
  throw new UsageError('hostkey trust <host:port> <SHA256:… as ssh-keygen -lf prints it>')
}

/** stdout and stderr, with server text's escape sequences removed (a reply must not rewrite the operator's terminal). */
export function terminalIo(): CliIo {
  return { out: (s) => void process.stdout.write(terminalSafe(s)), err: (s) => void process.stderr.write(terminalSafe(s)) }
}

/** The CLI over the same services as the app; exits like a monitoring plugin. */
export async function runCli(argv: string[], io: CliIo, hub?: ServiceHub): Promise<number> {
  const acceptNewHostKeys = argv.includes('--accept-new-host-key')
  const [command, ...rest] = argv.filter((a) => a !== '--accept-new-host-key')
  const dataDir = defaultDataDir()
  const own = hub ?? new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir), secretVariables: process.env, acceptNewHostKeys })
  const system = commands.find((c) => c.name === command)
  const actionContext = (): CliContext => {
    const runner = createActionRunner(own)
    return { hub: own, io, actions: { plan: (r) => runner.plan(r), run: (id, confirm, p) => runner.run(id, confirm, p), cancel: (id) => runner.cancel(id) } }
  }
  try {
    if (system) return await system.run(rest, actionContext())
    switch (command) {
      case 'status':
        return await status(own, rest, io)
      case 'env':
        return await env(own, rest, io)
      case 'alerts':
        return await alerts(own, rest, io)
      case 'timeline':
        return await timelineCommand(own, rest, io)
      case 'exporter':
        return await exporterCommand(own, rest, io)
      case 'watch':
        return await watchCommand(own, rest, io)
      case 'incident':
        return await incidentCommand(own, rest, io)
      case 'procedure':
        return await procedureCommand(own, rest, io)
      case 'autoscale':
        return await autoscaleCommand(own, rest, io)
      case 'capacity':
        return await capacityCommand(own, rest, io)
      case 'actions':
        return await actionsCommand(actionContext(), rest)
      case 'hostkey':
        return await hostkey(own, rest, io)
      case 'audit':
        if (rest[0] !== 'export') throw new UsageError('audit takes "export"')
        io.out(own.audit.exportLines())
        return 0
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE)
        return command ? 0 : 3
      default:
        io.err(`unknown command ${command}\n${USAGE}`)
        return 3
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${system?.usage ?? USAGE}\n`)
      return system ? 2 : 3
    }
    const e = toConnError(err)
    // A failed read is "unknown" to a monitoring system; a failed action is a failure.
    const reading = !system || rest[0] === 'status'
    io.err(`${reading ? 'UNKNOWN' : 'error'} [${e.code}]: ${e.message}\n`)
    return reading ? 3 : 1
  } finally {
    if (!hub) await own.close()
  }
}
