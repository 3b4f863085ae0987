/**
 * PostgreSQL write-ahead-log positions ("pg_lsn", printed as two hex halves "16/B374D848").
 * Kept as bigint so arithmetic is exact; byte distances fit a JS number comfortably.
 */
const LSN_PATTERN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/

export function parseLsn(text: string): bigint {
  const m = LSN_PATTERN.exec(text.trim())
  if (!m) throw new Error(`not a WAL position: "${text}"`)
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`)
}

export function isLsn(text: unknown): text is string {
  return typeof text === 'string' && LSN_PATTERN.test(text.trim())
}

export function formatLsn(value: bigint): string {
  if (value < 0n) throw new Error('a WAL position cannot be negative')
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`
}

/** a − b in bytes, like pg_wal_lsn_diff(a, b); negative when b is ahead of a. */
export function lsnDiff(a: string, b: string): number {
  return Number(parseLsn(a) - parseLsn(b))
}

export function compareLsn(a: string, b: string): -1 | 0 | 1 {
  const x = parseLsn(a)
  const y = parseLsn(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** The most advanced of several positions; undefined/null entries are ignored. */
export function maxLsn(...values: (string | null | undefined)[]): string | undefined {
  let best: string | undefined
  for (const v of values) if (v && (best === undefined || compareLsn(v, best) > 0)) best = v
  return best
}
