import { z } from 'zod'

/**
 * Every destructive action goes plan → named confirmation → run with progress → verify → audit.
 * A plan lists the exact commands it will send so that it doubles as the dry run.
 */
export const PlanStep = z.object({
  title: z.string(),
  /** Exact commands, SQL or shell lines, as they will be sent (secrets masked). */
  commands: z.array(z.string()),
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
  /** False when a pre-check failed: the plan is shown but cannot run. */
  runnable: z.boolean(),
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
