import type { VerificationCheck } from '../../../../shared/actions'
import type { RedisNode } from '../../../../shared/systems/redis'
import type { RequestOf } from '../../../core/actions/action-definition'
import { chooseBestReplica, failoverModeText, findNode } from '../../../../shared/domain/redis-failover'
import { formatBytes } from '../../../../shared/domain/units'
import { countSlots, formatRanges } from '../../../../shared/domain/slots'
import type { ActionContext, ActionDefinition, DeclaredStep, RunContext } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { pollUntil } from '../../../core/wait'
import { nodesOf, snapshot, stateOkEverywhere } from '../cluster-ops'

/** What prepare() decided: the nodes the steps act on, kept with the plan and in the journal. */
interface Decided {
  masterId: string
  replicaId: string
  masterAddr: string
  replicaAddr: string
  slots: string
}

function reachable(n: RedisNode): boolean {
  return !n.error && !n.flags.includes('fail') && !n.flags.includes('fail?')
}

/**
 * CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica, then poll until the cluster agrees that the roles
 * are swapped and cluster_state is ok everywhere. The OK reply of CLUSTER FAILOVER only means the
 * replica accepted the request, so it is never taken as success.
 */
export const redisFailover: ActionDefinition<'redis.failover', Decided> = {
  kind: 'redis.failover',
  async prepare(req, ctx) {
    const { topology } = await snapshot(ctx)
    const master = findNode(topology.nodes, req.master)
    if (!master) throw new SwitchyardError('config', `no node ${req.master} in the cluster`)
    if (master.role !== 'master')
      throw new SwitchyardError('config', `${master.addr} is a replica; name the master to fail over (its master is ${master.masterId ?? '?'})`)
    let replica: RedisNode | undefined
    let why: string
    if (req.replica === 'best') {
      const choice = chooseBestReplica(topology.nodes, master.id)
      replica = choice.replica
      why = choice.reason
    } else {
      replica = findNode(topology.nodes, req.replica)
      why = 'chosen by you'
      if (replica && replica.masterId !== master.id) throw new SwitchyardError('config', `${replica.addr} is not a replica of ${master.addr}`)
    }
    if (!replica) throw new SwitchyardError('config', `no replica of ${master.addr} to promote: ${why}`)
    const mode = failoverModeText[req.mode]
    const votingMasters = topology.nodes.filter((n) => n.role === 'master' && n.slots.length > 0)
    const upMasters = votingMasters.filter(reachable)
    const majority = Math.floor(votingMasters.length / 2) + 1
    const lag = replica.lagBytes
    const linkUp = replica.stats?.masterLinkStatus === 'up'
    const prechecks = [
      {
        name: 'replica reachable',
        passed: reachable(replica),
        detail: reachable(replica) ? `${replica.addr} answers` : `${replica.addr}: ${replica.error?.message ?? replica.flags.join(',')}`,
      },
      {
        name: 'replica link up',
        passed: req.mode !== 'default' || linkUp,
        detail: linkUp
          ? `master_link_status up, last I/O ${replica.stats?.masterLastIoSecondsAgo ?? '?'} s ago`
          : req.mode === 'default'
            ? 'replication link is down: a coordinated failover cannot catch up; use FORCE'
            : 'link down (allowed in this mode)',
      },
      {
        name: 'replica lag',
        passed: req.mode !== 'default' || (lag !== null && lag <= req.maxLagBytes),
        detail:
          lag === null
            ? 'lag unknown'
            : `${formatBytes(lag)} behind (limit ${formatBytes(req.maxLagBytes)}${req.mode === 'default' ? '' : ', not enforced in this mode'})`,
      },
      {
        name: 'cluster_state ok',
        passed: req.mode === 'takeover' || topology.clusterState === 'ok' || !reachable(master),
        detail: `cluster_state is ${topology.clusterState}${req.mode === 'takeover' ? ' (not required for TAKEOVER)' : ''}`,
      },
      {
        name: 'majority of masters reachable',
        passed: req.mode === 'takeover' || upMasters.length >= majority,
        detail: `${upMasters.length} of ${votingMasters.length} masters with slots are up; the election needs ${majority}${req.mode === 'takeover' ? ' (TAKEOVER needs no votes)' : ''}`,
      },
    ]
    // Another workstation's lease is invisible here; its open slots are not.
    const open = topology.findings.find((f) => f.code === 'open-slots')
    prechecks.push({
      name: 'no slot migration in progress',
      passed: !open,
      detail: open ? `${open.message}: someone may be resharding; let it finish, or fix the open slots first` : 'no slot is migrating or importing',
    })
    if (req.mode === 'default')
      prechecks.push({
        name: 'master reachable',
        passed: reachable(master),
        detail: reachable(master) ? `${master.addr} answers` : `${master.addr} is down: a coordinated failover needs it; use FORCE`,
      })
    const warnings: string[] = []
    if (req.mode === 'takeover')
      warnings.push(
        'TAKEOVER skips the election: the replica bumps the config epoch on its own. If the old master is alive on the other side of a partition, both accept writes until it sees the new epoch, and those writes are lost. Use it only when a majority of masters is gone.',
      )
    if (req.mode !== 'default' && lag !== null && lag > 0) warnings.push(`${formatBytes(lag)} of writes not yet on the replica may be lost`)
    if (req.mode === 'default' && !reachable(master)) warnings.push('the master is unreachable: the default mode will time out; FORCE is meant for this case')
    const d: Decided = { masterId: master.id, replicaId: replica.id, masterAddr: master.addr, replicaAddr: replica.addr, slots: formatRanges(master.slots) }
    return {
      target: master.addr,
      title: `Fail over ${master.addr} to ${replica.addr} (${req.mode.toUpperCase()})`,
      summary: `${mode.explain} Replica ${replica.addr} (${why}) takes over ${countSlots(master.slots)} slots (${d.slots}); ${master.addr} becomes its replica when it is reachable.`,
      risk: mode.risk,
      steps: failoverSteps(req, d),
      prechecks,
      warnings,
      ...(req.mode !== 'default' && lag ? { dataLoss: `up to ${formatBytes(lag)} of writes the replica has not received` } : {}),
      state: d,
    }
  },

  /** The confirmed steps again, from the nodes the journal kept: whatever the roles are now. */
  async resume(req, interrupted) {
    const d = interrupted.state
    return {
      target: d.masterAddr,
      title: `Fail over ${d.masterAddr} to ${d.replicaAddr}`,
      summary: '',
      risk: 'medium',
      steps: failoverSteps(req, d),
      prechecks: [],
      warnings: [],
      state: d,
    }
  },

  async verifyUndone(_req, d, ctx) {
    const { topology } = await snapshot(ctx)
    const master = topology.nodes.find((n) => n.id === d.masterId)
    return [
      {
        name: 'old master leads again',
        passed: master?.role === 'master' && formatRanges(master.slots) === d.slots,
        detail: `${d.masterAddr} is ${master?.role ?? 'missing'}`,
      },
      { name: 'cluster_state ok', passed: topology.clusterState === 'ok', detail: `cluster_state ${topology.clusterState}` },
    ]
  },

  async verify(_req, { state: d }, ctx) {
    const { topology } = await snapshot(ctx)
    const replica = topology.nodes.find((n) => n.id === d.replicaId)
    const master = topology.nodes.find((n) => n.id === d.masterId)
    const checks: VerificationCheck[] = [
      { name: 'replica promoted', passed: replica?.role === 'master', detail: `${d.replicaAddr} is ${replica?.role ?? 'missing'}` },
      {
        name: 'slots taken over',
        passed: replica ? formatRanges(replica.slots) === d.slots : false,
        detail: `${d.replicaAddr} owns ${replica ? formatRanges(replica.slots) : '-'} (expected ${d.slots})`,
      },
      { name: 'cluster_state ok', passed: topology.clusterState === 'ok', detail: `cluster_state ${topology.clusterState}` },
    ]
    if (master && !master.error && !master.flags.includes('fail'))
      checks.push({
        name: 'old master demoted',
        passed: master.role === 'replica' && master.masterId === d.replicaId,
        detail: `${d.masterAddr} is ${master.role}${master.masterId ? ` of ${master.masterId.slice(0, 12)}` : ''}`,
      })
    else checks.push({ name: 'old master demoted', passed: true, detail: `${d.masterAddr} is down; it rejoins as a replica when it comes back` })
    return checks
  },
}

