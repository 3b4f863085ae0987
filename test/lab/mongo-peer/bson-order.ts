import type { Document } from 'bson'

/**
 * The server's order of BSON values for sorts: types in canonical order first (MinKey, null,
 * numbers, strings, objects, arrays, binary, ObjectId, booleans, dates, timestamps, regular
 * expressions, MaxKey), then values within a type; numbers of every type compare by value
 * (canonicalizeBSONType and compareElementValues, src/mongo/bson/bsonelement.cpp;
 * https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/). mingo does not know
 * BSON classes (it sorts MinKey after numbers), so the peer sorts with this instead.
 */
const tag = (v: unknown): string | undefined => (v && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined)

function rank(v: unknown): number {
  if (v === undefined || v === null) return 5
  switch (tag(v)) {
    case 'MinKey':
      return -1
    case 'MaxKey':
      return 127
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 10
    case 'Binary':
    case 'UUID':
      return 30
    case 'ObjectId':
      return 35
    case 'Timestamp':
      return 47
    case 'BSONRegExp':
      return 50
  }
  if (typeof v === 'number' || typeof v === 'bigint') return 10
  if (typeof v === 'string') return 15
  if (typeof v === 'boolean') return 40
  if (v instanceof Date) return 45
  if (v instanceof RegExp) return 50
  if (Array.isArray(v)) return 25
  return 20
}

/** A number of any BSON numeric type: an int64 exactly, as a bigint; the others as JS numbers. */
function numeric(v: unknown): number | bigint {
  const t = tag(v)
  if (t === 'Long') return BigInt(String(v))
  if (t === 'Int32' || t === 'Double' || t === 'Decimal128') return Number(String(v))
  return v as number | bigint
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  // JavaScript compares a bigint with a number exactly.
  return a < b ? -1 : a > b ? 1 : 0
}

export function compareBson(a: unknown, b: unknown): number {
  const ra = rank(a)
  const rb = rank(b)
  if (ra !== rb) return ra < rb ? -1 : 1
  switch (ra) {
    case 10:
      return compareNumbers(numeric(a), numeric(b))
    case 15:
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1
    case 20:
      return compareDocuments(a as Document, b as Document)
    case 25: {
      const x = a as unknown[]
      const y = b as unknown[]
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareBson(x[i], y[i])
        if (c) return c
      }
      return x.length - y.length
    }
    case 35:
      return String(a).localeCompare(String(b))
    case 40:
      return Number(a) - Number(b)
    case 45:
      return (a as Date).getTime() - (b as Date).getTime()
    case 47: {
      const x = a as { t: number; i: number }
      const y = b as { t: number; i: number }
      return x.t - y.t || x.i - y.i
    }
    default:
      return 0
  }
}

/** Field by field, in order: the field's type, then its name, then its value (BSONObj::woCompare). */
function compareDocuments(a: Document, b: Document): number {
  const x = Object.entries(a)
  const y = Object.entries(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [ka, va] = x[i]!
    const [kb, vb] = y[i]!
    const byType = rank(va) - rank(vb)
    if (byType) return byType < 0 ? -1 : 1
    if (ka !== kb) return ka < kb ? -1 : 1
    const c = compareBson(va, vb)
    if (c) return c
  }
  return x.length - y.length
}

const pathValue = (doc: Document, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Document)[k] : undefined), doc)

/** Sort documents by a sort specification ({field: 1 | -1, …}) in the server's order. */
export function sortDocuments(docs: Document[], spec: Document): Document[] {
  const keys = Object.entries(spec).map(([path, dir]) => [path, Number(dir) < 0 ? -1 : 1] as const)
  return [...docs].sort((a, b) => {
    for (const [path, dir] of keys) {
      const c = compareBson(pathValue(a, path), pathValue(b, path))
      if (c) return c * dir
    }
    return 0
  })
}
