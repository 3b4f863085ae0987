import type { ActionPlan, ActionResult } from '../../src/shared/actions'
import type { ActionRequest } from '../../src/shared/action-requests'
import type { ActionRunner } from '../../src/main/core/actions/action-runner'

/** Plan, confirm with the plan's own target, run; a plan whose pre-checks fail is a test failure naming them. */
export async function planAndRun(
  runner: ActionRunner,
  request: ActionRequest,
  onPlan?: (plan: ActionPlan) => void,
): Promise<{ plan: ActionPlan; result: ActionResult }> {
  const plan = await runner.plan(request)
  onPlan?.(plan)
  if (!plan.runnable)
    throw new Error(
      `plan ${plan.kind} not runnable: ${plan.prechecks
        .filter((c) => !c.passed)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}`,
    )
  return { plan, result: await runner.run(plan.planId, plan.target) }
}
