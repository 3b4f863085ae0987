import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { ActionRequest } from '../../../shared/action-requests'
import { durationMs } from '../../../shared/domain/alert-eval'
import { fillArgs, fillText, stepType, type Procedure, type ProcedureRun, type ProcedureStep, type StepRecord } from '../../../shared/procedures'
import type { TimelineSeverity } from '../../../shared/timeline'
import type { ActionRunner } from '../../core/actions/action-runner'
import type { ConditionDefinition, ConditionResult } from '../../core/conditions'
import { currentUser } from '../../core/current-user'
import { pickEndpoint } from '../../core/endpoint-choice'
import { SwitchyardError, toConnError, withTimeout } from '../../core/errors'
import type { ServiceHub } from '../../core/service-hub'
import { sleep } from '../../core/wait'
import { systems } from '../../systems'
import { createActionRunner } from '../actions/runner'
import { environmentConditions } from '../alerts/conditions'
import { ProcedureLibrary, resolveParams } from './library'

const CONDITION_TIMEOUT_MS = 30_000
const TERMINAL = new Set<ProcedureRun['state']>(['succeeded', 'aborted'])

/**
 * Runs procedures step by step, saving the run after every change. Checks and waits run by
 * themselves; an action stops the run until a person confirms its plan; a manual step until a
 * person ticks it. A failed step stops the run with what to do next; resume retries it. After a
 * restart, a step that was running is evaluated again, and an action is never re-run without a
 * fresh confirmation (its done_when tells when its effect is already there).
 */
/** The step's endpoint with the run's parameters filled in; empty means "the one its system would pick". */
function endpointOf(run: Pick<ProcedureRun, 'params'>, step: { endpoint?: string }): string | undefined {
  return (step.endpoint && fillText(step.endpoint, run.params)) || undefined
}

export class ProcedureEngine {
  readonly conditions: ReadonlyMap<string, ConditionDefinition>
  readonly library: ProcedureLibrary
  /** Runs this process is advancing now, and whether a pause was asked for. */
  private readonly active = new Map<string, { pause: boolean }>()
  private readonly actionSystems: Map<string, readonly string[]>
  private readonly listeners = new Set<(run: ProcedureRun) => void>()

  constructor(
    private readonly hub: ServiceHub,
    private readonly runner: ActionRunner,
  ) {
    const all = [...systems.flatMap((s) => s.conditions ?? []), ...environmentConditions]
    this.conditions = new Map(all.map((c) => [c.name, c]))
    this.library = new ProcedureLibrary(hub.options.dataDir, this.conditions)
    this.actionSystems = new Map(systems.flatMap((s) => (s.actions?.(hub) ?? []).map((a) => [a.kind, s.endpointKinds] as const)))
  }

