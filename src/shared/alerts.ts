import { z } from 'zod'
import { EnvironmentName } from './primitives'

/** What an alert rule watches; each system's observer reports some of these per subject (a node, a standby, a backend). */
export const AlertMetric = z.enum([
  'node-down',
  'redis-lag-bytes',
  'redis-slots',
  'pg-lag-bytes',
  'pg-lag-seconds',
  'mongo-lag-seconds',
  'mongo-imbalance',
  'mongo-balancer-off',
  'backend-down',
  'backend-latency-ms',
  'upstream-error-pct',
  'upstream-latency-ms',
  'container-cpu-pct',
  'container-mem-pct',
  /** Seconds until a resource runs out by its forecast (memory, retained WAL, connections…): lower is worse. */
  'capacity-seconds-left',
])
export type AlertMetric = z.infer<typeof AlertMetric>

/** "90s", "2m", "1h"; a bare number is seconds. */
export const Duration = z.union([z.number().min(0), z.string().regex(/^\d+(\.\d+)?\s*(s|m|h)$/, 'a duration such as 30s, 2m or 1h')])

export const AlertRule = z
  .object({
    metric: AlertMetric,
    /** At or above: warn, critical (null: that level is not used). */
    warn: z.number().nullable(),
    critical: z.number().nullable(),
    /** How long it must hold before the alert fires ("for 2 minutes"). */
    for: Duration.default(0),
    enabled: z.boolean().default(true),
  })
  .strict()
export type AlertRule = z.infer<typeof AlertRule>

export const AlertRules = z.object({ rules: z.array(AlertRule) }).strict()

export const Observation = z.object({ endpointId: z.string(), metric: AlertMetric, subject: z.string(), value: z.number() })
export type Observation = z.infer<typeof Observation>

export const Alert = z.object({
  /** endpoint|metric|subject: one alert per thing per rule. */
  key: z.string(),
  environment: z.string(),
  endpointId: z.string(),
  metric: AlertMetric,
  subject: z.string(),
  state: z.enum(['pending', 'firing', 'resolved']),
  level: z.enum(['warn', 'critical']),
  value: z.number(),
  threshold: z.number(),
  /** When the condition began to hold; when it fired; when it stopped holding. */
  since: z.number(),
  firedAt: z.number().nullable(),
  resolvedAt: z.number().nullable(),
  ack: z.object({ at: z.number(), note: z.string() }).nullable(),
  silencedUntil: z.number().nullable(),
  silenceNote: z.string().nullable(),
})
export type Alert = z.infer<typeof Alert>

const which = { name: EnvironmentName }

export const alertRequests = {
  /** Pending and firing alerts of an environment, and the recently resolved ones. */
  'alerts:list': { input: z.object(which), output: z.object({ active: z.array(Alert), recent: z.array(Alert) }) },
  'alerts:ack': { input: z.object({ ...which, key: z.string(), note: z.string().max(500).default('') }), output: Alert },
  'alerts:silence': { input: z.object({ ...which, key: z.string(), untilMs: z.number(), note: z.string().max(500).default('') }), output: Alert },
  /** The environment's rules as YAML (the defaults when it has none of its own). */
  'alerts:rules': { input: z.object(which), output: z.object({ yaml: z.string(), custom: z.boolean() }) },
  /** Validate and save; a bad file is refused with each problem's line. */
  'alerts:save-rules': { input: z.object({ ...which, yaml: z.string().max(100_000) }), output: z.object({ rules: z.array(AlertRule) }) },
  /** Send this client 'alerts:changed' whenever an alert of any environment changes state. */
  'alerts:watch': { input: z.object({}), output: z.object({}) },
} as const

export const alertEvents = {
  'alerts:changed': Alert,
} as const
