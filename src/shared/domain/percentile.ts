/** The mean of the values that are known; null when none is. */
export function meanOf(xs: readonly (number | null)[]): number | null {
  const known = xs.filter((x): x is number => x !== null)
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null
}

/** The q-th percentile (0..100) of sorted values by nearest rank, as most tools read a p95; null for none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!
}
