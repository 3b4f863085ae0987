import { randomUUID } from 'node:crypto'
import type { ActionPlan, ActionProgress, ActionResult, PlanStep, VerificationCheck } from '../../../shared/actions'
import type { ActionRequest } from '../../../shared/action-requests'
import type { Environment } from '../../../shared/inventory'
import type { Connections } from '../connections'
import { SwitchyardError, toConnError } from '../errors'
import type { AuditLog } from '../audit-log'
import { currentUser } from '../current-user'
import { isDeclared, type ActionContext, type AnyActionDefinition, type DeclaredStep, type Prepared, type RunContext } from './action-definition'
import { leaseRefusal, type ActionJournal, type RunMode } from './journal'
import { faultAt } from './fault-injection'
import { recoveryActions, type Continuation } from './run-recovery'
import { estimateChecks, estimateFromEarlierRuns, trackOf } from '../../../shared/domain/run-estimate'

interface PendingPlan {
  plan: ActionPlan
  request: ActionRequest
  controller?: AbortController
}

export interface ActionRunnerDeps {
  definitions: readonly AnyActionDefinition[]
  audit: AuditLog
  journal: ActionJournal
  connect(environment: string): Promise<{ environment: Environment; connections: Connections }>
  /** Keeps a run's connections open until it ends, even when its environment is edited meanwhile. */
  retain?(connections: Connections): () => void
  onProgress(p: ActionProgress): void
  /** What other parts of the app predict of a request (a scale-in's load per remaining replica): said in the plan, never compared on confirm. */
  whatIf?(request: ActionRequest): Promise<{ notes: string[]; warnings: string[] }>
}

const PLAN_TTL_MS = 15 * 60_000

/** The lease key: one action at a time per endpoint (a cluster, a tier), across every process on the machine. */
export function targetKey(environment: string, endpointId: string): string {
  return `${environment}/${endpointId}`
}

/** This process's runners: a shell asked to stop brings each of its runs to a safe point first. */
const live = new Set<ActionRunner>()

/**
 * Drives every action through prepare → named confirmation → prepare again and compare → lease →
 * journaled steps with progress → verify, with audit before and after.
 */
export class ActionRunner {
  private readonly plans = new Map<string, PendingPlan>()
  private readonly definitions: readonly AnyActionDefinition[]
  private stopping: string | undefined

  constructor(private readonly deps: ActionRunnerDeps) {
    this.definitions = [...deps.definitions, ...recoveryActions({ journal: deps.journal, definition: (k) => this.definition(k) })]
    live.add(this)
  }

  definition(kind: string): AnyActionDefinition {
    const d = this.definitions.find((x) => x.kind === kind)
    if (!d) throw new SwitchyardError('config', `no action named ${kind}`)
    return d
  }

  private async context(req: ActionRequest): Promise<ActionContext> {
    const { environment, connections } = await this.deps.connect(req.environment)
    const key = targetKey(req.environment, req.endpointId)
    return { environment, endpoint: connections.endpoint(req.endpointId), connections, earlier: (kinds) => this.deps.journal.measured(key, kinds) }
  }

  private async prepare(request: ActionRequest, ctx: ActionContext): Promise<Prepared> {
    const definition = this.definition(request.kind)
    const prepared = await (definition.prepare.bind(definition) as (r: ActionRequest, c: ActionContext) => Promise<Prepared>)(request, ctx)
    const prechecks = [...prepared.prechecks]
    if (ctx.environment.readOnly) prechecks.unshift(readOnlyCheck(ctx.environment.name))
    const holder = this.deps.journal.holder(targetKey(request.environment, request.endpointId))
    const continues = (prepared.state as Partial<Continuation> | null)?.continues
    if (holder && holder.runId !== continues)
      prechecks.unshift({ name: 'no other action on this target', passed: false, detail: leaseRefusal(holder).message.replace(/^nothing was changed: /, '') })
    return { ...prepared, prechecks }
  }

