import type { ActionRequest } from '../../../shared/action-requests'
import { pluginExitCode } from '../../../shared/domain/health'
import { verdictText } from '../../../shared/domain/mongo-balance'
import { formatBytes, formatSeconds } from '../../../shared/domain/units'
import {
  MongoAddShardRequest,
  MongoBalancerRequest,
  MongoBalancerWindowRequest,
  MongoChunkSizeRequest,
  MongoClearJumboRequest,
  MongoMoveRangeRequest,
  MongoRemoveShardRequest,
  MongoStepDownRequest,
  type MongoCluster,
} from '../../../shared/systems/mongo'
import { chooseEndpoint, MARK, numberFlag, parseCommand, requestFrom, runActionCommand, UsageError, type CliCommand, type CliContext } from '../../core/cli'
import { mongoService } from './mongo-service'

export const MONGO_USAGE = `usage: switchyard mongo <command> <env> [options]

  status <env> [--json]                        shards, chunk balance, balancer, migrations, replica sets
                                               (exit 0 ok, 1 warning, 2 critical, 3 unknown)
  balancer <env> start|stop                    stop waits for the running round to end
  balancer <env> --window HH:MM-HH:MM          set the active window (config servers' local time)
  balancer <env> --clear-window                balance at any time
  balancer <env> --chunk-size MB               the chunk (range) size
  move-range <env> <db.coll> --min EJSON --to SHARD
                                               moveRange (moveChunk before 6.0) of the chunk starting at min
  clear-jumbo <env> <db.coll> --min EJSON [--no-split]
                                               split the jumbo chunk (clears the flag) or only clear the flag
  step-down <env> <replica-set> [--catch-up S] [--step-down-secs S]
                                               replSetStepDown without force, after checking a caught-up secondary
  add-shard <env> <rs/host:port,...> [--name N]
  remove-shard <env> <shard>                   drain, move database primaries, watch until completed

  every command:  --endpoint ID   the MongoDB endpoint when the environment has several
  actions:        --dry-run       print the plan (the exact commands, mongosh syntax) and change nothing
                  --confirm NAME  run after checking NAME is the plan's target (or --yes)
                  --json          machine-readable plan and result
  action exit codes: 0 succeeded, 1 failed or pre-checks failed, 2 usage or not confirmed
`

export function formatCluster(c: MongoCluster): string {
  const lines = [`${MARK[c.status]} ${c.environment}/${c.endpointId}: ${c.reason} (MongoDB ${c.version}, ${c.durationMs} ms)`]
  const b = c.balancer
  lines.push(
    `  balancer ${b.enabled ? 'on' : 'off'}${b.running ? ', in a round' : ''}, ${b.rounds} rounds, window ${b.window ? `${b.window.start}-${b.window.stop}${b.inWindow ? ' (open)' : ' (closed)'}` : 'none'}, chunk size ${b.chunkSizeMB} MB${b.chunkSizeDefault ? ' (default)' : ''}`,
  )
  lines.push('  shard        chunks  jumbo  data        state')
  for (const s of c.shards)
    lines.push(
      `  ${s.id.padEnd(12)} ${String(s.chunks).padStart(6)}  ${String(s.jumboChunks).padStart(5)}  ${(s.dataBytes === null ? '-' : formatBytes(s.dataBytes)).padEnd(10)}  ${s.draining ? 'DRAINING' : 'active'}`,
    )
  for (const k of c.collections) {
    const spread =
      k.imbalance.metric === 'bytes'
        ? `${formatBytes(k.imbalance.spread)} / ${formatBytes(k.imbalance.threshold)}`
        : `${k.imbalance.spread} / ${k.imbalance.threshold} chunks`
    lines.push(
      `  ${k.ns} ${k.key}: ${k.shards.map((s) => `${s.shard}=${s.chunks}`).join(' ')}  spread ${spread}${k.imbalance.exceeds ? ' IMBALANCED' : ''}  server: ${verdictText(k.verdict)}`,
    )
  }
  for (const m of c.migrations.running) lines.push(`  migrating ${m.ns} ${m.min} ${m.from} -> ${m.to} for ${formatSeconds((c.checkedAt - m.startedAt) / 1000)}`)
  for (const rs of c.replicaSets) {
    lines.push(
      `  ${rs.name} (${rs.role}${rs.shard ? ` ${rs.shard}` : ''}): primary ${rs.primary ?? 'NONE'}${rs.error ? ` [${rs.error.code}] ${rs.error.message}` : ''}`,
    )
    for (const m of rs.members)
      lines.push(
        `    ${m.host.padEnd(22)} ${(m.initialSync?.percent != null ? `${m.state} ${Math.floor(m.initialSync.percent)}%` : m.state).padEnd(10)} lag ${(m.lagSeconds === null ? '-' : formatSeconds(m.lagSeconds)).padEnd(8)} oplog ${m.oplog ? `${m.oplog.windowHours.toFixed(1)} h` : '-'}${m.hidden ? ' hidden' : ''}${m.priority === 0 ? ' priority 0' : ''}`,
      )
  }
  for (const f of c.findings.filter((x) => x.status !== 'ok')) lines.push(`  ${MARK[f.status]}: ${f.reason}${f.fix ? ` (fix: ${f.fix.label})` : ''}`)
  return lines.join('\n') + '\n'
}

