import { slotNameFor } from '../../../../shared/domain/pg-topology'
import { shellCommand, shq } from '../../../core/ssh/quote'
import { conninfo, type NodeAddress } from '../postgres-client'
import {
  bin,
  checkpointStatement,
  cmd,
  dropInactiveSlotsStatement,
  emitMarkerStatement,
  followConfCommand,
  followStatements,
  replicationCredentials,
  serverRunning,
  shellOp,
  passfileOps,
  type ReplicationCredentials,
  sqlOp,
  ssh,
  waitReplayed,
  waitStreamingFrom,
  type ManagedNode,
  type Op,
} from '../postgres-ops'

import type { Env } from './operation'

// ---- shared step sequences ------------------------------------------------------------------------

export function confBackup(node: ManagedNode): string {
  return `mkdir -p ${shq(cmd.confBackupDir(node))} && cp -p ${shq(node.dataDir!)}/*.conf ${shq(cmd.confBackupDir(node))}/ && rm -f ${shq(`${node.dataDir}/standby.signal`)}`
}
export function confRestore(node: ManagedNode): string {
  const b = cmd.confBackupDir(node)
  return `cp -p ${shq(b)}/*.conf ${shq(node.dataDir!)}/ && rm -rf ${shq(b)} && rm -f ${shq(`${node.dataDir}/switchyard-needs-rewind`)} && touch ${shq(`${node.dataDir}/standby.signal`)}`
}

/**
 * Rewind a stopped node onto upstream's timeline and start it as upstream's standby. pg_rewind
 * copies the source's configuration files, so the node's own are saved first and put back.
 */
export function rejoinOps(env: Env, node: ManagedNode, upstream: ManagedNode, others: string[]): Op[] {
  const creds = replicationCredentials(env.endpoint, env.connections)
  const source = conninfo({ host: upstream.host, port: upstream.port, user: env.endpoint.user, dbname: env.endpoint.database })
  const startCmd = cmd.start(node)
  return [
    {
      // pg_rewind reads the source's timeline from its control file, which a promotion only updates at the next checkpoint.
      ...sqlOp(`Checkpoint ${upstream.name} so pg_rewind sees its current timeline`, upstream, [checkpointStatement()], undefined, 600_000),
      ifFailed: `${node.name} is stopped and unchanged; ${upstream.name} is the primary. Run CHECKPOINT on ${upstream.name}, then "switchyard pg rejoin ${env.environment} ${node.name}".`,
    },
    {
      ...shellOp(`Save ${node.name}'s configuration files outside the data directory`, node, confBackup(node), 30_000),
      // Saved once: after pg_rewind the files in the data directory are the source's, never to be saved over the node's own.
      done: async (ctx) => (await ssh(ctx, node, `test -d ${shq(cmd.confBackupDir(node))}`, 10_000)).code === 0,
      ifFailed: `${node.name} is stopped and unchanged; ${upstream.name} is the primary. Fix the SSH/file problem and run "switchyard pg rejoin ${env.environment} ${node.name}".`,
    },
    {
      ...shellOp(
        `Rewind ${node.name} onto ${upstream.name}'s timeline with pg_rewind`,
        node,
        shellCommand(bin(node, 'pg_rewind'), '-D', node.dataDir!, '--source-server', source),
        600_000,
        async (out) => {
          return /no rewind required/.test(out) ? 'no rewind required' : 'rewound'
        },
      ),
      ifFailed: `${node.name} is stopped; its configuration files are saved in ${cmd.confBackupDir(node)}; ${upstream.name} is the primary and serves writes. Read the pg_rewind output above; after fixing it run "switchyard pg rejoin ${env.environment} ${node.name}". If pg_rewind cannot work (e.g. WAL already removed), re-clone ${node.name}: "switchyard pg remove-replica" then "add-replica".`,
    },
    // before it starts: its walreceiver authenticates from ~/.pgpass
    ...passfileOps(node, creds),
    {
      ...shellOp(
        `Restore ${node.name}'s configuration and make it a standby of ${upstream.name}`,
        node,
        `${confRestore(node)} && ${followConfCommand(node, upstream, creds)}`,
        30_000,
      ),
      done: async (ctx) =>
        (await ssh(ctx, node, `test ! -d ${shq(cmd.confBackupDir(node))} && test -f ${shq(`${node.dataDir}/standby.signal`)}`, 10_000)).code === 0,
      ifFailed: `${node.name} is stopped and rewound; its configuration may be missing: copy ${cmd.confBackupDir(node)}/*.conf back into ${node.dataDir}, create standby.signal, then start it.`,
    },
    {
      ...shellOp(`Start ${node.name} as a standby`, node, startCmd, 120_000),
      done: (ctx) => serverRunning(ctx, node),
      ifFailed: `${node.name} is rewound and configured as a standby of ${upstream.name} but did not start: read ${cmd.start(node).includes('-l') ? `the log ${node.dataDir}.log` : 'its log'}, then start it with: ${startCmd}`,
    },
    {
      ...sqlOp(
        `Point ${node.name} at ${upstream.name} by name and drop slots it kept from its primary days`,
        node,
        [...followStatements(node, upstream, creds), dropInactiveSlotsStatement(others.map(slotNameFor))],
        async (_r, ctx) => {
          ctx.progress(`waiting for ${node.name} to stream from ${upstream.name}`)
          await waitStreamingFrom(ctx, node, upstream)
        },
      ),
      ifFailed: `${node.name} runs as a standby but is not streaming from ${upstream.name}: check pg_stat_wal_receiver on it and its log; the primary ${upstream.name} is unaffected.`,
    },
  ]
}

/** A standby follows a new upstream: ALTER SYSTEM + reload, then wait until it streams. */
export function repointOps(env: Env, standby: ManagedNode, upstream: ManagedNode): Op[] {
  const creds = replicationCredentials(env.endpoint, env.connections)
  return [...passfileOps(standby, creds), repointOp(standby, upstream, creds)]
}

export function repointOp(standby: ManagedNode, upstream: ManagedNode, creds: ReplicationCredentials): Op {
  return {
    ...sqlOp(`Repoint ${standby.name} to ${upstream.name} and wait until it streams`, standby, followStatements(standby, upstream, creds), async (_r, ctx) => {
      await waitStreamingFrom(ctx, standby, upstream)
    }),
    ifFailed: `${upstream.name} is the primary and serves writes; ${standby.name} is not yet streaming from it. Check its log and pg_stat_wal_receiver; repoint it by running the same ALTER SYSTEM statements on it.`,
  }
}

export function verifyWriteOp(primary: NodeAddress, standbys: NodeAddress[], label: string): Op {
  const stmt = emitMarkerStatement(label)
  return {
    ...sqlOp(`Write a marker on ${primary.name} and wait until every standby replayed it`, primary, [stmt], async (results, ctx) => {
      const lsn = (results[0]?.rows[0] as { lsn?: string } | undefined)?.lsn ?? ''
      await waitReplayed(ctx, standbys, lsn, 20_000)
      return `marker at ${lsn} replayed by ${standbys.map((s) => s.name).join(', ') || 'no standby'}`
    }),
    commands: [`[${primary.name}] ${stmt.shown}`, ...standbys.map((s) => `[${s.name}] SELECT pg_last_wal_replay_lsn()  -- until ≥ the marker`)],
    ifFailed: `${primary.name} is the primary; a standby did not replay a fresh write in time: look at the topology view for the lagging standby.`,
  }
}
