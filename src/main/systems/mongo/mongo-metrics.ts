import type { MongoCluster } from '../../../shared/systems/mongo'
import { metric, type MetricSample } from '../../core/metrics/samples'

const m = {
  balancer: metric('switchyard_mongo_balancer_enabled', 'Whether the balancer is enabled'),
  chunks: metric('switchyard_mongo_chunks', 'Chunks of a sharded collection on a shard'),
  jumbo: metric('switchyard_mongo_jumbo_chunks', 'Jumbo chunks of a sharded collection on a shard'),
  bytes: metric('switchyard_mongo_collection_shard_bytes', 'Data size of a sharded collection on a shard'),
  spread: metric('switchyard_mongo_chunk_imbalance', "Most minus least loaded shard, in the balancer's unit (bytes or chunks)"),
  threshold: metric('switchyard_mongo_chunk_imbalance_threshold', 'The spread at which the balancer migrates'),
  health: metric('switchyard_mongo_member_healthy', 'Whether a replica-set member is healthy'),
}

/** Chunk balance per collection and shard, the balancer, member health. */
export function mongoSamples(c: MongoCluster): MetricSample[] {
  return [
    ...m.balancer({}, c.balancer.enabled),
    ...c.collections.flatMap((k) => [
      ...k.shards.flatMap((s) => [
        ...m.chunks({ ns: k.ns, shard: s.shard }, s.chunks),
        ...m.jumbo({ ns: k.ns, shard: s.shard }, s.jumbo),
        ...m.bytes({ ns: k.ns, shard: s.shard }, s.bytes),
      ]),
      ...m.spread({ ns: k.ns, unit: k.imbalance.metric }, k.imbalance.spread),
      ...m.threshold({ ns: k.ns, unit: k.imbalance.metric }, k.imbalance.threshold),
    ]),
    ...c.replicaSets.flatMap((rs) => rs.members.flatMap((mb) => m.health({ rs: rs.name, instance: mb.host }, mb.healthy))),
  ]
}
