import type { PredictedSeconds, RunEstimate } from '../actions'
import type { MongoMigration } from '../systems/mongo'
import { formatBytes, formatSeconds } from './units'

/** A succeeded migration with what the recipient cloned (moveChunk.commit's counts.clonedBytes), when logged. */
export type MovedChunk = Pick<MongoMigration, 'from' | 'startedAt' | 'endedAt' | 'durationMs'> & { bytes: number | null }

/** How fast the balancer moves chunks off one shard, from the changelog. */
export interface BalancerPace {
  /** Seconds per chunk off one donor, with the middle half of what was seen as its range. */
  perChunk: PredictedSeconds
  /** Seconds one move took, start to commit. */
  perMove: PredictedSeconds
  /** Cloned bytes per second of migration time, where commits logged them. */
  bytesPerSec: number | null
  moves: number
  /** Whether the pauses between balancer rounds are in it (a run of moves off one shard was seen). */
  withPauses: boolean
}

/** Moves off the same shard less than this apart belong to one run of the balancer. */
const SAME_RUN_MS = 10 * 60_000

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q
  const lo = Math.floor(i)
  return sorted[lo]! + (sorted[Math.ceil(i)]! - sorted[lo]!) * (i - lo)
}

/**
 * The pace of a drain: a shard gives one chunk at a time, so the time from one completed move off
 * it to the next — the copy, the commit and the balancer's pause before its next round — is what a
 * chunk costs. With fewer than three such gaps, the moves' own durations stand in (pauses not counted).
 */
export function balancerPace(moved: readonly MovedChunk[]): BalancerPace | undefined {
  const done = moved.filter((m) => m.endedAt !== null && m.durationMs !== null)
  if (!done.length) return undefined
  const gaps: number[] = []
  const byDonor = new Map<string, number[]>()
  for (const m of done) byDonor.set(m.from, [...(byDonor.get(m.from) ?? []), m.endedAt!])
  for (const ends of byDonor.values()) {
    ends.sort((a, b) => a - b)
    for (let i = 1; i < ends.length; i++) if (ends[i]! - ends[i - 1]! < SAME_RUN_MS) gaps.push((ends[i]! - ends[i - 1]!) / 1000)
  }
  const withPauses = gaps.length >= 3
  const durations = done.map((m) => m.durationMs! / 1000).sort((a, b) => a - b)
  const spread = (xs: readonly number[]): PredictedSeconds => ({ seconds: quantile(xs, 0.5), low: quantile(xs, 0.25), high: quantile(xs, 0.75) })
  const cloned = done.filter((m) => m.bytes !== null)
  const clonedMs = cloned.reduce((a, m) => a + m.durationMs!, 0)
  return {
    perChunk: spread(withPauses ? gaps.sort((a, b) => a - b) : durations),
    perMove: spread(durations),
    bytesPerSec: clonedMs > 0 ? cloned.reduce((a, m) => a + m.bytes!, 0) / (clonedMs / 1000) : null,
    moves: done.length,
    withPauses,
  }
}

function basisOf(pace: BalancerPace): string {
  const per = `${formatSeconds(pace.perChunk.seconds)} per chunk`
  return pace.withPauses
    ? `the balancer's pace in the changelog: ${per} off one shard, pauses between rounds included (${pace.moves} moves)`
    : `the changelog's ${pace.moves} move(s): ${per}, not counting the balancer's pauses between rounds`
}

/** A drain of `chunks` movable chunks at the balancer's pace. */
export function drainEstimate(chunks: number, bytes: number | null, pace: BalancerPace | undefined): RunEstimate | undefined {
  if (!pace) return undefined
  const scale = (s: number) => chunks * s
  return {
    duration: { seconds: scale(pace.perChunk.seconds), low: scale(pace.perChunk.low), high: scale(pace.perChunk.high) },
    basis: basisOf(pace),
    load: { chunks, ...(bytes !== null ? { bytes } : {}) },
  }
}

/** One range of `bytes` (when known) at the cloning rate, else one chunk at the pace. */
export function moveEstimate(bytes: number | null, pace: BalancerPace | undefined): RunEstimate | undefined {
  if (!pace) return undefined
  if (bytes !== null && pace.bytesPerSec) {
    const seconds = bytes / pace.bytesPerSec
    return {
      duration: { seconds, low: seconds * 0.5, high: seconds * 2 },
      basis: `${formatBytes(pace.bytesPerSec)}/s cloned by the changelog's last ${pace.moves} move(s)`,
      load: { bytes },
    }
  }
  return {
    duration: pace.perMove,
    basis: `the changelog's last ${pace.moves} move(s): ${formatSeconds(pace.perMove.seconds)} each`,
    load: bytes !== null ? { bytes } : {},
  }
}
