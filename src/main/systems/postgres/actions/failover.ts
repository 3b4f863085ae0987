import { compareLsn, maxLsn } from '../../../../shared/domain/pg-lsn'
import { mostAdvancedStandby, slotNameFor } from '../../../../shared/domain/pg-topology'
import type { PgFailoverRequest, PgNodeSnapshot, PgTopology } from '../../../../shared/systems/postgres'
import { SwitchyardError, toConnError } from '../../../core/errors'
import { shq } from '../../../core/ssh/quote'
import { becomePrimaryStatements, cmd, createSlotStatement, promoteStatement, query, serverRunning, shellOp, sqlOp, waitUntil, type Op } from '../postgres-ops'
import { pauseBouncerOp, repointBouncerOp, resumeAll, resumeBouncerOp } from '../pgbouncer-ops'

import { type Check, type PgOperation, type Env, pooling, pass, fail, listed, snap, syncWarning } from './operation'
import { repointOps, verifyWriteOp } from './steps'

// ---- failover ---------------------------------------------------------------------------------------

export async function failoverOperation(env: Env, req: PgFailoverRequest, topo: PgTopology): Promise<PgOperation> {
  const checks: Check[] = []
  const warnings: string[] = []
  const primaries = topo.nodes.filter((n) => n.role === 'primary')
  checks.push(
    primaries.length === 0
      ? pass('no primary reachable', 'every reachable node is a standby')
      : fail('no primary reachable', `${primaries.map((p) => p.name).join(', ')} accepts writes: use switchover instead`),
  )
  const down = topo.nodes.filter((n) => n.role === 'down' && n.listed)
  // The failed primary: a down node that the standbys last streamed from, else the only down node.
  const upstreams = new Set(topo.nodes.filter((n) => n.role === 'standby').map((n) => n.walReceiver?.senderPort))
  const failed = down.find((d) => upstreams.has(d.port)) ?? (down.length === 1 ? down[0] : undefined)
  const oldNode = failed ? listed(env, failed.name) : undefined
  const standbys = topo.nodes.filter((n) => n.role === 'standby' && n.listed)
  const best = mostAdvancedStandby(standbys.map((s) => ({ name: s.name, receiveLsn: s.receiveLsn ?? null, replayLsn: s.replayLsn ?? null })))
  const chosenName = req.newPrimary ?? best?.name
  const chosen = chosenName ? listed(env, chosenName) : undefined
  const chosenSnap = chosenName ? snap(topo, chosenName) : undefined
  if (!chosen || chosenSnap?.role !== 'standby')
    checks.push(fail('a standby to promote', chosenName ? `${chosenName} is not a reachable standby` : 'no reachable standby'))
  else if (best && best.name !== chosen.name) {
    const pos = (n?: PgNodeSnapshot) => maxLsn(n?.receiveLsn, n?.replayLsn) ?? '0/0'
    const behind = compareLsn(pos(chosenSnap), pos(snap(topo, best.name))) < 0
    checks.push(
      behind
        ? fail(
            `${chosen.name} is the most advanced standby`,
            `${best.name} has more WAL (${pos(snap(topo, best.name))} vs ${pos(chosenSnap)}); promoting ${chosen.name} would lose transactions`,
          )
        : pass(`${chosen.name} is the most advanced standby`, `at ${pos(chosenSnap)}`),
    )
  } else checks.push(pass(`${chosen.name} is the most advanced standby`, `received up to ${maxLsn(chosenSnap.receiveLsn, chosenSnap.replayLsn) ?? '?'}`))
  const sync = chosen ? await syncWarning(env, chosen) : undefined
  if (sync) warnings.push(sync)
  if (chosen && chosenSnap?.replayPaused)
    checks.push(fail(`replay running on ${chosen.name}`, `WAL replay is paused on ${chosen.name}: SELECT pg_wal_replay_resume() there first`))
  if (oldNode) {
    if (oldNode.sshHostId && oldNode.dataDir) {
      try {
        const running = await serverRunning(env, oldNode)
        checks.push(
          running
            ? fail(
                `${oldNode.name} is stopped`,
                `its postmaster is running but not answering: stop it first ("${cmd.stop(oldNode, 'immediate')}") so it cannot come back as a second primary`,
              )
            : pass(`${oldNode.name} is stopped`, 'pg_ctl status: no server running'),
        )
      } catch (err) {
        warnings.push(
          `cannot confirm over SSH that ${oldNode.name} is stopped (${toConnError(err).message}); make sure it is powered off or isolated before failing over`,
        )
      }
    } else warnings.push(`${oldNode.name} has no SSH host: make sure it is stopped before failing over, and do not restart it until it was rewound`)
  } else warnings.push(`cannot tell which node was the primary (down: ${down.map((d) => d.name).join(', ') || 'none'})`)

  // Standbys that lost their upstream with the primary move to the new one; a cascade below a live standby stays.
  const others = standbys
    .filter(
      (s) =>
        s.name !== chosenName &&
        (s.upstream === null ||
          s.upstream === undefined ||
          s.upstream === oldNode?.name ||
          !topo.nodes.some((u) => u.name === s.upstream && u.role !== 'down')),
    )
    .map((s) => listed(env, s.name)!)
    .filter(Boolean)
  for (const s of standbys)
    if (s.name !== chosenName && !others.some((o) => o.name === s.name)) warnings.push(`${s.name} streams from ${s.upstream}; it is left as it is`)
  const bouncers = await pooling(env, oldNode, checks, warnings)
  const ops: Op[] = []
  if (chosen) {
    ops.push(...bouncers.map(pauseBouncerOp))
    if (oldNode?.sshHostId && oldNode.dataDir) {
      const d = oldNode.dataDir
      ops.push({
        ...shellOp(
          `Fence ${oldNode.name}: confirm it is stopped and make it start only as a standby`,
          oldNode,
          `${cmd.status(oldNode)}; test $? -eq 3 && touch ${shq(`${d}/standby.signal`)} && printf '%s\\n' ${shq(`needs pg_rewind: failover promoted ${chosen.name}`)} > ${shq(`${d}/switchyard-needs-rewind`)}`,
          30_000,
        ),
        ifFailed: `Nothing was promoted. ${oldNode.name} may be running: stop it (${cmd.stop(oldNode, 'immediate')}) before failing over.`,
      })
    }
    ops.push(
      {
        title: `Wait until ${chosen.name} replayed all WAL it received`,
        commands: [`[${chosen.name}] SELECT pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()  -- until replay ≥ receive`],
        async run(ctx) {
          await waitUntil(
            `${chosen.name} replaying what it received`,
            60_000,
            async () => {
              const r = await query<{ rcv: string | null; rep: string | null }>(
                ctx,
                chosen,
                'SELECT pg_last_wal_receive_lsn()::text AS rcv, pg_last_wal_replay_lsn()::text AS rep',
                3000,
              )
              const { rcv, rep } = r[0] ?? { rcv: null, rep: null }
              return rep && (!rcv || compareLsn(rep, rcv) >= 0) ? true : undefined
            },
            ctx.signal,
          )
        },
        ifFailed: `Nothing was promoted; ${oldNode?.name ?? 'the old primary'} stays fenced. Check why ${chosen.name} replays slowly (paused replay? conflicts?).`,
      },
      {
        ...sqlOp(
          `Promote ${chosen.name}`,
          chosen,
          [promoteStatement],
          async (results) => {
            if ((results[0]?.rows[0] as { promoted?: boolean } | undefined)?.promoted !== true)
              throw new SwitchyardError('other', `pg_promote() on ${chosen.name} did not finish within 60 s`)
          },
          75_000,
        ),
        ifFailed: `Check "SELECT pg_is_in_recovery()" on ${chosen.name}: false means it is the primary and the remaining steps (slots, repointing) can be done by hand or by planning a new failover.`,
      },
      {
        ...sqlOp(`Make ${chosen.name} a clean primary and create slots for its standbys`, chosen, [
          ...becomePrimaryStatements,
          ...others.map((n) => createSlotStatement(slotNameFor(n.name))),
        ]),
        ifFailed: `${chosen.name} is the new primary and accepts writes; the other standbys still point at ${oldNode?.name ?? 'the old primary'}. Create their slots on ${chosen.name} and repoint them.`,
      },
      ...bouncers.map((b) => repointBouncerOp(b, chosen)),
      ...bouncers.map(resumeBouncerOp),
      ...others.flatMap((o) => repointOps(env, o, chosen)),
      verifyWriteOp(chosen, others, `failover to ${chosen.name}`),
    )
  }
  return {
    target: chosenName ?? '?',
    title: `Fail over ${env.endpoint.name} to ${chosenName ?? '?'}`,
    summary: `The primary ${oldNode?.name ?? '?'} is down. Promote ${chosenName ?? '?'} (the most advanced standby), repoint ${others.map((o) => o.name).join(', ') || 'no other standby'} to it, and mark ${oldNode?.name ?? 'the old primary'} as needing pg_rewind before it may rejoin ("switchyard pg rejoin ${env.environment} ${oldNode?.name ?? '<node>'}").`,
    risk: 'high',
    prechecks: checks,
    warnings,
    ops,
    bouncers,
    recover: async (failedAt, ctx) => (bouncers.length ? resumeAll(ctx, bouncers) : ''),
    followUp: oldNode
      ? `${oldNode.name} is fenced (standby.signal) and NEEDS A REWIND before it may rejoin: switchyard pg rejoin ${env.environment} ${oldNode.name}`
      : undefined,
  }
}
