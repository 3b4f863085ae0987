import type { z } from 'zod'
import type { EndpointKind } from '../../shared/inventory'
import type { ServiceHub } from './service-hub'

export interface ConditionResult {
  passed: boolean
  /** What was seen, in words a person checks against the system (shown with the step). */
  evidence: string[]
}

/**
 * Something a procedure checks or waits for ("every slot is served", "pg2 is primary"): read-only,
 * evaluated afresh each time, with its arguments validated by its schema.
 */
export interface ConditionDefinition<A extends z.ZodType = z.ZodType> {
  name: string
  summary: string
  /** The endpoint kind it reads (the step's endpoint, or the environment's only one of that kind); null: the environment as a whole. */
  endpointKind: EndpointKind | null
  /** Without a named endpoint, evaluate on every endpoint of that kind (disk space on every host); all must pass. */
  everyEndpoint?: boolean
  args: A
  evaluate(args: z.infer<A>, ctx: { hub: ServiceHub; environment: string; endpointId: string }): Promise<ConditionResult>
}

/** Keeps each condition's argument type while a registry holds them together. */
export function defineCondition<A extends z.ZodType>(c: ConditionDefinition<A>): ConditionDefinition {
  return c
}