  /** Hear every change of every run (the clients' live view). */
  subscribe(listener: (run: ProcedureRun) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private onChange(run: ProcedureRun): void {
    for (const l of this.listeners) l(run)
  }

  private save(run: ProcedureRun): ProcedureRun {
    this.hub.runs.save(run)
    this.onChange(run)
    return run
  }

  private note(run: ProcedureRun, severity: TimelineSeverity, message: string): void {
    this.hub.timeline.record(run.environment, [
      { at: Date.now(), kind: 'procedure', severity, endpointId: null, subject: run.title, message: `${run.title}: ${message}`, source: 'procedure' },
    ])
  }

  private procedureOf(run: ProcedureRun): Procedure {
    return this.library.parse(run.yaml)
  }

  async start(environment: string, name: string, given: Record<string, string | number>): Promise<ProcedureRun> {
    await this.hub.inventory.get(environment)
    const { procedure, yaml } = await this.library.get(name)
    const params = resolveParams(procedure, given)
    const run: ProcedureRun = {
      id: randomUUID(),
      environment,
      procedure: procedure.name,
      title: procedure.title,
      yaml,
      params,
      state: 'running',
      reason: 'starting',
      startedAt: Date.now(),
      finishedAt: null,
      startedBy: currentUser(),
      steps: procedure.steps.map((s) => ({
        id: s.id,
        type: stepType(s),
        title: fillText(stepTitle(s), params),
        status: 'pending',
        startedAt: null,
        finishedAt: null,
        actor: null,
        evidence: [],
        note: null,
        next: null,
        plan: null,
        result: null,
      })),
    }
    this.save(run)
    this.note(
      run,
      'info',
      `started by ${run.startedBy}${
        Object.keys(params).length
          ? ` (${Object.entries(params)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : ''
      }`,
    )
    return run
  }

  /**
   * Go on from the first step not done until the run needs a person, fails, is paused, or ends.
   * Returns the run as it stands then.
   */
  async advance(runId: string): Promise<ProcedureRun> {
    if (this.active.has(runId)) return this.hub.runs.get(runId)
    const control = { pause: false }
    const paused = () => control.pause
    this.active.set(runId, control)
    try {
      let run = this.hub.runs.get(runId)
      if (TERMINAL.has(run.state) || run.state === 'paused') return run
      const procedure = this.procedureOf(run)
      run = this.save({ ...run, state: 'running', reason: 'running' })
      for (let i = 0; i < run.steps.length; i++) {
        const rec = run.steps[i]!
        if (rec.status === 'passed' || rec.status === 'skipped' || (rec.status === 'failed' && continueOnFail(procedure.steps[i]!))) continue
        if (control.pause) return this.save({ ...run, state: 'paused', reason: `paused before "${rec.title}"` })
        if (rec.status === 'awaiting') return this.save({ ...run, state: 'awaiting', reason: awaitingReason(rec) })
        const step = procedure.steps[i]!
        const unmet = step.needs.filter((n) => run.steps.find((s) => s.id === n)?.status !== 'passed')
        if (unmet.length) {
          run = this.update(run, i, { status: 'skipped', evidence: [`needs ${unmet.join(', ')}, which did not pass`], finishedAt: Date.now() })
          continue
        }
        run = this.update(run, i, { status: 'running', startedAt: Date.now(), evidence: [], next: null })
        const outcome = await this.perform(run, i, step, control)
        run = this.update(run, i, outcome)
        if (outcome.status === 'awaiting') return this.save({ ...run, state: 'awaiting', reason: awaitingReason(run.steps[i]!) })
        if (outcome.status === 'failed' && !continueOnFail(step)) {
          this.note(run, 'critical', `step "${rec.title}" failed`)
          return this.save({ ...run, state: 'failed', reason: `step "${rec.title}" failed${outcome.next ? `; next: ${outcome.next}` : ''}` })
        }
        if (paused() && outcome.status === 'pending') return this.save({ ...run, state: 'paused', reason: `paused at "${rec.title}"` })
      }
      this.note(run, 'ok', 'succeeded')
      return this.save({ ...run, state: 'succeeded', reason: 'every step passed or was skipped', finishedAt: Date.now() })
    } finally {
      this.active.delete(runId)
    }
  }

  private update(run: ProcedureRun, i: number, patch: Partial<StepRecord>): ProcedureRun {
    const steps = run.steps.map((s, j) => (j === i ? { ...s, ...patch } : s))
    const next = { ...run, steps }
    const rec = steps[i]!
    if (patch.status === 'passed' || patch.status === 'skipped' || patch.status === 'failed')
      this.note(next, patch.status === 'failed' ? 'warn' : 'info', `step "${rec.title}" ${patch.status}${rec.actor ? ` (${rec.actor})` : ''}`)
    return this.save(next)
  }

  /** One step's work; what it returns is merged into its record. */
  private async perform(run: ProcedureRun, i: number, step: ProcedureStep, control: { pause: boolean }): Promise<Partial<StepRecord>> {
    const done = (r: ConditionResult, next?: string): Partial<StepRecord> => ({
      status: r.passed ? 'passed' : 'failed',
      evidence: r.evidence,
      finishedAt: Date.now(),
      actor: 'switchyard',
      next: r.passed ? null : fillText(step.if_failed ?? next ?? 'fix what the evidence shows, then resume', run.params),
    })
    if ('check' in step) return done(await this.evaluate(run, step.check, step.with, endpointOf(run, step)))
    if ('wait' in step) {
      const deadline = Date.now() + durationMs(step.timeout)
      for (;;) {
        const r = await this.evaluate(run, step.wait, step.with, endpointOf(run, step))
        if (r.passed) return done(r)
        if (Date.now() >= deadline) return done({ passed: false, evidence: [`not within ${step.timeout}:`, ...r.evidence] }, 'resume to wait again')
        if (control.pause) return { status: 'pending', evidence: r.evidence }
        this.hub.runs.save({ ...run, steps: run.steps.map((s, j) => (j === i ? { ...s, evidence: r.evidence } : s)) })
        await sleep(Math.max(500, durationMs(step.every)))
      }
    }
    if ('manual' in step) return { status: 'awaiting', evidence: [fillText(step.manual, run.params)] }
    if (step.done_when) {
      const already = await this.evaluate(run, step.done_when.check, step.done_when.with, endpointOf(run, step))
      if (already.passed)
        return { status: 'passed', evidence: ['already done, not acted on:', ...already.evidence], finishedAt: Date.now(), actor: 'switchyard' }
    }
    return this.planStep(run, step)
  }

  private async planStep(run: ProcedureRun, step: Extract<ProcedureStep, { action: string }>): Promise<Partial<StepRecord>> {
    try {
      const plan = await this.runner.plan(await this.actionRequest(run, step))
      if (!plan.runnable)
        return {
          status: 'failed',
          plan,
          evidence: plan.prechecks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`),
          finishedAt: Date.now(),
          next: fillText(step.if_failed ?? 'the action’s pre-checks failed: fix what they say, then resume', run.params),
        }
      return { status: 'awaiting', plan, evidence: [plan.summary, ...plan.warnings] }
    } catch (err) {
      return {
        status: 'failed',
        evidence: [toConnError(err).message],
        finishedAt: Date.now(),
        next: 'fix the step’s arguments or the environment, then resume',
      }
    }
  }

