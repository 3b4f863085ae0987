/**
 * [time, value] points with a null wherever the samples stop for much longer than their usual
 * step (the app was closed, Prometheus had nothing): the line breaks instead of bridging the gap.
 */
export function breakGaps(points: readonly [number, number | null][]): [number, number | null][] {
  if (points.length < 3) return [...points]
  const steps = points
    .slice(1)
    .map((p, i) => p[0] - points[i]![0])
    .sort((a, b) => a - b)
  const usual = steps[Math.floor(steps.length / 2)]!
  const out: [number, number | null][] = [points[0]!]
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]![0] - points[i - 1]![0]
    if (gap > Math.max(60_000, usual * 5)) out.push([points[i - 1]![0] + 1, null])
    out.push(points[i]!)
  }
  return out
}
