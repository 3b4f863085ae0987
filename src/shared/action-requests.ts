import { z } from 'zod'
import { systemActionRequests } from './systems'

const target = { environment: z.string(), endpointId: z.string() }
const RunId = z.uuid()

/** Finish an interrupted run from the first step whose effect is not in place. */
export const RunResumeRequest = z.object({ ...target, kind: z.literal('run.resume'), runId: RunId })
/** Undo an interrupted run's done steps, newest first, as far as they can be undone. */
export const RunRollbackRequest = z.object({ ...target, kind: z.literal('run.rollback'), runId: RunId })
/** Close an interrupted run a person finished or undid by hand. */
export const RunResolveRequest = z.object({
  ...target,
  kind: z.literal('run.resolve'),
  runId: RunId,
  note: z.string().trim().min(3, 'say what was done').max(2000),
})

/** The parameters of every action, one schema per kind, validated at the boundary like every other message. */
export const ActionRequest = z.discriminatedUnion('kind', [...systemActionRequests, RunResumeRequest, RunRollbackRequest, RunResolveRequest])
export type ActionRequest = z.infer<typeof ActionRequest>
export type ActionKind = ActionRequest['kind']
