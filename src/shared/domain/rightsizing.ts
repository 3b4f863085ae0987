import type { RightSizing } from '../systems/nginx'
import { meanOf, percentile } from './percentile'

/** One point of a service's history: mean CPU and memory per running replica, and how many ran. */
export interface ServicePoint {
  at: number
  cpu: number | null
  memory: number | null
  replicas: number | null
}

const DAY = 86_400_000
/** Less than a day of history says nothing about a weekly pattern. */
const MIN_COVERED_MS = DAY
/** Per the teams' guides: under 30 % average CPU is oversized, over 70 % undersized; a replica is sized for 50 % on average. */
export const RIGHT_SIZE = { lowCpuPct: 30, highCpuPct: 70, lowMemPct: 40, targetCpuPct: 50 } as const

const known = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null)
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b)

/**
 * A service's 7-day average and p95 of CPU and memory per replica, and what they suggest: fewer
 * replicas when the average CPU stays under 30 % (and its p95 under 70 %, memory under 40 %), more
 * when the average is over 70 %, each with the count that would bring the average near 50 %.
 */
export function rightSize(service: string, points: readonly ServicePoint[], now: number): RightSizing {
  const cpu = known(points.map((p) => p.cpu))
  const memory = known(points.map((p) => p.memory))
  const replicas = known(points.map((p) => p.replicas))
  const coveredMs = points.length ? now - points[0]!.at : 0
  const base = {
    service,
    coveredHours: Math.round(coveredMs / 3_600_000),
    cpuAvg: meanOf(cpu),
    cpuP95: percentile(sorted(cpu), 95),
    memAvg: meanOf(memory),
    memP95: percentile(sorted(memory), 95),
    replicasAvg: meanOf(replicas),
  }
  const n = Math.round(base.replicasAvg ?? 0)
  if (coveredMs < MIN_COVERED_MS || base.cpuAvg === null || !n)
    return { ...base, advice: 'wait', replicas: n || null, reason: `${base.coveredHours} h of history: right-sizing needs at least a day (7 days are best)` }
  const fmt = (v: number | null) => (v === null ? '?' : `${v.toFixed(1)} %`)
  const numbers = `CPU ${fmt(base.cpuAvg)} average, ${fmt(base.cpuP95)} p95; memory ${fmt(base.memAvg)} average, ${fmt(base.memP95)} p95 per replica over ${base.coveredHours} h`
  const toTarget = Math.max(1, Math.ceil((n * base.cpuAvg) / RIGHT_SIZE.targetCpuPct))
  if (base.cpuAvg > RIGHT_SIZE.highCpuPct) return { ...base, advice: 'more', replicas: Math.max(n + 1, toTarget), reason: `consider more replicas: ${numbers}` }
  const quiet = (base.cpuP95 ?? 0) < RIGHT_SIZE.highCpuPct && (base.memAvg ?? 0) < RIGHT_SIZE.lowMemPct
  if (base.cpuAvg < RIGHT_SIZE.lowCpuPct && quiet && n > 1)
    return { ...base, advice: 'fewer', replicas: Math.min(n - 1, toTarget), reason: `consider fewer replicas (or smaller ones): ${numbers}` }
  return { ...base, advice: 'keep', replicas: n, reason: `sized right: ${numbers}` }
}
