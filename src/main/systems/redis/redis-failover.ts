import type { VerificationCheck } from '../../../shared/actions'
import type { RedisNode } from '../../../shared/systems/redis'
import { chooseBestReplica, failoverModeText, findNode } from '../../../shared/domain/redis-failover'
import { fmtBytes } from '../../../shared/domain/redis-topology'
import { countSlots, formatRanges } from '../../../shared/domain/slots'
import { step, type ActionDefinition, type PlannedAction } from '../../core/actions/action-definition'
import { SwitchyardError } from '../../core/errors'
import { pollUntil } from '../../core/wait'
import { nodesOf, snapshot, stateOkEverywhere } from './cluster-ops'

/** What plan() decided, for run() and verify() of the same plan (the runner hands back the same object). */
const decided = new WeakMap<PlannedAction, { masterId: string; replicaId: string; masterAddr: string; replicaAddr: string; slots: string }>()

function reachable(n: RedisNode): boolean {
  return !n.error && !n.flags.includes('fail') && !n.flags.includes('fail?')
}

/**
 * CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica, then poll until the cluster agrees that the roles
 * are swapped and cluster_state is ok everywhere. The OK reply of CLUSTER FAILOVER only means the
 * replica accepted the request, so it is never taken as success.
 */
export const redisFailover: ActionDefinition<'redis.failover'> = {
  kind: 'redis.failover',
  async plan(req, ctx) {
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
            : `${fmtBytes(lag)} behind (limit ${fmtBytes(req.maxLagBytes)}${req.mode === 'default' ? '' : ', not enforced in this mode'})`,
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
    if (req.mode !== 'default' && lag !== null && lag > 0) warnings.push(`${fmtBytes(lag)} of writes not yet on the replica may be lost`)
    if (req.mode === 'default' && !reachable(master)) warnings.push('the master is unreachable: the default mode will time out; FORCE is meant for this case')
    const slots = formatRanges(master.slots)
    const planned: PlannedAction = {
      target: master.addr,
      title: `Fail over ${master.addr} to ${replica.addr} (${req.mode.toUpperCase()})`,
      summary: `${mode.explain} Replica ${replica.addr} (${why}) takes over ${countSlots(master.slots)} slots (${slots}); ${master.addr} becomes its replica when it is reachable.`,
      risk: mode.risk,
      steps: [
        step(
          `Ask ${replica.addr} to take over (${req.mode}); re-sent if no election is won within 2 × cluster-node-timeout`,
          `${replica.addr}: ${mode.command(replica.addr)}`,
        ),
        step(
          'Poll until the roles are swapped and the cluster agrees',
          `${replica.addr}: ROLE  (every 250 ms, until master)`,
          `${master.addr}: ROLE  (until slave of ${replica.addr}, or unreachable)`,
          `every node: CLUSTER NODES  (until ${replica.addr} is master of ${slots})`,
          `every node: CLUSTER INFO  (until cluster_state:ok), up to ${Math.round(req.timeoutMs / 1000)} s`,
        ),
        step('Wait for the old master to resync as a replica (when it is up)', `${master.addr}: INFO replication  (until master_link_status:up), up to 15 s`),
      ],
      prechecks,
      warnings,
    }
    decided.set(planned, { masterId: master.id, replicaId: replica.id, masterAddr: master.addr, replicaAddr: replica.addr, slots })
    return planned
  },

  async run(req, plan, ctx) {
    const d = decided.get(plan)
    if (!d) throw new SwitchyardError('config', 'this plan was made by another process; plan again')
    const { access, topology } = await snapshot(ctx)
    const replica = topology.nodes.find((n) => n.id === d.replicaId)
    if (!replica || replica.role !== 'replica' || replica.masterId !== d.masterId)
      throw new SwitchyardError('config', `${d.replicaAddr} is no longer a replica of ${d.masterAddr}; plan again`)
    const addrs = topology.nodes.filter((n) => !n.flags.includes('noaddr')).map((n) => n.addr)
    ctx.step(`${failoverModeText[req.mode].command(d.replicaAddr)} on ${d.replicaAddr}`)
    const started = Date.now()
    const args = ['CLUSTER', 'FAILOVER', ...(req.mode === 'default' ? [] : [req.mode.toUpperCase()])]
    await access.call(d.replicaAddr, args)
    ctx.step('waiting for the roles to swap')
    // A manual failover that does not win its election within its 5 s window is silently dropped
    // (masters refuse to vote twice for the same master within 2 × cluster-node-timeout), so the
    // request is re-sent while the replica is still a replica.
    const nodeTimeout = Number(((await access.call(d.replicaAddr, ['CONFIG', 'GET', 'cluster-node-timeout']).catch(() => [])) as string[])[1] ?? 15_000)
    const resendEvery = Math.max(5500, 2 * nodeTimeout + 500)
    let lastSent = Date.now()
    let attempts = 1
    await pollUntil(
      `failover of ${d.masterAddr} to ${d.replicaAddr}`,
      req.timeoutMs,
      async () => {
        const role = (await access.call(d.replicaAddr, ['ROLE'], 2000)) as unknown[]
        if (role[0] !== 'master') {
          if (Date.now() - lastSent >= resendEvery) {
            attempts++
            lastSent = Date.now()
            ctx.progress(`no election won yet; sending ${args.join(' ')} again (attempt ${attempts})`)
            await access.call(d.replicaAddr, args)
          }
          return { waiting: `${d.replicaAddr} is still ${String(role[0])} after ${attempts} attempt(s)` }
        }
        const old = (await access.call(d.masterAddr, ['ROLE'], 1000).catch(() => null)) as unknown[] | null
        if (old && old[0] === 'master') return { waiting: `${d.masterAddr} still says it is master` }
        const views = await Promise.all(addrs.map((a) => nodesOf(access, a).catch(() => null)))
        const disagree = addrs.filter((a, i) => {
          const v = views[i]
          if (!v) return false
          if (v.find((n) => n.id === d.replicaId)?.role !== 'master') return true
          // A live old master must be seen as a replica of the new one before we call it done.
          const m = v.find((n) => n.id === d.masterId)
          return old !== null && m !== undefined && !m.flags.includes('fail') && m.masterId !== d.replicaId
        })
        if (disagree.length) return { waiting: `${disagree.join(', ')} do not see the new roles yet` }
        const st = await stateOkEverywhere(access, addrs)
        if (!st.ok) return { waiting: st.detail }
        return { done: true }
      },
      250,
      ctx.signal,
    )
    const ms = Date.now() - started
    ctx.progress(`roles swapped after ${ms} ms`, 0.9)
    // The slots are served again; the shard is protected again once the old master has synced from the new one.
    let synced = 'the old master is down; it resyncs when it returns'
    if ((await access.call(d.masterAddr, ['PING'], 1000).catch(() => null)) !== null) {
      synced = await pollUntil<string>(
        `${d.masterAddr} syncing from ${d.replicaAddr}`,
        15_000,
        async () => {
          const info = String(await access.call(d.masterAddr, ['INFO', 'replication'], 2000))
          return /master_link_status:up/.test(info) ? { done: `${d.masterAddr} replicates it again` } : { waiting: 'replication link not up yet' }
        },
        250,
        ctx.signal,
      ).catch(() => `${d.masterAddr} has not finished syncing from it yet`)
    }
    return `${d.replicaAddr} is master of ${d.slots} after ${(ms / 1000).toFixed(1)} s (${req.mode}${attempts > 1 ? `, ${attempts} attempts` : ''}); ${synced}`
  },

  async verify(_req, plan, ctx) {
    const d = decided.get(plan)
    if (!d) return [{ name: 'plan known', passed: false, detail: 'plan made by another process' }]
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
