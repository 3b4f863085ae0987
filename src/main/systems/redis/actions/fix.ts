import type { ClusterNodeEntry } from '../../../../shared/systems/redis'
import { countSlots, formatRanges, slotsOf, toRanges, uncoveredRanges } from '../../../../shared/domain/slots'
import { myselfOf } from '../../../../shared/domain/redis-parse'
import { step, type ActionDefinition } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { pollUntil } from '../../../core/wait'
import { snapshot, stateOkEverywhere, type ClusterSnapshot } from '../cluster-ops'
import type { RedisArg } from '../redis-client'
import { newMigrationRecord, runSlotMigration, waitForSlotAgreement } from '../slot-migration'

/**
 * Close open slots and cover uncovered ones, like `redis-cli --cluster fix`:
 *  - migrating on the owner and importing on the target: finish the migration (keys → target).
 *  - migrating only: if the target already holds keys of the slot, open it there and finish;
 *    otherwise CLUSTER SETSLOT STABLE on the owner.
 *  - importing on a node that is not the owner: move any keys it holds back to the owner
 *    (ASKING + MIGRATE), then SETSLOT STABLE on it.
 *  - uncovered: ADDSLOTS on the master holding keys of the slot (the most, when several), or on the
 *    master with the fewest slots; keys found elsewhere are moved to it.
 */

export type FixOp =
  | { kind: 'finish'; slot: number; source: string; target: string; openTarget: boolean }
  | { kind: 'stable'; slot: number; node: string }
  | { kind: 'return-keys'; slot: number; from: string; to: string; keys: number }
  | { kind: 'assign'; slot: number; node: string }

export async function analyseOpenSlots(snap: ClusterSnapshot): Promise<FixOp[]> {
  const { access, view, polls } = snap
  const masters = view.filter((n) => n.role === 'master' && !n.flags.includes('fail') && !n.flags.includes('noaddr'))
  const owner = new Map<number, string>()
  for (const m of masters) for (const s of slotsOf(m.slots)) owner.set(s, m.id)
  const migrating = new Map<number, { node: string; to: string }[]>()
  const importing = new Map<number, { node: string; from: string }[]>()
  for (const p of polls) {
    const me = myselfOf(p.nodes)
    if (!me) continue
    for (const m of me.migrating) migrating.set(m.slot, [...(migrating.get(m.slot) ?? []), { node: me.id, to: m.to }])
    for (const i of me.importing) importing.set(i.slot, [...(importing.get(i.slot) ?? []), { node: me.id, from: i.from }])
  }
  const byId = new Map(view.map((n) => [n.id, n]))
  const countOn = async (id: string, slot: number) => Number(await access.call(byId.get(id)!.addr, ['CLUSTER', 'COUNTKEYSINSLOT', slot]))
  const ops: FixOp[] = []
  const slots = [...new Set([...migrating.keys(), ...importing.keys()])].sort((a, b) => a - b)
  for (const slot of slots) {
    const own = owner.get(slot)
    if (!own) continue // handled as uncovered below
    const mig = migrating.get(slot) ?? []
    const imp = importing.get(slot) ?? []
    const ownerMig = mig.find((m) => m.node === own)
    let finishedTo: string | undefined
    if (ownerMig && byId.has(ownerMig.to)) {
      const paired = imp.find((i) => i.node === ownerMig.to && i.from === own)
      if (paired) {
        ops.push({ kind: 'finish', slot, source: own, target: ownerMig.to, openTarget: false })
        finishedTo = ownerMig.to
      } else if ((await countOn(ownerMig.to, slot)) > 0) {
        ops.push({ kind: 'finish', slot, source: own, target: ownerMig.to, openTarget: true })
        finishedTo = ownerMig.to
      } else ops.push({ kind: 'stable', slot, node: own })
    }
    for (const m of mig) if (m.node !== own) ops.push({ kind: 'stable', slot, node: m.node })
    for (const i of imp) {
      if (i.node === finishedTo || i.node === own) {
        if (i.node === own) ops.push({ kind: 'stable', slot, node: i.node })
        continue
      }
      const keys = await countOn(i.node, slot)
      if (keys > 0) ops.push({ kind: 'return-keys', slot, from: i.node, to: own, keys })
      ops.push({ kind: 'stable', slot, node: i.node })
    }
  }
  // Uncovered slots come first: while any slot is uncovered the cluster is down and refuses MIGRATE.
  const coverOps: FixOp[] = []
  const uncovered = [...slotsOf(uncoveredRanges(masters.flatMap((m) => m.slots)))]
  if (uncovered.length) {
    const load = new Map(masters.map((m) => [m.id, countSlots(m.slots)]))
    for (const slot of uncovered) {
      const counts = await Promise.all(masters.map((m) => countOn(m.id, slot).catch(() => 0)))
      const holders = masters
        .map((m, i) => ({ id: m.id, keys: counts[i]! }))
        .filter((h) => h.keys > 0)
        .sort((a, b) => b.keys - a.keys)
      const chosen = holders[0]?.id ?? [...load.entries()].sort((a, b) => a[1] - b[1])[0]![0]
      load.set(chosen, (load.get(chosen) ?? 0) + 1)
      coverOps.push({ kind: 'assign', slot, node: chosen })
      for (const h of holders.slice(1)) coverOps.push({ kind: 'return-keys', slot, from: h.id, to: chosen, keys: h.keys }, { kind: 'stable', slot, node: h.id })
    }
  }
  return [...coverOps, ...ops]
}

