import type { Document } from 'mongodb'
import { formatBytes, formatSeconds } from '../../../../shared/domain/units'
import { drainEstimate } from '../../../../shared/domain/mongo-drain'
import { readBalancerPace } from '../mongo-changelog'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { sleep } from '../../../core/wait'
import { labelled, memberClient } from '../mongo-client'
import { adminCommand } from '../mongosh-text'

import { admin, balancerStatus, check, mongoAction, ownedBytes, withTicks, type Env } from './mongo-action'

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
    const [counts, pace, bytes] = await Promise.all([shardChunks(env, req.shard), readBalancerPace(env.client, env.version), ownedBytes(env, req.shard)])
    const dest = others[0] ? String(others[0]._id) : ''
    const movable = counts.chunks - counts.jumbo
    const estimate = drainEstimate(movable, bytes, pace)
    return {
      state: { dest },
      plan: {
        whatIf: [
          `${req.shard}: ${movable} chunk(s)${bytes !== null ? ` holding ${formatBytes(bytes)}` : ''} move to ${others.map((s) => String(s._id)).join(', ') || 'no other shard'}${dbs.length ? `; ${dbs.map((d) => String(d._id)).join(', ')} move their primary to ${dest}` : ''}`,
          ...(estimate ? [] : ['no chunk migration in the changelog of the last 7 days: the drain time cannot be predicted until the balancer has moved some']),
        ],
        ...(estimate ? { estimate } : {}),
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
