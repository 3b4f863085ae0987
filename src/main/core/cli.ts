import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { ActionPlan, ActionProgress, ActionResult } from '../../shared/actions'
import { issuesInline } from '../../shared/domain/issues'
import { checkText, predictedText, trackSummary } from '../../shared/domain/run-estimate'
import type { ActionRequest } from '../../shared/action-requests'
import type { EndpointKind } from '../../shared/inventory'
import { SwitchyardError } from './errors'
import type { ServiceHub } from './service-hub'

/** Where a CLI command writes; tests pass collectors, the binary passes stdout and stderr. */
export interface CliIo {
  out(s: string): void
  err(s: string): void
}

export const MARK = { ok: 'OK', warn: 'WARNING', critical: 'CRITICAL', unknown: 'UNKNOWN' } as const

/** Bad arguments: the command prints the message and its usage and exits 2. */
export class UsageError extends Error {}

/** How a system's CLI runs an action: the app's runner with every registered action behind it. */
export interface ActionCli {
  plan(request: ActionRequest): Promise<ActionPlan>
  run(planId: string, confirm: string, onProgress: (p: ActionProgress) => void): Promise<ActionResult>
  cancel(planId: string): boolean
}

export interface CliContext {
  hub: ServiceHub
  io: CliIo
  actions: ActionCli
}

/** One system's command group: `switchyard <name> <verb> <env> ...`. */
export interface CliCommand {
  name: string
  /** One line for the top-level usage. */
  summary: string
  usage: string
  run: (argv: string[], ctx: CliContext) => Promise<number>
}

const commonOptions = {
  endpoint: { type: 'string' },
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  confirm: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export type CommonFlags = { endpoint?: string; json?: boolean; 'dry-run'?: boolean; yes?: boolean; confirm?: string; help?: boolean }

/** node:util parseArgs with the options every system command shares; an unknown option is a UsageError. */
export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** A number option, or undefined when absent. */
export function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`)
  return n
}

/** A zod result as a request, or a UsageError naming every issue with its path. */
export function requestFrom<T>(
  what: string,
  r: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
): T {
  if (!r.success) throw new UsageError(`invalid ${what}: ${issuesInline(r.error.issues)}`)
  return r.data
}

/** The endpoint named by --endpoint, or the environment's only endpoint of these kinds. */
export async function chooseEndpoint(hub: ServiceHub, environment: string, kinds: readonly EndpointKind[], explicit?: string): Promise<string> {
  const env = await hub.inventory.get(environment)
  const candidates = env.endpoints.filter((e) => kinds.includes(e.kind))
  const what = kinds.join(' or ')
  if (explicit) {
    if (!candidates.some((e) => e.id === explicit)) throw new SwitchyardError('config', `"${explicit}" is not a ${what} endpoint of ${environment}`)
    return explicit
  }
  const [only, ...more] = candidates
  if (!only) throw new SwitchyardError('config', `environment ${environment} has no ${what} endpoint`)
  if (more.length)
    throw new SwitchyardError(
      'config',
      `environment ${environment} has ${candidates.length} ${what} endpoints (${candidates.map((e) => e.id).join(', ')}): name one with --endpoint`,
    )
  return only.id
}

/** A plan as the terminal shows it: checks, what-if, time, steps with their exact commands. */
export function formatPlan(p: ActionPlan): string {
  const lines = [`${p.title}  [risk ${p.risk}]`, `  ${p.summary}`]
  if (p.prechecks.length) lines.push('  pre-checks:')
  for (const c of p.prechecks) lines.push(`    ${c.passed ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}`)
  for (const w of p.warnings) lines.push(`  warning: ${w}`)
  if (p.dataLoss) lines.push(`  data loss: ${p.dataLoss}`)
  if (p.whatIf.length) lines.push('  what it will do:', ...p.whatIf.map((w) => `    ${w}`))
  if (p.estimate?.duration)
    lines.push(
      `  how long: ${predictedText(p.estimate.duration)}${p.estimate.writePause ? `, writes pause ${predictedText(p.estimate.writePause)}` : ''} (from ${p.estimate.basis})`,
    )
  const track = trackSummary(p.track)
  if (track) lines.push(`  ${track}`)
  lines.push('  steps:')
  p.steps.forEach((s, i) => {
    lines.push(
      `    ${i + 1}. ${s.title}${s.carried ? `  [${s.carried}: not sent again]` : ''}${s.irreversible ? '  [forward only from here: a roll back stops before this step]' : ''}`,
    )
    for (const c of s.commands) lines.push(`         ${c}`)
    if (s.undo) lines.push(`         undo: ${s.undo.title}`)
  })
  lines.push(p.runnable ? `  target: ${p.target} (confirm with --confirm ${p.target})` : `  target: ${p.target}; not runnable: a pre-check failed`)
  return lines.join('\n') + '\n'
}

export function formatResult(r: ActionResult): string {
  const lines = [`${r.outcome.toUpperCase()} in ${(r.durationMs / 1000).toFixed(1)} s: ${r.message}`]
  for (const v of r.verification) lines.push(`  ${v.passed ? 'pass' : 'FAIL'}  ${v.name}: ${v.detail}`)
  for (const c of r.checked) lines.push(`  ${checkText(c)}`)
  return lines.join('\n') + '\n'
}

const json = (value: unknown) => JSON.stringify(value, null, 2) + '\n'

/**
 * Plan → confirm → run → verify from the command line, as the app does it. Exit codes: 0 succeeded
 * (or a runnable dry run), 1 failed or a pre-check failed, 2 not confirmed, 130 cancelled by Ctrl-C.
 */
export async function runActionCommand(ctx: CliContext, request: ActionRequest, flags: CommonFlags): Promise<number> {
  const { io, actions } = ctx
  const plan = await actions.plan(request)
  if (flags['dry-run']) {
    io.out(flags.json ? json({ plan }) : formatPlan(plan))
    return plan.runnable ? 0 : 1
  }
  if (!flags.json) io.out(formatPlan(plan))
  if (!plan.runnable) {
    if (flags.json) io.out(json({ plan }))
    io.err(
      `not run: ${plan.prechecks
        .filter((c) => !c.passed)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}\n`,
    )
    return 1
  }
  const confirm = flags.yes ? plan.target : flags.confirm
  if (confirm === undefined) {
    io.err(`not run: confirm with --confirm ${plan.target} (or --yes), or use --dry-run to only plan\n`)
    return 2
  }
  if (confirm.trim() !== plan.target) {
    io.err(`not run: --confirm "${confirm}" does not match the target "${plan.target}"\n`)
    return 2
  }
  const onSigint = () => {
    io.err('cancelling at the next safe point…\n')
    actions.cancel(plan.planId)
  }
  process.once('SIGINT', onSigint)
  process.once('SIGTERM', onSigint)
  let result: ActionResult
  try {
    result = await actions.run(plan.planId, confirm, (p) => {
      if (!flags.json) io.err(`[${p.step}/${p.totalSteps}] ${p.message}${p.fraction !== undefined ? ` (${Math.round(p.fraction * 100)}%)` : ''}\n`)
    })
  } finally {
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
  }
  io.out(flags.json ? json({ plan, result }) : formatResult(result))
  return result.outcome === 'succeeded' ? 0 : result.outcome === 'cancelled' ? 130 : 1
}
