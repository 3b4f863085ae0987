import { z } from 'zod'
import { EnvironmentName } from './primitives'

/** The lanes of the timeline: what kind of thing happened. */
export const TimelineKind = z.enum(['role', 'node', 'state', 'alert', 'action', 'procedure', 'reload', 'migration', 'balancer', 'incident', 'autoscale'])
export type TimelineKind = z.infer<typeof TimelineKind>

export const TimelineSeverity = z.enum(['info', 'ok', 'warn', 'critical'])
export type TimelineSeverity = z.infer<typeof TimelineSeverity>

export const TimelineEntry = z.object({
  at: z.number(),
  kind: TimelineKind,
  severity: TimelineSeverity,
  endpointId: z.string().nullable(),
  subject: z.string(),
  message: z.string(),
  /** Where it was learned: a poll's state change, the audit log, the action journal, the alert engine, a procedure run, a person. */
  source: z.enum(['poll', 'audit', 'journal', 'alert', 'procedure', 'user', 'policy']),
})
export type TimelineEntry = z.infer<typeof TimelineEntry>

/**
 * One thing's state as a poll sees it (a node's role, a replica set's primary, the balancer):
 * the timeline records when a fact's value changes between polls, even across a restart.
 */
export const FactAspect = z.enum(['role', 'reachable', 'state', 'slots', 'primary', 'balancer', 'backend', 'replicas'])
export const Fact = z.object({ endpointId: z.string(), subject: z.string(), aspect: FactAspect, value: z.string() })
export type Fact = z.infer<typeof Fact>

/** Something a system logged with its own time (an nginx reload, a chunk migration). */
export const DatedEvent = TimelineEntry.omit({ source: true }).extend({ endpointId: z.string() })
export type DatedEvent = z.infer<typeof DatedEvent>

export const Incident = z.object({
  id: z.string(),
  environment: z.string(),
  title: z.string(),
  from: z.number(),
  /** Null while the incident is open. */
  to: z.number().nullable(),
  openedBy: z.string(),
})
export type Incident = z.infer<typeof Incident>

/** A metric's points around a moment of the timeline, as the charts of its system draw them. */
export const MomentSeries = z.object({
  label: z.string(),
  unit: z.string(),
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
})
export type MomentSeries = z.infer<typeof MomentSeries>

const which = { name: EnvironmentName }
const window = { from: z.number(), to: z.number() }

export const timelineRequests = {
  /** Everything observed and done in the window, oldest first: polls' state changes, actions, alerts, procedures. */
  'timeline:list': { input: z.object({ ...which, ...window }), output: z.object({ entries: z.array(TimelineEntry) }) },
  /** The metric history of every endpoint of the environment over a window (the charts at that moment). */
  'timeline:metrics': { input: z.object({ ...which, ...window }), output: z.object({ series: z.array(MomentSeries) }) },
  'incident:list': { input: z.object(which), output: z.object({ incidents: z.array(Incident) }) },
  /** Pin the start of an incident (now, or a time on the timeline). */
  'incident:start': { input: z.object({ ...which, title: z.string().min(1).max(200), from: z.number().optional() }), output: Incident },
  'incident:close': { input: z.object({ ...which, id: z.string() }), output: Incident },
  /** The report of a window: timeline, alerts, findings, commands run, charts — as Markdown and HTML. */
  'incident:report': {
    input: z.object({ ...which, ...window, title: z.string().max(200).optional() }),
    output: z.object({ markdown: z.string(), html: z.string() }),
  },
} as const
