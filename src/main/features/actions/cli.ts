import type { ActionRun } from '../../../shared/actions'
import type { ActionRequest } from '../../../shared/action-requests'
import { parseCommand, runActionCommand, UsageError, type CliContext } from '../../core/cli'
import { whereStopped } from '../../../shared/domain/action-runs'

export const ACTIONS_USAGE = `  actions list <env> [--json]    recent action runs from the journal, interrupted ones first
                                 (exit 2 when one is interrupted)
  actions show <env> <run-id> [--json]
                                 one run: who, when, each step's outcome, where it stopped
  actions resume|rollback <env> <run-id> [--dry-run] [--yes | --confirm <target>] [--json]
                                 finish an interrupted run, or undo its done steps newest first
  actions resolve <env> <run-id> --note "<what was done>" [--yes | --confirm <target>]
                                 close an interrupted run a person put right by hand`

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)

function runLine(r: ActionRun): string {
  const where = r.state === 'interrupted' || r.state === 'running' ? `, ${whereStopped(r)}` : ''
  return `${r.runId.slice(0, 8)}  ${r.state.toUpperCase().padEnd(12)} ${time(r.startedAt)}  ${r.actor.padEnd(10)} ${r.title}${where}\n`
}

export function formatRun(r: ActionRun): string {
  const lines = [
    r.title,
    `  run ${r.runId} (${r.kind}) on ${r.environment}/${r.endpointId}, target ${r.target}`,
    `  by ${r.actor}, pid ${r.pid} on ${r.host}, started ${time(r.startedAt)}${r.finishedAt ? `, ended ${time(r.finishedAt)}` : ''}`,
    `  state: ${r.state}${r.state === 'interrupted' ? ` (${whereStopped(r)})` : ''}${r.message ? `: ${r.message}` : ''}`,
    ...(r.continues ? [`  continues run ${r.continues.slice(0, 8)}`] : []),
    ...(r.closedBy ? [`  closed by run ${r.closedBy.slice(0, 8)}`] : []),
    '  steps:',
  ]
  r.planSteps.forEach((s, i) => {
    const got = r.steps.find((x) => x.index === i)
    const status = got ? (got.status === 'running' ? 'IN FLIGHT' : got.status) : 'not started'
    lines.push(`    ${String(i + 1).padStart(2)}. [${status}] ${s.title}${got?.note ? ` — ${got.note}` : ''}`)
  })
  if (r.state === 'interrupted')
    lines.push(`  next: switchyard actions resume ${r.environment} ${r.runId.slice(0, 8)} --dry-run   (or rollback, or resolve --note "…")`)
  return lines.join('\n') + '\n'
}

/** A run by its id or a prefix of it (the 8 characters the lists show). */
function findRun(ctx: CliContext, env: string, id: string): ActionRun {
  const runs = ctx.hub.journal.list(env, 500).filter((r) => r.runId.startsWith(id))
  if (runs.length === 0) throw new UsageError(`no run ${id} in ${env}'s journal (switchyard actions list ${env})`)
  if (runs.length > 1) throw new UsageError(`${id} names ${runs.length} runs: give more of the id`)
  return runs[0]!
}

export async function actionsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { note: { type: 'string' } })
  const [verb, env, id] = positionals
  const { io } = ctx
  if (!verb || !env || values.help) {
    io.out(`usage:\n${ACTIONS_USAGE}\n`)
    return values.help ? 0 : 3
  }
  if (verb === 'list') {
    const runs = ctx.hub.journal.list(env, 50).sort((a, b) => Number(b.state === 'interrupted') - Number(a.state === 'interrupted'))
    io.out(values.json ? JSON.stringify(runs, null, 2) + '\n' : runs.length ? runs.map(runLine).join('') : `no action has run in ${env}\n`)
    return runs.some((r) => r.state === 'interrupted') ? 2 : 0
  }
  if (!id) throw new UsageError(`actions ${verb} needs <env> <run-id>`)
  const run = findRun(ctx, env, id)
  if (verb === 'show') {
    io.out(values.json ? JSON.stringify(run, null, 2) + '\n' : formatRun(run))
    return run.state === 'interrupted' ? 2 : 0
  }
  const target = { environment: run.environment, endpointId: run.endpointId, runId: run.runId }
  let request: ActionRequest
  if (verb === 'resume') request = { ...target, kind: 'run.resume' }
  else if (verb === 'rollback') request = { ...target, kind: 'run.rollback' }
  else if (verb === 'resolve') {
    if (!values.note) throw new UsageError('actions resolve needs --note "<what was done by hand>"')
    request = { ...target, kind: 'run.resolve', note: values.note }
  } else throw new UsageError(`unknown actions verb "${verb}"`)
  return runActionCommand(ctx, request, values)
}
