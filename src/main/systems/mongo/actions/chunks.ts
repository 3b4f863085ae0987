import type { Document } from 'mongodb'
import { versionAtLeast } from '../../../../shared/domain/mongo-balance'
import { formatSeconds } from '../../../../shared/domain/units'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { labelled } from '../mongo-client'
import { boundText, hashedField, hashedMidpoint, parseBound, READ_LONGS } from '../mongo-bounds'
import { adminCommand } from '../mongosh-text'

import { admin, balancerStatus, check, mongoAction, ownedBytes, withTicks, type Env } from './mongo-action'
import { moveEstimate } from '../../../../shared/domain/mongo-drain'
import { formatBytes } from '../../../../shared/domain/units'
import { readBalancerPace } from '../mongo-changelog'

// ---- chunks -----------------------------------------------------------------------------------

interface ChunkRef {
  ns: string
  uuid: unknown
  key: Document
  chunk: Document | null
  shards: Document[]
}

async function findChunk(env: Env, ns: string, min: string): Promise<ChunkRef> {
  const bound = parseBound(min)
  const config = env.client.db('config')
  const coll = await labelled('config.collections', config.collection('collections').findOne({ _id: ns } as Document), env.version)
  if (!coll) throw new SwitchyardError('config', `${ns} is not a sharded collection of ${env.endpoint.name}`)
  const [chunk, shards] = await Promise.all([
    labelled('config.chunks', config.collection('chunks').findOne({ uuid: coll.uuid, min: bound }, READ_LONGS), env.version),
    labelled(
      'listShards',
      admin(env, { listShards: 1 }).then((r) => r.shards as Document[]),
      env.version,
    ),
  ])
  return { ns, uuid: coll.uuid, key: coll.key as Document, chunk, shards }
}

/** A range's share of what its collection holds on its shard: owned bytes over the chunks there (the average chunk, as the balancer sizes them). */
async function rangeBytes(env: Env, ref: ChunkRef): Promise<number | null> {
  if (!ref.chunk) return null
  const shard = String(ref.chunk.shard)
  const [owned, chunks] = await Promise.all([
    ownedBytes(env, shard, ref.ns),
    env.client
      .db('config')
      .collection('chunks')
      .countDocuments({ uuid: ref.uuid, shard })
      .catch(() => 0),
  ])
  return owned === null || !chunks ? null : owned / chunks
}

function moveCommand(env: Env, ns: string, chunk: Document, toShard: string): Document {
  return versionAtLeast(env.version, 6, 0)
    ? { moveRange: ns, min: chunk.min as Document, max: chunk.max as Document, toShard }
    : { moveChunk: ns, bounds: [chunk.min, chunk.max], to: toShard }
}

