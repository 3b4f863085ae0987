/** The q-th percentile (0..100) of sorted values by nearest rank, as most tools read a p95; null for none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))]!
}