  private async actionRequest(run: ProcedureRun, step: Extract<ProcedureStep, { action: string }>): Promise<ActionRequest> {
    const procedure = this.procedureOf(run)
    const types = Object.fromEntries(procedure.params.map((p) => [p.name, p.type]))
    const environment = await this.hub.inventory.get(run.environment)
    const kinds = this.actionSystems.get(step.action) ?? []
    const endpointId =
      endpointOf(run, step) ??
      pickEndpoint(
        environment.endpoints.filter((e) => kinds.includes(e.kind)),
        environment.endpoints.find((e) => kinds.includes(e.kind))?.kind ?? kinds[0] ?? '',
        step.action,
      )
    const parsed = ActionRequest.safeParse({
      ...(fillArgs(step.with, run.params, types) as object),
      kind: step.action,
      environment: run.environment,
      endpointId,
    })
    if (!parsed.success)
      throw new SwitchyardError('config', `the arguments of ${step.action} are not valid: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`)
    return parsed.data
  }

  /** A condition on its endpoint (or every endpoint of its kind); an error is a failed check with the error as evidence. */
  async evaluate(
    run: Pick<ProcedureRun, 'environment' | 'params' | 'yaml'>,
    name: string,
    args: Record<string, unknown>,
    endpoint?: string,
  ): Promise<ConditionResult> {
    const def = this.conditions.get(name)
    if (!def) return { passed: false, evidence: [`no check named ${name}`] }
    const types = Object.fromEntries(this.library.parse(run.yaml).params.map((p) => [p.name, p.type]))
    const parsed = def.args.safeParse(fillArgs(args, run.params, types))
    if (!parsed.success) return { passed: false, evidence: [`the arguments of ${name} are not valid: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`] }
    let targets: { id: string; name: string }[] = [{ id: '', name: '' }]
    if (def.endpointKind) {
      const environment = await this.hub.inventory.get(run.environment)
      const ofKind = environment.endpoints.filter((e) => e.kind === def.endpointKind)
      try {
        targets = endpoint || !def.everyEndpoint ? [ofKind.find((e) => e.id === pickEndpoint(ofKind, def.endpointKind!, def.endpointKind!, endpoint))!] : ofKind
      } catch (err) {
        return { passed: false, evidence: [toConnError(err).message] }
      }
      if (targets.length === 0) return { passed: false, evidence: [`this environment has no ${def.endpointKind} endpoint`] }
    }
    const results = await Promise.all(
      targets.map(async (t) => {
        try {
          const r = await withTimeout(
            `check ${name}`,
            CONDITION_TIMEOUT_MS,
            def.evaluate(parsed.data, { hub: this.hub, environment: run.environment, endpointId: t.id }),
          )
          return targets.length > 1 ? { ...r, evidence: r.evidence.map((e) => `${t.name}: ${e}`) } : r
        } catch (err) {
          return { passed: false, evidence: [`${t.name ? `${t.name}: ` : ''}${toConnError(err).message}`] }
        }
      }),
    )
    return { passed: results.every((r) => r.passed), evidence: results.flatMap((r) => r.evidence) }
  }

