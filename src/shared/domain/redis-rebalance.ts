import type { MigrationMove } from '../systems/redis'
import { countSlots, normalizeRanges, SLOT_COUNT, subtractRanges, takeLastSlots, takeSlots, type SlotRange } from './slots'

/**
 * Rebalance planning in the spirit of `redis-cli --cluster rebalance`: every master gets a share of
 * the 16384 slots proportional to its weight; the masters with the largest surplus give to the
 * ones with the largest deficit. Unlike redis-cli the result is a list of moves by slot *ranges*,
 * so the migration engine can batch many slots per round trip.
 */

export interface RebalanceMaster {
  id: string
  addr: string
  ranges: SlotRange[]
  /** Relative weight; 0 drains the master. */
  weight: number
}

export interface RebalanceOptions {
  /** Give slots to masters that own none (redis-cli --cluster-use-empty-masters). */
  useEmptyMasters: boolean
  /** Do nothing when every master is within this percent of its share. */
  thresholdPct: number
}

export interface RebalancePlan {
  moves: MigrationMove[]
  /** Slots each participating master should own afterwards. */
  expected: Record<string, number>
  /** Largest distance from the share before the rebalance, in percent. */
  worstImbalancePct: number
  slotsToMove: number
  /** Why nothing moves, when nothing does. */
  skipped?: string
}

/** Shares of `total` in proportion to weights, rounded so that they sum to `total` (largest remainder). */
export function apportion(weights: readonly number[], total = SLOT_COUNT): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  if (sum <= 0) return weights.map(() => 0)
  const exact = weights.map((w) => (total * w) / sum)
  const out = exact.map(Math.floor)
  let left = total - out.reduce((a, b) => a + b, 0)
  const byRemainder = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i)
  for (const { i } of byRemainder) {
    if (left <= 0) break
    if (weights[i]! > 0) {
      out[i]!++
      left--
    }
  }
  return out
}

export function planRebalance(masters: readonly RebalanceMaster[], opts: RebalanceOptions): RebalancePlan {
  const participants = masters.filter((m) => (m.weight > 0 ? opts.useEmptyMasters || countSlots(m.ranges) > 0 : countSlots(m.ranges) > 0))
  const expectedList = apportion(participants.map((m) => m.weight))
  const expected: Record<string, number> = {}
  participants.forEach((m, i) => (expected[m.id] = expectedList[i]!))
  const owned = new Map(participants.map((m) => [m.id, countSlots(m.ranges)]))
  const totalOwned = [...owned.values()].reduce((a, b) => a + b, 0)
  if (totalOwned !== SLOT_COUNT)
    return {
      moves: [],
      expected,
      worstImbalancePct: 0,
      slotsToMove: 0,
      skipped: `the masters own ${totalOwned} of ${SLOT_COUNT} slots: fix the uncovered slots first`,
    }

  let worst = 0
  for (const m of participants) {
    const e = expected[m.id]!
    const o = owned.get(m.id)!
    const pct = e === 0 ? (o > 0 ? 100 : 0) : (Math.abs(o - e) / e) * 100
    worst = Math.max(worst, pct)
  }
  const drains = participants.some((m) => m.weight === 0 && owned.get(m.id)! > 0)
  if (!drains && worst <= opts.thresholdPct)
    return {
      moves: [],
      expected,
      worstImbalancePct: worst,
      slotsToMove: 0,
      skipped: `every master is within ${opts.thresholdPct}% of its share (worst ${worst.toFixed(1)}%)`,
    }

  const balance = participants.map((m) => ({ m, delta: owned.get(m.id)! - expected[m.id]!, ranges: normalizeRanges(m.ranges) }))
  const givers = balance.filter((b) => b.delta > 0).sort((a, b) => b.delta - a.delta || a.m.id.localeCompare(b.m.id))
  const takers = balance.filter((b) => b.delta < 0).sort((a, b) => a.delta - b.delta || a.m.id.localeCompare(b.m.id))
  const moves: MigrationMove[] = []
  let gi = 0
  let ti = 0
  while (gi < givers.length && ti < takers.length) {
    const g = givers[gi]!
    const t = takers[ti]!
    const n = Math.min(g.delta, -t.delta)
    // Give from the end of the giver's slots, so the giver keeps its leading range intact.
    const ranges = g.m.weight === 0 ? takeSlots(g.ranges, n) : takeLastSlots(g.ranges, n)
    g.ranges = subtractRanges(g.ranges, ranges)
    const existing = moves.find((x) => x.source === g.m.id && x.target === t.m.id)
    if (existing) existing.ranges = normalizeRanges([...existing.ranges, ...ranges])
    else moves.push({ source: g.m.id, target: t.m.id, ranges })
    g.delta -= n
    t.delta += n
    if (g.delta === 0) gi++
    if (t.delta === 0) ti++
  }
  return { moves, expected, worstImbalancePct: worst, slotsToMove: moves.reduce((a, m) => a + countSlots(m.ranges), 0) }
}

/** Moves that bring the masters to exact target ownership (used to restore a known layout). */
export function planExactLayout(current: readonly { id: string; ranges: SlotRange[] }[], wanted: Record<string, SlotRange[]>): MigrationMove[] {
  const owner = new Array<string | undefined>(SLOT_COUNT)
  for (const c of current) for (const r of c.ranges) for (let s = r.start; s <= r.end; s++) owner[s] = c.id
  const moves = new Map<string, number[]>()
  for (const [target, ranges] of Object.entries(wanted)) {
    for (const r of ranges)
      for (let s = r.start; s <= r.end; s++) {
        const src = owner[s]
        if (src === undefined || src === target) continue
        const key = `${src}>${target}`
        let list = moves.get(key)
        if (!list) moves.set(key, (list = []))
        list.push(s)
      }
  }
  return [...moves.entries()].map(([key, slots]) => {
    const [source, target] = key.split('>') as [string, string]
    return { source, target, ranges: normalizeRanges(slots.map((s) => ({ start: s, end: s }))) }
  })
}
