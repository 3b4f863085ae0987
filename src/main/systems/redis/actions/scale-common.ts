import type { VerificationCheck } from '../../../../shared/actions'
import type { ClusterNodeEntry, MigrationMove, MigrationRecord, RedisTopology } from '../../../../shared/systems/redis'
import { findNode } from '../../../../shared/domain/redis-failover'
import { myselfOf } from '../../../../shared/domain/redis-parse'
import { planRebalance, type RebalancePlan } from '../../../../shared/domain/redis-rebalance'
import { countSlots, formatRanges, slotsOf } from '../../../../shared/domain/slots'
import { step, type ActionContext, type RunContext } from '../../../core/actions/action-definition'
import type { PlanStep } from '../../../../shared/actions'
import { SwitchyardError } from '../../../core/errors'
import { type ClusterSnapshot } from '../cluster-ops'
import { publishMigrationProgress } from '../migration-events'
import type { MigrationStore } from '../migration-store'
import type { RedisClusterAccess } from '../redis-client'
import { migrateAuthText, runSlotMigration, slotCommands, waitForSlotAgreement, type MigrationOutcome } from '../slot-migration'
import { MIGRATION_KINDS, predictMoves } from '../move-whatif'
import type { Prepared } from '../../../core/actions/action-definition'
import { toConnError } from '../../../core/errors'

/** Rebalance, add a master, add a replica and remove a master: everything that moves slots or nodes. */

export interface ScaleDeps {
  store(): MigrationStore
}

export const nameOf = (view: readonly ClusterNodeEntry[], id: string) => view.find((n) => n.id === id)?.addr ?? id.slice(0, 12)

export function moveSteps(moves: readonly MigrationMove[], view: readonly ClusterNodeEntry[], access: RedisClusterAccess, batchKeys: number): PlanStep[] {
  return moves.map((m) => {
    const source = view.find((n) => n.id === m.source)
    const target = view.find((n) => n.id === m.target)
    const slots = formatRanges(m.ranges)
    const title = `Move ${countSlots(m.ranges)} slots ${source?.addr ?? m.source} → ${target?.addr ?? m.target}: ${slots}`
    if (!source || !target) return step(title)
    return step(title, ...slotCommands(source, target, `<each of ${slots}>`, batchKeys, migrateAuthText(access)))
  })
}

export function masterList(topology: RedisTopology): ClusterNodeEntry[] {
  return topology.nodes.filter((n) => n.role === 'master' && !n.flags.includes('fail') && !n.flags.includes('noaddr') && !n.flags.includes('handshake'))
}

export function rebalanceFor(
  snap: ClusterSnapshot,
  weights: Record<string, number>,
  useEmptyMasters: boolean,
  thresholdPct: number,
  extra?: { id: string; addr: string; weight: number },
): RebalancePlan {
  const masters = masterList(snap.topology).map((m) => ({ id: m.id, addr: m.addr, ranges: m.slots, weight: 1 }))
  if (extra && !masters.some((m) => m.id === extra.id)) masters.push({ id: extra.id, addr: extra.addr, ranges: [], weight: extra.weight })
  for (const [ref, w] of Object.entries(weights)) {
    const n = findNode(
      masters.map((m) => ({ ...m, ...splitAddr(m.addr) })),
      ref,
    )
    if (!n) throw new SwitchyardError('config', `weight given for ${ref}, which is not a master of this cluster`)
    masters.find((m) => m.id === n.id)!.weight = w
  }
  return planRebalance(masters, { useEmptyMasters, thresholdPct })
}

export function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':')
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) }
}

export function precheckCluster(snap: ClusterSnapshot, allowOpen: boolean): { name: string; passed: boolean; detail: string }[] {
  const t = snap.topology
  const open = t.findings.find((f) => f.code === 'open-slots')
  const down = t.nodes.filter((n) => n.role === 'master' && (n.error || n.flags.includes('fail') || n.flags.includes('fail?')))
  const memberAddrs = new Set(t.nodes.map((n) => n.addr))
  const notOk = snap.polls
    .filter((p) => memberAddrs.has(p.addr) && p.clusterInfo && p.clusterInfo.cluster_state !== 'ok')
    .map((p) => `${p.addr} (${p.clusterInfo!.cluster_state})`)
  return [
    {
      name: 'cluster_state ok',
      passed: t.clusterState === 'ok' && notOk.length === 0,
      detail: notOk.length ? `not ok on ${notOk.join(', ')}` : `cluster_state ${t.clusterState} on every node that answered`,
    },
    {
      name: 'no open slots',
      passed: allowOpen || !open,
      detail: open ? `${open.message}${allowOpen ? ' (they belong to the migration being resumed)' : '; run fix first'}` : 'none',
    },
    {
      name: 'all masters reachable',
      passed: down.length === 0,
      detail: down.length ? `down: ${down.map((n) => n.addr).join(', ')}` : `${masterList(t).length} masters answer`,
    },
  ]
}

