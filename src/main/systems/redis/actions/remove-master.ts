import { findNode } from '../../../../shared/domain/redis-failover'
import { countSlots } from '../../../../shared/domain/slots'
import { step, type ActionDefinition } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { pollUntil } from '../../../core/wait'
import { nodesOf, snapshot, stateOkEverywhere } from '../cluster-ops'
import { newMigrationRecord } from '../slot-migration'
import { type ScaleDeps, moveSteps, masterList, rebalanceFor, precheckCluster, migrate, type ScaleState, movePlanFields } from './scale-common'

export function removeMasterAction(deps: ScaleDeps): ActionDefinition<'redis.remove-master', ScaleState> {
  return {
    kind: 'redis.remove-master',
    async prepare(req, ctx) {
      const startedAt = Date.now()
      const snap = await snapshot(ctx)
      const node = findNode(snap.topology.nodes, req.node)
      if (!node) throw new SwitchyardError('config', `no node ${req.node} in the cluster`)
      if (node.role !== 'master') throw new SwitchyardError('config', `${node.addr} is a replica; this action removes masters`)
      const others = masterList(snap.topology).filter((m) => m.id !== node.id)
      const drain = countSlots(node.slots) > 0 ? rebalanceFor(snap, { [node.id]: 0 }, false, 0) : undefined
      const moves = drain?.moves ?? []
      const replicas = snap.topology.nodes.filter((n) => n.role === 'replica' && n.masterId === node.id)
      const rest = snap.topology.nodes.filter((n) => n.id !== node.id)
      const predicted = await movePlanFields(ctx, deps.store(), snap, moves, {
        kind: 'redis.remove-master',
        concurrency: req.concurrency,
        batchKeys: 1000,
        startedAt,
      })
      return {
        ...predicted,
        target: node.addr,
        title: `Remove master ${node.addr} from ${ctx.endpoint.name}`,
        summary: `Drains its ${countSlots(node.slots)} slots to the other masters, re-attaches its ${replicas.length} replica(s), makes every other node forget it (CLUSTER FORGET within the 60 s ban) and resets it to an empty stand-alone cluster node.`,
        risk: 'high',
        steps: [
          ...moveSteps(moves, snap.view, snap.access, 1000),
          step(
            'Re-attach replicas that follow it',
            ...(replicas.length
              ? replicas.map((r) => `${r.addr}: CLUSTER REPLICATE <master with the fewest replicas>`)
              : ['(none now; after draining, Redis 7 may move replicas on its own)']),
          ),
          step('Forget it everywhere (within 60 s)', ...rest.map((n) => `${n.addr}: CLUSTER FORGET ${node.id}`)),
          step(`Reset ${node.addr}`, `${node.addr}: CLUSTER RESET HARD`),
        ],
        prechecks: [
          ...precheckCluster(snap, false),
          { name: 'another master remains', passed: others.length > 0, detail: `${others.length} other master(s)` },
          { name: 'node reachable', passed: !node.error, detail: node.error?.message ?? `${node.addr} answers` },
          ...predicted.prechecks,
        ],
        warnings: [
          ...(countSlots(node.slots) > 0 ? [`${countSlots(node.slots)} slots and their keys move to the other masters first`] : []),
          ...predicted.warnings,
        ],
        state: { moves, newId: node.id },
      }
    },
    async execute(req, { state: d }, ctx) {
      const id = d.newId!
      let snap = await snapshot(ctx)
      const node = snap.topology.nodes.find((n) => n.id === id)
      if (!node) throw new SwitchyardError('config', `${req.node} left the cluster already`)
      let moved = 0
      if (d.moves.length) {
        ctx.step(`draining ${countSlots(node.slots)} slots`)
        const record = newMigrationRecord(ctx.environment.name, ctx.endpoint.id, d.moves, `remove master ${node.addr}`)
        moved = (await migrate(ctx, snap, deps.store(), record, { concurrency: req.concurrency, batchKeys: 1000 }, [0, 0.8])).keysMoved
        snap = await snapshot(ctx)
      }
      ctx.step('re-attaching replicas')
      const masters = masterList(snap.topology).filter((m) => m.id !== id && m.slots.length > 0)
      const followers = snap.topology.nodes.filter((n) => n.role === 'replica' && n.masterId === id)
      for (const r of followers) {
        const least = [...masters].sort(
          (a, b) => snap.topology.nodes.filter((x) => x.masterId === a.id).length - snap.topology.nodes.filter((x) => x.masterId === b.id).length,
        )[0]
        if (!least) throw new SwitchyardError('other', 'no master left to attach replicas to')
        await snap.access.call(r.addr, ['CLUSTER', 'REPLICATE', least.id])
      }
      const rest = snap.topology.nodes.filter((n) => n.id !== id && !n.flags.includes('noaddr'))
      // Replicas learn the new owners over the bus; forgetting the node before they have would leave
      // its old slots unassigned in their view (cluster_state fail there) until gossip catches up.
      await pollUntil(
        'every node seeing the drained master without slots',
        20_000,
        async () => {
          const views = await Promise.all(rest.map((n) => nodesOf(snap.access, n.addr).catch(() => null)))
          const stale = rest.filter((_, i) => (views[i]?.find((x) => x.id === id)?.slots.length ?? 0) > 0)
          return stale.length ? { waiting: `${stale.map((n) => n.addr).join(', ')} still see slots on it` } : { done: true }
        },
        200,
        ctx.signal,
      )
      ctx.step('forgetting it on every node')
      const started = Date.now()
      const results = await Promise.all(
        rest.map((n) =>
          snap.access.call(n.addr, ['CLUSTER', 'FORGET', id], 5000).then(
            () => null,
            (err: unknown) => (/Unknown node/i.test(String(err)) ? null : `${n.addr}: ${err instanceof Error ? err.message : String(err)}`),
          ),
        ),
      )
      const failed = results.filter((r): r is string => r !== null)
      if (failed.length) throw new SwitchyardError('other', `CLUSTER FORGET failed on ${failed.join('; ')}`)
      ctx.step(`CLUSTER RESET HARD on ${node.addr}`)
      await snap.access.call(node.addr, ['CLUSTER', 'RESET', 'HARD'], 10_000)
      if (Date.now() - started > 55_000) ctx.progress('forgetting took close to the 60 s ban; check that the node does not reappear')
      await pollUntil('every node forgetting it', 20_000, async () => {
        const views = await Promise.all(rest.map((n) => nodesOf(snap.access, n.addr).catch(() => [])))
        const still = rest.filter((_, i) => views[i]!.some((x) => x.id === id))
        return still.length ? { waiting: `${still.map((n) => n.addr).join(', ')} still list it` } : { done: true }
      })
      await pollUntil(
        'cluster_state ok on every node',
        20_000,
        async () => {
          const st = await stateOkEverywhere(
            snap.access,
            rest.map((n) => n.addr),
          )
          return st.ok ? { done: true } : { waiting: st.detail }
        },
        200,
        ctx.signal,
      )
      return `${node.addr} removed${moved ? ` after moving ${moved} keys` : ''}`
    },
    async verify(req, { state: d }, ctx) {
      const snap = await snapshot(ctx)
      const node = snap.topology.nodes.find((n) => n.id === d.newId)
      const addr = req.node
      const st = await stateOkEverywhere(
        snap.access,
        snap.topology.nodes.map((n) => n.addr),
      )
      return [
        { name: 'forgotten by the cluster', passed: !node, detail: node ? `${node.addr} is still listed` : 'no node lists it' },
        {
          name: 'slots covered',
          passed: !snap.topology.findings.some((f) => f.code === 'uncovered-slots'),
          detail: snap.topology.findings.find((f) => f.code === 'uncovered-slots')?.message ?? 'all 16384 covered',
        },
        { name: 'cluster_state ok', passed: st.ok, detail: st.detail },
        { name: 'removed node reset', passed: true, detail: `${addr} reset (CLUSTER RESET HARD)` },
      ]
    },
  }
}
