import { deserialize, Long, serialize, type Document } from 'bson'

/** MongoDB wire protocol framing: OP_MSG (2013) both ways, legacy OP_QUERY (2004) in and OP_REPLY (1) out. */
export const OP_REPLY = 1
export const OP_QUERY = 2004
export const OP_MSG = 2013
const MAX_MESSAGE = 48_000_000

export interface Request {
  requestId: number
  opCode: typeof OP_MSG | typeof OP_QUERY
  /** OP_MSG's exhaustAllowed bit: the client takes a stream of replies (moreToCome) to this request. */
  exhaustAllowed: boolean
  /** The command document, kind-1 sequences folded in under their identifiers, "$db" set. */
  command: Document
}

/** Splits a byte stream into whole messages; throws on a malformed header. */
export class MessageReader {
  private buffered: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): Request[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk
    const out: Request[] = []
    while (this.buffered.length >= 16) {
      const length = this.buffered.readInt32LE(0)
      if (length < 16 || length > MAX_MESSAGE) throw new Error(`bad message length ${length}`)
      if (this.buffered.length < length) break
      out.push(parseMessage(this.buffered.subarray(0, length)))
      this.buffered = this.buffered.subarray(length)
    }
    return out
  }
}

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at)
  if (end < 0) throw new Error('unterminated cstring')
  return [buf.toString('utf8', at, end), end + 1]
}

function parseMessage(buf: Buffer): Request {
  const requestId = buf.readInt32LE(4)
  const opCode = buf.readInt32LE(12)
  if (opCode === OP_MSG) {
    const flags = buf.readUInt32LE(16)
    const end = flags & 1 ? buf.length - 4 : buf.length
    let at = 20
    let command: Document | undefined
    const sequences: [string, Document[]][] = []
    while (at < end) {
      const kind = buf.readUInt8(at++)
      if (kind === 0) {
        const size = buf.readInt32LE(at)
        // int64 values stay Longs: a hashed shard key's bounds do not fit a double.
        command = deserialize(buf.subarray(at, at + size), { promoteLongs: false, promoteBuffers: false })
        at += size
      } else if (kind === 1) {
        const size = buf.readInt32LE(at)
        const stop = at + size
        const [identifier, next] = cstring(buf, at + 4)
        const docs: Document[] = []
        for (let p = next; p < stop;) {
          const n = buf.readInt32LE(p)
          docs.push(deserialize(buf.subarray(p, p + n), { promoteLongs: false }))
          p += n
        }
        sequences.push([identifier, docs])
        at = stop
      } else throw new Error(`unknown OP_MSG section kind ${kind}`)
    }
    if (!command) throw new Error('OP_MSG without a body section')
    for (const [id, docs] of sequences) command[id] = docs
    return { requestId, opCode, command, exhaustAllowed: (flags & (1 << 16)) !== 0 }
  }
  if (opCode === OP_QUERY) {
    const [collection, next] = cstring(buf, 20)
    const at = next + 8
    const size = buf.readInt32LE(at)
    let command = deserialize(buf.subarray(at, at + size), { promoteLongs: false })
    // Legacy drivers wrap the command as { $query: {...}, $readPreference }.
    if ('$query' in command) command = command.$query as Document
    return { requestId, opCode, command: { ...command, $db: collection.replace(/\.\$cmd$/, '') }, exhaustAllowed: false }
  }
  throw new Error(`unsupported opCode ${opCode}`)
}

let nextId = 1

export interface Reply {
  bytes: Buffer
  /** This reply's own id: the next reply of a moreToCome stream answers to it. */
  requestId: number
}

/**
 * The reply to a request, in the request's own protocol. With moreToCome (OP_MSG flag bit 1) the
 * client keeps reading: further replies follow without requests (src/mongo/rpc/op_msg.h).
 */
export function encodeReply(request: Pick<Request, 'opCode' | 'requestId'>, body: Document, moreToCome = false): Reply {
  const doc = serialize(body, { ignoreUndefined: true })
  const requestId = nextId++ & 0x7fffffff
  if (request.opCode === OP_MSG) {
    const header = Buffer.alloc(21)
    header.writeInt32LE(21 + doc.length, 0)
    header.writeInt32LE(requestId, 4)
    header.writeInt32LE(request.requestId, 8)
    header.writeInt32LE(OP_MSG, 12)
    header.writeUInt32LE(moreToCome ? 2 : 0, 16)
    header.writeUInt8(0, 20)
    return { bytes: Buffer.concat([header, doc]), requestId }
  }
  const header = Buffer.alloc(36)
  header.writeInt32LE(36 + doc.length, 0)
  header.writeInt32LE(requestId, 4)
  header.writeInt32LE(request.requestId, 8)
  header.writeInt32LE(OP_REPLY, 12)
  header.writeInt32LE(8, 16) // AwaitCapable
  header.writeBigInt64LE(Long.ZERO.toBigInt(), 20)
  header.writeInt32LE(0, 28)
  header.writeInt32LE(1, 32)
  return { bytes: Buffer.concat([header, doc]), requestId }
}
