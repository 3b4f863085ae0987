/** Shard-key values on one line, as the config server orders and splits them. */

export const INT64_MIN = -(2n ** 63n)
export const INT64_MAX = 2n ** 63n - 1n

/** A shard-key value on one line: MinKey and MaxKey beyond every int64, numbers exactly. */
export function keyPoint(v: unknown): bigint {
  const t = (v as { _bsontype?: string } | null)?._bsontype
  if (t === 'MinKey') return INT64_MIN - 1n
  if (t === 'MaxKey') return INT64_MAX + 1n
  if (t === 'Long') return BigInt(String(v))
  return BigInt(Math.trunc(Number(v)))
}

/**
 * The initial split points of a hashed shard key, as the config server computes them
 * (InitialSplitPolicy::calculateHashedSplitPoints, src/mongo/db/s/config/initial_split_policy.cpp):
 * even spacing over the int64 range, symmetric around 0, 0 itself a split point for an even count.
 */
export function hashedSplitPoints(chunks: number): bigint[] {
  const interval = (INT64_MAX / BigInt(chunks)) * 2n
  const points: bigint[] = []
  let current = 0n
  if (chunks % 2 === 0) {
    points.push(current)
    current += interval
  } else current += interval / 2n
  for (let i = 0; i < Math.floor((chunks - 1) / 2); i++) {
    points.push(current, -current)
    current += interval
  }
  return points.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}
