import type { VerificationCheck } from '../../../shared/actions'
import { whereStopped } from '../../../shared/domain/action-runs'
import type { ActionRequest } from '../../../shared/action-requests'
import { SwitchyardError } from '../errors'
import {
  isDeclared,
  type ActionContext,
  type ActionDefinition,
  type AnyActionDefinition,
  type DeclaredStep,
  type Interrupted,
  type Prepared,
  type RunContext,
} from './action-definition'
import type { ActionJournal, JournalEntry, RunMode, StoredPrepared } from './journal'

/**
 * What a resume, roll back or resolution carries in its prepared state: the run it closes (the
 * lease passes from that run to this one) and what the journal records for this run instead of
 * the recovery's own request, so that this run can itself be resumed like the original.
 */
export interface Continuation {
  continues: string
  journalAs: { kind: string; mode: RunMode; request: unknown; prepared: StoredPrepared; continues: string; facts: Record<string, string> }
}

interface RecoveryState extends Continuation {
  entry: JournalEntry
  /** The action that runs the recovery's steps and verifies them. */
  inner?: { definition: AnyActionDefinition; request: unknown; prepared: Prepared }
  verify?: (ctx: ActionContext) => Promise<VerificationCheck[]>
}

interface RecoveryDeps {
  journal: ActionJournal
  definition(kind: string): AnyActionDefinition
}

type RecoveryKind = 'run.resume' | 'run.rollback' | 'run.resolve'
type RecoveryDefinition<K extends RecoveryKind> = ActionDefinition<K, RecoveryState>

const short = (runId: string) => runId.slice(0, 8)
const check = (name: string, passed: boolean, detail: string): VerificationCheck => ({ name, passed, detail })

/** The run a recovery request names, refused unless it is interrupted and of this target. */
function interruptedEntry(journal: ActionJournal, req: { runId: string; environment: string; endpointId: string }): JournalEntry {
  const entry = journal.get(req.runId)
  if (!entry) throw new SwitchyardError('config', `no run ${short(req.runId)} in the journal`)
  if (entry.run.environment !== req.environment || entry.run.endpointId !== req.endpointId)
    throw new SwitchyardError(
      'config',
      `run ${short(req.runId)} acted on ${entry.run.environment}/${entry.run.endpointId}, not ${req.environment}/${req.endpointId}`,
    )
  if (entry.run.state === 'running')
    throw new SwitchyardError('config', `run ${short(req.runId)} is still running in pid ${entry.run.pid} on ${entry.run.host}`)
  if (entry.run.state !== 'interrupted')
    throw new SwitchyardError(
      'config',
      `run ${short(req.runId)} is not interrupted (it ${entry.run.state === 'resolved' ? 'was resolved' : `is ${entry.run.state}`})`,
    )
  return entry
}

function interruptedOf(entry: JournalEntry): Interrupted {
  const inFlight = entry.run.steps.find((s) => s.status === 'running' || s.status === 'failed')?.index
  return {
    run: entry.run,
    state: entry.prepared.state,
    facts: entry.facts,
    done: entry.run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').map((s) => s.index),
    ...(inFlight !== undefined ? { inFlight } : {}),
  }
}

function continuation(entry: JournalEntry, mode: RunMode, kind: string, request: unknown, state: unknown): Continuation {
  return {
    continues: entry.run.runId,
    journalAs: { kind, mode, request, prepared: { state }, continues: entry.run.runId, facts: entry.facts },
  }
}

async function prepareWith(definition: AnyActionDefinition, request: unknown, ctx: ActionContext): Promise<Prepared> {
  return (definition.prepare.bind(definition) as (r: unknown, c: ActionContext) => Promise<Prepared>)(request, ctx)
}

/** The interrupted run's confirmed steps, rebuilt by its action from what the journal kept. */
async function rebuild(definition: AnyActionDefinition, entry: JournalEntry, ctx: ActionContext): Promise<Prepared> {
  const resume = definition.resume!.bind(definition) as (r: unknown, i: Interrupted, c: ActionContext) => Promise<Prepared>
  return resume(entry.request, interruptedOf(entry), ctx)
}

/** Run and verify through the action that a recovery wraps. */
const delegate = {
  async execute(_req: unknown, prepared: Prepared<RecoveryState>, ctx: RunContext): Promise<string> {
    const inner = prepared.state.inner
    if (!inner?.definition.execute) throw new SwitchyardError('config', 'nothing to run')
    const execute = inner.definition.execute.bind(inner.definition) as (r: unknown, p: Prepared, c: RunContext) => Promise<string>
    return execute(inner.request, inner.prepared, ctx)
  },
  async verify(_req: unknown, prepared: Prepared<RecoveryState>, ctx: ActionContext): Promise<VerificationCheck[]> {
    if (prepared.state.verify) return prepared.state.verify(ctx)
    const inner = prepared.state.inner
    if (!inner) return []
    const verify = inner.definition.verify.bind(inner.definition) as (r: unknown, p: Prepared, c: ActionContext) => Promise<VerificationCheck[]>
    return verify(inner.request, inner.prepared, ctx)
  },
}

