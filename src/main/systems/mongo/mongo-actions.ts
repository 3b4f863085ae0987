import type { Document, MongoClient } from 'mongodb'
import type { VerificationCheck } from '../../../shared/actions'
import { electableSecondaries, stepDownSecsFor, versionAtLeast } from '../../../shared/domain/mongo-balance'
import { formatSeconds } from '../../../shared/domain/units'
import type { MongoReplicaSet } from '../../../shared/systems/mongo'
import {
  step,
  type ActionContext,
  type ActionDefinition,
  type AnyActionDefinition,
  type PlannedAction,
  type RequestOf,
  type RunContext,
} from '../../core/actions/action-definition'
import { SwitchyardError } from '../../core/errors'
import { sleep } from '../../core/wait'
import { labelled, memberClient, mongoLabel, mongosClient, type MongoEndpoint } from './mongo-client'
import { boundText, hashedField, hashedMidpoint, parseBound, READ_LONGS } from './mongo-bounds'
import { readReplicaSets } from './mongo-members'
import { adminCommand, configUpdate } from './mongosh-text'

type MongoKind =
  | 'mongo.balancer'
  | 'mongo.balancer-window'
  | 'mongo.chunk-size'
  | 'mongo.move-range'
  | 'mongo.clear-jumbo'
  | 'mongo.step-down'
  | 'mongo.add-shard'
  | 'mongo.remove-shard'

interface Env {
  endpoint: MongoEndpoint
  ctx: ActionContext
  client: MongoClient
  version: string
}

/** What a MongoDB action is about to do: the plan, plus what its run needs that its planning already read. */
interface Planned<S> {
  plan: PlannedAction
  state: S
}

const check = (name: string, passed: boolean, detail: string) => ({ name, passed, detail })

