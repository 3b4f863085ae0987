import { z } from 'zod'
import { Duration } from './alerts'
import { EndpointId, EnvironmentName } from './primitives'
import { UpstreamName } from './systems/nginx'

/** What a policy scales on: per replica of the service behind the upstream. */
export const ScalingMetric = z.enum(['cpu', 'memory', 'p95-latency', 'requests-per-replica'])
export type ScalingMetric = z.infer<typeof ScalingMetric>

export const METRIC_UNIT: Record<ScalingMetric, string> = { cpu: '%', memory: '%', 'p95-latency': 'ms', 'requests-per-replica': 'req/s' }
export const METRIC_NAME: Record<ScalingMetric, string> = {
  cpu: 'CPU',
  memory: 'memory',
  'p95-latency': 'p95 latency',
  'requests-per-replica': 'requests per replica',
}

export const MetricRule = z
  .object({
    metric: ScalingMetric,
    /** Above this for upFor: one step up. */
    up: z.number().min(0),
    /** Below this for downFor (and every other metric below its own): one step down. */
    down: z.number().min(0),
    upFor: Duration.default('60s'),
    downFor: Duration.default('300s'),
  })
  .refine((r) => r.down < r.up, { message: 'down must be below up, or the policy would scale both ways at once', path: ['down'] })
export type MetricRule = z.infer<typeof MetricRule>

/** The teams' table (../shared/reference): CPU 70 / 30 %, memory 80 / 40 %, p95 500 / 100 ms. */
export const DEFAULT_METRICS: MetricRule[] = [
  { metric: 'cpu', up: 70, down: 30, upFor: '60s', downFor: '300s' },
  { metric: 'memory', up: 80, down: 40, upFor: '60s', downFor: '300s' },
]

export const ScalingPolicy = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (up to 64)'),
    /** The nginx endpoint whose upstream the service serves. */
    endpoint: EndpointId,
    upstream: UpstreamName,
    /** recommend: decisions are recorded and shown, nothing changes. act: the scale action runs. */
    mode: z.enum(['recommend', 'act']).default('recommend'),
    min: z.number().int().min(1).max(50).default(2),
    max: z.number().int().min(1).max(50).default(10),
    /** Replicas added or removed per decision ("scale to N+2": step 2). */
    step: z.number().int().min(1).max(10).default(1),
    /** After a scale-up, no other scale-up for this long; after any scale, no scale-down for cooldownDown. */
    cooldownUp: Duration.default('60s'),
    cooldownDown: Duration.default('300s'),
    metrics: z.array(MetricRule).min(1).default(DEFAULT_METRICS),
  })
  .refine((p) => p.min <= p.max, { message: 'min must not be above max', path: ['min'] })
export type ScalingPolicy = z.infer<typeof ScalingPolicy>

/** autoscale/<env>.yaml: the environment's policies (pausing them is a switch, kept apart from the file). */
export const AutoscalePolicies = z
  .object({ policies: z.array(ScalingPolicy).default([]) })
  .refine((f) => new Set(f.policies.map((p) => p.name)).size === f.policies.length, { message: 'policy names must be unique', path: ['policies'] })
export type AutoscalePolicies = z.infer<typeof AutoscalePolicies>

export const MetricReading = z.object({
  metric: ScalingMetric,
  /** Now (the last sample), null when it cannot be read. */
  value: z.number().nullable(),
  up: z.number(),
  down: z.number(),
  /** Since when it has been above up / below down, continuously; null when it is not. */
  aboveSince: z.number().nullable(),
  belowSince: z.number().nullable(),
})
export type MetricReading = z.infer<typeof MetricReading>

export const DecisionOutcome = z.enum([
  /** Nothing to change. */
  'held',
  /** recommend mode, or paused, or a read-only environment: recorded, not done. */
  'recommended',
  /** act mode, but not now: another action holds the service, backends are failing, the plan's checks failed. */
  'deferred',
  'scaled',
  'failed',
])
export type DecisionOutcome = z.infer<typeof DecisionOutcome>

export const ScalingDecision = z.object({
  at: z.number(),
  environment: z.string(),
  policy: z.string(),
  endpointId: z.string(),
  upstream: z.string(),
  /** The Docker service behind the upstream ("compose:lab/api", "swarm:app_api"), null when none matched. */
  service: z.string().nullable(),
  verdict: z.enum(['hold', 'up', 'down']),
  replicas: z.number(),
  desired: z.number(),
  reason: z.string(),
  metrics: z.array(MetricReading),
  outcome: DecisionOutcome,
  /** Why it was not done, or how the action ended. */
  detail: z.string().nullable(),
})
export type ScalingDecision = z.infer<typeof ScalingDecision>

export const PolicyStatus = z.object({
  policy: ScalingPolicy,
  last: ScalingDecision.nullable(),
})
export type PolicyStatus = z.infer<typeof PolicyStatus>

const which = { name: EnvironmentName }

export const autoscaleRequests = {
  /** The environment's policies (YAML as written and as read), whether they are paused, each with its last decision. */
  'autoscale:status': {
    input: z.object(which),
    output: z.object({ yaml: z.string(), custom: z.boolean(), paused: z.boolean(), policies: z.array(PolicyStatus), error: z.string().nullable() }),
  },
  /** Replace the policies; refused with every problem's line and reason. */
  'autoscale:save': { input: z.object({ ...which, yaml: z.string().max(200_000) }), output: z.object({ policies: z.number() }) },
  'autoscale:pause': { input: z.object({ ...which, paused: z.boolean() }), output: z.object({ paused: z.boolean() }) },
  /** Decisions since a time, oldest first (a policy's, or every one's). */
  'autoscale:history': {
    input: z.object({ ...which, policy: z.string().optional(), sinceMs: z.number().optional() }),
    output: z.array(ScalingDecision),
  },
} as const
