import { randomUUID } from 'node:crypto'
import type { ActionPlan, ActionProgress, ActionResult, VerificationCheck } from '../../../shared/actions'
import type { ActionRequest } from '../../../shared/action-requests'
import type { Environment } from '../../../shared/inventory'
import type { Connections } from '../connections'
import { SwitchyardError, toConnError } from '../errors'
import type { AuditLog } from '../audit-log'
import { currentUser } from '../current-user'
import type { ActionContext, AnyActionDefinition, PlannedAction, RunContext } from './action-definition'

interface PendingPlan {
  plan: ActionPlan
  planned: PlannedAction
  request: ActionRequest
  definition: AnyActionDefinition
  controller?: AbortController
}

export interface ActionRunnerDeps {
  definitions: readonly AnyActionDefinition[]
  audit: AuditLog
  connect(environment: string): Promise<{ environment: Environment; connections: Connections }>
  onProgress(p: ActionProgress): void
}

const PLAN_TTL_MS = 15 * 60_000

/** Drives every action through plan → named confirmation → run with progress → verify, with audit before and after. */
export class ActionRunner {
  private readonly plans = new Map<string, PendingPlan>()

  constructor(private readonly deps: ActionRunnerDeps) {}

  private definition(kind: string): AnyActionDefinition {
    const d = this.deps.definitions.find((x) => x.kind === kind)
    if (!d) throw new SwitchyardError('config', `no action named ${kind}`)
    return d
  }

  private async context(req: ActionRequest): Promise<ActionContext> {
    const { environment, connections } = await this.deps.connect(req.environment)
    return { environment, endpoint: connections.endpoint(req.endpointId), connections }
  }

  async plan(request: ActionRequest): Promise<ActionPlan> {
    const definition = this.definition(request.kind)
    const ctx = await this.context(request)
    const planned = await (definition.plan.bind(definition) as (r: ActionRequest, c: ActionContext) => Promise<PlannedAction>)(request, ctx)
    if (ctx.environment.readOnly) planned.prechecks = [readOnlyCheck(ctx.environment.name), ...planned.prechecks]
    const plan: ActionPlan = {
      ...planned,
      planId: randomUUID(),
      kind: request.kind,
      environment: request.environment,
      endpointId: request.endpointId,
      runnable: planned.prechecks.every((c) => c.passed),
      createdAt: Date.now(),
    }
    this.expire()
    this.plans.set(plan.planId, { plan, planned, request, definition })
    return plan
  }

  private expire(): void {
    const now = Date.now()
    for (const [id, p] of this.plans) if (!p.controller && now - p.plan.createdAt > PLAN_TTL_MS) this.plans.delete(id)
  }

  /** Run a confirmed plan; onProgress also hears this run's progress (the CLI prints it). */
  async run(planId: string, confirm: string, onProgress?: (p: ActionProgress) => void): Promise<ActionResult> {
    const pending = this.plans.get(planId)
    if (!pending) throw new SwitchyardError('config', 'this plan is unknown or expired; plan the action again')
    const { plan, planned, request, definition } = pending
    if (pending.controller) throw new SwitchyardError('config', 'this plan is already running')
    if (!plan.runnable)
      throw new SwitchyardError(
        'config',
        `pre-checks failed: ${plan.prechecks
          .filter((c) => !c.passed)
          .map((c) => c.name)
          .join(', ')}`,
      )
    if (confirm.trim() !== plan.target) throw new SwitchyardError('config', `confirmation does not match: type "${plan.target}" to run this action`)
    // Checked again at run time: the environment may have been made read-only since the plan.
    const { environment } = await this.deps.connect(plan.environment)
    if (environment.readOnly) throw new SwitchyardError('config', readOnlyCheck(environment.name).detail)

    const controller = new AbortController()
    pending.controller = controller
    const started = Date.now()
    const actor = currentUser()
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
    let result: ActionResult
    try {
      const ctx = await this.context(request)
      progress('starting')
      const run = definition.run.bind(definition) as (r: ActionRequest, p: PlannedAction, c: RunContext) => Promise<string>
      const message = await run(request, planned, {
        ...ctx,
        signal: controller.signal,
        progress,
        step: (m) => {
          step = Math.min(totalSteps, step + 1)
          progress(m)
        },
      })
      progress('verifying')
      const verify = definition.verify.bind(definition) as (r: ActionRequest, p: PlannedAction, c: ActionContext) => Promise<VerificationCheck[]>
      const verification = await verify(request, planned, ctx)
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
      }
    } catch (err) {
      const cancelled = controller.signal.aborted
      result = {
        planId,
        outcome: cancelled ? 'cancelled' : 'failed',
        message: `${cancelled ? 'cancelled' : 'failed'} at step ${step} of ${totalSteps}: ${toConnError(err).message}`,
        verification: [],
        durationMs: Date.now() - started,
      }
    }
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

  cancel(planId: string): boolean {
    const c = this.plans.get(planId)?.controller
    if (!c) return false
    c.abort()
    return true
  }
}

function readOnlyCheck(environment: string): VerificationCheck {
  return {
    name: 'environment accepts actions',
    passed: false,
    detail: `environment ${environment} is read-only: every action is refused (clear "read-only" in its settings to act on it)`,
  }
}