async function role(ctx: ActionContext, addr: string): Promise<unknown> {
  const { access } = await snapshot(ctx)
  return ((await access.call(addr, ['ROLE'], 2000)) as unknown[])[0]
}

type Side = { id: string; addr: string }

/** CLUSTER FAILOVER on `to`, re-sent while it has not won an election, until every node agrees that `to` leads `from`'s slots. */
async function failOver(ctx: RunContext, mode: RequestOf<'redis.failover'>['mode'], timeoutMs: number, to: Side, from: Side, slots: string): Promise<string> {
  const { access, topology } = await snapshot(ctx)
  const addrs = topology.nodes.filter((n) => !n.flags.includes('noaddr')).map((n) => n.addr)
  const args = ['CLUSTER', 'FAILOVER', ...(mode === 'default' ? [] : [mode.toUpperCase()])]
  const started = Date.now()
  // A manual failover that does not win its election within its 5 s window is silently dropped
  // (masters refuse to vote twice for the same master within 2 × cluster-node-timeout), so the
  // request is re-sent while the replica is still a replica.
  const nodeTimeout = Number(((await access.call(to.addr, ['CONFIG', 'GET', 'cluster-node-timeout']).catch(() => [])) as string[])[1] ?? 15_000)
  const resendEvery = Math.max(5500, 2 * nodeTimeout + 500)
  let lastSent = 0
  let attempts = 0
  await pollUntil(
    `failover of ${from.addr} to ${to.addr}`,
    timeoutMs,
    async () => {
      const r = (await access.call(to.addr, ['ROLE'], 2000)) as unknown[]
      if (r[0] !== 'master') {
        if (Date.now() - lastSent >= resendEvery) {
          attempts++
          lastSent = Date.now()
          if (attempts > 1) ctx.progress(`no election won yet; sending ${args.join(' ')} again (attempt ${attempts})`)
          await access.call(to.addr, args)
        }
        return { waiting: `${to.addr} is still ${String(r[0])} after ${attempts} attempt(s)` }
      }
      const old = (await access.call(from.addr, ['ROLE'], 1000).catch(() => null)) as unknown[] | null
      if (old && old[0] === 'master') return { waiting: `${from.addr} still says it is master` }
      const views = await Promise.all(addrs.map((a) => nodesOf(access, a).catch(() => null)))
      const disagree = addrs.filter((a, i) => {
        const v = views[i]
        if (!v) return false
        if (v.find((n) => n.id === to.id)?.role !== 'master') return true
        // A live old master must be seen as a replica of the new one before we call it done.
        const m = v.find((n) => n.id === from.id)
        return old !== null && m !== undefined && !m.flags.includes('fail') && m.masterId !== to.id
      })
      if (disagree.length) return { waiting: `${disagree.join(', ')} do not see the new roles yet` }
      const st = await stateOkEverywhere(access, addrs)
      if (!st.ok) return { waiting: st.detail }
      return { done: true }
    },
    250,
    ctx.signal,
  )
  const s = ((Date.now() - started) / 1000).toFixed(1)
  return `${to.addr} is master of ${slots} after ${s} s (${mode}${attempts > 1 ? `, ${attempts} attempts` : attempts ? '' : ', already swapped'})`
}

