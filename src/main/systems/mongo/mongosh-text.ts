import { Long, MaxKey, MinKey, ObjectId, type Document } from 'mongodb'

/** A value as mongosh would print it, so a plan's commands can be pasted into a shell as they are. */
export function mongoshLiteral(v: unknown): string {
  if (v instanceof MinKey) return 'MinKey()'
  if (v instanceof MaxKey) return 'MaxKey()'
  if (v instanceof Long) return `NumberLong("${v.toString()}")`
  if (v instanceof Date) return `ISODate("${v.toISOString()}")`
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return `[ ${v.map(mongoshLiteral).join(', ')} ]`
  if (v instanceof ObjectId) return `ObjectId("${v.toHexString()}")`
  if (typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Binary' && 'toHexString' in v)
    return `UUID("${(v as { toHexString(dashes: boolean): string }).toHexString(true)}")`
  if (typeof v === 'object') {
    const entries = Object.entries(v as Document).filter(([, x]) => x !== undefined)
    if (!entries.length) return '{}'
    return `{ ${entries.map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${mongoshLiteral(x)}`).join(', ')} }`
  }
  return JSON.stringify(v)
}

export const adminCommand = (cmd: Document): string => `db.adminCommand(${mongoshLiteral(cmd)})`
export const configUpdate = (collection: string, filter: Document, update: Document, upsert: boolean): string =>
  `db.getSiblingDB("config").${collection}.updateOne(${mongoshLiteral(filter)}, ${mongoshLiteral(update)}${upsert ? ', { upsert: true }' : ''})`
