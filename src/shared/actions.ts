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
  /** Writes to the target wait or fail while this step runs (the fence, the takeover): its time is the write pause. */
  pausesWrites: z.boolean().optional(),
})
export type PlanStep = z.infer<typeof PlanStep>

/** A time predicted before a run, with its range. */
export const PredictedSeconds = z.object({ seconds: z.number().nonnegative(), low: z.number().nonnegative(), high: z.number().nonnegative() })
export type PredictedSeconds = z.infer<typeof PredictedSeconds>

export const EstimateMetric = z.enum(['duration', 'writePause'])
export type EstimateMetric = z.infer<typeof EstimateMetric>

/** What a plan predicts of its run, and from what; kept in the journal next to what the run measured. */
export const RunEstimate = z.object({
  duration: PredictedSeconds.optional(),
  writePause: PredictedSeconds.optional(),
  /** Where the numbers come from: "3 earlier runs on this cluster", "a calibration of 0.4 ms per round trip". */
  basis: z.string(),
  /** What the run moves (slots, keys, bytes): later predictions scale earlier runs by it. */
  load: z.record(z.string(), z.number()).default({}),
})
export type RunEstimate = z.infer<typeof RunEstimate>

/** What a finished run measured of the same metrics. */
export const RunActual = z.object({ duration: z.number().nonnegative(), writePause: z.number().nonnegative().optional() })
export type RunActual = z.infer<typeof RunActual>

/** One earlier prediction against what happened, for the plan's "how good were the last predictions". */
export const EstimateCheck = z.object({
  runId: z.string(),
  at: z.number(),
  metric: EstimateMetric,
  predicted: z.number(),
  actual: z.number(),
})
export type EstimateCheck = z.infer<typeof EstimateCheck>

/** A one-click fix a view offers: its label and the action request it plans (the page adds environment and endpoint). */
export const OfferedFix = z.object({ label: z.string(), request: z.record(z.string(), z.unknown()) })
export type OfferedFix = z.infer<typeof OfferedFix>

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
  /** How long it will take and how long writes pause, predicted from this target's earlier runs or a calibration. */
  estimate: RunEstimate.optional(),
  /** The last predictions for this action on this target against what the runs measured, newest first. */
  track: z.array(EstimateCheck).default([]),
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
  /** The plan's predictions next to what this run measured. */
  checked: z.array(EstimateCheck).default([]),
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