/**
 * What the moves will do to each master and how long they will take, as plan fields; a cluster
 * that cannot be measured (a node that stopped answering) leaves the plan without a prediction and
 * says why, instead of failing the plan.
 */
export async function movePlanFields(
  ctx: ActionContext,
  store: MigrationStore,
  snap: ClusterSnapshot,
  moves: readonly MigrationMove[],
  opts: { kind: string; concurrency: number; batchKeys: number; startedAt: number; addrOf?(id: string): string | undefined },
): Promise<Pick<Prepared, 'whatIf' | 'estimate' | 'prechecks' | 'warnings'>> {
  if (!moves.length) return { prechecks: [], warnings: [] }
  try {
    const p = await predictMoves(snap, moves, { ...opts, store, earlier: ctx.earlier?.(MIGRATION_KINDS) ?? [] })
    return { whatIf: p.lines, estimate: p.estimate, prechecks: [p.precheck], warnings: [] }
  } catch (err) {
    return { prechecks: [], warnings: [`keys and memory per master could not be measured: ${toConnError(err).message}`] }
  }
}

/** Run (or resume) a persisted migration with progress to the action and to cluster watchers. */
export async function migrate(
  ctx: RunContext,
  snap: ClusterSnapshot,
  store: MigrationStore,
  record: MigrationRecord,
  opts: { concurrency: number; batchKeys: number },
  fractionOf: [number, number] = [0, 1],
): Promise<MigrationOutcome> {
  const open = new Set<number>()
  for (const p of snap.polls) {
    const me = myselfOf(p.nodes)
    for (const m of me?.migrating ?? []) open.add(m.slot)
    for (const i of me?.importing ?? []) open.add(i.slot)
  }
  const [f0, f1] = fractionOf
  const outcome = await runSlotMigration({
    access: snap.access,
    record,
    store,
    nodes: snap.view,
    resumeSlots: open,
    concurrency: opts.concurrency,
    batchKeys: opts.batchKeys,
    signal: ctx.signal,
    onProgress: (p) => {
      publishMigrationProgress(p)
      const frac = p.slotsTotal ? p.slotsDone / p.slotsTotal : 1
      ctx.progress(
        `${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys, ${p.keysPerSec} keys/s${p.etaSeconds !== null ? `, ETA ${p.etaSeconds} s` : ''}`,
        f0 + (f1 - f0) * frac,
      )
    },
  })
  const agreed = await waitForSlotAgreement(snap.access, masterList(snap.topology))
  if (!agreed) ctx.progress('masters still disagree on the slot map after 20 s; gossip will converge')
  return outcome
}

export function ownershipChecks(topology: RedisTopology, moves: readonly MigrationMove[]): VerificationCheck[] {
  const owner = new Map<number, string>()
  for (const n of topology.nodes) if (n.role === 'master') for (const s of slotsOf(n.slots)) owner.set(s, n.id)
  const wrong = moves.flatMap((m) => [...slotsOf(m.ranges)].filter((s) => owner.get(s) !== m.target))
  const open = topology.findings.find((f) => f.code === 'open-slots')
  const uncovered = topology.findings.find((f) => f.code === 'uncovered-slots')
  return [
    {
      name: 'slots at their new owners',
      passed: wrong.length === 0,
      detail: wrong.length
        ? `${wrong.length} slots not where planned, e.g. ${wrong.slice(0, 5).join(',')}`
        : `${moves.reduce((a, m) => a + countSlots(m.ranges), 0)} slots moved as planned`,
    },
    { name: 'no open slots', passed: !open, detail: open?.message ?? 'none' },
    { name: 'all slots covered', passed: !uncovered, detail: uncovered?.message ?? 'all 16384 covered' },
    { name: 'cluster_state ok', passed: topology.clusterState === 'ok', detail: `cluster_state ${topology.clusterState}` },
  ]
}

/** What prepare() decided: the moves, the migration it resumes, the node it adds or removes. */
export interface ScaleState {
  moves: MigrationMove[]
  resume?: MigrationRecord
  newId?: string
  masterId?: string
}

export function targetOf(ctx: ActionContext): string {
  return `${ctx.environment.name}/${ctx.endpoint.id}`
}
