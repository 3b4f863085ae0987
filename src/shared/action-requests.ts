import { z } from 'zod'
import { systemActionRequests } from './systems'

/** The parameters of every action, one schema per kind, validated at the boundary like every other message. */
export const ActionRequest = z.discriminatedUnion('kind', systemActionRequests)
export type ActionRequest = z.infer<typeof ActionRequest>
export type ActionKind = ActionRequest['kind']