function describe(op: FixOp, view: readonly ClusterNodeEntry[]): { title: string; commands: string[] } {
  const a = (id: string) => view.find((n) => n.id === id)?.addr ?? id.slice(0, 12)
  switch (op.kind) {
    case 'finish':
      return {
        title: `slot ${op.slot}: finish the migration ${a(op.source)} → ${a(op.target)}`,
        commands: [
          ...(op.openTarget ? [`${a(op.target)}: CLUSTER SETSLOT ${op.slot} IMPORTING ${op.source}`] : []),
          `${a(op.source)}: CLUSTER GETKEYSINSLOT ${op.slot} 1000 → MIGRATE ${a(op.target)} … REPLACE KEYS … (until empty)`,
          `${a(op.target)}, ${a(op.source)}, other masters: CLUSTER SETSLOT ${op.slot} NODE ${op.target}`,
        ],
      }
    case 'stable':
      return { title: `slot ${op.slot}: clear the open state on ${a(op.node)}`, commands: [`${a(op.node)}: CLUSTER SETSLOT ${op.slot} STABLE`] }
    case 'return-keys':
      return {
        title: `slot ${op.slot}: move ${op.keys} stray keys ${a(op.from)} → ${a(op.to)}`,
        commands: [
          `${a(op.from)}: CLUSTER SETSLOT ${op.slot} IMPORTING ${op.to}`,
          `${a(op.from)}: CLUSTER GETKEYSINSLOT ${op.slot} 1000 → ASKING + MIGRATE ${a(op.to)} … KEYS … (until empty)`,
        ],
      }
    case 'assign':
      return { title: `slot ${op.slot}: assign to ${a(op.node)}`, commands: [`${a(op.node)}: CLUSTER ADDSLOTS ${op.slot}`] }
  }
}

