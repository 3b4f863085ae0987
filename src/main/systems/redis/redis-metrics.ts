import { countSlots, SLOT_COUNT } from '../../../shared/domain/slots'
import type { MigrationRecord, RedisTopology } from '../../../shared/systems/redis'
import { metric, type MetricSample } from '../../core/metrics/samples'

const m = {
  up: metric('redis_up', 'Whether the node answered'),
  info: metric('redis_instance_info', 'Node role and version'),
  uptime: metric('redis_uptime_in_seconds', 'Seconds since the node started'),
  memory: metric('redis_memory_used_bytes', 'used_memory'),
  maxmemory: metric('redis_memory_max_bytes', 'maxmemory (0: unlimited)'),
  ops: metric('redis_instantaneous_ops_per_sec', 'instantaneous_ops_per_sec'),
  clients: metric('redis_connected_clients', 'connected_clients'),
  keys: metric('redis_db_keys', 'Keys per database'),
  expiring: metric('redis_db_keys_expiring', 'Keys with an expiry per database'),
  replicas: metric('redis_connected_slaves', 'connected_slaves'),
  offset: metric('redis_master_repl_offset', 'master_repl_offset'),
  link: metric('redis_master_link_up', 'A replica: whether its link to the master is up'),
  lastIo: metric('redis_master_last_io_seconds_ago', 'A replica: seconds since the last interaction with its master'),
  clusterEnabled: metric('redis_cluster_enabled', 'cluster_enabled'),
  clusterState: metric('redis_cluster_state', 'cluster_state is ok'),
  clusterInfo: (field: string) => metric(`redis_cluster_${field}`, `CLUSTER INFO ${field}`),
  uncovered: metric('switchyard_redis_slots_uncovered', 'Slots no master owns'),
  open: metric('switchyard_redis_slots_open', 'Slots in MIGRATING or IMPORTING state'),
  masterSlots: metric('switchyard_redis_master_slots', 'Slots a master owns'),
  masterKeys: metric('switchyard_redis_master_keys', 'Keys a master holds'),
  masterImbalance: metric('switchyard_redis_master_slot_imbalance_pct', "A master's slots against an even share, in percent"),
  replicaLag: metric('switchyard_redis_replica_lag_bytes', 'Bytes a replica is behind its master'),
  migrationDone: metric('switchyard_redis_migration_slots_done', 'Slots the running or interrupted migration has moved'),
  migrationTotal: metric('switchyard_redis_migration_slots_total', 'Slots the running or interrupted migration moves in all'),
  migrationKeys: metric('switchyard_redis_migration_keys_moved', 'Keys the running or interrupted migration has moved'),
}

const CLUSTER_FIELDS = ['slots_assigned', 'slots_ok', 'slots_pfail', 'slots_fail', 'known_nodes', 'size', 'current_epoch'] as const

/** One cluster snapshot as exporter samples: redis_exporter's per-node names plus slot coverage, balance and migration. */
export function redisSamples(t: RedisTopology, migration: MigrationRecord | null): MetricSample[] {
  const out: MetricSample[] = []
  for (const n of t.nodes) {
    const at = { instance: n.addr }
    const s = n.stats
    out.push(...m.up(at, !n.error && s !== null))
    if (!s) continue
    out.push(
      ...m.info({ ...at, role: s.role === 'master' ? 'master' : 'slave', redis_version: s.version }, 1),
      ...m.uptime(at, s.uptimeSeconds),
      ...m.memory(at, s.usedMemory),
      ...m.maxmemory(at, s.maxmemory),
      ...m.ops(at, s.opsPerSec),
      ...m.clients(at, s.connectedClients),
      ...m.keys({ ...at, db: 'db0' }, s.keys),
      ...m.expiring({ ...at, db: 'db0' }, s.expires),
      ...m.replicas(at, s.connectedReplicas),
      ...m.offset(at, s.replOffset),
      ...m.clusterEnabled(at, 1),
      ...m.clusterState(at, s.clusterState === undefined ? null : s.clusterState === 'ok'),
      ...m.link(at, s.masterLinkStatus === undefined ? null : s.masterLinkStatus === 'up'),
      ...m.lastIo(at, s.masterLastIoSecondsAgo),
      ...m.replicaLag(at, n.role === 'replica' ? n.lagBytes : null),
    )
  }
  if (t.seed) {
    const at = { instance: t.seed }
    for (const f of CLUSTER_FIELDS) {
      const v = Number(t.clusterInfo[`cluster_${f}`])
      if (Number.isFinite(v)) out.push(...m.clusterInfo(f)(at, v))
    }
  }
  if (t.nodes.some((n) => !n.error)) {
    const owned = t.slots.filter((r) => r.owner !== null).reduce((a, r) => a + r.end - r.start + 1, 0)
    out.push(...m.uncovered({}, SLOT_COUNT - owned))
    out.push(
      ...m.open(
        {},
        t.slots.filter((r) => r.migratingTo || r.importingFrom).reduce((a, r) => a + r.end - r.start + 1, 0),
      ),
    )
  }
  for (const b of t.masters) {
    const at = { instance: b.addr }
    out.push(...m.masterSlots(at, b.slots), ...m.masterKeys(at, b.keys), ...m.masterImbalance(at, b.imbalancePct))
  }
  if (migration) {
    const total = migration.moves.reduce((a, mv) => a + countSlots(mv.ranges), 0)
    out.push(...m.migrationDone({}, countSlots(migration.done)), ...m.migrationTotal({}, total), ...m.migrationKeys({}, migration.keysMoved))
  }
  return out
}
