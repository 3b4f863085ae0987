import type { ActionRun } from '../actions'

/** Where a run stopped, in words: "stopped in step 4 of 17 (Read pg1's final WAL position), 3 steps done". */
export function whereStopped(run: Pick<ActionRun, 'steps' | 'planSteps'>): string {
  const done = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length
  const open = run.steps.find((s) => s.status === 'running' || s.status === 'failed')
  const total = run.planSteps.length
  if (open) return `stopped in step ${open.index + 1} of ${total} (${open.title}), ${done} step${done === 1 ? '' : 's'} done`
  return done ? `stopped after step ${done} of ${total}` : 'stopped before its first step'
}

/** What the journal says of each planned step: done, in flight when the process stopped, or not started. */
export function stepStates(run: Pick<ActionRun, 'steps' | 'planSteps'>): ('done' | 'in flight' | 'failed' | 'not started')[] {
  return run.planSteps.map((_, i) => {
    const s = run.steps.find((x) => x.index === i)
    if (!s) return 'not started'
    if (s.status === 'running') return 'in flight'
    return s.status === 'failed' ? 'failed' : 'done'
  })
}
