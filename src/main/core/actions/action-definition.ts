import type { ActionPlan, ActionRun, PlanStep, RunEstimate, VerificationCheck } from '../../../shared/actions'
import type { EarlierRun } from '../../../shared/domain/run-estimate'
import type { ActionKind, ActionRequest } from '../../../shared/action-requests'
import type { Environment, Endpoint } from '../../../shared/inventory'
import type { Connections } from '../connections'

export type RequestOf<K extends ActionKind> = Extract<ActionRequest, { kind: K }>

export interface ActionContext {
  environment: Environment
  endpoint: Endpoint
  connections: Connections
  /** Succeeded runs of these kinds on this target, newest first, with what they predicted and took. */
  earlier?(kinds: readonly string[]): EarlierRun[]
}

export interface RunContext extends ActionContext {
  /** Begin the next step of the plan (steps are counted in plan order); the journal records it first. */
  step(message: string): void
  /** Report progress within the action; fraction is 0..1 of the whole action when known. */
  progress(message: string, fraction?: number): void
  /** Set when the user cancels or the shell is asked to stop; long loops check it between safe points. */
  signal: AbortSignal
  /** Facts a step hands on to later ones (the old primary's final LSN); journaled after each step, restored on resume. */
  facts: Record<string, string>
}

/**
 * A step the runner runs itself: its intent and outcome are journaled around run(), a resumed run
 * asks done() before repeating the step that was in flight (a fresh run never pays for it), and a
 * roll back calls revert() of the done steps newest first. A step with no done() is safe to repeat.
 */
export interface DeclaredStep extends PlanStep {
  run(ctx: RunContext): Promise<string | void>
  done?(ctx: RunContext): Promise<boolean>
  revert?(ctx: RunContext): Promise<string | void>
  /** Set by a resume on the step that was in flight when the run stopped: done() is asked before it runs again. */
  mayHaveRun?: boolean
  /** Where the system stands if this step fails, and what to do next. */
  ifFailed?: string
}

/** What an action's prepare() returns; the runner adds ids and timestamps. */
export type PlannedAction = Pick<ActionPlan, 'target' | 'title' | 'summary' | 'risk' | 'steps' | 'prechecks' | 'warnings' | 'dataLoss'> & {
  /** The action's own prediction (a migration from what it moves); without one, earlier runs of the same kind predict. */
  estimate?: RunEstimate
  /** What it will do, measured before it does it (slots, keys and bytes per master; chunks and bytes of a drain). */
  whatIf?: string[]
}

/**
 * A prepared action: the plan and the facts its steps will act on (node ids, LSNs, slot ranges,
 * container configs), kept with the plan, in the journal, and handed back at run and verify time.
 * When every step is a DeclaredStep the runner runs them; otherwise execute() does.
 */
export interface Prepared<S = unknown> extends PlannedAction {
  state: S
  steps: PlanStep[] | DeclaredStep[]
  /** Called when a declared step failed: undo what is safe to undo and say what was done. */
  onStepFailed?(failedAt: number, ctx: RunContext): Promise<string>
  /** Said after the declared steps succeeded: what the operator still has to do. */
  followUp?: string
}

/** What a resume or roll back knows of the run it finishes, from the journal. */
export interface Interrupted<S = unknown> {
  run: ActionRun
  state: S
  /** Facts the steps recorded as they went. */
  facts: Record<string, string>
  /** Steps of the original plan (0-based) whose outcome the journal recorded as done or already in place. */
  done: number[]
  /** The step that was running when the process stopped, if any: it may or may not have taken effect. */
  inFlight?: number
}

/**
 * One destructive action, on one protocol: prepare() reads and changes nothing; at run time the
 * runner prepares again and refuses when a pre-check now fails or the steps differ from what was
 * confirmed; the steps run under a lease with a journal; verify() observes the system afterwards
 * and never trusts the steps' replies alone.
 */
export interface ActionDefinition<K extends ActionKind, S = unknown> {
  kind: K
  prepare(req: RequestOf<K>, ctx: ActionContext): Promise<Prepared<S>>
  /** For actions whose steps are not declared: performs exactly the listed steps, calling ctx.step() at each. */
  execute?(req: RequestOf<K>, prepared: Prepared<S>, ctx: RunContext): Promise<string>
  verify(req: RequestOf<K>, prepared: Prepared<S>, ctx: ActionContext): Promise<VerificationCheck[]>
  /** The rest of an interrupted run: the confirmed steps rebuilt from what the journal kept. */
  resume?(req: RequestOf<K>, interrupted: Interrupted<S>, ctx: ActionContext): Promise<Prepared<S>>
  /**
   * Without resume(): whether preparing the same request again from what the system is now
   * finishes an interrupted run safely (a rebalance, a scale to N, a balancer setting). An action
   * that would act a second time (a restart, a step-down) leaves this unset, and its interrupted
   * runs offer only roll back (where it has an inverse) and mark resolved.
   */
  converges?: true
  /** For actions without per-step undo: the request that puts things back as they were before this one. */
  inverse?(req: RequestOf<K>, state: S): ActionRequest | undefined
  /** After a roll back of declared steps: the system is as it was before the action. */
  verifyUndone?(req: RequestOf<K>, state: S, ctx: ActionContext): Promise<VerificationCheck[]>
}

// Methods are bivariant in their parameters, so an action with its own state type fits here.
export type AnyActionDefinition = { [K in ActionKind]: ActionDefinition<K> }[ActionKind]

export function step(title: string, ...commands: string[]): PlanStep {
  return { title, commands }
}

export function isDeclared(steps: Prepared['steps']): steps is DeclaredStep[] {
  return steps.length > 0 && steps.every((s) => typeof (s as Partial<DeclaredStep>).run === 'function')
}
