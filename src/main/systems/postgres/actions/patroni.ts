import type { PlanStep, VerificationCheck } from '../../../../shared/actions'
import { isLeaderRole } from '../../../../shared/domain/patroni'
import { formatBytes } from '../../../../shared/domain/units'
import type { PatroniMember, PatroniView } from '../../../../shared/systems/patroni'
import type { PgTopology } from '../../../../shared/systems/postgres'
import {
  step,
  type ActionContext,
  type ActionDefinition,
  type AnyActionDefinition,
  type DeclaredStep,
  type Interrupted,
  type PlannedAction,
  type RequestOf,
  type RunContext,
} from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import type { NodeAddress, PostgresEndpoint } from '../postgres-client'
import { isInRecovery, waitUntil } from '../postgres-ops'
import { PatroniApi } from '../patroni-client'
import { readTopology } from '../postgres-reader'

type PatroniKind = 'pg.patroni-switchover' | 'pg.patroni-failover' | 'pg.patroni-restart' | 'pg.patroni-reinit' | 'pg.patroni-pause'

interface Cluster {
  endpoint: PostgresEndpoint
  api: PatroniApi
  topo: PgTopology
  view: PatroniView
}

/** One REST call as a plan shows it and as run() sends it. */
interface Call {
  base: string
  method: 'POST' | 'PATCH'
  path: string
  body: Record<string, unknown>
}
const shown = (c: Call) => `${c.method} ${c.base.replace(/\/$/, '')}/${c.path} ${JSON.stringify(c.body)}`

interface PatroniPlan extends PlannedAction {
  call: Call
}

const check = (name: string, passed: boolean, detail: string): VerificationCheck => ({ name, passed, detail })

async function cluster(ctx: ActionContext): Promise<Cluster> {
  const endpoint = ctx.endpoint
  if (endpoint.kind !== 'postgres') throw new SwitchyardError('config', `"${endpoint.id}" is not a PostgreSQL endpoint`)
  const topo = await readTopology(ctx.environment.name, endpoint, ctx.connections)
  const view = topo.patroni
  if (!view) throw new SwitchyardError('config', `${endpoint.name} is not managed by Patroni (no REST URL named, no Patroni session on its servers)`)
  if (!view.source) throw new SwitchyardError('refused', `nothing was changed: ${view.error ?? 'the Patroni REST API does not answer'}`)
  return { endpoint, api: new PatroniApi(endpoint, ctx.connections), topo, view }
}

/** The REST root of a member: its api_url without "/patroni", else the URL that answered. */
function baseOf(c: Cluster, member: PatroniMember | undefined): string {
  return member?.apiUrl ? member.apiUrl.replace(/\/patroni\/?$/, '') : c.view.source!
}

const memberNamed = (c: Cluster, name: string) => c.view.members.find((m) => m.name === name)
const leaderOf = (view: PatroniView) => view.members.find((m) => isLeaderRole(m.role))
const address = (m: PatroniMember): NodeAddress => ({ name: m.node ?? m.name, host: m.host ?? '?', port: m.port ?? 5432 })

function candidateChecks(c: Cluster, name: string): VerificationCheck[] {
  const m = memberNamed(c, name)
  if (!m) return [check(`${name} is a member`, false, `members: ${c.view.members.map((x) => x.name).join(', ')}`)]
  const lagLimit = 1024 * 1024
  return [
    check(`${name} is a replica`, !isLeaderRole(m.role), `role ${m.role}`),
    check(`${name} is running`, m.state === 'running' || m.state === 'streaming', `state ${m.state}`),
    check(`${name} may be promoted`, m.tags.nofailover !== true, m.tags.nofailover === true ? 'tagged nofailover' : 'no nofailover tag'),
    check(
      `${name} caught up`,
      m.lagBytes !== null && m.lagBytes <= lagLimit,
      m.lagBytes === null ? 'lag unknown' : `${formatBytes(m.lagBytes)} behind (limit ${formatBytes(lagLimit)})`,
    ),
  ]
}

/** A failover to a replica that lags loses its lag: the WAL the leader wrote that it has not received, by Patroni's count. */
function lostByFailover(c: Cluster, candidate: string): Pick<PlannedAction, 'dataLoss'> {
  const lag = memberNamed(c, candidate)?.lagBytes
  if (lag === null || lag === undefined) return { dataLoss: `unknown: Patroni reports no lag for ${candidate}` }
  return lag > 0 ? { dataLoss: `up to ${formatBytes(lag)} of WAL the leader wrote that ${candidate} has not received` } : {}
}

