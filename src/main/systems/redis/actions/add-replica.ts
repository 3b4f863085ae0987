import { findNode } from '../../../../shared/domain/redis-failover'
import { formatAddr } from '../../../../shared/domain/redis-parse'
import { countSlots } from '../../../../shared/domain/slots'
import { step, type ActionDefinition } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { pollUntil } from '../../../core/wait'
import { inspectNewNode, meetAndWait, snapshot } from '../cluster-ops'
import { nameOf, type ScaleState } from './scale-common'

export const addReplicaAction: ActionDefinition<'redis.add-replica', ScaleState> = {
  kind: 'redis.add-replica',
  async prepare(req, ctx) {
    const snap = await snapshot(ctx)
    const addr = formatAddr(req.node.host, req.node.port)
    const master = findNode(snap.topology.nodes, req.master)
    if (!master || master.role !== 'master') throw new SwitchyardError('config', `${req.master} is not a master of this cluster`)
    const already = findNode(snap.topology.nodes, addr)
    if (already) throw new SwitchyardError('config', `${addr} is already a ${already.role} of this cluster`)
    const probe = await inspectNewNode(snap.access, addr)
    return {
      target: addr,
      title: `Add ${addr} as a replica of ${master.addr}`,
      summary: `Introduces ${addr} with CLUSTER MEET, makes it replicate ${master.addr} (${countSlots(master.slots)} slots) and waits for the initial sync to finish.`,
      risk: 'low',
      steps: [
        step(`Introduce ${addr}`, `${addr}: CLUSTER MEET ${master.host} ${master.port}`),
        step('Wait until every node knows it', 'every node: CLUSTER NODES (poll), up to 30 s'),
        step(`Replicate ${master.addr}`, `${addr}: CLUSTER REPLICATE ${master.id}`),
        step('Wait for the sync', `${addr}: INFO replication (until master_link_status:up and no sync in progress), up to 120 s`),
      ],
      prechecks: [...probe.checks, { name: 'master healthy', passed: !master.error && !master.flags.includes('fail'), detail: master.detail }],
      warnings:
        master.stats && master.stats.usedMemory > 1024 ** 3
          ? [`the initial sync copies ${Math.round(master.stats.usedMemory / 1024 ** 2)} MiB from ${master.addr}`]
          : [],
      state: { moves: [], masterId: master.id, ...(probe.id ? { newId: probe.id } : {}) },
    }
  },
  async execute(req, { state: { newId, masterId } }, ctx) {
    if (!newId || !masterId) throw new SwitchyardError('config', `${formatAddr(req.node.host, req.node.port)} does not answer; plan again`)
    const addr = formatAddr(req.node.host, req.node.port)
    const snap = await snapshot(ctx)
    const master = snap.topology.nodes.find((n) => n.id === masterId)
    if (!master) throw new SwitchyardError('config', 'the master left the cluster; plan again')
    ctx.step(`CLUSTER MEET from ${addr}`)
    ctx.step('waiting for every node to know it')
    await meetAndWait(snap.access, addr, newId, master, snap.topology.nodes, ctx.signal)
    ctx.step(`CLUSTER REPLICATE ${master.id.slice(0, 12)}`)
    await snap.access.call(addr, ['CLUSTER', 'REPLICATE', master.id])
    ctx.step('waiting for the initial sync')
    const started = Date.now()
    await pollUntil(
      `${addr} syncing from ${master.addr}`,
      120_000,
      async () => {
        const info = String(await snap.access.call(addr, ['INFO', 'replication'], 2000))
        return /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info) ? { done: true } : { waiting: 'sync in progress' }
      },
      250,
      ctx.signal,
    )
    return `${addr} replicates ${master.addr} (synced in ${((Date.now() - started) / 1000).toFixed(1)} s)`
  },
  async verify(req, { state: { newId, masterId } }, ctx) {
    const { topology } = await snapshot(ctx)
    const n = topology.nodes.find((x) => x.id === newId)
    return [
      {
        name: 'node is a replica of the master',
        passed: n?.role === 'replica' && n.masterId === masterId,
        detail: n
          ? `${n.addr} is ${n.role}${n.masterId ? ` of ${nameOf(topology.nodes, n.masterId)}` : ''}`
          : `${formatAddr(req.node.host, req.node.port)} not in the cluster`,
      },
      { name: 'replication link up', passed: n?.stats?.masterLinkStatus === 'up', detail: `master_link_status ${n?.stats?.masterLinkStatus ?? '?'}` },
    ]
  },
}
