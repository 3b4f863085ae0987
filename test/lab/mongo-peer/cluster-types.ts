import type { Document, Timestamp } from 'bson'
import type { ReplicaSet } from './replica-set'

export interface PeerTimings {
  /** From losing a primary to the new one. */
  electionMs: number
  /** One chunk migration, start to commit. */
  migrationMs: number
  /** Pause between balancer rounds. */
  balancerRoundMs: number
}

export interface CollectionSeed {
  ns: string
  key: Document
  /** Chunks per shard, in shard order of the cluster; a range of the key per chunk. */
  chunksPerShard: Record<string, number>
  /** Bytes and documents per chunk (the same for every chunk unless sized below). */
  chunkBytes: number
  chunkDocs: number
  /** Indexes (in collection order) of chunks flagged jumbo. */
  jumbo?: number[]
}

export interface Chunk {
  doc: Document
  /** The collection's uuid, as hex. */
  coll: string
  bytes: number
  docs: number
  /** The chunk holds a single shard-key value: no split point exists (tests set it). */
  singleKey: boolean
}

export interface Shard {
  _id: string
  rs: ReplicaSet
  draining: boolean
  drainingSince: number | null
  topologyTime: Timestamp
}

export interface Migration {
  ns: string
  chunk: Chunk
  from: string
  to: string
  startedAt: number
  done: Promise<void>
}