async function envOf(ctx: ActionContext): Promise<Env> {
  if (ctx.endpoint.kind !== 'mongo') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a MongoDB endpoint`)
  const endpoint = ctx.endpoint
  const client = await labelled(`connect to ${mongoLabel(endpoint)}`, mongosClient(endpoint, ctx.connections))
  const version = String((await labelled('buildInfo', client.db('admin').command({ buildInfo: 1 }))).version)
  return { endpoint, ctx, client, version }
}

const admin = (env: Env, cmd: Document, what = Object.keys(cmd)[0]!) => labelled(what, env.client.db('admin').command(cmd), env.version)

/**
 * Settings, moves to a named shard and drains: planned again after an interruption they finish
 * what is left (a step-down is not among them: planned again it would step down the new primary).
 */
const CONVERGES = new Set<MongoKind>([
  'mongo.balancer',
  'mongo.balancer-window',
  'mongo.chunk-size',
  'mongo.move-range',
  'mongo.clear-jumbo',
  'mongo.remove-shard',
])

/** One MongoDB action on the core protocol: the runner prepares again before running and compares. */
function mongoAction<K extends MongoKind, S>(
  kind: K,
  prepare: (env: Env, req: RequestOf<K>) => Promise<Planned<S>>,
  execute: (env: Env, req: RequestOf<K>, state: S, run: RunContext) => Promise<string>,
  verify: (env: Env, req: RequestOf<K>, plan: PlannedAction) => Promise<VerificationCheck[]>,
): ActionDefinition<K, S> {
  return {
    kind,
    ...(CONVERGES.has(kind) ? { converges: true as const } : {}),
    async prepare(req, ctx) {
      const { plan, state } = await prepare(await envOf(ctx), req)
      return { ...plan, state }
    },
    async execute(req, prepared, ctx) {
      return execute(await envOf(ctx), req, prepared.state, ctx)
    },
    async verify(req, prepared, ctx) {
      return verify(await envOf(ctx), req, prepared)
    },
  }
}

// ---- balancer ---------------------------------------------------------------------------------

async function balancerStatus(env: Env): Promise<Document> {
  return admin(env, { balancerStatus: 1 })
}

async function settings(env: Env, id: string): Promise<Document | null> {
  return labelled(
    'config.settings',
    env.client
      .db('config')
      .collection('settings')
      .findOne({ _id: id } as Document),
    env.version,
  )
}

export const mongoBalancer = mongoAction(
  'mongo.balancer',
  async (env, req) => {
    const status = await balancerStatus(env)
    const cmd = req.enable ? { balancerStart: 1, maxTimeMS: 60_000 } : { balancerStop: 1, maxTimeMS: 60_000 }
    return {
      state: null,
      plan: {
        target: env.endpoint.name,
        title: req.enable ? `Start the balancer of ${env.endpoint.name}` : `Stop the balancer of ${env.endpoint.name}`,
        summary: req.enable
          ? 'The balancer resumes migrating chunks (inside its active window, if one is set).'
          : 'No new balancing round starts; the running round finishes first, so no migration is cut off.',
        risk: 'low',
        steps: [
          step(req.enable ? 'start the balancer' : 'stop the balancer (waits for the current round)', adminCommand(cmd)),
          ...(req.enable ? [] : [step('wait until no round is running', adminCommand({ balancerStatus: 1 }) + '  // until inBalancerRound: false')]),
        ],
        prechecks: [check('balancer mode now', true, `${String(status.mode)}${status.inBalancerRound ? ', a round is running' : ''}`)],
        warnings: !req.enable && status.inBalancerRound ? ['A balancing round is running: stopping waits for it to end.'] : [],
      },
    }
  },
  async (env, req, _s, run) => {
    run.step(req.enable ? 'start the balancer' : 'stop the balancer (waits for the current round)')
    await admin(env, req.enable ? { balancerStart: 1, maxTimeMS: 60_000 } : { balancerStop: 1, maxTimeMS: 60_000 })
    if (req.enable) return 'balancer started'
    run.step('wait until no round is running')
    const t0 = Date.now()
    for (;;) {
      const s = await balancerStatus(env)
      if (!s.inBalancerRound) return `balancer stopped; no round running (waited ${Date.now() - t0} ms)`
      if (Date.now() - t0 > 120_000) throw new SwitchyardError('timeout', 'the balancer is off but a round is still running after 2 minutes')
      run.progress('a balancing round is still running…')
      await sleep(500)
    }
  },
  async (env, req) => {
    const s = await balancerStatus(env)
    const mode = String(s.mode)
    return [
      check(`balancer ${req.enable ? 'on' : 'off'}`, req.enable ? mode !== 'off' : mode === 'off', `mode ${mode}`),
      ...(req.enable ? [] : [check('no round running', !s.inBalancerRound, s.inBalancerRound ? 'a round is running' : 'idle')]),
    ]
  },
)

const windowText = (w: { start: string; stop: string } | null) => (w ? `${w.start}–${w.stop}` : 'none (any time)')

export const mongoBalancerWindow = mongoAction(
  'mongo.balancer-window',
  async (env, req) => {
    const current = (await settings(env, 'balancer'))?.activeWindow as { start: string; stop: string } | undefined
    const update = req.window ? { $set: { activeWindow: { start: req.window.start, stop: req.window.stop } } } : { $unset: { activeWindow: true } }
    return {
      state: update,
      plan: {
        target: env.endpoint.name,
        title: req.window
          ? `Set the balancer window of ${env.endpoint.name} to ${windowText(req.window)}`
          : `Clear the balancer window of ${env.endpoint.name}`,
        summary: `Balancing rounds ${req.window ? `only start between ${req.window.start} and ${req.window.stop}, in the config servers' local time` : 'may start at any time'}. Now: ${windowText(current ?? null)}.`,
        risk: 'low',
        steps: [step('write config.settings', configUpdate('settings', { _id: 'balancer' }, update, true))],
        prechecks: [],
        warnings: req.window && req.window.start === req.window.stop ? ['start equals stop: MongoDB treats that as no restriction'] : [],
      },
    }
  },
  async (env, _req, update, run) => {
    run.step('write config.settings')
    await labelled(
      'config.settings update',
      env.client
        .db('config')
        .collection('settings')
        .updateOne({ _id: 'balancer' } as Document, update, { upsert: true }),
      env.version,
    )
    return 'balancer window written'
  },
  async (env, req) => {
    const w = (await settings(env, 'balancer'))?.activeWindow as { start?: string; stop?: string } | undefined
    const now = w?.start && w.stop ? { start: w.start, stop: w.stop } : null
    return [check('window reads back', JSON.stringify(now) === JSON.stringify(req.window), windowText(now))]
  },
)

export const mongoChunkSize = mongoAction(
  'mongo.chunk-size',
  async (env, req) => {
    const current = await settings(env, 'chunksize')
    return {
      state: null,
      plan: {
        target: env.endpoint.name,
        title: `Set the chunk (range) size of ${env.endpoint.name} to ${req.sizeMB} MB`,
        summary: `Now ${current ? `${String(current.value)} MB` : 'the default (128 MB)'}. The balancer migrates once shards differ by three times this size; existing chunks are not split or merged by this.`,
        risk: 'medium',
        steps: [step('write config.settings', configUpdate('settings', { _id: 'chunksize' }, { $set: { value: req.sizeMB } }, true))],
        prechecks: [],
        warnings: req.sizeMB < 32 ? ['Small chunks mean many more migrations and a larger routing table.'] : [],
      },
    }
  },
  async (env, req, _s, run) => {
    run.step('write config.settings')
    await labelled(
      'config.settings update',
      env.client
        .db('config')
        .collection('settings')
        .updateOne({ _id: 'chunksize' } as Document, { $set: { value: req.sizeMB } }, { upsert: true }),
      env.version,
    )
    return `chunk size ${req.sizeMB} MB`
  },
  async (env, req) => {
    const v = (await settings(env, 'chunksize'))?.value as unknown
    return [check('chunk size reads back', Number(v) === req.sizeMB, `${String(v)} MB`)]
  },
)

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

function moveCommand(env: Env, ns: string, chunk: Document, toShard: string): Document {
  return versionAtLeast(env.version, 6, 0)
    ? { moveRange: ns, min: chunk.min as Document, max: chunk.max as Document, toShard }
    : { moveChunk: ns, bounds: [chunk.min, chunk.max], to: toShard }
}

/** Run a long command while reporting its elapsed time; the command's own reply decides success. */
async function withTicks<T>(run: RunContext, what: string, p: Promise<T>): Promise<T> {
  const t0 = Date.now()
  const timer = setInterval(() => run.progress(`${what}… ${formatSeconds((Date.now() - t0) / 1000)}`), 500)
  try {
    return await p
  } finally {
    clearInterval(timer)
  }
}

export const mongoMoveRange = mongoAction(
  'mongo.move-range',
  async (env, req) => {
    const ref = await findChunk(env, req.ns, req.min)
    const chunk = ref.chunk
    const target = ref.shards.find((s) => s._id === req.toShard)
    const status = await balancerStatus(env)
    const cmd = chunk ? moveCommand(env, req.ns, chunk, req.toShard) : {}
    return {
      state: cmd,
      plan: {
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

// ---- replica sets -----------------------------------------------------------------------------

async function replicaSet(env: Env, name: string): Promise<MongoReplicaSet> {
  const map = await admin(env, { getShardMap: 1 })
  const sets = await readReplicaSets(env.endpoint, env.ctx.connections, map)
  const rs = sets.find((s) => s.name === name || s.shard === name)
  if (!rs) throw new SwitchyardError('config', `no replica set or shard named ${name} in ${env.endpoint.name} (known: ${sets.map((s) => s.name).join(', ')})`)
  return rs
}

export const mongoStepDown = mongoAction(
  'mongo.step-down',
  async (env, req) => {
    const rs = await replicaSet(env, req.replicaSet)
    const stepDownSecs = req.stepDownSecs ?? stepDownSecsFor(req.catchUpSecs, rs.electionTimeoutMs)
    const candidates = electableSecondaries(rs.members, req.catchUpSecs)
    const cmd = { replSetStepDown: stepDownSecs, secondaryCatchUpPeriodSecs: req.catchUpSecs }
    const lags = rs.members
      .filter((m) => m.host !== rs.primary)
      .map(
        (m) =>
          `${m.host} ${m.state.toLowerCase()}${m.lagSeconds !== null ? ` ${formatSeconds(m.lagSeconds)} behind` : ''}${m.priority === 0 ? ', priority 0' : ''}${m.hidden ? ', hidden' : ''}`,
      )
    return {
      state: { primary: rs.primary ?? '', cmd },
      plan: {
        target: rs.name,
        title: `Step down the primary of ${rs.name}${rs.primary ? ` (${rs.primary})` : ''}`,
        summary: `The primary waits up to ${req.catchUpSecs} s for an electable secondary to catch up, steps down for ${stepDownSecs} s, and the set elects a new primary. Writes to ${rs.shard ?? rs.name} pause for the election.`,
        risk: 'medium',
        steps: [
          step(`on ${rs.primary ?? 'the primary'}: step down without force`, adminCommand(cmd)),
          step('wait for the new primary', adminCommand({ replSetGetStatus: 1 }) + '  // on the other members, until one is PRIMARY'),
        ],
        prechecks: [
          check('a primary', rs.primary !== null, rs.primary ?? 'the set has no primary'),
          check(
            `an electable secondary within ${req.catchUpSecs} s`,
            candidates.length > 0,
            candidates.length
              ? candidates.map((c) => `${c.host} (${formatSeconds(c.lagSeconds ?? 0)} behind)`).join(', ')
              : lags.join('; ') || 'no secondaries',
          ),
          check(
            'step-down period covers catch-up and an election',
            stepDownSecs >= req.catchUpSecs + Math.ceil(rs.electionTimeoutMs / 1000),
            `${stepDownSecs} s ≥ ${req.catchUpSecs} s + ${Math.ceil(rs.electionTimeoutMs / 1000)} s election timeout`,
          ),
        ],
        warnings: [],
      },
    }
  },
  async (env, req, state, run) => {
    run.step(`on ${state.primary}: step down without force`)
    const t0 = Date.now()
    const primary = await memberClient(env.endpoint, env.ctx.connections, state.primary)
    await labelled(`replSetStepDown on ${state.primary}`, primary.db('admin').command(state.cmd), env.version)
    run.step('wait for the new primary')
    for (;;) {
      const rs = await replicaSet(env, req.replicaSet)
      if (rs.primary && rs.primary !== state.primary)
        return `${rs.primary} is the new primary of ${rs.name}, elected ${Date.now() - t0} ms after the step-down began`
      if (Date.now() - t0 > (state.cmd.replSetStepDown + 30) * 1000)
        throw new SwitchyardError('timeout', `${rs.name} has no new primary ${formatSeconds((Date.now() - t0) / 1000)} after the step-down`)
      run.progress(`electing… ${formatSeconds((Date.now() - t0) / 1000)}`)
      await sleep(250)
    }
  },
  async (env, req, plan) => {
    const rs = await replicaSet(env, req.replicaSet)
    const old = /\(([^)]+)\)$/.exec(plan.title)?.[1]
    const was = rs.members.find((m) => m.host === old)
    return [
      check('a new primary', rs.primary !== null && rs.primary !== old, rs.primary ?? 'none'),
      check(`${old ?? 'the old primary'} is a secondary`, was?.state === 'SECONDARY', was?.state ?? 'not found'),
    ]
  },
)

// ---- shards -----------------------------------------------------------------------------------

async function shardChunks(env: Env, shard: string): Promise<{ chunks: number; jumbo: number }> {
  const [r] = await labelled(
    'config.chunks aggregation',
    env.client
      .db('config')
      .collection('chunks')
      .aggregate<{ chunks: number; jumbo: number }>([
        { $match: { shard } },
        { $group: { _id: null, chunks: { $sum: 1 }, jumbo: { $sum: { $cond: [{ $eq: ['$jumbo', true] }, 1, 0] } } } },
      ])
      .toArray(),
    env.version,
  )
  return { chunks: r?.chunks ?? 0, jumbo: r?.jumbo ?? 0 }
}

export const mongoAddShard = mongoAction(
  'mongo.add-shard',
  async (env, req) => {
    const [setName, hostList] = req.connectionString.split('/') as [string, string]
    const shards = (await admin(env, { listShards: 1 })).shards as Document[]
    const status = await balancerStatus(env)
    let hello: Document | undefined
    let reachError = ''
    for (const h of hostList.split(',')) {
      try {
        hello = await (await memberClient(env.endpoint, env.ctx.connections, h)).db('admin').command({ hello: 1 })
        break
      } catch (err) {
        reachError = err instanceof Error ? err.message : String(err)
      }
    }
    const name = req.name ?? setName
    const cmd = { addShard: req.connectionString, ...(req.name ? { name: req.name } : {}) }
    return {
      state: { name, cmd },
      plan: {
        target: name,
        title: `Add shard ${name} (${setName}) to ${env.endpoint.name}`,
        summary: `The replica set joins the cluster empty; ${status.mode !== 'off' ? 'the balancer then moves chunks onto it, round by round' : 'the balancer is off, so no chunk moves onto it until it is started'}.`,
        risk: 'medium',
        steps: [
          step('add the shard', adminCommand(cmd)),
          step(
            'watch the balancer move chunks onto it',
            `db.getSiblingDB("config").chunks.countDocuments({ shard: "${name}" })  // every second, up to 2 minutes`,
          ),
        ],
        prechecks: [
          check(
            'not a shard already',
            !shards.some((s) => s._id === name || String(s.host).startsWith(`${setName}/`)),
            shards.map((s) => String(s._id)).join(', '),
          ),
          check(
            'the replica set answers',
            hello !== undefined,
            hello ? `${String(hello.setName ?? 'no set name')}, primary ${String(hello.primary ?? 'unknown')}` : reachError || 'no host answered',
          ),
          check('it is that replica set', hello?.setName === setName, hello ? `set name ${String(hello.setName ?? 'none (standalone)')}` : '—'),
          check('not a config server', hello?.configsvr === undefined, hello?.configsvr !== undefined ? 'it is a config server replica set' : 'shard server'),
        ],
        warnings: [],
      },
    }
  },
  async (env, _req, state, run) => {
    run.step('add the shard')
    const r = await admin(env, state.cmd)
    const added = String(r.shardAdded ?? state.name)
    run.step('watch the balancer move chunks onto it')
    const on = (await balancerStatus(env)).mode !== 'off'
    if (!on) return `${added} added; the balancer is off, so it holds no chunks yet`
    const t0 = Date.now()
    let last = 0
    while (Date.now() - t0 < 120_000 && !run.signal.aborted) {
      last = (await shardChunks(env, added)).chunks
      run.progress(`${added} holds ${last} chunk(s) after ${formatSeconds((Date.now() - t0) / 1000)}`, Math.min(0.99, 0.5 + (Date.now() - t0) / 240_000))
      if (last > 0 && Date.now() - t0 > 3000) break
      await sleep(1000)
    }
    return `${added} added and holds ${last} chunk(s); the balancer keeps moving chunks onto it round by round`
  },
  async (env, _req, plan) => {
    const shards = (await admin(env, { listShards: 1 })).shards as Document[]
    return [
      check(
        `${plan.target} listed`,
        shards.some((s) => s._id === plan.target),
        shards.map((s) => String(s._id)).join(', '),
      ),
    ]
  },
)

