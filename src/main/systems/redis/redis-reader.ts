import type { ConnError } from '../../../shared/health'
import type { ClusterNodeEntry, RedisFeatures, RedisTopology } from '../../../shared/systems/redis'
import { formatAddr, parseClusterNodes, parseKeyValues, versionAtLeast } from '../../../shared/domain/redis-parse'
import { buildTopology, type NodePoll, type TopologyThresholds } from '../../../shared/domain/redis-topology'
import { toConnError } from '../../core/errors'
import type { RedisClusterAccess } from './redis-client'

export interface DiscoverOptions {
  environment: string
  /** Per node deadline for the poll. */
  timeoutMs?: number
  thresholds?: TopologyThresholds
}

const POLL_TIMEOUT_MS = 3000

function seedAddrs(access: RedisClusterAccess): string[] {
  return access.endpoint.seeds.map((s) => formatAddr(s.host, s.port))
}

/** CLUSTER NODES + CLUSTER INFO + INFO from one node in one round trip. */
export async function pollNode(access: RedisClusterAccess, addr: string, timeoutMs = POLL_TIMEOUT_MS): Promise<NodePoll> {
  try {
    const res = await access.pipeline(addr, [['CLUSTER', 'NODES'], ['CLUSTER', 'INFO'], ['INFO']], timeoutMs)
    const [nodes, cinfo, info] = res
    if (nodes?.[0]) throw nodes[0]
    return {
      addr,
      nodes: parseClusterNodes(typeof nodes?.[1] === 'string' ? nodes[1] : ''),
      ...(cinfo && !cinfo[0] ? { clusterInfo: parseKeyValues(String(cinfo[1])) } : {}),
      ...(info && !info[0] ? { info: parseKeyValues(String(info[1])) } : {}),
    }
  } catch (err) {
    return { addr, error: toConnError(err, access.secrets) }
  }
}

/** The cluster's own view from the first seed that answers (seeds tried together, taken in order). */
export async function referenceView(
  access: RedisClusterAccess,
  extraSeeds: readonly string[] = [],
  timeoutMs = POLL_TIMEOUT_MS,
): Promise<{ poll: NodePoll; seedPolls: NodePoll[] }> {
  const seeds = [...new Set([...seedAddrs(access), ...extraSeeds])]
  const seedPolls = await Promise.all(seeds.map((s) => pollNode(access, s, timeoutMs)))
  // The first seed, in the configured order, that answers as a member of a cluster (knows more than
  // itself). Deliberately not "the first one whose state is ok": a replica that has not yet heard of
  // a problem must not hide it.
  const usable = seedPolls.filter((p) => p.nodes && p.nodes.length > 0)
  const best = usable.find((p) => (p.nodes?.length ?? 0) > 1) ?? usable[0]
  return { poll: best ?? seedPolls[0] ?? { addr: seeds[0] ?? '?', error: { code: 'config', message: 'no seed nodes configured' } }, seedPolls }
}

export function detectFeatures(info: Record<string, string> | undefined): RedisFeatures {
  const version = info?.redis_version ?? '0'
  const valkey = info?.valkey_version
  let atomicMigration: RedisFeatures['atomicMigration'] = 'none'
  if (valkey && versionAtLeast(valkey, '9.0.0')) atomicMigration = 'valkey-migrateslots'
  else if (!valkey && versionAtLeast(version, '8.4.0')) atomicMigration = 'redis-cluster-migration'
  return { clusterShards: versionAtLeast(version, '7.0.0'), atomicMigration }
}

/** Addresses of every node in a view that can be dialled (not noaddr, not an empty host). */
export function nodeAddrs(nodes: readonly ClusterNodeEntry[]): string[] {
  return nodes.filter((n) => n.host && n.port > 0 && !n.flags.includes('noaddr')).map((n) => n.addr)
}

/**
 * One snapshot of the whole cluster from its seeds: the reference view, then every node polled in
 * parallel (pipelined). A node that is down shows as an error on that node only.
 */
export async function discoverCluster(access: RedisClusterAccess, opts: DiscoverOptions): Promise<{ topology: RedisTopology; polls: NodePoll[] }> {
  const started = Date.now()
  const timeoutMs = opts.timeoutMs ?? POLL_TIMEOUT_MS
  const { poll: ref, seedPolls } = await referenceView(access, lastKnown.get(access) ?? [], timeoutMs)
  const polls: NodePoll[] = [...seedPolls]
  if (ref.nodes) {
    const addrs = nodeAddrs(ref.nodes)
    const missing = addrs.filter((a) => !polls.some((p) => p.addr === a))
    polls.push(...(await Promise.all(missing.map((a) => pollNode(access, a, timeoutMs)))))
    lastKnown.set(access, addrs)
  }
  // Only polls of nodes that are in the reference view (or are it) count; a seed outside the cluster is ignored.
  const members = new Set(ref.nodes ? nodeAddrs(ref.nodes) : [])
  const relevant = polls.filter((p) => p === ref || members.has(p.addr))
  const features = detectFeatures(ref.info)
  const topology = buildTopology({
    environment: opts.environment,
    endpointId: access.endpoint.id,
    name: access.endpoint.name,
    referenceAddr: ref.nodes ? ref.addr : null,
    polls: ref.nodes ? relevant : seedPolls,
    features,
    checkedAt: started,
    durationMs: Date.now() - started,
    ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
  })
  return { topology, polls: relevant }
}

/** Nodes seen last time, tried as seeds when the configured ones are down. */
const lastKnown = new WeakMap<RedisClusterAccess, string[]>()

export function errorOf(poll: NodePoll): ConnError | undefined {
  return poll.error
}