/**
 * Poll Patroni and PostgreSQL until the candidate leads and accepts writes, then until every other
 * member runs again on the leader's timeline (the old leader rejoins as a replica).
 */
async function waitLeader(c: Cluster, ctx: RunContext, candidate: string, timeoutMs = 120_000): Promise<void> {
  type Reply = { members?: { name?: string; role?: string; state?: string; timeline?: number }[] }
  const members = async () => (await c.api.read('cluster')).json as Reply
  await waitUntil(
    `${candidate} leading in Patroni and accepting writes`,
    timeoutMs,
    async () => {
      const m = (await members()).members?.find((x) => x.name === candidate)
      if (!m || !isLeaderRole(m.role ?? '') || m.state !== 'running') return undefined
      const member = memberNamed(c, candidate)
      return member && !(await isInRecovery({ endpoint: c.endpoint, connections: ctx.connections }, address(member))) ? true : undefined
    },
    ctx.signal,
    200,
  )
  ctx.progress(`${candidate} leads and accepts writes; waiting for the other members to follow it`)
  await waitUntil(
    'every member running on the new timeline',
    timeoutMs,
    async () => {
      const all = (await members()).members ?? []
      const tl = all.find((x) => x.name === candidate)?.timeline
      return all.length >= c.view.members.length && all.every((x) => (x.state === 'running' || x.state === 'streaming') && x.timeline === tl) ? true : undefined
    },
    ctx.signal,
    500,
  )
}

async function verifyLeader(ctx: ActionContext, candidate: string): Promise<VerificationCheck[]> {
  const c = await cluster(ctx)
  const leader = leaderOf(c.view)
  const checks = [check(`Patroni: ${candidate} is the leader`, leader?.name === candidate, `leader ${leader?.name ?? 'none'}`)]
  for (const m of c.view.members) {
    const n = c.topo.nodes.find((x) => x.name === m.node)
    const want = m.name === candidate ? 'primary' : 'standby'
    checks.push(check(`PostgreSQL: ${m.name} is ${want} (pg_is_in_recovery)`, n?.role === want, n ? n.role : 'not in the node list'))
  }
  checks.push(check('Patroni and PostgreSQL agree', c.view.disagreements.length === 0, c.view.disagreements.join('; ') || 'no disagreement'))
  return checks
}

/**
 * An action through Patroni's REST API as two declared steps: send the call (prepare() shows it
 * exactly and checks Patroni's own view; the runner prepares again before running and refuses if
 * the call would differ), then wait for the outcome in both Patroni and PostgreSQL. Where the
 * call's effect can be observed (`took`), a resumed run never sends it twice and the journaled
 * call and steps are all a resume needs; without it an interrupted run offers roll back or resolve.
 */
function patroniAction<K extends PatroniKind>(
  kind: K,
  build: (c: Cluster, req: RequestOf<K>) => PatroniPlan,
  wait: (c: Cluster, req: RequestOf<K>, ctx: RunContext, reply: string) => Promise<string>,
  verify: (req: RequestOf<K>, ctx: ActionContext) => Promise<VerificationCheck[]>,
  took?: (c: Cluster, req: RequestOf<K>) => boolean,
): ActionDefinition<K, Call> {
  // A handover now (not a scheduled one): writes fail from the call until the new leader accepts them.
  const pauses = (req: RequestOf<K>) =>
    kind === 'pg.patroni-failover' || (kind === 'pg.patroni-switchover' && !(req as { scheduledAt?: string }).scheduledAt) ? { pausesWrites: true } : {}
  const declare = (planned: PlanStep[], call: Call, req: RequestOf<K>): DeclaredStep[] => [
    {
      ...planned[0]!,
      ...pauses(req),
      async run(ctx) {
        const reply = await (await cluster(ctx)).api.write(call.base, call.method, call.path, call.body)
        ctx.facts.reply = reply
        return `Patroni: ${reply || 'accepted'}`
      },
      ...(took ? { done: async (ctx: RunContext) => took(await cluster(ctx), req) } : {}),
      ...(kind === 'pg.patroni-switchover' || kind === 'pg.patroni-failover' ? { irreversible: true } : {}),
    },
    { ...planned[1]!, ...pauses(req), run: async (ctx) => wait(await cluster(ctx), req, ctx, ctx.facts.reply ?? '') },
  ]
  return {
    kind,
    // A configuration PATCH (pause) lands the same however often it is sent.
    ...(kind === 'pg.patroni-pause' ? { converges: true as const } : {}),
    async prepare(req, ctx) {
      const { call, ...plan } = build(await cluster(ctx), req)
      return { ...plan, steps: declare(plan.steps, call, req), state: call }
    },
    ...(took
      ? {
          async resume(req: RequestOf<K>, { run, state }: Interrupted<Call>) {
            return {
              target: run.target,
              title: run.title,
              summary: '',
              risk: 'high' as const,
              steps: declare(run.planSteps, state, req),
              prechecks: [],
              warnings: [],
              state,
            }
          },
        }
      : {}),
    verify: (req, _prepared, ctx) => verify(req, ctx),
  }
}

