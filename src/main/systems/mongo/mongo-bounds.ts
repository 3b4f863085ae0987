import { BSON, Long, type Document } from 'mongodb'
import { SwitchyardError } from '../../core/errors'

const { EJSON } = BSON

/**
 * Shard-key bounds between the server, the views and the action requests. A hashed key's bounds are
 * NumberLong values across the whole int64 range (InitialSplitPolicy::calculateHashedSplitPoints,
 * src/mongo/db/s/config/initial_split_policy.cpp), so they must never pass through a JS number: reads
 * that carry bounds ask the driver for Longs (READ_LONGS), and the text keeps every Long as
 * {"$numberLong": "…"} while int32 and double values stay plain numbers (they are exact in JSON).
 */
export const READ_LONGS = { promoteLongs: false } as const

/** The BSON type of a value, by tag: the driver's bson and a test's may be two copies (CJS and ESM) of one class. */
export const bsonType = (v: unknown): string | undefined => (v && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined)

const keepLongs = (v: unknown): unknown => {
  if (bsonType(v) === 'Long') return { $numberLong: String(v) }
  if (Array.isArray(v)) return v.map(keepLongs)
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v as Document).map(([k, x]) => [k, keepLongs(x)]))
  return v
}

/** A bound (or any value holding Longs) as the text the views show and requests carry. */
export const boundText = (v: unknown): string => EJSON.stringify(keepLongs(v), { relaxed: true })

const plainNumbers = (v: unknown): unknown => {
  const type = bsonType(v)
  if (type === 'Int32' || type === 'Double') return (v as { valueOf(): number }).valueOf()
  if (Array.isArray(v)) return v.map(plainNumbers)
  if (v && typeof v === 'object' && !type) return Object.fromEntries(Object.entries(v as Document).map(([k, x]) => [k, plainNumbers(x)]))
  return v
}

/** The bound a view or a request names, with {"$numberLong": …} as an exact Long. */
export function parseBound(text: string): Document {
  let parsed: unknown
  try {
    parsed = EJSON.parse(text, { relaxed: false })
  } catch {
    throw new SwitchyardError('config', `the chunk's lower bound is not Extended JSON: ${text}`)
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SwitchyardError('config', `the chunk's lower bound is not a document: ${text}`)
  return plainNumbers(parsed) as Document
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

function asInt64(v: unknown): bigint | null {
  const type = bsonType(v)
  if (type === 'MinKey') return INT64_MIN
  if (type === 'MaxKey') return INT64_MAX
  if (type === 'Long') return BigInt(String(v))
  return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null
}

/**
 * The middle of a hashed chunk's range as a split point: hashes spread evenly, so the midpoint halves
 * the documents as well as the range. Null when the chunk holds at most one hash value.
 */
export function hashedMidpoint(field: string, min: Document, max: Document): Document | null {
  const lo = asInt64(min[field])
  const hi = asInt64(max[field])
  if (lo === null || hi === null || hi - lo < 2n) return null
  return { [field]: Long.fromBigInt(lo + (hi - lo) / 2n) }
}

/** The field of a single-field hashed shard key ({_id: "hashed"} → "_id"); null for a ranged or compound key. */
export function hashedField(key: Document): string | null {
  const entries = Object.entries(key)
  return entries.length === 1 && entries[0]![1] === 'hashed' ? entries[0]![0] : null
}
