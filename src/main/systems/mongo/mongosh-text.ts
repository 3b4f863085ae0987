import type { Document } from 'mongodb'
import { bsonType } from './mongo-bounds'

/** A value as mongosh would print it, so a plan's commands can be pasted into a shell as they are. */
export function mongoshLiteral(v: unknown): string {
  const type = bsonType(v)
  if (type === 'MinKey') return 'MinKey()'
  if (type === 'MaxKey') return 'MaxKey()'
  if (type === 'Long') return `NumberLong("${String(v)}")`
  if (type === 'Int32' || type === 'Double') return String((v as { valueOf(): number }).valueOf())
  if (type === 'Decimal128') return `Decimal128("${String(v)}")`
  if (type === 'ObjectId') return `ObjectId("${String(v)}")`
  if (v instanceof Date) return `ISODate("${v.toISOString()}")`
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return `[ ${v.map(mongoshLiteral).join(', ')} ]`
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