const options = {
  window: { type: 'string' },
  'clear-window': { type: 'boolean' },
  'chunk-size': { type: 'string' },
  min: { type: 'string' },
  to: { type: 'string' },
  'no-split': { type: 'boolean' },
  'catch-up': { type: 'string' },
  'step-down-secs': { type: 'string' },
  name: { type: 'string' },
} as const

/** `switchyard mongo ...`: argv starts after "mongo". */
async function mongoCommand(argv: string[], ctx: CliContext): Promise<number> {
  const { hub, io } = ctx
  const { values: v, positionals } = parseCommand(argv, options)
  const [verb, envName, arg] = positionals
  if (verb === 'help' || v.help) {
    io.out(MONGO_USAGE)
    return 0
  }
  if (!verb || !envName) throw new UsageError('missing <command> or <env>')
  const endpointId = await chooseEndpoint(hub, envName, ['mongo'], v.endpoint)
  if (verb === 'status') {
    const cluster = await mongoService(hub).cluster(envName, endpointId)
    io.out(v.json ? JSON.stringify(cluster, null, 2) + '\n' : formatCluster(cluster))
    return pluginExitCode(cluster.status)
  }
  const base = { environment: envName, endpointId }
  const what = `${verb} request`
  let request: ActionRequest
  switch (verb) {
    case 'balancer':
      if (arg === 'start' || arg === 'stop')
        request = requestFrom(what, MongoBalancerRequest.safeParse({ ...base, kind: 'mongo.balancer', enable: arg === 'start' }))
      else if (v.window !== undefined || v['clear-window']) {
        const m = v.window === undefined ? null : /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v.window)
        if (v.window !== undefined && !m) throw new UsageError('--window takes HH:MM-HH:MM, e.g. 23:00-06:00')
        request = requestFrom(
          what,
          MongoBalancerWindowRequest.safeParse({ ...base, kind: 'mongo.balancer-window', window: m ? { start: m[1], stop: m[2] } : null }),
        )
      } else if (v['chunk-size'] !== undefined)
        request = requestFrom(what, MongoChunkSizeRequest.safeParse({ ...base, kind: 'mongo.chunk-size', sizeMB: numberFlag(v['chunk-size'], 'chunk-size') }))
      else throw new UsageError('balancer needs start, stop, --window, --clear-window or --chunk-size')
      break
    case 'move-range':
      request = requestFrom(what, MongoMoveRangeRequest.safeParse({ ...base, kind: 'mongo.move-range', ns: arg, min: v.min, toShard: v.to }))
      break
    case 'clear-jumbo':
      request = requestFrom(what, MongoClearJumboRequest.safeParse({ ...base, kind: 'mongo.clear-jumbo', ns: arg, min: v.min, split: !v['no-split'] }))
      break
    case 'step-down':
      request = requestFrom(
        what,
        MongoStepDownRequest.safeParse({
          ...base,
          kind: 'mongo.step-down',
          replicaSet: arg,
          catchUpSecs: numberFlag(v['catch-up'], 'catch-up'),
          stepDownSecs: numberFlag(v['step-down-secs'], 'step-down-secs'),
        }),
      )
      break
    case 'add-shard':
      request = requestFrom(what, MongoAddShardRequest.safeParse({ ...base, kind: 'mongo.add-shard', connectionString: arg, name: v.name }))
      break
    case 'remove-shard':
      request = requestFrom(what, MongoRemoveShardRequest.safeParse({ ...base, kind: 'mongo.remove-shard', shard: arg }))
      break
    default:
      throw new UsageError(`unknown mongo command "${verb}"`)
  }
  return runActionCommand(ctx, request, v)
}

export const mongoCli: CliCommand = {
  name: 'mongo',
  summary: 'status|balancer|move-range|clear-jumbo|step-down|add-shard|remove-shard <env> ...   MongoDB sharded clusters',
  usage: MONGO_USAGE,
  run: mongoCommand,
}
