/** How long one read of the cluster (the router's reads, a replica set's status) may take. */
export const READ_MS = 10_000

/** A number from any numeric BSON value the driver hands back (number, Long, Int32, Double, bigint). */
export const num = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : typeof v === 'bigint'
      ? Number(v)
      : v && typeof v === 'object' && 'toNumber' in v
        ? (v as { toNumber(): number }).toNumber()
        : Number(v ?? 0)
