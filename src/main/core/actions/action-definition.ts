import type { ActionPlan, PlanStep, VerificationCheck } from '../../../shared/actions'
import type { ActionKind, ActionRequest } from '../../../shared/action-requests'
import type { Environment, Endpoint } from '../../../shared/inventory'
import type { Connections } from '../connections'

export type RequestOf<K extends ActionKind> = Extract<ActionRequest, { kind: K }>

export interface ActionContext {
  environment: Environment
  endpoint: Endpoint
  connections: Connections
}

export interface RunContext extends ActionContext {
  /** Begin the next step of the plan (steps are counted in plan order). */
  step(message: string): void
  /** Report progress within the action; fraction is 0..1 of the whole action when known. */
  progress(message: string, fraction?: number): void
  /** Set when the user cancels; long loops check it between safe points. */
  signal: AbortSignal
}

/** What an action's planner returns; the runner adds ids and timestamps. */
export type PlannedAction = Pick<ActionPlan, 'target' | 'title' | 'summary' | 'risk' | 'steps' | 'prechecks' | 'warnings'>

/**
 * One destructive action. plan() must not change anything; run() performs exactly the listed
 * steps; verify() observes the system afterwards and never trusts run()'s replies alone.
 */
export interface ActionDefinition<K extends ActionKind> {
  kind: K
  plan(req: RequestOf<K>, ctx: ActionContext): Promise<PlannedAction>
  run(req: RequestOf<K>, plan: PlannedAction, ctx: RunContext): Promise<string>
  verify(req: RequestOf<K>, plan: PlannedAction, ctx: ActionContext): Promise<VerificationCheck[]>
}

export type AnyActionDefinition = { [K in ActionKind]: ActionDefinition<K> }[ActionKind]

export function step(title: string, ...commands: string[]): PlanStep {
  return { title, commands }
}
