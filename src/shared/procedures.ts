import { z } from 'zod'
import { ActionPlan, ActionResult } from './actions'
import { Duration } from './alerts'
import { EnvironmentName } from './primitives'

/**
 * A guided procedure: a YAML file of steps run in order. A check passes or fails with its
 * evidence; a wait polls a condition until it holds or times out; an action is one of the app's
 * planned, confirmed, verified actions; a manual step is ticked by a person with a note.
 * "{{param}}" in any text or argument is replaced by the run's parameter.
 */
export const ProcedureName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes')

export const ProcedureParam = z
  .object({
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'a name of letters, digits and _'),
    label: z.string(),
    /** hostport: "host:port", passed to an action as { host, port } when it is an argument's whole value. */
    type: z.enum(['string', 'number', 'hostport']).default('string'),
    default: z.union([z.string(), z.number()]).optional(),
    example: z.string().optional(),
  })
  .strict()
export type ProcedureParam = z.infer<typeof ProcedureParam>

const Args = z.record(z.string(), z.unknown()).default({})
const Condition = z.object({ check: z.string(), with: Args }).strict()

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes'),
  title: z.string().max(200).optional(),
  /** Steps that must have passed for this one to run; otherwise it is skipped with the reason. */
  needs: z.array(z.string()).default([]),
  /** What the person should do when this step fails (shown with the failure). */
  if_failed: z.string().max(1000).optional(),
  /** An endpoint of the environment other than the one its system would pick. */
  endpoint: z.string().optional(),
}

const CheckStep = z
  .object({
    ...common,
    check: z.string(),
    with: Args,
    /** A failed check that does not stop the run (recorded as failed; later steps may gate on it). */
    continue_on_fail: z.boolean().default(false),
  })
  .strict()
const WaitStep = z.object({ ...common, wait: z.string(), with: Args, timeout: Duration.default('2m'), every: Duration.default('2s') }).strict()
const ActionStep = z
  .object({
    ...common,
    action: z.string(),
    with: Args,
    /** When this holds the action's effect is already there: the step passes without acting (and a resumed run never acts twice). */
    done_when: Condition.optional(),
  })
  .strict()
const ManualStep = z.object({ ...common, manual: z.string().max(2000) }).strict()

export type ProcedureStep = z.infer<typeof CheckStep> | z.infer<typeof WaitStep> | z.infer<typeof ActionStep> | z.infer<typeof ManualStep>
const variants = { check: CheckStep, wait: WaitStep, action: ActionStep, manual: ManualStep } as const

/** A step is the variant its one type key names, so a problem is reported against that variant, not as "invalid union". */
export const ProcedureStep = z.unknown().transform((v, ctx): ProcedureStep => {
  const keys = v && typeof v === 'object' ? (Object.keys(v) as (keyof typeof variants)[]).filter((k) => k in variants) : []
  if (keys.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: keys.length
        ? `a step is one of check, wait, action or manual; this one has ${keys.join(' and ')}`
        : 'a step needs one of: check, wait, action, manual',
    })
    return z.NEVER
  }
  const r = variants[keys[0]!].safeParse(v)
  if (r.success) return r.data
  for (const i of r.error.issues) ctx.addIssue({ code: 'custom', message: i.message, path: i.path })
  return z.NEVER
})

export type StepType = 'check' | 'wait' | 'action' | 'manual'

const TEMPLATE = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}/g

export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]!)
}

/** Replace {{name}} in text with the parameter's value. */
export function fillText(text: string, params: Record<string, string | number>): string {
  return text.replace(TEMPLATE, (_, name: string) => String(params[name] ?? `{{${name}}}`))
}

/**
 * Fill the parameters into a step's arguments. A string that is exactly one "{{name}}" becomes the
 * parameter's typed value (a number, or { host, port } for a hostport), so actions get their types.
 */
export function fillArgs(value: unknown, params: Record<string, string | number>, types: Record<string, ProcedureParam['type']>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([a-zA-Z][a-zA-Z0-9_]*)\s*\}\}$/.exec(value)
    if (whole && whole[1]! in params) {
      const v = params[whole[1]!]!
      if (types[whole[1]!] === 'hostport') {
        const m = /^(.+):(\d+)$/.exec(String(v))
        return m ? { host: m[1], port: Number(m[2]) } : v
      }
      return types[whole[1]!] === 'number' ? Number(v) : v
    }
    return fillText(value, params)
  }
  if (Array.isArray(value)) return value.map((x) => fillArgs(x, params, types))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillArgs(v, params, types)]))
  return value
}

export function stepType(s: ProcedureStep): StepType {
  return 'check' in s ? 'check' : 'wait' in s ? 'wait' : 'action' in s ? 'action' : 'manual'
}

