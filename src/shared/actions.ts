import { z } from 'zod'

/**
 * Every destructive action goes plan → named confirmation → run with progress → verify → audit.
 * A plan lists the exact commands it will send so that it doubles as the dry run.
 */
export const PlanStep = z.object({
  title: z.string(),
  /** Exact commands, SQL or shell lines, as they will be sent (secrets masked). */
  commands: z.array(z.string()),
  /** How this step is undone when the run is rolled back (PAUSE ↔ RESUME, fence ↔ start). */
  undo: z.object({ title: z.string(), commands: z.array(z.string()) }).optional(),
  /** Once this step ran, the action can only go forward: a roll back stops short of it. */
  irreversible: z.boolean().optional(),
  /** In a resume: the interrupted run already did this step ("done by run 1a2b3c4d"); it is not sent again. */
  carried: z.string().optional(),
})
export type PlanStep = z.infer<typeof PlanStep>

export const ActionPlan = z.object({
  planId: z.string(),
  kind: z.string(),
  environment: z.string(),
  endpointId: z.string(),
  /** The thing being changed; the user types this to confirm. */
  target: z.string(),
  title: z.string(),
  summary: z.string(),
  risk: z.enum(['low', 'medium', 'high']),
  steps: z.array(PlanStep),
  prechecks: z.array(z.object({ name: z.string(), passed: z.boolean(), detail: z.string() })),
  warnings: z.array(z.string()),
  /** What the change will do, predicted before it is made: the load each remaining replica takes, data to move… */
  whatIf: z.array(z.string()).default([]),
  /** False when a pre-check failed: the plan is shown but cannot run. */
  runnable: z.boolean(),
  /** Whether running this plan can lose acknowledged data, said in words (resume and roll back plans always say). */
  dataLoss: z.string().optional(),
  createdAt: z.number(),
})
export type ActionPlan = z.infer<typeof ActionPlan>

export const ActionProgress = z.object({
  planId: z.string(),
  step: z.number().int(),
  totalSteps: z.number().int(),
  message: z.string(),
  fraction: z.number().min(0).max(1).optional(),
  at: z.number(),
})
export type ActionProgress = z.infer<typeof ActionProgress>

export const VerificationCheck = z.object({ name: z.string(), passed: z.boolean(), detail: z.string() })
export type VerificationCheck = z.infer<typeof VerificationCheck>

export const ActionOutcome = z.enum(['succeeded', 'failed', 'cancelled'])
export const ActionResult = z.object({
  planId: z.string(),
  outcome: ActionOutcome,
  message: z.string(),
  verification: z.array(VerificationCheck),
  durationMs: z.number(),
})
export type ActionResult = z.infer<typeof ActionResult>

export const AuditRecord = z.object({
  id: z.string(),
  at: z.number(),
  phase: z.enum(['started', 'finished']),
  planId: z.string(),
  kind: z.string(),
  environment: z.string(),
  target: z.string(),
  actor: z.string(),
  steps: z.array(PlanStep).optional(),
  result: ActionResult.optional(),
})
export type AuditRecord = z.infer<typeof AuditRecord>

/** How far one step of a run got, as the journal recorded it before and after the step. */
export const RunStepStatus = z.enum(['running', 'done', 'failed', 'skipped'])
export const RunStep = z.object({
  index: z.number().int(),
  title: z.string(),
  status: RunStepStatus,
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  note: z.string().nullable(),
})
export type RunStep = z.infer<typeof RunStep>

/**
 * A run's state in the journal. "running" with a holder that is gone (its process died, or its
 * heartbeat went stale) is shown as "interrupted": a critical finding until it is resumed, rolled
 * back or marked resolved.
 */
export const RunState = z.enum(['running', 'interrupted', 'succeeded', 'failed', 'cancelled', 'resumed', 'rolled-back', 'resolved'])
export type RunState = z.infer<typeof RunState>

export const ActionRun = z.object({
  runId: z.string(),
  planId: z.string(),
  kind: z.string(),
  environment: z.string(),
  endpointId: z.string(),
  target: z.string(),
  title: z.string(),
  actor: z.string(),
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.number(),
  heartbeatAt: z.number(),
  finishedAt: z.number().nullable(),
  state: RunState,
  message: z.string().nullable(),
  /** The confirmed plan's steps; `steps` holds what the journal recorded of each. */
  planSteps: z.array(PlanStep),
  steps: z.array(RunStep),
  /** A resume or roll back names the run it finishes. */
  continues: z.string().nullable(),
  /** Set on a run another one finished: the resume, roll back or resolution, with its note. */
  closedBy: z.string().nullable(),
})
export type ActionRun = z.infer<typeof ActionRun>
