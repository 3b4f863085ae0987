import type { VerificationCheck } from '../../../shared/actions'
import { slotNameFor } from '../../../shared/domain/pg-topology'
import {
  step,
  type ActionContext,
  type ActionDefinition,
  type AnyActionDefinition,
  type PlannedAction,
  type RequestOf,
  type RunContext,
} from '../../core/actions/action-definition'
import { SwitchyardError, toConnError } from '../../core/errors'
import { cmd, managed, shq, ssh, type OpContext } from './pg-ops'
import {
  addReplicaProcedure,
  failoverProcedure,
  rejoinProcedure,
  removeReplicaProcedure,
  switchoverProcedure,
  verifyShape,
  type Env,
  type Procedure,
} from './pg-procedures'
import { readTopology } from './pg-reader'
import type { PgbouncerEndpoint } from './pgbouncer-client'
import { bouncersAt, verifyBouncers } from './pgbouncer-ops'
import type { PgTopology } from '../../../shared/systems/postgres'

type PgKind = 'pg.switchover' | 'pg.failover' | 'pg.rejoin' | 'pg.add-replica' | 'pg.remove-replica'

/** Endpoints with a PostgreSQL action running in this process: one procedure at a time per cluster. */
const running = new Set<string>()

function envOf(ctx: ActionContext): Env {
  if (ctx.endpoint.kind !== 'postgres') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a PostgreSQL endpoint`)
  const bouncers = ctx.environment.endpoints.filter((e): e is PgbouncerEndpoint => e.kind === 'pgbouncer')
  return { environment: ctx.environment.name, endpoint: ctx.endpoint, connections: ctx.connections, bouncers }
}

/**
 * One ActionDefinition from a procedure builder: plan() lists the Ops' exact commands; run()
 * rebuilds the procedure from the cluster as it is now, refuses to start if anything differs
 * from the confirmed plan, then runs the Ops one by one; a failing Op stops the run with where
 * the cluster stands and what to do next.
 */
function pgAction<K extends PgKind>(
  kind: K,
  build: (env: Env, req: RequestOf<K>, topo: PgTopology) => Promise<Procedure>,
  verify: (env: Env, req: RequestOf<K>, plan: PlannedAction) => Promise<VerificationCheck[]>,
): ActionDefinition<K> {
  return {
    kind,
    async plan(req, ctx) {
      const env = envOf(ctx)
      const proc = await build(env, req, await unmanagedTopology(env, kind))
      return {
        target: proc.target,
        title: proc.title,
        summary: proc.summary,
        risk: proc.risk,
        steps: proc.ops.map((o) => step(o.title, ...o.commands)),
        prechecks: proc.prechecks,
        warnings: proc.warnings,
      }
    },
    async run(req, plan, ctx: RunContext) {
      const env = envOf(ctx)
      const key = `${env.environment}/${env.endpoint.id}`
      if (running.has(key)) throw new SwitchyardError('config', `nothing was changed: another PostgreSQL action is running on ${env.endpoint.name}`)
      running.add(key)
      try {
        return await runProcedure(env, req, plan, ctx)
      } finally {
        running.delete(key)
      }
    },
    async verify(req, plan, ctx) {
      return verify(envOf(ctx), req, plan)
    },
  }

  async function runProcedure(env: Env, req: RequestOf<K>, plan: PlannedAction, ctx: RunContext): Promise<string> {
    const proc = await build(env, req, await unmanagedTopology(env, kind))
    const failed = proc.prechecks.filter((c) => !c.passed)
    if (failed.length)
      throw new SwitchyardError('config', `nothing was changed: pre-check no longer passes: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`)
    const now = JSON.stringify(proc.ops.map((o) => [o.title, o.commands]))
    const planned = JSON.stringify(plan.steps.map((s) => [s.title, s.commands]))
    if (now !== planned) throw new SwitchyardError('config', 'nothing was changed: the cluster changed since this plan was made; plan again')
    const opCtx: OpContext = { ...env, signal: ctx.signal, progress: (m) => ctx.progress(m), state: new Map() }
    const notes: string[] = []
    for (const [i, op] of proc.ops.entries()) {
      ctx.step(op.title)
      const t0 = Date.now()
      try {
        const note = await op.run(opCtx)
        if (note) notes.push(`${op.title}: ${note}`)
        ctx.progress(`${op.title}: done in ${Date.now() - t0} ms${note ? ` (${note})` : ''}`, (i + 1) / proc.ops.length)
      } catch (err) {
        const why = toConnError(err, env.connections.secretValues())
        let recovered = ''
        if (proc.recover) recovered = await proc.recover(i, opCtx).catch((e: unknown) => `recovery failed: ${toConnError(e).message}`)
        throw new SwitchyardError(
          why.code,
          [`"${op.title}" failed: ${why.message}.`, recovered, recovered ? '' : (op.ifFailed ?? '')].filter(Boolean).join(' '),
        )
      }
    }
    return [`${proc.title}: done`, ...notes, ...(proc.followUp ? [proc.followUp] : [])].join('; ')
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

export const pgSwitchover = pgAction('pg.switchover', switchoverProcedure, async (env, req) => [
  ...(await verifyShape(env, req.newPrimary, await currentStandbys(env, req.newPrimary))),
  ...(await verifyPooling(env, req.newPrimary)),
])

export const pgFailover = pgAction('pg.failover', failoverProcedure, async (env, _req, plan) => {
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

export const pgRejoin = pgAction('pg.rejoin', rejoinProcedure, async (env, req) => {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  if (!topo.primary) return [{ name: 'a primary', passed: false, detail: 'no primary reachable' }]
  return verifyShape(env, topo.primary, [req.node])
})

export const pgAddReplica = pgAction('pg.add-replica', addReplicaProcedure, async (env, req) => {
  const topo = await readTopology(env.environment, env.endpoint, env.connections)
  const upstream = req.upstream ?? topo.primary
  if (!upstream) return [{ name: 'a primary', passed: false, detail: 'no primary reachable' }]
  return verifyShape(env, upstream, [req.node.name], [req.node])
})

export const pgRemoveReplica = pgAction('pg.remove-replica', removeReplicaProcedure, async (env, req) => {
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

export const postgresActions: AnyActionDefinition[] = [pgSwitchover, pgFailover, pgRejoin, pgAddReplica, pgRemoveReplica]
