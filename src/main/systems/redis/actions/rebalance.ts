import type { MigrationMove } from '../../../../shared/systems/redis'
import { countSlots } from '../../../../shared/domain/slots'
import { step, type ActionDefinition } from '../../../core/actions/action-definition'
import { snapshot } from '../cluster-ops'
import { newMigrationRecord, remainingMoves } from '../slot-migration'
import {
  type ScaleDeps,
  nameOf,
  moveSteps,
  rebalanceFor,
  precheckCluster,
  migrate,
  ownershipChecks,
  type ScaleState,
  targetOf,
  movePlanFields,
} from './scale-common'

export function rebalanceAction(deps: ScaleDeps): ActionDefinition<'redis.rebalance', ScaleState> {
  return {
    kind: 'redis.rebalance',
    // The migration store keeps every moved batch: planned again, the rebalance resumes the interrupted migration.
    converges: true,
    async prepare(req, ctx) {
      const startedAt = Date.now()
      const snap = await snapshot(ctx)
      const unfinished = await deps.store().unfinished(ctx.environment.name, ctx.endpoint.id)
      let moves: MigrationMove[]
      let summary: string
      const warnings: string[] = []
      if (unfinished) {
        moves = remainingMoves(unfinished)
        summary = `Resumes the interrupted migration ${unfinished.migrationId.slice(0, 8)} (${unfinished.reason}, ${countSlots(unfinished.done)} slots already done${unfinished.lastError ? `, stopped by: ${unfinished.lastError}` : ''}). Keys of slots found open are migrated with REPLACE: the source still owns them, so its copy wins.`
        warnings.push('an unfinished migration exists: this plan resumes it instead of planning a new rebalance')
      } else {
        const plan = rebalanceFor(snap, req.weights, req.useEmptyMasters, req.thresholdPct)
        moves = plan.moves
        summary = plan.skipped
          ? `Nothing to move: ${plan.skipped}.`
          : `Moves ${plan.slotsToMove} slots so that every master owns its share (${Object.entries(plan.expected)
              .map(([id, n]) => `${nameOf(snap.view, id)}=${n}`)
              .join(
                ', ',
              )}); worst imbalance now ${plan.worstImbalancePct.toFixed(1)}%. Clients keep working: keys of a slot being moved are answered through ASK redirects.`
      }
      const predicted = await movePlanFields(ctx, deps.store(), snap, moves, {
        kind: 'redis.rebalance',
        concurrency: req.concurrency,
        batchKeys: req.batchKeys,
        startedAt,
      })
      return {
        ...predicted,
        target: targetOf(ctx),
        title: unfinished ? `Resume slot migration on ${ctx.endpoint.name}` : `Rebalance ${ctx.endpoint.name}`,
        summary,
        risk: 'medium',
        steps: [
          ...moveSteps(moves, snap.view, snap.access, req.batchKeys),
          step('Wait until every master agrees on the slot map', 'every master: CLUSTER NODES (poll until identical slot owners)'),
        ],
        prechecks: [
          ...precheckCluster(snap, Boolean(unfinished)),
          { name: 'something to move', passed: moves.length > 0, detail: moves.length ? `${moves.length} move(s)` : 'already balanced' },
          ...predicted.prechecks,
        ],
        warnings: [...warnings, ...predicted.warnings],
        state: { moves, ...(unfinished ? { resume: unfinished } : {}) },
      }
    },
    async execute(req, { state: d }, ctx) {
      const snap = await snapshot(ctx)
      const record = d.resume ?? newMigrationRecord(ctx.environment.name, ctx.endpoint.id, d.moves, 'rebalance')
      ctx.step(`migrating ${d.moves.reduce((a, m) => a + countSlots(m.ranges), 0)} slots`)
      const o = await migrate(ctx, snap, deps.store(), record, req)
      ctx.step('waiting for agreement')
      return `moved ${o.slotsMoved} slots and ${o.keysMoved} keys in ${(o.durationMs / 1000).toFixed(1)} s (${o.keysPerSec} keys/s)`
    },
    async verify(_req, { state: d }, ctx) {
      const { topology } = await snapshot(ctx)
      return ownershipChecks(topology, d.moves)
    },
  }
}