  private awaitingStep(run: ProcedureRun, type: 'action' | 'manual' | 'any'): number {
    const i = run.steps.findIndex((s) => s.status === 'awaiting' || (type === 'any' && s.status === 'failed'))
    if (i < 0 || (type !== 'any' && run.steps[i]!.type !== type))
      throw new SwitchyardError(
        'config',
        `this run is not waiting for ${type === 'action' ? 'a confirmation' : type === 'manual' ? 'a tick' : 'anything'} (${run.state}: ${run.reason})`,
      )
    return i
  }

  /**
   * Run the awaiting action's plan, after the confirmation that names its target, then carry on.
   * A wrong confirmation is refused at once; the rest goes on in `finished`.
   */
  confirm(runId: string, confirm: string): Going {
    const run = this.hub.runs.get(runId)
    const i = this.awaitingStep(run, 'action')
    const rec = run.steps[i]!
    if (!rec.plan || confirm.trim() !== rec.plan.target)
      throw new SwitchyardError('config', `confirmation does not match: type "${rec.plan?.target}" to run this step`)
    const running = this.save({ ...this.update(run, i, { status: 'running', actor: currentUser() }), state: 'running', reason: `running "${rec.title}"` })
    this.active.set(runId, { pause: false })
    const acted = this.runAction(running, i, confirm).finally(() => this.active.delete(runId))
    return { run: running, finished: acted.then((r) => (r.state === 'running' ? this.advance(runId) : r)) }
  }

  private async runAction(run: ProcedureRun, i: number, confirm: string): Promise<ProcedureRun> {
    const rec = run.steps[i]!
    const step = this.procedureOf(run).steps[i]! as Extract<ProcedureStep, { action: string }>
    try {
      const result = await this.runner.run(rec.plan!.planId, confirm, (p) => this.onChange({ ...run, reason: `${rec.title}: ${p.message}` }))
      run = this.update(run, i, {
        status: result.outcome === 'succeeded' ? 'passed' : 'failed',
        result,
        evidence: [result.message, ...result.verification.map((v) => `${v.passed ? '✓' : '✗'} ${v.name}: ${v.detail}`)],
        finishedAt: Date.now(),
        next:
          result.outcome === 'succeeded'
            ? null
            : fillText(step.if_failed ?? 'look at the verification, fix by hand, then resume to plan the action again', run.params),
      })
    } catch (err) {
      // The plan expired or the app restarted since it was made: plan afresh and ask again.
      const expired = err instanceof SwitchyardError && /unknown or expired/.test(err.message)
      run = this.update(
        run,
        i,
        expired
          ? await this.planStep(run, step)
          : { status: 'failed', evidence: [toConnError(err).message], finishedAt: Date.now(), next: 'resume to plan it again' },
      )
      if (expired) return this.save({ ...run, state: 'awaiting', reason: `the plan expired; ${awaitingReason(run.steps[i]!)}` })
    }
    if (run.steps[i]!.status === 'failed') {
      this.note(run, 'critical', `step "${rec.title}" failed`)
      return this.save({ ...run, state: 'failed', reason: `step "${rec.title}" failed; next: ${run.steps[i]!.next}` })
    }
    return run
  }