const steps = (call: Call, title: string, waitTitle: string, ...observed: string[]): PlanStep[] => [step(title, shown(call)), step(waitTitle, ...observed)]

export const patroniSwitchover = patroniAction(
  'pg.patroni-switchover',
  (c, req) => {
    const leader = leaderOf(c.view)
    const call: Call = {
      base: baseOf(c, leader),
      method: 'POST',
      path: 'switchover',
      body: { leader: leader?.name ?? null, candidate: req.candidate, ...(req.scheduledAt ? { scheduled_at: req.scheduledAt } : {}) },
    }
    const when = req.scheduledAt ? `at ${req.scheduledAt}` : 'now'
    return {
      call,
      target: req.candidate,
      title: `Switch over ${c.endpoint.name} through Patroni: ${leader?.name ?? '?'} → ${req.candidate} (${when})`,
      summary: `Patroni's leader ${leader?.name ?? '?'} demotes itself cleanly and ${req.candidate} takes the leader key; Patroni repoints the other members and rewinds the old leader. Writes fail for the few seconds of the handover.`,
      risk: 'high',
      steps: steps(
        call,
        `Ask Patroni's leader for the switchover (${when})`,
        req.scheduledAt ? 'Confirm Patroni scheduled it' : `Wait until ${req.candidate} leads and accepts writes`,
        `GET ${c.view.source}/cluster  -- until ${req.candidate} is leader and running`,
        `[${req.candidate}] SELECT pg_is_in_recovery()  -- until false`,
      ),
      prechecks: [
        check('a Patroni leader', leader !== undefined, leader ? `${leader.name} leads` : 'no leader'),
        check(
          'no switchover already scheduled',
          c.view.scheduledSwitchover === null,
          c.view.scheduledSwitchover ? `scheduled at ${c.view.scheduledSwitchover.at}` : 'none',
        ),
        ...candidateChecks(c, req.candidate),
      ],
      warnings: c.view.paused ? ['Patroni is paused (maintenance mode): it performs a switchover only to the named candidate'] : [],
    }
  },
  async (c, req, ctx, reply) => {
    if (req.scheduledAt) return `Patroni scheduled the switchover to ${req.candidate} at ${req.scheduledAt}: ${reply}`
    await waitLeader(c, ctx, req.candidate)
    return `${req.candidate} leads ${c.endpoint.name} (Patroni: ${reply})`
  },
  async (req, ctx) => {
    if (!req.scheduledAt) return verifyLeader(ctx, req.candidate)
    const c = await cluster(ctx)
    const s = c.view.scheduledSwitchover
    return [
      check(
        'Patroni holds the scheduled switchover',
        s !== null && s.to === req.candidate,
        s ? `${s.from ?? '?'} → ${s.to ?? '?'} at ${s.at}` : 'nothing scheduled',
      ),
    ]
  },
  (c, req) => leaderOf(c.view)?.name === req.candidate || (req.scheduledAt !== undefined && c.view.scheduledSwitchover?.to === req.candidate),
)

