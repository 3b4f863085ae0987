import type { ClusterNodeEntry, RedisTopology } from '../../../shared/systems/redis'
import { parseClusterNodes, parseKeyValues } from '../../../shared/domain/redis-parse'
import type { NodePoll } from '../../../shared/domain/redis-topology'
import { SwitchyardError } from '../../core/errors'
import { pollUntil } from '../../core/wait'
import type { ActionContext } from '../../core/actions/action-definition'
import { clusterAccess, type RedisClusterAccess } from './redis-client'
import { discoverCluster } from './redis-reader'

/** Shared steps of the Redis actions: a fresh snapshot, polling until a condition holds, joining a node. */

export interface ClusterSnapshot {
  access: RedisClusterAccess
  topology: RedisTopology
  polls: NodePoll[]
  /** The reference CLUSTER NODES view (with the "myself" flag of the seed). */
  view: ClusterNodeEntry[]
}

export async function snapshot(ctx: Pick<ActionContext, 'environment' | 'endpoint' | 'connections'>): Promise<ClusterSnapshot> {
  if (ctx.endpoint.kind !== 'redis-cluster') throw new SwitchyardError('config', `"${ctx.endpoint.id}" is not a Redis Cluster endpoint`)
  const access = clusterAccess(ctx.connections, ctx.endpoint.id)
  const { topology, polls } = await discoverCluster(access, { environment: ctx.environment.name })
  if (!topology.seed) throw new SwitchyardError(topology.error?.code ?? 'refused', topology.reason)
  const view = polls.find((p) => p.addr === topology.seed)?.nodes ?? []
  return { access, topology, polls, view: view.map((n) => ({ ...n, flags: n.flags.filter((f) => f !== 'myself') })) }
}

export async function nodesOf(access: RedisClusterAccess, addr: string): Promise<ClusterNodeEntry[]> {
  return parseClusterNodes(String(await access.call(addr, ['CLUSTER', 'NODES'], 3000)))
}

export async function clusterInfoOf(access: RedisClusterAccess, addr: string): Promise<Record<string, string>> {
  return parseKeyValues(String(await access.call(addr, ['CLUSTER', 'INFO'], 3000)))
}

export async function infoOf(access: RedisClusterAccess, addr: string, section?: string): Promise<Record<string, string>> {
  return parseKeyValues(String(await access.call(addr, section ? ['INFO', section] : ['INFO'], 3000)))
}

/** What a node that is about to join says about itself: it must be a cluster node, alone and empty. */
export async function inspectNewNode(
  access: RedisClusterAccess,
  addr: string,
): Promise<{ id?: string; checks: { name: string; passed: boolean; detail: string }[] }> {
  try {
    const [id, info, cinfo, dbsize] = await Promise.all([
      access.call(addr, ['CLUSTER', 'MYID'], 3000).then(String),
      infoOf(access, addr, 'server'),
      clusterInfoOf(access, addr),
      access.call(addr, ['DBSIZE'], 3000).then(Number),
    ])
    const known = Number(cinfo.cluster_known_nodes ?? 0)
    return {
      id,
      checks: [
        { name: 'node reachable', passed: true, detail: `${addr} answers (redis ${info.redis_version ?? '?'}), id ${id.slice(0, 12)}` },
        {
          name: 'node is alone',
          passed: known === 1,
          detail: known === 1 ? 'knows no other node' : `already knows ${known - 1} other node(s): reset it or pick another`,
        },
        { name: 'node is empty', passed: dbsize === 0, detail: dbsize === 0 ? 'no keys' : `holds ${dbsize} keys` },
      ],
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err)
    const notCluster = /cluster support disabled/i.test(msg)
    return { checks: [{ name: 'node reachable', passed: false, detail: notCluster ? `${addr} is not started with cluster-enabled yes` : `${addr}: ${msg}` }] }
  }
}

/** CLUSTER MEET from the new node towards a member, then wait until every member lists it without handshake. */
export async function meetAndWait(
  access: RedisClusterAccess,
  newAddr: string,
  newId: string,
  seed: ClusterNodeEntry,
  members: readonly ClusterNodeEntry[],
  signal?: AbortSignal,
): Promise<number> {
  const started = Date.now()
  await access.call(newAddr, ['CLUSTER', 'MEET', seed.host, seed.port])
  const addrs = [...members.filter((m) => !m.flags.includes('fail') && !m.flags.includes('noaddr')).map((m) => m.addr), newAddr]
  await pollUntil(
    `${newAddr} joining the cluster`,
    30_000,
    async () => {
      const views = await Promise.all(addrs.map((a) => nodesOf(access, a).catch(() => null)))
      const missing = addrs.filter((a, i) => {
        const v = views[i]
        if (!v) return true
        if (a === newAddr) return v.length < addrs.length || v.some((n) => n.flags.includes('handshake'))
        const n = v.find((x) => x.id === newId)
        return !n || n.flags.includes('handshake') || n.flags.includes('noaddr')
      })
      if (missing.length) return { waiting: `not yet agreed by ${missing.join(', ')}` }
      // A new master keeps cluster_state:fail for a rejoin delay (up to cluster-node-timeout) and would
      // answer CLUSTERDOWN to clients redirected to it; wait until it serves.
      const state = (await clusterInfoOf(access, newAddr)).cluster_state
      return state === 'ok' ? { done: true } : { waiting: `${newAddr} has cluster_state ${state}` }
    },
    250,
    signal,
  )
  return Date.now() - started
}

/** cluster_state:ok on every reachable node of the list. */
export async function stateOkEverywhere(access: RedisClusterAccess, addrs: readonly string[]): Promise<{ ok: boolean; detail: string }> {
  const states = await Promise.all(
    addrs.map((a) =>
      clusterInfoOf(access, a)
        .then((i) => i.cluster_state ?? '?')
        .catch(() => 'unreachable'),
    ),
  )
  const bad = addrs.filter((_, i) => states[i] !== 'ok' && states[i] !== 'unreachable')
  return {
    ok: bad.length === 0,
    detail: bad.length ? `not ok on ${bad.map((a) => `${a} (${states[addrs.indexOf(a)]})`).join(', ')}` : 'cluster_state ok on every reachable node',
  }
}