/**
 * The failover and the wait until the cluster agrees are one step (the request is re-sent within
 * it), observed done once the replica leads; its undo fails back the same way.
 */
function failoverSteps(req: RequestOf<'redis.failover'>, d: Decided): DeclaredStep[] {
  const mode = failoverModeText[req.mode]
  const master = { id: d.masterId, addr: d.masterAddr }
  const replica = { id: d.replicaId, addr: d.replicaAddr }
  return [
    {
      title: `Ask ${d.replicaAddr} to take over (${req.mode}) and wait until the cluster agrees; re-sent if no election is won within 2 × cluster-node-timeout`,
      commands: [
        `${d.replicaAddr}: ${mode.command(d.replicaAddr)}`,
        `${d.replicaAddr}: ROLE  (every 250 ms, until master)`,
        `${d.masterAddr}: ROLE  (until slave of ${d.replicaAddr}, or unreachable)`,
        `every node: CLUSTER NODES  (until ${d.replicaAddr} is master of ${d.slots})`,
        `every node: CLUSTER INFO  (until cluster_state:ok), up to ${Math.round(req.timeoutMs / 1000)} s`,
      ],
      undo: {
        title: `Fail back: ${d.masterAddr} takes its slots back`,
        commands: [`${d.masterAddr}: CLUSTER FAILOVER`, `every node: CLUSTER NODES  (until ${d.masterAddr} is master of ${d.slots})`],
      },
      run: (ctx) => failOver(ctx, req.mode, req.timeoutMs, replica, master, d.slots),
      async done(ctx) {
        const { topology } = await snapshot(ctx)
        return topology.nodes.find((n) => n.id === d.replicaId)?.role === 'master' && topology.clusterState === 'ok'
      },
      async revert(ctx) {
        if ((await role(ctx, d.masterAddr)) === 'master') return `${d.masterAddr} still leads`
        return failOver(ctx, 'default', req.timeoutMs, master, replica, d.slots)
      },
      ifFailed: `${d.replicaAddr} may still win its election; look at the cluster view before retrying.`,
      pausesWrites: true,
    },
    {
      title: 'Wait for the old master to resync as a replica (when it is up)',
      commands: [`${d.masterAddr}: INFO replication  (until master_link_status:up), up to 15 s`],
      async run(ctx) {
        // The slots are served again; the shard is protected again once the old master has synced from the new one.
        const { access } = await snapshot(ctx)
        if ((await access.call(d.masterAddr, ['PING'], 1000).catch(() => null)) === null) return `${d.masterAddr} is down; it resyncs when it returns`
        return pollUntil<string>(
          `${d.masterAddr} syncing from ${d.replicaAddr}`,
          15_000,
          async () => {
            const info = String(await access.call(d.masterAddr, ['INFO', 'replication'], 2000))
            return /master_link_status:up/.test(info)
              ? { done: `${d.masterAddr} replicates ${d.replicaAddr} again` }
              : { waiting: 'replication link not up yet' }
          },
          250,
          ctx.signal,
        ).catch(() => `${d.masterAddr} has not finished syncing from ${d.replicaAddr} yet`)
      },
    },
  ]
}
