import type { CapacityGauge } from '../../../shared/capacity'
import type { PgTopology } from '../../../shared/systems/postgres'
import { formatBytes } from '../../../shared/domain/units'
import type { Connections } from '../../core/connections'
import { shellCommand } from '../../core/ssh/quote'
import { withNode, type PostgresEndpoint, type PostgresNode } from './postgres-client'

/**
 * Where transaction IDs stop: PostgreSQL refuses new ones 3 million short of the 2^31 wrap
 * (varsup.c: xidStopLimit = xidWrapLimit - 3000000), so that is what an XID age runs out against.
 */
export const XID_STOP_LIMIT = 2 ** 31 - 3_000_000

interface NodeCapacity {
  connections: number
  maxConnections: number
  xidAge: number
  /** max_slot_wal_keep_size in bytes; -1 when unlimited. */
  slotKeepBytes: number
  dataDirectory: string | null
  databases: { name: string; bytes: number }[]
}

async function readNode(endpoint: PostgresEndpoint, connections: Connections, node: PostgresNode, primary: boolean): Promise<NodeCapacity> {
  return withNode(endpoint, connections, node, async (c) => {
    const r = await c.query<{ conns: number; max_conn: number; xid_age: string; keep: string; data_dir: string | null }>(
      `select (select count(*) from pg_stat_activity)::int as conns,
              current_setting('max_connections')::int as max_conn,
              (select max(age(datfrozenxid)) from pg_database)::text as xid_age,
              pg_size_bytes(current_setting('max_slot_wal_keep_size'))::text as keep,
              current_setting('data_directory', true) as data_dir`,
    )
    const row = r.rows[0]!
    const databases = primary
      ? (
          await c.query<{ name: string; bytes: string }>(
            `select datname as name, pg_database_size(datname)::text as bytes from pg_database where datallowconn and not datistemplate order by datname`,
          )
        ).rows.map((d) => ({ name: d.name, bytes: Number(d.bytes) }))
      : []
    return {
      connections: row.conns,
      maxConnections: row.max_conn,
      xidAge: Number(row.xid_age),
      slotKeepBytes: Number(row.keep),
      dataDirectory: node.dataDir ?? row.data_dir,
      databases,
    }
  })
}

/** Bytes free and total of the filesystem holding a path, read over SSH (df), or null without an SSH host. */
async function filesystemOf(connections: Connections, node: PostgresNode, path: string | null): Promise<{ avail: number; mount: string } | null> {
  if (!node.sshHostId || !path) return null
  const session = await connections.ssh(node.sshHostId)
  const r = await session.exec(shellCommand('df', '-P', '-B1', '--', path), { timeoutMs: 10_000 })
  const line = r.stdout.trim().split('\n').at(-1)?.split(/\s+/)
  if (r.code !== 0 || !line || line.length < 6) return null
  return { avail: Number(line[3]), mount: line[5]! }
}

/**
 * What runs out on each node of a PostgreSQL endpoint: connections against max_connections, the
 * oldest XID's age against the stop limit, each slot's retained WAL against max_slot_wal_keep_size
 * (when set: the slot is lost past it) or what the data directory's filesystem can still take, and
 * on the primary each database against that filesystem too. A node that cannot be read is left out.
 */
export async function postgresCapacity(endpoint: PostgresEndpoint, connections: Connections, topology: PgTopology): Promise<CapacityGauge[]> {
  const gauges = await Promise.all(
    topology.nodes
      .filter((n) => !n.error && endpoint.nodes.some((c) => c.name === n.name))
      .map(async (snapshot) => {
        const node = endpoint.nodes.find((c) => c.name === snapshot.name)!
        try {
          const cap = await readNode(endpoint, connections, node, snapshot.role === 'primary')
          const fs = await filesystemOf(connections, node, cap.dataDirectory).catch(() => null)
          const fsLabel = fs ? `the free space of ${fs.mount}` : null
          const out: CapacityGauge[] = [
            {
              kind: 'pg-connections',
              subject: node.name,
              value: cap.connections,
              limit: cap.maxConnections,
              limitLabel: `max_connections (${cap.maxConnections})`,
              unit: 'count',
            },
            { kind: 'pg-xid-age', subject: node.name, value: cap.xidAge, limit: XID_STOP_LIMIT, limitLabel: 'the wraparound stop limit', unit: 'xids' },
          ]
          for (const slot of snapshot.slots) {
            if (slot.retainedBytes === null) continue
            const byKeep = cap.slotKeepBytes >= 0 ? cap.slotKeepBytes : null
            const byDisk = fs ? slot.retainedBytes + fs.avail : null
            const useKeep = byKeep !== null && (byDisk === null || byKeep <= byDisk)
            const limit = useKeep ? byKeep : byDisk
            if (limit === null) continue
            out.push({
              kind: 'pg-wal-retained',
              subject: `${node.name}/${slot.name}`,
              value: slot.retainedBytes,
              limit,
              limitLabel: useKeep ? `max_slot_wal_keep_size (${formatBytes(byKeep)})` : fsLabel!,
              unit: 'bytes',
              ...(slot.active
                ? {}
                : {
                    fix: { label: `Drop the inactive slot ${slot.name} on ${node.name}`, request: { kind: 'pg.drop-slot', node: node.name, slot: slot.name } },
                  }),
            })
          }
          if (fs)
            for (const db of cap.databases)
              out.push({
                kind: 'pg-database-size',
                subject: `${node.name}/${db.name}`,
                value: db.bytes,
                limit: db.bytes + fs.avail,
                limitLabel: fsLabel!,
                unit: 'bytes',
              })
          return out
        } catch {
          return []
        }
      }),
  )
  return gauges.flat()
}