export const mongoMoveRange = mongoAction(
  'mongo.move-range',
  async (env, req) => {
    const ref = await findChunk(env, req.ns, req.min)
    const chunk = ref.chunk
    const target = ref.shards.find((s) => s._id === req.toShard)
    const [status, pace, bytes] = await Promise.all([balancerStatus(env), readBalancerPace(env.client, env.version), chunk ? rangeBytes(env, ref) : null])
    const cmd = chunk ? moveCommand(env, req.ns, chunk, req.toShard) : {}
    const estimate = chunk ? moveEstimate(bytes, pace) : undefined
    return {
      state: cmd,
      plan: {
        ...(chunk ? { whatIf: [`about ${bytes !== null ? formatBytes(bytes) : 'one chunk'} of ${req.ns} moves ${String(chunk.shard)} → ${req.toShard}`] } : {}),
        ...(estimate ? { estimate } : {}),
        target: req.ns,
        title: `Move the range of ${req.ns} starting at ${req.min} to ${req.toShard}`,
        summary: chunk
          ? `${String(chunk.shard)} → ${req.toShard}: the range [${boundText(chunk.min)}, ${boundText(chunk.max)}) is copied, caught up and committed by the shards; reads and writes continue.`
          : 'no such chunk',
        risk: 'medium',
        steps: [step(`${versionAtLeast(env.version, 6, 0) ? 'moveRange' : 'moveChunk'} (waits until committed)`, adminCommand(cmd))],
        prechecks: [
          check('the chunk exists', Boolean(chunk), chunk ? `on ${String(chunk.shard)}` : `no chunk of ${req.ns} starts at ${req.min}`),
          check(
            'target shard exists and takes data',
            Boolean(target) && !target?.draining,
            target ? (target.draining ? `${req.toShard} is draining` : 'yes') : `no shard ${req.toShard}`,
          ),
          check('not already there', chunk?.shard !== req.toShard, chunk ? `on ${String(chunk.shard)}` : '—'),
          check('not jumbo', !chunk?.jumbo, chunk?.jumbo ? 'the chunk is flagged jumbo: split it (clears the flag) before moving it' : 'no jumbo flag'),
        ],
        warnings:
          status.mode !== 'off'
            ? ['The balancer is on: if this move leaves the collection imbalanced beyond its threshold, a later round may move data back.']
            : [],
      },
    }
  },
  async (env, req, cmd, run) => {
    run.step(`${versionAtLeast(env.version, 6, 0) ? 'moveRange' : 'moveChunk'} (waits until committed)`)
    const t0 = Date.now()
    await withTicks(run, `moving ${req.ns} ${req.min} to ${req.toShard}`, admin(env, cmd))
    return `moved to ${req.toShard} in ${formatSeconds((Date.now() - t0) / 1000)}`
  },
  async (env, req) => {
    const ref = await findChunk(env, req.ns, req.min)
    return [check(`range on ${req.toShard}`, ref.chunk?.shard === req.toShard, ref.chunk ? `on ${String(ref.chunk.shard)}` : 'chunk not found')]
  },
)

export const mongoClearJumbo = mongoAction(
  'mongo.clear-jumbo',
  async (env, req) => {
    const ref = await findChunk(env, req.ns, req.min)
    const chunk = ref.chunk
    const bounds = chunk ? [chunk.min, chunk.max] : []
    const field = hashedField(ref.key)
    // A hashed chunk splits at the middle of its hash range (an exact NumberLong the plan shows);
    // a ranged one at the median key the shard finds.
    const middle = req.split && chunk && field ? hashedMidpoint(field, chunk.min as Document, chunk.max as Document) : null
    const cmd = !req.split ? { clearJumboFlag: req.ns, bounds } : middle ? { split: req.ns, middle } : { split: req.ns, bounds }
    return {
      state: cmd,
      plan: {
        target: req.ns,
        title: req.split ? `Split the jumbo chunk of ${req.ns} at ${req.min}` : `Clear the jumbo flag of ${req.ns} at ${req.min}`,
        summary: req.split
          ? `The chunk is split ${middle ? `at the middle of its hashed range, ${boundText(middle)}` : 'at its median key'}; a successful split clears the jumbo flag and the balancer can move both halves.`
          : 'Only the flag is cleared: use this after refining the shard key or deleting data, when the chunk is small enough to move.',
        risk: 'low',
        steps: [step(req.split ? 'split the chunk' : 'clear the jumbo flag', adminCommand(cmd))],
        prechecks: [
          check('the chunk exists', Boolean(chunk), chunk ? `on ${String(chunk.shard)}` : `no chunk of ${req.ns} starts at ${req.min}`),
          check('flagged jumbo', Boolean(chunk?.jumbo), chunk?.jumbo ? 'jumbo' : 'not flagged jumbo: nothing to clear'),
        ],
        warnings: [],
      },
    }
  },
  async (env, req, cmd, run) => {
    run.step(req.split ? 'split the chunk' : 'clear the jumbo flag')
    await admin(env, cmd)
    return req.split ? 'split; the jumbo flag went with it' : 'jumbo flag cleared'
  },
  async (env, req) => {
    const ref = await findChunk(env, req.ns, req.min)
    return [check('no jumbo flag', ref.chunk !== null && !ref.chunk.jumbo, ref.chunk ? (ref.chunk.jumbo ? 'still jumbo' : 'cleared') : 'chunk not found')]
  },
)