/**
 * Resume: with the action's own resume() the confirmed steps are rebuilt from the journaled state,
 * the done ones carried over and the one in flight asked whether it took effect; without it the
 * same request is prepared again from what the system is now (actions that converge).
 */
function resumeAction(deps: RecoveryDeps): RecoveryDefinition<'run.resume'> {
  return {
    kind: 'run.resume',
    async prepare(req, ctx) {
      const entry = interruptedEntry(deps.journal, req)
      const definition = deps.definition(entry.run.kind)
      const interrupted = interruptedOf(entry)
      let prepared: Prepared
      let steps: Prepared['steps']
      if (definition.resume) {
        prepared = await rebuild(definition, entry, ctx)
        steps = isDeclared(prepared.steps)
          ? prepared.steps.map((s, i): DeclaredStep =>
              interrupted.done.includes(i)
                ? { ...s, carried: `done by run ${short(entry.run.runId)}` }
                : i === interrupted.inFlight
                  ? { ...s, mayHaveRun: true }
                  : s,
            )
          : prepared.steps
      } else if (definition.converges) {
        prepared = await prepareWith(definition, entry.request, ctx)
        steps = prepared.steps
      } else
        return {
          target: entry.run.target,
          title: `Resume: ${entry.run.title}`,
          summary: `Run ${short(entry.run.runId)} by ${entry.run.actor} ${whereStopped(entry.run)}.`,
          risk: 'high',
          steps: [],
          prechecks: [
            check(
              'the action can be resumed',
              false,
              `${entry.run.kind} would act a second time if planned again: look at the system, then roll the run back or mark it resolved`,
            ),
          ],
          warnings: [],
          state: { ...continuation(entry, 'resume', entry.run.kind, entry.request, null), entry },
        }
      const left = isDeclared(steps) ? steps.filter((s) => !s.carried).length : steps.length
      return {
        target: entry.run.target,
        title: `Resume: ${entry.run.title}`,
        summary: `Run ${short(entry.run.runId)} by ${entry.run.actor} ${whereStopped(entry.run)}. ${
          definition.resume
            ? `${left} step${left === 1 ? '' : 's'} remain; a step that was in flight runs again only if its effect is not observed.`
            : 'This action converges: it is planned again from what the system is now.'
        } ${prepared.summary}`,
        risk: prepared.risk,
        steps,
        prechecks: [
          check(`run ${short(entry.run.runId)} is interrupted`, true, `its process ${entry.run.pid} on ${entry.run.host} is gone`),
          ...prepared.prechecks,
        ],
        warnings: prepared.warnings,
        dataLoss: prepared.dataLoss ?? 'none that this action itself can cause',
        state: {
          ...continuation(entry, 'resume', entry.run.kind, entry.request, prepared.state),
          entry,
          inner: { definition, request: entry.request, prepared: { ...prepared, steps } },
        },
        ...(prepared.onStepFailed ? { onStepFailed: prepared.onStepFailed.bind(prepared) } : {}),
      }
    },
    ...delegate,
  }
}

/** What a step's done() needs to look at the system outside a run. */
function observer(ctx: ActionContext, facts: Record<string, string>): RunContext {
  return { ...ctx, signal: new AbortController().signal, facts: { ...facts }, step: () => undefined, progress: () => undefined }
}

/**
 * The done steps' undo, newest first; refused past a step that can only go forward. A step that
 * was in flight counts only if its effect is observed: a promotion killed before it was sent
 * leaves the way back open.
 */
async function undoSteps(entry: JournalEntry, steps: DeclaredStep[], ctx: ActionContext): Promise<{ steps: DeclaredStep[]; blocked?: string }> {
  const interrupted = interruptedOf(entry)
  const flight = interrupted.inFlight !== undefined ? steps[interrupted.inFlight] : undefined
  const flightTookEffect = flight?.done ? await flight.done(observer(ctx, entry.facts)).catch(() => true) : true
  const touched = [...interrupted.done, ...(interrupted.inFlight !== undefined && flightTookEffect ? [interrupted.inFlight] : [])].sort((a, b) => b - a)
  const forward = touched.map((i) => steps[i]).find((s) => s?.irreversible)
  if (forward) return { steps: [], blocked: `"${forward.title}" ran, and from there the action can only go forward: resume it instead` }
  const undo: DeclaredStep[] = []
  for (const i of touched) {
    const s = steps[i]
    if (!s?.revert) continue
    const revert = s.revert.bind(s)
    const inFlight = i === interrupted.inFlight
    undo.push({
      title: s.undo?.title ?? `Undo: ${s.title}`,
      commands: s.undo?.commands ?? [],
      async run(c) {
        // A step in flight may not have taken effect: undo only what is observed.
        if (inFlight && s.done && !(await s.done(c))) return 'had not taken effect'
        return revert(c)
      },
    })
  }
  return { steps: undo }
}

