import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import type { ProcedureRun } from '../../../shared/procedures'
import { UsageError, type CliIo } from '../../core/cli'
import type { ServiceHub } from '../../core/service-hub'
import { procedureEngine, type ProcedureEngine } from './engine'
import { procedureReport } from './report'

const USAGE = `procedure list
  procedure validate <file>
  procedure run <env> <procedure> [--param name=value]… [--yes] [--tick <note>]
  procedure resume <env> <run-id> [--yes] [--tick <note>]
  procedure runs <env>
  procedure report <env> <run-id> [--html]
    --yes   confirm each action's plan (printed first) by its target, as typing it in the app would
    --tick  tick manual steps with this note (a person vouches for them)
    exit 0 succeeded, 1 waiting for a person or paused, 2 failed or aborted`

const ICON: Record<string, string> = { passed: '✓', failed: '✗', skipped: '–', awaiting: '…', running: '▸', pending: ' ' }

function printStep(io: CliIo, run: ProcedureRun, seen: Map<string, string>): void {
  run.steps.forEach((s, i) => {
    const key = `${run.id}|${s.id}`
    if (seen.get(key) === s.status || s.status === 'pending') return
    seen.set(key, s.status)
    io.out(`${ICON[s.status]} ${String(i + 1).padStart(2)}. ${s.title} [${s.status}]\n`)
    if (s.status !== 'running') for (const e of s.evidence) io.out(`       ${e}\n`)
    if (s.status === 'awaiting' && s.plan)
      for (const st of s.plan.steps) io.out(`       plan: ${st.title}\n${st.commands.map((c) => `         $ ${c}\n`).join('')}`)
    if (s.next) io.out(`       next: ${s.next}\n`)
  })
}

/** Drive a run from the terminal until it ends or needs what the flags do not give. */
async function drive(engine: ProcedureEngine, env: string, first: Promise<ProcedureRun>, flags: { yes?: boolean; tick?: string }, io: CliIo): Promise<number> {
  const seen = new Map<string, string>()
  const off = engine.subscribe((r) => printStep(io, r, seen))
  try {
    let run = await first
    for (;;) {
      printStep(io, run, seen)
      const waiting = run.steps.find((s) => s.status === 'awaiting')
      if (run.state === 'awaiting' && waiting?.type === 'action' && flags.yes && waiting.plan) run = await engine.confirm(run.id, waiting.plan.target).finished
      else if (run.state === 'awaiting' && waiting?.type === 'manual' && flags.tick !== undefined) run = await engine.tick(run.id, flags.tick).finished
      else break
    }
    io.out(`${run.state.toUpperCase()} ${run.title}: ${run.reason}\n`)
    if (run.state === 'awaiting' || run.state === 'paused' || run.state === 'failed')
      io.out(`run ${run.id}; go on with: switchyard procedure resume ${env} ${run.id} [--yes] [--tick <note>]\n`)
    return run.state === 'succeeded' ? 0 : run.state === 'awaiting' || run.state === 'paused' ? 1 : 2
  } finally {
    off()
  }
}

export async function procedureCommand(hub: ServiceHub, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { param: { type: 'string', multiple: true }, yes: { type: 'boolean' }, tick: { type: 'string' }, html: { type: 'boolean' } },
    allowPositionals: true,
  })
  const [verb, a, b] = positionals
  const engine = procedureEngine(hub)
  switch (verb) {
    case 'list':
      for (const p of await engine.library.list())
        io.out(`${p.name.padEnd(24)} ${p.source.padEnd(8)} ${p.errors.length ? `INVALID (${p.errors.length} problems)` : `${p.steps} steps`}  ${p.title}\n`)
      return 0
    case 'validate': {
      if (!a) throw new UsageError(USAGE)
      const errors = engine.library.validate(await readFile(a, 'utf8'))
      io.out(errors.length ? `${a} is not valid:\n${errors.map((e) => `  ${e}\n`).join('')}` : `${a} is a valid procedure\n`)
      return errors.length ? 2 : 0
    }
    case 'run': {
      if (!a || !b) throw new UsageError(USAGE)
      const params: Record<string, string> = {}
      for (const p of values.param ?? []) {
        const eq = p.indexOf('=')
        if (eq < 1) throw new UsageError(`--param takes name=value, not "${p}"`)
        params[p.slice(0, eq)] = p.slice(eq + 1)
      }
      const run = await engine.start(a, b, params)
      io.out(`run ${run.id}: ${run.title} on ${a}\n`)
      return drive(engine, a, engine.advance(run.id), values, io)
    }
    case 'resume':
      if (!a || !b) throw new UsageError(USAGE)
      return drive(engine, a, engine.resume(b).finished, values, io)
    case 'runs':
      if (!a) throw new UsageError(USAGE)
      for (const r of hub.runs.list(a)) io.out(`${r.id}  ${new Date(r.startedAt).toISOString()}  ${r.state.padEnd(9)} ${r.procedure}: ${r.reason}\n`)
      return 0
    case 'report': {
      if (!a || !b) throw new UsageError(USAGE)
      const report = procedureReport(hub, hub.runs.get(b))
      io.out(values.html ? report.html : report.markdown)
      return 0
    }
    default:
      throw new UsageError(USAGE)
  }
}