  tick(runId: string, note: string): Going {
    const run = this.hub.runs.get(runId)
    const i = this.awaitingStep(run, 'manual')
    return { run: this.update(run, i, { status: 'passed', actor: currentUser(), note: note || null, finishedAt: Date.now() }), finished: this.advance(runId) }
  }

  skip(runId: string, note: string): Going {
    const run = this.hub.runs.get(runId)
    const i = this.awaitingStep(run, 'any')
    return { run: this.update(run, i, { status: 'skipped', actor: currentUser(), note, finishedAt: Date.now() }), finished: this.advance(runId) }
  }

  pause(runId: string): ProcedureRun {
    const control = this.active.get(runId)
    const run = this.hub.runs.get(runId)
    if (control) {
      control.pause = true
      return run
    }
    if (TERMINAL.has(run.state)) return run
    return this.save({ ...run, state: 'paused', reason: `paused by ${currentUser()}` })
  }

  /** Carry on after a pause, a restart, or a failure fixed by hand: a failed or interrupted step runs again. */
  resume(runId: string): Going {
    const run = this.hub.runs.get(runId)
    if (this.active.has(runId)) return { run, finished: Promise.resolve(run) }
    if (TERMINAL.has(run.state)) throw new SwitchyardError('config', `this run has ${run.state}; start the procedure again`)
    const procedure = this.procedureOf(run)
    const steps = run.steps.map((s, i) =>
      s.status === 'running' || (s.status === 'failed' && !continueOnFail(procedure.steps[i]!)) || (s.status === 'awaiting' && s.type === 'action')
        ? { ...s, status: 'pending' as const, plan: null, finishedAt: null }
        : s,
    )
    const resumed = this.save({ ...run, steps, state: 'running', reason: `resumed by ${currentUser()}` })
    this.note(run, 'info', `resumed by ${currentUser()}`)
    return { run: resumed, finished: this.advance(runId) }
  }

  abort(runId: string, note: string): ProcedureRun {
    const run = this.hub.runs.get(runId)
    if (TERMINAL.has(run.state)) return run
    const control = this.active.get(runId)
    if (control) control.pause = true
    this.note(run, 'warn', `aborted by ${currentUser()}${note ? `: ${note}` : ''}`)
    return this.save({ ...run, state: 'aborted', reason: `aborted by ${currentUser()}${note ? `: ${note}` : ''}`, finishedAt: Date.now() })
  }
}

/** A change accepted at once, and the rest of the run it set going. */
export interface Going {
  run: ProcedureRun
  finished: Promise<ProcedureRun>
}

function stepTitle(s: ProcedureStep): string {
  if (s.title) return s.title
  if ('manual' in s) return s.manual.length > 80 ? `${s.manual.slice(0, 77)}…` : s.manual
  return 'check' in s ? s.check : 'wait' in s ? `wait for ${s.wait}` : s.action
}

function continueOnFail(s: ProcedureStep): boolean {
  return 'continue_on_fail' in s && s.continue_on_fail
}

function awaitingReason(rec: StepRecord): string {
  return rec.type === 'manual' ? `waiting for a person to tick "${rec.title}"` : `waiting for confirmation of "${rec.title}": type "${rec.plan?.target}"`
}

/** The hub's one engine (with its own action runner, whose plans its runs hold), shared by the clients and the CLI. */
export function procedureEngine(hub: ServiceHub): ProcedureEngine {
  return hub.service('procedure-engine', (h) => new ProcedureEngine(h, createActionRunner(h)))
}
