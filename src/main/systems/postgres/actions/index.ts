import type { VerificationCheck } from '../../../../shared/actions'
import { slotNameFor } from '../../../../shared/domain/pg-topology'
import type {
  ActionContext,
  ActionDefinition,
  AnyActionDefinition,
  DeclaredStep,
  PlannedAction,
  Prepared,
  RequestOf,
  RunContext,
} from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { cmd, managed, shq, ssh, type OpContext } from '../postgres-ops'
import { verifyShape } from './checks'
import { pgDropSlot } from './drop-slot'
import { failoverOperation } from './failover'
import type { Env, PgOperation } from './operation'
import { addReplicaOperation, rejoinOperation, removeReplicaOperation } from './replicas'
import { switchoverOperation } from './switchover'
import { readTopology } from '../postgres-reader'
import type { PgbouncerEndpoint } from '../pgbouncer-client'
import { bouncersAt, verifyBouncers, type Bouncer } from '../pgbouncer-ops'
import type { PgTopology } from '../../../../shared/systems/postgres'

type PgKind = 'pg.switchover' | 'pg.failover' | 'pg.rejoin' | 'pg.add-replica' | 'pg.remove-replica'

function envOf(ctx: ActionContext, recordedBouncers?: Bouncer[]): Env {
  if (ctx.endpoint.kind !== 'postgres') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a PostgreSQL endpoint`)
  const bouncers = ctx.environment.endpoints.filter((e): e is PgbouncerEndpoint => e.kind === 'pgbouncer')
  return {
    environment: ctx.environment.name,
    endpoint: ctx.endpoint,
    connections: ctx.connections,
    bouncers,
    ...(recordedBouncers ? { recordedBouncers } : {}),
  }
}

/** What a PostgreSQL procedure was built from: the topology and the pgbouncers it found, so a resume rebuilds the same steps. */
export interface PgState {
  topo: PgTopology
  bouncers: Bouncer[]
}

/** The procedure's Ops as the runner's declared steps, each run with the run's journaled facts. */
function declared(env: Env, proc: PgOperation): Pick<Prepared<PgState>, 'steps' | 'onStepFailed'> {
  const opCtx = (ctx: RunContext): OpContext => ({ ...env, signal: ctx.signal, progress: (m) => ctx.progress(m), facts: ctx.facts })
  return {
    steps: proc.ops.map((op): DeclaredStep => ({
      title: op.title,
      commands: op.commands,
      run: (ctx) => op.run(opCtx(ctx)),
      ...(op.done ? { done: (ctx: RunContext) => op.done!(opCtx(ctx)) } : {}),
      ...(op.revert ? { revert: (ctx: RunContext) => op.revert!(opCtx(ctx)) } : {}),
      ...(op.undo ? { undo: op.undo } : {}),
      ...(op.irreversible ? { irreversible: true } : {}),
      ...(op.pausesWrites ? { pausesWrites: true } : {}),
      ...(op.ifFailed ? { ifFailed: op.ifFailed } : {}),
    })),
    ...(proc.recover ? { onStepFailed: (i: number, ctx: RunContext) => proc.recover!(i, opCtx(ctx)) } : {}),
  }
}

/**
 * One ActionDefinition from a procedure builder: prepare() builds the Ops from the topology as it
 * is now; the runner prepares again before running and refuses if anything differs, then runs the
 * Ops as journaled steps; a resumed or rolled back run rebuilds the same Ops from the journaled
 * topology, whatever the cluster looks like after the interruption.
 */
function pgAction<K extends PgKind>(
  kind: K,
  build: (env: Env, req: RequestOf<K>, topo: PgTopology) => Promise<PgOperation>,
  verify: (env: Env, req: RequestOf<K>, plan: PlannedAction) => Promise<VerificationCheck[]>,
  extra: Partial<Pick<ActionDefinition<K, PgState>, 'verifyUndone'>> = {},
): ActionDefinition<K, PgState> {
  const prepared = (env: Env, proc: PgOperation, topo: PgTopology): Prepared<PgState> => ({
    target: proc.target,
    title: proc.title,
    summary: proc.summary,
    ...(proc.followUp ? { followUp: proc.followUp } : {}),
    risk: proc.risk,
    prechecks: proc.prechecks,
    warnings: proc.warnings,
    ...declared(env, proc),
    state: { topo, bouncers: proc.bouncers ?? [] },
  })
  return {
    kind,
    async prepare(req, ctx) {
      const env = envOf(ctx)
      const topo = await unmanagedTopology(env, kind)
      return prepared(env, await build(env, req, topo), topo)
    },
    async resume(req, { state }, ctx) {
      const env = envOf(ctx, state.bouncers)
      const proc = await build(env, req, state.topo)
      return { ...prepared(env, proc, state.topo), prechecks: [], warnings: [] }
    },
    async verify(req, plan, ctx) {
      return verify(envOf(ctx), req, plan)
    },
    ...extra,
  }
}

const THROUGH_PATRONI: Record<PgKind, string> = {
  'pg.switchover': 'switch over through Patroni instead (pg.patroni-switchover)',
  'pg.failover': 'fail over through Patroni instead (pg.patroni-failover)',
  'pg.rejoin': 'reinitialize the member through Patroni instead (pg.patroni-reinit), or let Patroni rewind it',
  'pg.add-replica': 'add a member by starting Patroni on the new node with the same scope',
  'pg.remove-replica': 'remove a member by stopping its Patroni; Patroni drops its slot',
}

/** The topology, refusing when a cluster manager owns failover: pg_ctl behind Patroni's back is how split brains start. */
async function unmanagedTopology(env: Env, kind: PgKind): Promise<PgTopology> {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  if (topo.manager === 'patroni')
    throw new SwitchyardError(
      'config',
      `refused: ${env.endpoint.name} is managed by Patroni${topo.patroni?.scope ? ` (scope ${topo.patroni.scope})` : ''}, and Switchyard never stops, promotes or repoints its servers behind Patroni's back: ${THROUGH_PATRONI[kind]}`,
    )
  return topo
}