  async plan(request: ActionRequest): Promise<ActionPlan> {
    const prepared = await this.prepare(request, await this.context(request))
    // a prediction that cannot be made leaves the plan as it is
    const predicted = (await this.deps.whatIf?.(request).catch(() => undefined)) ?? { notes: [], warnings: [] }
    const earlier = this.deps.journal.measured(targetKey(request.environment, request.endpointId), [request.kind])
    const estimate = prepared.estimate ?? estimateFromEarlierRuns(earlier)
    const plan: ActionPlan = {
      target: prepared.target,
      title: prepared.title,
      summary: prepared.summary,
      risk: prepared.risk,
      steps: planSteps(prepared.steps),
      prechecks: prepared.prechecks,
      warnings: [...prepared.warnings, ...predicted.warnings],
      whatIf: [...(prepared.whatIf ?? []), ...predicted.notes],
      ...(prepared.dataLoss ? { dataLoss: prepared.dataLoss } : {}),
      ...(estimate ? { estimate } : {}),
      track: trackOf(earlier),
      planId: randomUUID(),
      kind: request.kind,
      environment: request.environment,
      endpointId: request.endpointId,
      runnable: prepared.prechecks.every((c) => c.passed),
      createdAt: Date.now(),
    }
    this.expire()
    this.plans.set(plan.planId, { plan, request })
    return plan
  }

  private expire(): void {
    const now = Date.now()
    for (const [id, p] of this.plans) if (!p.controller && now - p.plan.createdAt > PLAN_TTL_MS) this.plans.delete(id)
  }