export const patroniFailover = patroniAction(
  'pg.patroni-failover',
  (c, req) => {
    const call: Call = { base: baseOf(c, memberNamed(c, req.candidate)), method: 'POST', path: 'failover', body: { candidate: req.candidate } }
    const leader = leaderOf(c.view)
    return {
      call,
      target: req.candidate,
      title: `Fail over ${c.endpoint.name} through Patroni to ${req.candidate}`,
      summary: `Patroni promotes ${req.candidate} whether or not the current leader${leader ? ` (${leader.name})` : ''} is healthy. Use it when there is no healthy leader; otherwise prefer a switchover.`,
      risk: 'high',
      steps: steps(
        call,
        `Ask Patroni to fail over to ${req.candidate}`,
        `Wait until ${req.candidate} leads and accepts writes`,
        `[${req.candidate}] SELECT pg_is_in_recovery()  -- until false`,
      ),
      prechecks: candidateChecks(c, req.candidate).filter((x) => !x.name.endsWith('caught up')),
      ...lostByFailover(c, req.candidate),
      warnings: [
        ...(leader ? [`${leader.name} still leads: a failover may lose what it has not yet sent; a switchover would not`] : []),
        ...candidateChecks(c, req.candidate)
          .filter((x) => x.name.endsWith('caught up') && !x.passed)
          .map((x) => `${req.candidate} is not caught up (${x.detail}): transactions may be lost`),
      ],
    }
  },
  async (c, req, ctx, reply) => {
    await waitLeader(c, ctx, req.candidate)
    return `${req.candidate} leads ${c.endpoint.name} (Patroni: ${reply})`
  },
  (req, ctx) => verifyLeader(ctx, req.candidate),
  (c, req) => leaderOf(c.view)?.name === req.candidate,
)

async function memberStart(ctx: ActionContext, member: string): Promise<string | null> {
  const c = await cluster(ctx)
  const r = await c.api.call(baseOf(c, memberNamed(c, member)), 'patroni')
  const start = (r.json as { postmaster_start_time?: unknown } | null)?.postmaster_start_time
  return typeof start === 'string' ? start : null
}

export const patroniRestart = patroniAction(
  'pg.patroni-restart',
  (c, req) => {
    const m = memberNamed(c, req.member)
    const call: Call = { base: baseOf(c, m), method: 'POST', path: 'restart', body: req.onlyIfPending ? { restart_pending: true } : {} }
    return {
      call,
      target: req.member,
      title: `Restart PostgreSQL on ${req.member} through Patroni`,
      summary: `Patroni restarts ${req.member}'s server${req.onlyIfPending ? ' if a restart is pending' : ''}; ${m && isLeaderRole(m.role) ? 'it is the leader: writes fail while it restarts (Patroni does not fail over for a restart)' : 'a replica: reads on it fail while it restarts'}.`,
      risk: m && isLeaderRole(m.role) ? 'high' : 'medium',
      steps: steps(
        call,
        `Ask Patroni on ${req.member} to restart it`,
        `Wait until ${req.member} runs again`,
        `GET ${baseOf(c, m)}/patroni  -- until state running`,
      ),
      prechecks: [check(`${req.member} is a member`, m !== undefined, m ? `${m.role}, ${m.state}` : 'not in /cluster')],
      warnings: req.onlyIfPending && m && !m.pendingRestart ? [`Patroni reports no pending restart on ${req.member}: it will not restart`] : [],
    }
  },
  async (c, req, ctx) => {
    await waitUntil(
      `${req.member} running after the restart`,
      120_000,
      async () => {
        const r = await c.api.call(baseOf(c, memberNamed(c, req.member)), 'patroni')
        return (r.json as { state?: string } | null)?.state === 'running' ? true : undefined
      },
      ctx.signal,
      300,
    )
    return `${req.member} restarted; postmaster started at ${(await memberStart(ctx, req.member)) ?? '?'}`
  },
  async (req, ctx) => {
    const c = await cluster(ctx)
    const m = memberNamed(c, req.member)
    return [
      check(`${req.member} running in Patroni`, m?.state === 'running' || m?.state === 'streaming', m ? m.state : 'missing'),
      check(`${req.member} has no restart pending`, m?.pendingRestart === false, m?.pendingRestart ? 'still pending' : 'none'),
    ]
  },
)