/** Open slots converge: a resume plans again from what the cluster is now. */
export const redisFix: ActionDefinition<'redis.fix', FixOp[]> = {
  kind: 'redis.fix',
  converges: true,
  async prepare(_req, ctx) {
    const snap = await snapshot(ctx)
    const ops = await analyseOpenSlots(snap)
    // Many uncovered slots read better as ranges per node.
    const steps = ops.filter((o) => o.kind !== 'assign').map((o) => describe(o, snap.view))
    const assigns = new Map<string, number[]>()
    for (const o of ops) if (o.kind === 'assign') assigns.set(o.node, [...(assigns.get(o.node) ?? []), o.slot])
    for (const [node, slots] of assigns)
      steps.push(
        step(
          `assign ${slots.length} uncovered slots to ${snap.view.find((n) => n.id === node)?.addr}`,
          `${snap.view.find((n) => n.id === node)?.addr}: CLUSTER ADDSLOTS ${formatRanges(toRanges(slots)).replace(/,/g, ' ')}`,
        ),
      )
    return {
      target: `${ctx.environment.name}/${ctx.endpoint.id}`,
      title: `Fix open and uncovered slots of ${ctx.endpoint.name}`,
      summary: ops.length
        ? `${ops.length} operation(s) on ${new Set(ops.map((o) => o.slot)).size} slot(s), like redis-cli --cluster fix.`
        : 'Nothing to fix: no open or uncovered slots.',
      risk: 'medium',
      steps: steps.length ? steps : [step('nothing to do')],
      prechecks: [{ name: 'something to fix', passed: ops.length > 0, detail: ops.length ? `${ops.length} operation(s)` : 'no open or uncovered slots' }],
      warnings: ops.some((o) => o.kind === 'assign')
        ? ['uncovered slots had lost their owner: any keys that lived only there are gone; assigning them makes the cluster accept writes again']
        : [],
      state: ops,
    }
  },
  async execute(_req, { state: ops }, ctx) {
    const snap = await snapshot(ctx)
    const { access, view } = snap
    const byId = new Map(view.map((n) => [n.id, n]))
    const node = (id: string) => {
      const n = byId.get(id)
      if (!n) throw new SwitchyardError('config', `node ${id} left the cluster; plan again`)
      return n
    }
    let done = 0
    const assigns = ops.filter((o): o is Extract<FixOp, { kind: 'assign' }> => o.kind === 'assign')
    if (assigns.length) {
      ctx.step(`assigning ${assigns.length} uncovered slot(s)`)
      const byNode = new Map<string, number[]>()
      for (const o of assigns) byNode.set(o.node, [...(byNode.get(o.node) ?? []), o.slot])
      for (const [id, slots] of byNode) await access.call(node(id).addr, ['CLUSTER', 'ADDSLOTS', ...slots])
      done += assigns.length
      const masters = view.filter((n) => n.role === 'master' && !n.flags.includes('fail')).map((n) => n.addr)
      await pollUntil(
        'cluster_state ok after covering the slots',
        20_000,
        async () => {
          const st = await stateOkEverywhere(access, masters)
          return st.ok ? { done: true } : { waiting: st.detail }
        },
        200,
        ctx.signal,
      )
    }
    const finishes = ops.filter((o): o is Extract<FixOp, { kind: 'finish' }> => o.kind === 'finish')
    for (const op of ops) {
      if (op.kind === 'assign') continue // done above, all at once
      if (ctx.signal.aborted) throw new SwitchyardError('other', 'cancelled')
      ctx.step(describe(op, view).title)
      if (op.kind === 'stable') await access.call(node(op.node).addr, ['CLUSTER', 'SETSLOT', op.slot, 'STABLE'])
      else if (op.kind === 'return-keys') await returnKeys(snap, node(op.from), node(op.to), op.slot)
      else {
        if (op.openTarget) await access.call(node(op.target).addr, ['CLUSTER', 'SETSLOT', op.slot, 'IMPORTING', op.source])
        const record = newMigrationRecord(
          ctx.environment.name,
          ctx.endpoint.id,
          [{ source: op.source, target: op.target, ranges: [{ start: op.slot, end: op.slot }] }],
          `fix slot ${op.slot}`,
        )
        await runSlotMigration({ access, record, nodes: view, resumeSlots: new Set([op.slot]), concurrency: 1, signal: ctx.signal })
      }
      ctx.progress(`${++done}/${ops.length} done`, done / ops.length)
    }
    await waitForSlotAgreement(
      access,
      view.filter((n) => n.role === 'master' && !n.flags.includes('fail')),
    )
    return `fixed ${new Set(ops.map((o) => o.slot)).size} slot(s)${finishes.length ? `, finished ${finishes.length} migration(s)` : ''}`
  },
  async verify(_req, _prepared, ctx) {
    const snap = await snapshot(ctx)
    const open = snap.topology.findings.find((f) => f.code === 'open-slots')
    const uncovered = snap.topology.findings.find((f) => f.code === 'uncovered-slots')
    return [
      { name: 'no open slots', passed: !open, detail: open?.message ?? 'none' },
      { name: 'all slots covered', passed: !uncovered, detail: uncovered?.message ?? 'all 16384 covered' },
      { name: 'cluster_state ok', passed: snap.topology.clusterState === 'ok', detail: `cluster_state ${snap.topology.clusterState}` },
    ]
  },
}

/** Move keys of a slot from a node that does not own it to the one that does: open it there as importing, ASKING + MIGRATE, stable. */
async function returnKeys(snap: ClusterSnapshot, from: ClusterNodeEntry, to: ClusterNodeEntry, slot: number): Promise<void> {
  const { access } = snap
  await access.call(from.addr, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', to.id])
  for (let round = 0; round < 10_000; round++) {
    const keys = (await access.callBuffer(from.addr, ['CLUSTER', 'GETKEYSINSLOT', slot, 1000])) as Buffer[]
    if (keys.length === 0) break
    const args: RedisArg[] = ['MIGRATE', to.host, to.port, '', 0, 10_000, 'REPLACE']
    if (access.password) args.push(...(access.username ? ['AUTH2', access.username, access.password] : ['AUTH', access.password]))
    args.push('KEYS', ...keys)
    const res = await access.pipeline(from.addr, [['ASKING'], args], 60_000)
    const err = res.find(([e]) => e)?.[0]
    if (err) throw new SwitchyardError('other', `moving keys of slot ${slot} from ${from.addr} to ${to.addr}: ${err.message}`)
  }
  await access.call(from.addr, ['CLUSTER', 'SETSLOT', slot, 'STABLE'])
}