function rollbackAction(deps: RecoveryDeps): RecoveryDefinition<'run.rollback'> {
  return {
    kind: 'run.rollback',
    async prepare(req, ctx) {
      const entry = interruptedEntry(deps.journal, req)
      const definition = deps.definition(entry.run.kind)
      const base = {
        target: entry.run.target,
        title: `Roll back: ${entry.run.title}`,
        risk: 'high' as const,
        warnings: [] as string[],
      }
      const state = (inner?: RecoveryState['inner'], verify?: RecoveryState['verify']): RecoveryState => ({
        ...continuation(entry, 'rollback', 'run.rollback', req, null),
        entry,
        ...(inner ? { inner } : {}),
        ...(verify ? { verify } : {}),
      })
      if (definition.resume) {
        const full = await rebuild(definition, entry, ctx)
        if (isDeclared(full.steps)) {
          const { steps, blocked } = await undoSteps(entry, full.steps, ctx)
          const verifyUndone = definition.verifyUndone?.bind(definition) as
            ((r: unknown, s: unknown, c: ActionContext) => Promise<VerificationCheck[]>) | undefined
          const closeOnly: DeclaredStep = {
            title: `Close run ${short(entry.run.runId)}: none of its steps changed anything that needs undoing`,
            commands: [],
            run: async () => 'nothing to undo',
          }
          return {
            ...base,
            summary: `Run ${short(entry.run.runId)} by ${entry.run.actor} ${whereStopped(entry.run)}. Its done steps are undone newest first, so the system is as it was before the action.`,
            steps: steps.length ? steps : [closeOnly],
            prechecks: [check('every done step can be undone', !blocked, blocked ?? 'yes')],
            dataLoss: 'none: the steps undone ran before any write was accepted elsewhere',
            state: state(undefined, verifyUndone ? (c) => verifyUndone(entry.request, entry.prepared.state, c) : undefined),
          }
        }
      }
      const inverse = definition.inverse?.bind(definition) as ((r: unknown, s: unknown) => ActionRequest | undefined) | undefined
      const request = inverse?.(entry.request, entry.prepared.state)
      if (!request)
        return {
          ...base,
          summary: `Run ${short(entry.run.runId)} ${whereStopped(entry.run)}.`,
          steps: [],
          prechecks: [
            check('the action can be rolled back', false, `${entry.run.kind} has no undo: resume it, or mark it resolved once it is put right by hand`),
          ],
          state: state(),
        }
      const inner = deps.definition(request.kind)
      const prepared = await prepareWith(inner, request, ctx)
      return {
        ...base,
        summary: `Run ${short(entry.run.runId)} by ${entry.run.actor} ${whereStopped(entry.run)}. Rolled back by the opposite action: ${prepared.title}. ${prepared.summary}`,
        steps: prepared.steps,
        prechecks: prepared.prechecks,
        warnings: prepared.warnings,
        ...(prepared.dataLoss ? { dataLoss: prepared.dataLoss } : {}),
        state: state({ definition: inner, request, prepared }),
      }
    },
    ...delegate,
  }
}

function resolveAction(deps: RecoveryDeps): RecoveryDefinition<'run.resolve'> {
  return {
    kind: 'run.resolve',
    async prepare(req) {
      const entry = interruptedEntry(deps.journal, req)
      return {
        target: entry.run.target,
        title: `Mark resolved: ${entry.run.title}`,
        summary: `Run ${short(entry.run.runId)} by ${entry.run.actor} ${whereStopped(entry.run)}. Marking it resolved changes nothing on the system: it records that a person put things right, and frees the target for other actions.`,
        risk: 'low',
        steps: [{ title: `Close run ${short(entry.run.runId)} as resolved by hand: ${req.note}`, commands: [], run: async () => req.note }],
        prechecks: [],
        warnings: [],
        dataLoss: 'none: nothing is sent to the system',
        state: {
          ...continuation(entry, 'resolve', 'run.resolve', req, null),
          entry,
          verify: async () => {
            const now = deps.journal.get(req.runId)?.run
            return [check(`run ${short(req.runId)} closed`, now?.state === 'resolved', now ? now.state : 'gone')]
          },
        },
      }
    },
    ...delegate,
  }
}

export function recoveryActions(deps: RecoveryDeps): AnyActionDefinition[] {
  return [resumeAction(deps), rollbackAction(deps), resolveAction(deps)] as AnyActionDefinition[]
}