export const patroniReinit = patroniAction(
  'pg.patroni-reinit',
  (c, req) => {
    const m = memberNamed(c, req.member)
    const call: Call = { base: baseOf(c, m), method: 'POST', path: 'reinitialize', body: { force: true } }
    return {
      call,
      target: req.member,
      title: `Reinitialize ${req.member} through Patroni`,
      summary: `Patroni stops ${req.member}, deletes its data directory and clones it again from the leader. Use it for a replica that diverged or lost WAL.`,
      risk: 'high',
      steps: steps(
        call,
        `Ask Patroni on ${req.member} to reinitialize it`,
        `Wait until ${req.member} streams again`,
        `GET ${c.view.source}/cluster  -- until ${req.member} is running`,
      ),
      prechecks: [
        check(`${req.member} is a member`, m !== undefined, m ? `${m.role}, ${m.state}` : 'not in /cluster'),
        check(`${req.member} is not the leader`, m !== undefined && !isLeaderRole(m.role), m ? m.role : '?'),
      ],
      warnings: [`${req.member}'s data directory is deleted and cloned again`],
    }
  },
  async (c, req, ctx) => {
    await waitUntil(
      `${req.member} streaming after reinitialize`,
      300_000,
      async () => {
        const r = await c.api.read('cluster')
        const m = (r.json as { members?: { name?: string; state?: string }[] }).members?.find((x) => x.name === req.member)
        return m && (m.state === 'running' || m.state === 'streaming') ? true : undefined
      },
      ctx.signal,
      500,
    )
    return `${req.member} reinitialized from the leader`
  },
  async (req, ctx) => {
    const c = await cluster(ctx)
    const m = memberNamed(c, req.member)
    const n = c.topo.nodes.find((x) => x.name === m?.node)
    return [
      check(`${req.member} running in Patroni`, m?.state === 'running' || m?.state === 'streaming', m ? m.state : 'missing'),
      check(`${req.member} in recovery (pg_is_in_recovery)`, n?.role === 'standby', n ? n.role : 'not in the node list'),
    ]
  },
)

/** What each member itself says of the pause (it learns of it at its next HA cycle). */
function memberPauses(c: Cluster): Promise<(readonly [string, boolean])[]> {
  return Promise.all(
    c.view.members.map(async (m) => {
      const r = await c.api.call(baseOf(c, m), 'patroni').catch(() => null)
      return [m.name, (r?.json as { pause?: boolean } | null)?.pause === true] as const
    }),
  )
}

export const patroniPause = patroniAction(
  'pg.patroni-pause',
  (c, req) => {
    const call: Call = { base: c.view.source!, method: 'PATCH', path: 'config', body: { pause: req.pause } }
    const verb = req.pause ? 'Pause' : 'Resume'
    return {
      call,
      target: c.view.scope ?? c.endpoint.name,
      title: `${verb} automatic failover of ${c.view.scope ?? c.endpoint.name} (Patroni ${req.pause ? 'maintenance mode' : 'normal mode'})`,
      summary: req.pause
        ? 'Patroni stops managing the servers: no automatic failover, no restarts of a stopped server, until resumed. Use it for a maintenance window.'
        : 'Patroni manages the servers again and fails over automatically.',
      risk: req.pause ? 'medium' : 'low',
      steps: steps(
        call,
        `${verb} through the DCS configuration`,
        'Wait until every member sees it',
        `GET ${c.view.source}/cluster  -- until "pause" is ${req.pause}`,
      ),
      prechecks: [check(`cluster is ${req.pause ? 'not paused' : 'paused'}`, c.view.paused !== req.pause, c.view.paused ? 'paused' : 'not paused')],
      warnings: req.pause ? ['While paused, a failed leader is not replaced: resume when the window ends'] : [],
    }
  },
  async (c, req, ctx) => {
    await waitUntil(
      `Patroni ${req.pause ? 'paused' : 'resumed'}`,
      30_000,
      async () => {
        const r = await c.api.read('cluster')
        return ((r.json as { pause?: boolean }).pause === true) === req.pause ? true : undefined
      },
      ctx.signal,
      200,
    )
    return `Patroni ${req.pause ? 'paused: automatic failover is off' : 'resumed: automatic failover is on'}`
  },
  async (req, ctx) => {
    const c = await cluster(ctx)
    const answers = await memberPauses(c)
    return [
      check(`/cluster says ${req.pause ? 'paused' : 'not paused'}`, c.view.paused === req.pause, c.view.paused ? 'paused' : 'not paused'),
      ...answers.map(([name, paused]) => check(`${name} sees it`, paused === req.pause, paused ? 'paused' : 'not paused')),
    ]
  },
)

export const patroniActions: AnyActionDefinition[] = [patroniSwitchover, patroniFailover, patroniRestart, patroniReinit, patroniPause]
