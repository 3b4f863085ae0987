import { calculateObjectSize, Long, type Document } from 'bson'
import { Aggregator, Query } from 'mingo'
import { sortDocuments } from './bson-order'
import { PeerError } from './peer-error'

interface Cursor {
  ns: string
  docs: Document[]
  at: number
}

const MAX_BATCH_BYTES = 16 * 1024 * 1024
const FIRST_BATCH = 101

/** A pipeline through mingo, except $sort stages, which sort in the server's BSON order. */
export function runPipeline(pipeline: Document[], input: Document[]): Document[] {
  let docs = input
  let pending: Document[] = []
  const flush = () => {
    if (pending.length) docs = new Aggregator(pending).run<Document>(docs)
    pending = []
  }
  for (const stage of pipeline) {
    if ('$sort' in stage) {
      flush()
      docs = sortDocuments(docs, stage.$sort as Document)
    } else pending.push(stage)
  }
  flush()
  return docs
}

/** The open cursors of one peer: first batches of 101 documents, getMore batches up to 16 MiB. */
export class Cursors {
  private readonly live = new Map<string, Cursor>()
  private seq = 1

  /** find: filter and projection through mingo, the sort in the server's BSON order (MinKey first). */
  find(cmd: Document, source: (ns: string) => Document[]): Document {
    const ns = `${String(cmd.$db)}.${String(cmd.find)}`
    const sort = cmd.sort as Document | undefined
    let docs = new Query((cmd.filter ?? {}) as Document).find(source(ns)).all() as Document[]
    if (sort && !('$natural' in sort)) docs = sortDocuments(docs, sort)
    const skip = Number(cmd.skip ?? 0)
    const limit = Math.abs(Number(cmd.limit ?? 0))
    docs = docs.slice(skip, limit ? skip + limit : undefined)
    if (cmd.projection && Object.keys(cmd.projection as Document).length) docs = new Query({}).find(docs, cmd.projection as Document).all() as Document[]
    return this.open(ns, docs, cmd.batchSize as number | undefined, Boolean(cmd.singleBatch) || Number(cmd.limit) < 0)
  }

  open(ns: string, docs: Document[], batchSize: number | undefined, single: boolean): Document {
    const cursor: Cursor = { ns, docs, at: 0 }
    const firstBatch = this.take(cursor, batchSize ?? FIRST_BATCH)
    let id = Long.ZERO
    if (!single && cursor.at < docs.length) {
      id = Long.fromNumber(this.seq++)
      this.live.set(String(id), cursor)
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 }
  }

  getMore(cmd: Document): Document {
    const id = String(cmd.getMore)
    const cursor = this.live.get(id)
    if (!cursor) throw new PeerError(43, 'CursorNotFound', `cursor id ${id} not found`)
    const nextBatch = this.take(cursor, (cmd.batchSize as number | undefined) ?? Infinity)
    const done = cursor.at >= cursor.docs.length
    if (done) this.live.delete(id)
    return { cursor: { nextBatch, id: done ? Long.ZERO : Long.fromString(id), ns: cursor.ns }, ok: 1 }
  }

  private take(cursor: Cursor, max: number): Document[] {
    const out: Document[] = []
    let bytes = 0
    while (cursor.at < cursor.docs.length && out.length < max) {
      const doc = cursor.docs[cursor.at]!
      bytes += calculateObjectSize(doc)
      if (bytes > MAX_BATCH_BYTES && out.length) break
      out.push(doc)
      cursor.at++
    }
    return out
  }

  kill(cmd: Document): Document {
    for (const id of cmd.cursors as Long[]) this.live.delete(String(id))
    return { cursorsKilled: cmd.cursors as Long[], cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [], ok: 1 }
  }
}