async function currentStandbys(env: Env, primary: string): Promise<string[]> {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  return topo.nodes.filter((n) => n.listed && n.name !== primary && n.role !== 'down').map((n) => n.name)
}

/** Every pgbouncer database that points at a node of this cluster must now point at the primary. */
async function verifyPooling(env: Env, primary: string): Promise<VerificationCheck[]> {
  const node = env.endpoint.nodes.find((n) => n.name === primary)
  if (!node || env.bouncers.length === 0) return []
  const { found } = await bouncersAt(env.bouncers, env.connections, env.endpoint.nodes)
  return verifyBouncers(env.connections, found, node)
}

export const pgSwitchover = pgAction(
  'pg.switchover',
  switchoverOperation,
  async (env, req) => [...(await verifyShape(env, req.newPrimary, await currentStandbys(env, req.newPrimary))), ...(await verifyPooling(env, req.newPrimary))],
  {
    /** Rolled back before the promotion: the old primary leads again, its standbys stream from it, no pgbouncer is paused. */
    async verifyUndone(_req, state, ctx) {
      const env = envOf(ctx)
      const old = state.topo.primary
      if (!old) return [{ name: 'the old primary', passed: false, detail: 'the plan had no primary' }]
      return [...(await verifyShape(env, old, await currentStandbys(env, old))), ...(await verifyPooling(env, old))]
    },
  },
)

export const pgFailover = pgAction('pg.failover', failoverOperation, async (env, _req, plan) => {
  const checks = [...(await verifyShape(env, plan.target, await currentStandbys(env, plan.target))), ...(await verifyPooling(env, plan.target))]
  // The old primary must not come back as a second primary.
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  for (const n of env.endpoint.nodes) {
    const s = topo.nodes.find((x) => x.name === n.name)
    if (s?.role !== 'down' || !n.sshHostId || !n.dataDir) continue
    const r = await ssh(
      env,
      managed(n),
      `test -f ${shq(`${n.dataDir}/standby.signal`)} && test -f ${shq(`${n.dataDir}/switchyard-needs-rewind`)}`,
      10_000,
    ).catch(() => undefined)
    checks.push({
      name: `${n.name} fenced and marked for rewind`,
      passed: r?.code === 0,
      detail: r?.code === 0 ? `standby.signal and switchyard-needs-rewind in ${n.dataDir}` : 'marker files missing',
    })
  }
  return checks
})

export const pgRejoin = pgAction('pg.rejoin', rejoinOperation, async (env, req) => {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  if (!topo.primary) return [{ name: 'a primary', passed: false, detail: 'no primary reachable' }]
  return verifyShape(env, topo.primary, [req.node])
})

export const pgAddReplica = pgAction('pg.add-replica', addReplicaOperation, async (env, req) => {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  const upstream = req.upstream ?? topo.primary
  if (!upstream) return [{ name: 'a primary', passed: false, detail: 'no primary reachable' }]
  return verifyShape(env, upstream, [req.node.name], [req.node])
})

export const pgRemoveReplica = pgAction('pg.remove-replica', removeReplicaOperation, async (env, req) => {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  const slot = slotNameFor(req.node)
  const holders = topo.nodes.filter((n) => n.slots.some((s) => s.name === slot)).map((n) => n.name)
  const checks: VerificationCheck[] = [
    { name: `no slot ${slot} left`, passed: holders.length === 0, detail: holders.length ? `still on ${holders.join(', ')}` : 'dropped' },
  ]
  const streaming = topo.nodes.filter((n) => n.replication.some((r) => r.applicationName === req.node)).map((n) => n.name)
  checks.push({
    name: `${req.node} no longer streams`,
    passed: streaming.length === 0,
    detail: streaming.length ? `still streaming from ${streaming.join(', ')}` : 'not in any pg_stat_replication',
  })
  const loc = env.endpoint.nodes.find((n) => n.name === req.node) ?? req.location
  if (loc?.sshHostId && loc.dataDir) {
    const node = managed(loc)
    const r = await ssh(env, node, req.deleteDataDir ? `test ! -e ${shq(loc.dataDir)}` : cmd.status(node), 10_000).catch(() => undefined)
    checks.push(
      req.deleteDataDir
        ? { name: `${loc.dataDir} deleted`, passed: r?.code === 0, detail: r?.code === 0 ? 'gone' : 'still there' }
        : { name: `${req.node} stopped`, passed: r?.code === 3, detail: r?.code === 3 ? 'no server running' : `pg_ctl status exited ${r?.code}` },
    )
  }
  return checks
})

export const postgresActions: AnyActionDefinition[] = [pgSwitchover, pgFailover, pgRejoin, pgAddReplica, pgRemoveReplica, pgDropSlot]