  /**
   * Run a confirmed plan; onProgress also hears this run's progress (the CLI prints it). The actor
   * is the person at the keyboard unless the run is on behalf of something else (a policy).
   */
  async run(planId: string, confirm: string, onProgress?: (p: ActionProgress) => void, as: { actor?: string } = {}): Promise<ActionResult> {
    const pending = this.plans.get(planId)
    if (!pending) throw new SwitchyardError('config', 'this plan is unknown or expired; plan the action again')
    const { plan, request } = pending
    if (pending.controller) throw new SwitchyardError('config', 'this plan is already running')
    if (this.stopping) throw new SwitchyardError('config', `nothing was changed: ${this.stopping}`)
    if (!plan.runnable) throw new SwitchyardError('config', `pre-checks failed: ${failedNames(plan.prechecks)}`)
    if (confirm.trim() !== plan.target) throw new SwitchyardError('config', `confirmation does not match: type "${plan.target}" to run this action`)

    const ctx = await this.context(request)
    // Checked again at run time: the environment may have been made read-only, or the cluster changed, since the plan.
    if (ctx.environment.readOnly) throw new SwitchyardError('config', readOnlyCheck(ctx.environment.name).detail)
    const prepared = await this.prepare(request, ctx).catch((err: unknown) => {
      throw new SwitchyardError(
        'config',
        `nothing was changed: reading the system again before running failed: ${toConnError(err, ctx.connections.secretValues()).message}`,
      )
    })
    const failed = prepared.prechecks.filter((c) => !c.passed)
    if (failed.length)
      throw new SwitchyardError('config', `nothing was changed: pre-check no longer passes: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
    const changed = stepDifference(plan.steps, planSteps(prepared.steps))
    if (changed) throw new SwitchyardError('config', `nothing was changed: the cluster changed since you confirmed: ${changed}; plan again`)

    const definition = this.definition(request.kind)
    const started = Date.now()
    const actor = as.actor ?? currentUser()
    const runId = randomUUID()
    const continuation = (prepared.state as Partial<Continuation> | null)?.journalAs
    const journal = this.deps.journal
    journal.begin({
      runId,
      planId,
      kind: continuation?.kind ?? request.kind,
      mode: continuation?.mode ?? ('run' satisfies RunMode),
      environment: request.environment,
      endpointId: request.endpointId,
      targetKey: targetKey(request.environment, request.endpointId),
      target: plan.target,
      title: plan.title,
      actor,
      request: continuation?.request ?? request,
      planSteps: plan.steps,
      prepared: continuation?.prepared ?? { state: prepared.state },
      ...(plan.estimate ? { estimate: plan.estimate } : {}),
      ...(continuation?.continues ? { continues: continuation.continues } : {}),
    })
    // The lease is taken (or refused, changing nothing) before the plan counts as running.
    const controller = new AbortController()
    pending.controller = controller
    const release = this.deps.retain?.(ctx.connections)
    await this.deps.audit.append({
      id: randomUUID(),
      at: started,
      phase: 'started',
      planId,
      kind: plan.kind,
      environment: plan.environment,
      target: plan.target,
      actor,
      steps: plan.steps,
    })

    const totalSteps = plan.steps.length
    let step = 0
    const progress = (message: string, fraction?: number) => {
      const p: ActionProgress = { planId, step, totalSteps, message, fraction, at: Date.now() }
      this.deps.onProgress(p)
      onProgress?.(p)
    }
    const facts: Record<string, string> = { ...continuation?.facts }
    let open: number | undefined
    const closeOpen = (status: 'done' | 'failed', note: string | null) => {
      if (open === undefined) return
      journal.stepEnded(runId, open, status, note, { ...facts })
      open = undefined
    }
    const runCtx: RunContext = {
      ...ctx,
      signal: controller.signal,
      facts,
      progress,
      step: (m) => {
        closeOpen('done', null)
        step = Math.min(totalSteps, step + 1)
        open = step - 1
        journal.stepStarted(runId, open, m)
        faultAt(open)
        progress(m)
      },
    }
    let result: ActionResult
    let abandoned: string | undefined
    try {
      progress('starting')
      let message: string
      if (isDeclared(prepared.steps)) {
        const outcome = await this.runDeclared(runId, prepared, runCtx, (i) => (step = i + 1), progress)
        message = outcome.message
        abandoned = outcome.abandoned
      } else {
        if (!definition.execute) throw new SwitchyardError('config', `${request.kind} declares neither runnable steps nor execute()`)
        const execute = definition.execute.bind(definition) as (r: ActionRequest, p: Prepared, c: RunContext) => Promise<string>
        message = await execute(request, prepared, runCtx)
        closeOpen('done', null)
      }
      if (abandoned) {
        result = { planId, outcome: 'cancelled', message: abandoned, verification: [], durationMs: Date.now() - started, checked: [] }
      } else {
        progress('verifying')
        const verify = definition.verify.bind(definition) as (r: ActionRequest, p: Prepared, c: ActionContext) => Promise<VerificationCheck[]>
        const verification = await verify(request, prepared, ctx)
        const passed = verification.every((v) => v.passed)
        result = {
          planId,
          outcome: passed ? 'succeeded' : 'failed',
          message: passed
            ? message
            : `${message}; verification failed: ${verification
                .filter((v) => !v.passed)
                .map((v) => `${v.name}: ${v.detail}`)
                .join('; ')}`,
          verification,
          durationMs: Date.now() - started,
          checked: [],
        }
      }
    } catch (err) {
      const cancelled = controller.signal.aborted
      const why = toConnError(err, ctx.connections.secretValues()).message
      closeOpen('failed', why)
      result = {
        planId,
        outcome: cancelled ? 'cancelled' : 'failed',
        message: `${cancelled ? 'cancelled' : 'failed'} at step ${step} of ${totalSteps}: ${why}`,
        verification: [],
        durationMs: Date.now() - started,
        checked: [],
      }
    } finally {
      release?.()
    }
    if (abandoned) journal.abandon(runId, abandoned)
    else result.checked = estimateChecks(runId, started, plan.estimate, journal.finish(runId, result.outcome, result.message))
    progress(result.outcome, 1)
    this.plans.delete(planId)
    await this.deps.audit.append({
      id: randomUUID(),
      at: Date.now(),
      phase: 'finished',
      planId,
      kind: plan.kind,
      environment: plan.environment,
      target: plan.target,
      actor,
      result,
    })
    return result
  }

  /**
   * Declared steps, each journaled around its run. A step whose effect done() observes is skipped;
   * a stop request is honoured between steps only: when done steps are left to undo, the run stays
   * open in the journal as interrupted (resume or roll back) instead of pretending to be finished.
   */
  private async runDeclared(
    runId: string,
    prepared: Prepared,
    ctx: RunContext,
    at: (index: number) => void,
    progress: (m: string, f?: number) => void,
  ): Promise<{ message: string; abandoned?: string }> {
    const steps = prepared.steps as DeclaredStep[]
    const journal = this.deps.journal
    const notes: string[] = []
    for (const [i, s] of steps.entries()) {
      if (ctx.signal.aborted) {
        const why = `${this.stopping ?? 'cancelled'} after step ${i} of ${steps.length}`
        const pending = steps.slice(0, i).some((d) => d.revert !== undefined)
        if (pending) return { message: '', abandoned: `${why}: left open in the journal, resume or roll it back` }
        throw new SwitchyardError('other', why)
      }
      at(i)
      if (s.carried) {
        journal.stepCarried(runId, i, s.title, s.carried)
        continue
      }
      journal.stepStarted(runId, i, s.title)
      faultAt(i)
      progress(s.title)
      const t0 = Date.now()
      try {
        if (s.mayHaveRun && s.done && (await s.done(ctx))) {
          journal.stepEnded(runId, i, 'skipped', 'already in place', { ...ctx.facts })
          progress(`${s.title}: already in place`)
          continue
        }
        const note = (await s.run(ctx)) || null
        journal.stepEnded(runId, i, 'done', note, { ...ctx.facts })
        if (note) notes.push(`${s.title}: ${note}`)
        progress(`${s.title}: done in ${Date.now() - t0} ms${note ? ` (${note})` : ''}`, (i + 1) / steps.length)
      } catch (err) {
        const why = toConnError(err, ctx.connections.secretValues())
        journal.stepEnded(runId, i, 'failed', why.message, { ...ctx.facts })
        const recovered = prepared.onStepFailed ? await prepared.onStepFailed(i, ctx).catch((e: unknown) => `recovery failed: ${toConnError(e).message}`) : ''
        throw new SwitchyardError(why.code, [`"${s.title}" failed: ${why.message}.`, recovered, recovered ? '' : (s.ifFailed ?? '')].filter(Boolean).join(' '))
      }
    }
    return { message: [`${prepared.title}: done`, ...notes, ...(prepared.followUp ? [prepared.followUp] : [])].join('; ') }
  }

  cancel(planId: string): boolean {
    const c = this.plans.get(planId)?.controller
    if (!c) return false
    c.abort()
    return true
  }

  /** Plans of this runner that are running now. */
  running(): string[] {
    return [...this.plans.values()].filter((p) => p.controller).map((p) => p.plan.planId)
  }

  /** Refuse new runs and ask running ones to stop at their next safe point. */
  stop(reason: string): void {
    this.stopping = reason
    for (const p of this.plans.values()) p.controller?.abort()
  }
}

/**
 * A shell asked to stop (SIGTERM, the app quitting): every run of this process stops at its next
 * safe point and says so in the journal; resolves once none runs, or after timeoutMs.
 */
export async function stopRunningActions(reason: string, timeoutMs = 60_000): Promise<number> {
  const runners = [...live].filter((r) => r.running().length)
  for (const r of runners) r.stop(reason)
  const deadline = Date.now() + timeoutMs
  while (runners.some((r) => r.running().length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  return runners.reduce((n, r) => n + r.running().length, 0)
}

export function actionsRunning(): number {
  return [...live].reduce((n, r) => n + r.running().length, 0)
}

function planSteps(steps: Prepared['steps']): PlanStep[] {
  return steps.map((s) => ({
    title: s.title,
    commands: s.commands,
    ...(s.undo ? { undo: s.undo } : {}),
    ...(s.irreversible ? { irreversible: true } : {}),
    ...(s.pausesWrites ? { pausesWrites: true } : {}),
    ...((s as Partial<DeclaredStep>).carried ? { carried: (s as DeclaredStep).carried } : {}),
  }))
}

/** What differs between the confirmed steps and the ones prepared now, in words; undefined when they are the same. */
export function stepDifference(confirmed: PlanStep[], now: PlanStep[]): string | undefined {
  const key = (s: PlanStep) => JSON.stringify([s.title, s.commands])
  if (confirmed.length !== now.length) return `the plan now has ${now.length} steps instead of ${confirmed.length}`
  const i = confirmed.findIndex((s, j) => key(s) !== key(now[j]!))
  if (i < 0) return undefined
  return confirmed[i]!.title === now[i]!.title
    ? `step ${i + 1} (${now[i]!.title}) now sends other commands`
    : `step ${i + 1} is now "${now[i]!.title}" instead of "${confirmed[i]!.title}"`
}

function failedNames(checks: ActionPlan['prechecks']): string {
  return checks
    .filter((c) => !c.passed)
    .map((c) => c.name)
    .join(', ')
}

function readOnlyCheck(environment: string): VerificationCheck {
  return {
    name: 'environment accepts actions',
    passed: false,
    detail: `environment ${environment} is read-only: every action is refused (clear "read-only" in its settings to act on it)`,
  }
}