export const Procedure = z
  .object({
    name: ProcedureName,
    title: z.string().max(200),
    description: z.string().max(4000).default(''),
    params: z.array(ProcedureParam).default([]),
    steps: z.array(ProcedureStep).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>()
    const params = new Set(p.params.map((x) => x.name))
    p.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `step id "${s.id}" is used twice` })
      for (const n of s.needs) if (!seen.has(n)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'needs'], message: `"${n}" is not an earlier step` })
      seen.add(s.id)
      for (const name of templateNames(JSON.stringify(s)))
        if (!params.has(name)) ctx.addIssue({ code: 'custom', path: ['steps', i], message: `{{${name}}} is not a parameter of this procedure` })
    })
  })
export type Procedure = z.infer<typeof Procedure>

export const ProcedureInfo = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  source: z.enum(['built-in', 'file']),
  yaml: z.string(),
  params: z.array(ProcedureParam),
  steps: z.number(),
  /** Problems of a file that does not validate (it cannot be run). */
  errors: z.array(z.string()),
})
export type ProcedureInfo = z.infer<typeof ProcedureInfo>

export const StepStatus = z.enum(['pending', 'running', 'awaiting', 'passed', 'failed', 'skipped'])
export type StepStatus = z.infer<typeof StepStatus>

export const StepRecord = z.object({
  id: z.string(),
  type: z.enum(['check', 'wait', 'action', 'manual']),
  title: z.string(),
  status: StepStatus,
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  actor: z.string().nullable(),
  evidence: z.array(z.string()),
  note: z.string().nullable(),
  /** What to do next, when the step failed. */
  next: z.string().nullable(),
  plan: ActionPlan.nullable(),
  result: ActionResult.nullable(),
})
export type StepRecord = z.infer<typeof StepRecord>

export const RunState = z.enum(['running', 'paused', 'awaiting', 'failed', 'succeeded', 'aborted'])
export type RunState = z.infer<typeof RunState>

export const ProcedureRun = z.object({
  id: z.string(),
  environment: z.string(),
  procedure: z.string(),
  title: z.string(),
  /** The procedure as it was when the run started: a later edit of the file does not change a run. */
  yaml: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  state: RunState,
  /** Why the run stopped where it is (awaiting a tick or a confirmation, a failure, a pause). */
  reason: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  startedBy: z.string(),
  steps: z.array(StepRecord),
})
export type ProcedureRun = z.infer<typeof ProcedureRun>

const which = { name: EnvironmentName }
const run = { runId: z.string() }

export const procedureRequests = {
  /** The built-in procedures and the environment-independent files in the data folder, each validated. */
  'procedures:list': { input: z.object({}), output: z.object({ procedures: z.array(ProcedureInfo) }) },
  /** Validate a procedure file; every problem with its line. */
  'procedures:validate': { input: z.object({ yaml: z.string().max(200_000) }), output: z.object({ errors: z.array(z.string()) }) },
  'procedures:save': { input: z.object({ yaml: z.string().max(200_000) }), output: ProcedureInfo },
  'procedures:runs': { input: z.object(which), output: z.object({ runs: z.array(ProcedureRun) }) },
  'procedures:start': {
    input: z.object({ ...which, procedure: ProcedureName, params: z.record(z.string(), z.union([z.string(), z.number()])).default({}) }),
    output: ProcedureRun,
  },
  /** Carry on from where the run stopped (after a pause, a restart, or a failure fixed by hand). */
  'procedures:resume': { input: z.object(run), output: ProcedureRun },
  'procedures:pause': { input: z.object(run), output: ProcedureRun },
  'procedures:abort': { input: z.object({ ...run, note: z.string().max(1000).default('') }), output: ProcedureRun },
  /** Run the awaiting action step's plan; the confirmation names its target as for every action. */
  'procedures:confirm': { input: z.object({ ...run, confirm: z.string() }), output: ProcedureRun },
  /** Tick the awaiting manual step, with a note. */
  'procedures:tick': { input: z.object({ ...run, note: z.string().max(2000).default('') }), output: ProcedureRun },
  /** Skip the failed or awaiting step, with the reason (recorded). */
  'procedures:skip': { input: z.object({ ...run, note: z.string().min(1).max(2000) }), output: ProcedureRun },
  'procedures:report': { input: z.object(run), output: z.object({ markdown: z.string(), html: z.string() }) },
  /** Send this client 'procedures:changed' whenever a run changes. */
  'procedures:watch': { input: z.object({}), output: z.object({}) },
} as const

export const procedureEvents = {
  'procedures:changed': ProcedureRun,
} as const