const DRAIN_STEP = 'drain until it completes, moving database primaries once the chunks are off'

export const mongoRemoveShard = mongoAction(
  'mongo.remove-shard',
  async (env, req) => {
    const shards = (await admin(env, { listShards: 1 })).shards as Document[]
    const me = shards.find((s) => s._id === req.shard)
    const others = shards.filter((s) => s._id !== req.shard && !s.draining)
    const otherDraining = shards.filter((s) => s._id !== req.shard && s.draining)
    const status = await balancerStatus(env)
    const dbs = await labelled('config.databases', env.client.db('config').collection('databases').find({ primary: req.shard }).toArray(), env.version)
    const counts = await shardChunks(env, req.shard)
    const dest = others[0] ? String(others[0]._id) : ''
    return {
      state: { dest },
      plan: {
        target: req.shard,
        title: `${me?.draining ? 'Finish removing' : 'Remove'} shard ${req.shard} from ${env.endpoint.name}`,
        summary: `The balancer drains ${counts.chunks} chunk(s) off ${req.shard}${dbs.length ? `; ${dbs.map((d) => String(d._id)).join(', ')} get a new primary shard (${dest})` : ''}; the shard leaves the cluster when nothing is left on it.`,
        risk: 'high',
        steps: [
          step(me?.draining ? 'drain (already started): check where it stands' : 'start draining', adminCommand({ removeShard: req.shard })),
          step(
            DRAIN_STEP,
            ...dbs.map((d) => adminCommand({ movePrimary: String(d._id), to: dest }) + '  // once the chunks are off'),
            adminCommand({ removeShard: req.shard }) + '  // every 2 s until state: "completed"',
          ),
        ],
        prechecks: [
          check('the shard exists', Boolean(me), me ? String(me.host) : `no shard ${req.shard}`),
          check('another shard takes its data', others.length > 0, others.map((s) => String(s._id)).join(', ') || 'it is the last shard'),
          check('no other shard draining', otherDraining.length === 0, otherDraining.map((s) => String(s._id)).join(', ') || 'none'),
          check('the balancer is on (it does the draining)', status.mode !== 'off', status.mode !== 'off' ? 'on' : 'off: start the balancer first'),
        ],
        warnings: counts.jumbo
          ? [`${counts.jumbo} jumbo chunk(s) on ${req.shard} will block the drain: split them (clears the flag) or the drain stops with them left.`]
          : [],
      },
    }
  },
  async (env, req, state, run) => {
    const started = await admin(env, { removeShard: req.shard })
    run.step(started.state === 'started' ? 'start draining' : 'drain (already started): check where it stands')
    run.progress(String(started.msg))
    run.step(DRAIN_STEP)
    const t0 = Date.now()
    let stuckSince = Date.now()
    let lastRemaining = Infinity
    const moved = new Set<string>()
    for (;;) {
      if (run.signal.aborted) return `stopped watching; ${req.shard} keeps draining (run remove-shard again to watch it finish)`
      const r = await admin(env, { removeShard: req.shard })
      if (r.state === 'completed') return `${req.shard} removed after ${formatSeconds((Date.now() - t0) / 1000)}`
      const rem = (r.remaining ?? {}) as Document
      const chunks = Number(rem.chunks ?? 0)
      const jumbo = Number(rem.jumboChunks ?? 0)
      const dbs = (r.dbsToMove ?? []) as string[]
      if (chunks === 0)
        for (const db of dbs.filter((d) => !moved.has(d))) {
          await withTicks(run, `movePrimary ${db} → ${state.dest}`, admin(env, { movePrimary: db, to: state.dest }))
          moved.add(db)
        }
      run.progress(`${req.shard}: ${chunks} chunk(s) left${jumbo ? ` (${jumbo} jumbo)` : ''}, ${dbs.length} database(s) to move`)
      if (chunks < lastRemaining) {
        lastRemaining = chunks
        stuckSince = Date.now()
      } else if (chunks > 0 && chunks === jumbo && Date.now() - stuckSince > 15_000)
        throw new SwitchyardError(
          'other',
          `the drain of ${req.shard} is blocked by ${jumbo} jumbo chunk(s): split them (Clear jumbo) and run remove-shard again; draining continues meanwhile`,
        )
      if (Date.now() - t0 > 1800_000)
        throw new SwitchyardError('timeout', `${req.shard} is still draining after 30 min (${chunks} chunks left); run remove-shard again to keep watching`)
      await sleep(chunks === 0 ? 500 : 2000)
    }
  },
  async (env, req) => {
    const shards = (await admin(env, { listShards: 1 })).shards as Document[]
    const counts = await shardChunks(env, req.shard)
    return [
      check(`${req.shard} no longer listed`, !shards.some((s) => s._id === req.shard), shards.map((s) => String(s._id)).join(', ')),
      check('no chunk left on it', counts.chunks === 0, `${counts.chunks} chunk(s)`),
    ]
  },
)

export const mongoActions: AnyActionDefinition[] = [
  mongoBalancer,
  mongoBalancerWindow,
  mongoChunkSize,
  mongoMoveRange,
  mongoClearJumbo,
  mongoStepDown,
  mongoAddShard,
  mongoRemoveShard,
]
