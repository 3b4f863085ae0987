// The MongoDB actions' common ground: the connection they act through, the protocol wrapper and small helpers.
import type { Document, MongoClient } from 'mongodb'
import type { VerificationCheck } from '../../../../shared/actions'
import { formatSeconds } from '../../../../shared/domain/units'
import { versionAtLeast } from '../../../../shared/domain/mongo-balance'
import type { ActionContext, ActionDefinition, PlannedAction, RequestOf, RunContext } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import { labelled, mongoLabel, mongosClient, type MongoEndpoint } from '../mongo-client'

export type MongoKind =
  | 'mongo.balancer'
  | 'mongo.balancer-window'
  | 'mongo.chunk-size'
  | 'mongo.move-range'
  | 'mongo.clear-jumbo'
  | 'mongo.step-down'
  | 'mongo.add-shard'
  | 'mongo.remove-shard'

export interface Env {
  endpoint: MongoEndpoint
  ctx: ActionContext
  client: MongoClient
  version: string
}

/** What a MongoDB action is about to do: the plan, plus what its run needs that its planning already read. */
export interface Planned<S> {
  plan: PlannedAction
  state: S
}

export const check = (name: string, passed: boolean, detail: string) => ({ name, passed, detail })

async function envOf(ctx: ActionContext): Promise<Env> {
  if (ctx.endpoint.kind !== 'mongo') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a MongoDB endpoint`)
  const endpoint = ctx.endpoint
  const client = await labelled(`connect to ${mongoLabel(endpoint)}`, mongosClient(endpoint, ctx.connections))
  const version = String((await labelled('buildInfo', client.db('admin').command({ buildInfo: 1 }))).version)
  return { endpoint, ctx, client, version }
}

export const admin = (env: Env, cmd: Document, what = Object.keys(cmd)[0]!) => labelled(what, env.client.db('admin').command(cmd), env.version)

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
export function mongoAction<K extends MongoKind, S>(
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

/** Bytes a shard owns, of one collection or of all ($shardedDataDistribution, 6.0.3+); null where the server cannot say. */
export async function ownedBytes(env: Env, shard: string, ns?: string): Promise<number | null> {
  if (!versionAtLeast(env.version, 6, 0, 3)) return null
  const rows = await env.client
    .db('admin')
    .aggregate([{ $shardedDataDistribution: {} }, ...(ns ? [{ $match: { ns } }] : [])])
    .toArray()
    .catch(() => null)
  if (!rows) return null
  return rows.flatMap((r) => (r.shards as Document[]).filter((x) => x.shardName === shard)).reduce((a, x) => a + Number(x.ownedSizeBytes ?? 0), 0)
}

export async function balancerStatus(env: Env): Promise<Document> {
  return admin(env, { balancerStatus: 1 })
}

export async function settings(env: Env, id: string): Promise<Document | null> {
  return labelled(
    'config.settings',
    env.client
      .db('config')
      .collection('settings')
      .findOne({ _id: id } as Document),
    env.version,
  )
}

/** Run a long command while reporting its elapsed time; the command's own reply decides success. */
export async function withTicks<T>(run: RunContext, what: string, p: Promise<T>): Promise<T> {
  const t0 = Date.now()
  const timer = setInterval(() => run.progress(`${what}… ${formatSeconds((Date.now() - t0) / 1000)}`), 500)
  try {
    return await p
  } finally {
    clearInterval(timer)
  }
}
