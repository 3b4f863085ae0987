import type { VerificationCheck } from '../../../shared/actions'
import type { ClusterNodeEntry, MigrationMove, MigrationRecord, RedisTopology } from '../../../shared/systems/redis'
import { findNode } from '../../../shared/domain/redis-failover'
import { formatAddr, myselfOf } from '../../../shared/domain/redis-parse'
import { planRebalance, type RebalancePlan } from '../../../shared/domain/redis-rebalance'
import { countSlots, formatRanges, slotsOf } from '../../../shared/domain/slots'
import { step, type ActionContext, type ActionDefinition, type RunContext } from '../../core/actions/action-definition'
import type { PlanStep } from '../../../shared/actions'
import { SwitchyardError } from '../../core/errors'
import { shellCommand, shq } from '../../core/ssh/quote'
import { pollUntil } from '../../core/wait'
import { inspectNewNode, meetAndWait, nodesOf, snapshot, stateOkEverywhere, type ClusterSnapshot } from './cluster-ops'
import { publishMigrationProgress } from './migration-events'
import type { MigrationStore } from './migration-store'
import type { RedisClusterAccess } from './redis-access'
import {
  migrateAuthText,
  newMigrationRecord,
  remainingMoves,
  runSlotMigration,
  slotCommands,
  waitForSlotAgreement,
  type MigrationOutcome,
} from './slot-migration'

/** Rebalance, add a master, add a replica and remove a master: everything that moves slots or nodes. */

export interface ScaleDeps {
  store(): MigrationStore
}

const nameOf = (view: readonly ClusterNodeEntry[], id: string) => view.find((n) => n.id === id)?.addr ?? id.slice(0, 12)

function moveSteps(moves: readonly MigrationMove[], view: readonly ClusterNodeEntry[], access: RedisClusterAccess, batchKeys: number): PlanStep[] {
  return moves.map((m) => {
    const source = view.find((n) => n.id === m.source)
    const target = view.find((n) => n.id === m.target)
    const slots = formatRanges(m.ranges)
    const title = `Move ${countSlots(m.ranges)} slots ${source?.addr ?? m.source} → ${target?.addr ?? m.target}: ${slots}`
    if (!source || !target) return step(title)
    return step(title, ...slotCommands(source, target, `<each of ${slots}>`, batchKeys, migrateAuthText(access)))
  })
}

function masterList(topology: RedisTopology): ClusterNodeEntry[] {
  return topology.nodes.filter((n) => n.role === 'master' && !n.flags.includes('fail') && !n.flags.includes('noaddr') && !n.flags.includes('handshake'))
}

function rebalanceFor(
  snap: ClusterSnapshot,
  weights: Record<string, number>,
  useEmptyMasters: boolean,
  thresholdPct: number,
  extra?: { id: string; addr: string; weight: number },
): RebalancePlan {
  const masters = masterList(snap.topology).map((m) => ({ id: m.id, addr: m.addr, ranges: m.slots, weight: 1 }))
  if (extra && !masters.some((m) => m.id === extra.id)) masters.push({ id: extra.id, addr: extra.addr, ranges: [], weight: extra.weight })
  for (const [ref, w] of Object.entries(weights)) {
    const n = findNode(
      masters.map((m) => ({ ...m, ...splitAddr(m.addr) })),
      ref,
    )
    if (!n) throw new SwitchyardError('config', `weight given for ${ref}, which is not a master of this cluster`)
    masters.find((m) => m.id === n.id)!.weight = w
  }
  return planRebalance(masters, { useEmptyMasters, thresholdPct })
}

function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':')
  return { host: addr.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(addr.slice(i + 1)) }
}

function precheckCluster(snap: ClusterSnapshot, allowOpen: boolean): { name: string; passed: boolean; detail: string }[] {
  const t = snap.topology
  const open = t.findings.find((f) => f.code === 'open-slots')
  const down = t.nodes.filter((n) => n.role === 'master' && (n.error || n.flags.includes('fail') || n.flags.includes('fail?')))
  const memberAddrs = new Set(t.nodes.map((n) => n.addr))
  const notOk = snap.polls
    .filter((p) => memberAddrs.has(p.addr) && p.clusterInfo && p.clusterInfo.cluster_state !== 'ok')
    .map((p) => `${p.addr} (${p.clusterInfo!.cluster_state})`)
  return [
    {
      name: 'cluster_state ok',
      passed: t.clusterState === 'ok' && notOk.length === 0,
      detail: notOk.length ? `not ok on ${notOk.join(', ')}` : `cluster_state ${t.clusterState} on every node that answered`,
    },
    {
      name: 'no open slots',
      passed: allowOpen || !open,
      detail: open ? `${open.message}${allowOpen ? ' (they belong to the migration being resumed)' : '; run fix first'}` : 'none',
    },
    {
      name: 'all masters reachable',
      passed: down.length === 0,
      detail: down.length ? `down: ${down.map((n) => n.addr).join(', ')}` : `${masterList(t).length} masters answer`,
    },
  ]
}

/** Run (or resume) a persisted migration with progress to the action and to cluster watchers. */
async function migrate(
  ctx: RunContext,
  snap: ClusterSnapshot,
  store: MigrationStore,
  record: MigrationRecord,
  opts: { concurrency: number; batchKeys: number },
  fractionOf: [number, number] = [0, 1],
): Promise<MigrationOutcome> {
  const open = new Set<number>()
  for (const p of snap.polls) {
    const me = myselfOf(p.nodes)
    for (const m of me?.migrating ?? []) open.add(m.slot)
    for (const i of me?.importing ?? []) open.add(i.slot)
  }
  const [f0, f1] = fractionOf
  const outcome = await runSlotMigration({
    access: snap.access,
    record,
    store,
    nodes: snap.view,
    resumeSlots: open,
    concurrency: opts.concurrency,
    batchKeys: opts.batchKeys,
    signal: ctx.signal,
    onProgress: (p) => {
      publishMigrationProgress(p)
      const frac = p.slotsTotal ? p.slotsDone / p.slotsTotal : 1
      ctx.progress(
        `${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys, ${p.keysPerSec} keys/s${p.etaSeconds !== null ? `, ETA ${p.etaSeconds} s` : ''}`,
        f0 + (f1 - f0) * frac,
      )
    },
  })
  const agreed = await waitForSlotAgreement(snap.access, masterList(snap.topology))
  if (!agreed) ctx.progress('masters still disagree on the slot map after 20 s; gossip will converge')
  return outcome
}

function ownershipChecks(topology: RedisTopology, moves: readonly MigrationMove[]): VerificationCheck[] {
  const owner = new Map<number, string>()
  for (const n of topology.nodes) if (n.role === 'master') for (const s of slotsOf(n.slots)) owner.set(s, n.id)
  const wrong = moves.flatMap((m) => [...slotsOf(m.ranges)].filter((s) => owner.get(s) !== m.target))
  const open = topology.findings.find((f) => f.code === 'open-slots')
  const uncovered = topology.findings.find((f) => f.code === 'uncovered-slots')
  return [
    {
      name: 'slots at their new owners',
      passed: wrong.length === 0,
      detail: wrong.length
        ? `${wrong.length} slots not where planned, e.g. ${wrong.slice(0, 5).join(',')}`
        : `${moves.reduce((a, m) => a + countSlots(m.ranges), 0)} slots moved as planned`,
    },
    { name: 'no open slots', passed: !open, detail: open?.message ?? 'none' },
    { name: 'all slots covered', passed: !uncovered, detail: uncovered?.message ?? 'all 16384 covered' },
    { name: 'cluster_state ok', passed: topology.clusterState === 'ok', detail: `cluster_state ${topology.clusterState}` },
  ]
}

/** What prepare() decided: the moves, the migration it resumes, the node it adds or removes. */
interface ScaleState {
  moves: MigrationMove[]
  resume?: MigrationRecord
  newId?: string
  masterId?: string
}

function targetOf(ctx: ActionContext): string {
  return `${ctx.environment.name}/${ctx.endpoint.id}`
}

export function rebalanceAction(deps: ScaleDeps): ActionDefinition<'redis.rebalance', ScaleState> {
  return {
    kind: 'redis.rebalance',
    // The migration store keeps every moved batch: planned again, the rebalance resumes the interrupted migration.
    converges: true,
    async prepare(req, ctx) {
      const snap = await snapshot(ctx)
      const unfinished = await deps.store().unfinished(ctx.environment.name, ctx.endpoint.id)
      let moves: MigrationMove[]
      let summary: string
      const warnings: string[] = []
      if (unfinished) {
        moves = remainingMoves(unfinished)
        summary = `Resumes the interrupted migration ${unfinished.migrationId.slice(0, 8)} (${unfinished.reason}, ${countSlots(unfinished.done)} slots already done${unfinished.lastError ? `, stopped by: ${unfinished.lastError}` : ''}). Keys of slots found open are migrated with REPLACE: the source still owns them, so its copy wins.`
        warnings.push('an unfinished migration exists: this plan resumes it instead of planning a new rebalance')
      } else {
        const plan = rebalanceFor(snap, req.weights, req.useEmptyMasters, req.thresholdPct)
        moves = plan.moves
        summary = plan.skipped
          ? `Nothing to move: ${plan.skipped}.`
          : `Moves ${plan.slotsToMove} slots so that every master owns its share (${Object.entries(plan.expected)
              .map(([id, n]) => `${nameOf(snap.view, id)}=${n}`)
              .join(
                ', ',
              )}); worst imbalance now ${plan.worstImbalancePct.toFixed(1)}%. Clients keep working: keys of a slot being moved are answered through ASK redirects.`
      }
      return {
        target: targetOf(ctx),
        title: unfinished ? `Resume slot migration on ${ctx.endpoint.name}` : `Rebalance ${ctx.endpoint.name}`,
        summary,
        risk: 'medium',
        steps: [
          ...moveSteps(moves, snap.view, snap.access, req.batchKeys),
          step('Wait until every master agrees on the slot map', 'every master: CLUSTER NODES (poll until identical slot owners)'),
        ],
        prechecks: [
          ...precheckCluster(snap, Boolean(unfinished)),
          { name: 'something to move', passed: moves.length > 0, detail: moves.length ? `${moves.length} move(s)` : 'already balanced' },
        ],
        warnings,
        state: { moves, ...(unfinished ? { resume: unfinished } : {}) },
      }
    },
    async execute(req, { state: d }, ctx) {
      const snap = await snapshot(ctx)
      const record = d.resume ?? newMigrationRecord(ctx.environment.name, ctx.endpoint.id, d.moves, 'rebalance')
      ctx.step(`migrating ${d.moves.reduce((a, m) => a + countSlots(m.ranges), 0)} slots`)
      const o = await migrate(ctx, snap, deps.store(), record, req)
      ctx.step('waiting for agreement')
      return `moved ${o.slotsMoved} slots and ${o.keysMoved} keys in ${(o.durationMs / 1000).toFixed(1)} s (${o.keysPerSec} keys/s)`
    },
    async verify(_req, { state: d }, ctx) {
      const { topology } = await snapshot(ctx)
      return ownershipChecks(topology, d.moves)
    },
  }
}

/** The shell lines that start a new node over SSH from a template config (each argument quoted). */
export function startNodeCommands(start: { template: string; dir: string }, port: number): string[] {
  const conf = `${start.dir}/redis.conf`
  return [
    shellCommand('mkdir', '-p', start.dir),
    `${shellCommand('sed', '-e', `s|^port .*|port ${port}|`, '-e', `s|^dir .*|dir ${start.dir}|`, '-e', `s|^pidfile .*|pidfile ${start.dir}/redis.pid|`, '-e', `s|^logfile .*|logfile ${start.dir}/redis.log|`, start.template)} > ${shq(conf)}`,
    shellCommand('redis-server', conf, '--daemonize', 'yes'),
  ]
}

const NEW_NODE = '(new node)'

export function addMasterAction(deps: ScaleDeps): ActionDefinition<'redis.add-master', ScaleState> {
  return {
    kind: 'redis.add-master',
    async prepare(req, ctx) {
      const snap = await snapshot(ctx)
      const addr = formatAddr(req.node.host, req.node.port)
      const already = findNode(snap.topology.nodes, addr)
      if (already) throw new SwitchyardError('config', `${addr} is already a ${already.role} of this cluster`)
      const seed = masterList(snap.topology)[0]
      const startSteps: PlanStep[] = []
      let checks: { name: string; passed: boolean; detail: string }[]
      let newId: string | undefined
      if (req.start) {
        const sshId = req.start.sshHostId ?? (ctx.endpoint.kind === 'redis-cluster' ? ctx.endpoint.sshHostId : undefined)
        if (!sshId) throw new SwitchyardError('config', "starting a node needs an SSH host: set start.sshHostId or the endpoint's SSH host")
        const ssh = await ctx.connections.ssh(sshId)
        const template = await ssh.exec(shellCommand('grep', '-Eq', '^cluster-enabled +yes', req.start.template), { timeoutMs: 10_000 })
        const fresh = await ssh.exec(shellCommand('test', '!', '-e', `${req.start.dir}/redis.conf`), { timeoutMs: 10_000 })
        const running = await snap.access.call(addr, ['PING'], 1500).then(
          () => true,
          () => false,
        )
        checks = [
          {
            name: 'template usable',
            passed: template.code === 0,
            detail: template.code === 0 ? `${req.start.template} has cluster-enabled yes` : `${req.start.template} is missing or not a cluster config`,
          },
          {
            name: 'folder unused',
            passed: fresh.code === 0,
            detail: fresh.code === 0 ? `${req.start.dir} has no redis.conf yet` : `${req.start.dir}/redis.conf exists already`,
          },
          { name: 'port free', passed: !running, detail: running ? `something already answers on ${addr}` : `nothing answers on ${addr}` },
        ]
        startSteps.push(
          step(
            `Start redis-server on ${ssh.label} from ${req.start.template}`,
            ...startNodeCommands(req.start, req.node.port),
            `${addr}: PING (until PONG), up to 15 s`,
          ),
        )
      } else {
        const probe = await inspectNewNode(snap.access, addr)
        checks = probe.checks
        newId = probe.id
      }
      let moves: MigrationMove[] = []
      let balance = ''
      const id = newId ?? NEW_NODE
      if (req.rebalance && (newId || req.start)) {
        const plan = rebalanceFor(snap, {}, true, 0, { id, addr, weight: req.weight })
        moves = plan.moves
        balance = ` Then moves ${plan.slotsToMove} slots onto it (${Object.entries(plan.expected)
          .map(([x, n]) => `${x === id ? addr : nameOf(snap.view, x)}=${n}`)
          .join(', ')}).`
      }
      const view = [
        ...snap.view,
        { ...snap.view[0]!, id, addr, host: req.node.host, port: req.node.port, slots: [], role: 'master' as const, masterId: null, flags: ['master'] },
      ]
      return {
        target: addr,
        title: `Add ${addr} as a master of ${ctx.endpoint.name}`,
        summary: `${req.start ? `Starts ${addr} over SSH from ${req.start.template}, then introduces it` : `Introduces ${addr}`} to the cluster with CLUSTER MEET and waits until every node knows it.${balance}`,
        risk: 'medium',
        steps: [
          ...startSteps,
          step(`Introduce ${addr}`, `${addr}: CLUSTER MEET ${seed?.host ?? '?'} ${seed?.port ?? '?'}`),
          step(
            'Wait until every node knows it',
            `every node: CLUSTER NODES (poll until ${newId?.slice(0, 12) ?? addr} is listed without handshake), ${addr}: CLUSTER INFO (until cluster_state:ok), up to 30 s`,
          ),
          ...moveSteps(moves, view, snap.access, 1000),
          ...(moves.length ? [step('Wait until every master agrees on the slot map', 'every master: CLUSTER NODES')] : []),
        ],
        prechecks: [...checks, ...precheckCluster(snap, false)],
        warnings: req.start && moves.length ? ['the new node id is known only once it runs: the moves are planned again with it, to the same shares'] : [],
        state: { moves, ...(newId ? { newId } : {}) },
      }
    },
    async execute(req, { state: d }, ctx) {
      if (!d.newId && !req.start) throw new SwitchyardError('config', `${formatAddr(req.node.host, req.node.port)} does not answer; plan again`)
      const addr = formatAddr(req.node.host, req.node.port)
      let snap = await snapshot(ctx)
      let newId = d.newId
      if (req.start) {
        const sshId = req.start.sshHostId ?? (ctx.endpoint.kind === 'redis-cluster' ? ctx.endpoint.sshHostId : undefined)
        const ssh = await ctx.connections.ssh(sshId!)
        ctx.step(`starting redis-server for ${addr} on ${ssh.label}`)
        for (const line of startNodeCommands(req.start, req.node.port)) await ssh.run(line, { timeoutMs: 30_000 })
        newId = await pollUntil(
          `${addr} answering`,
          15_000,
          async () => {
            const id = String(await snap.access.call(addr, ['CLUSTER', 'MYID'], 1000))
            return /^[0-9a-f]{40}$/.test(id) ? { done: id } : { waiting: 'no id yet' }
          },
          200,
          ctx.signal,
        )
      }
      const seed = masterList(snap.topology)[0]
      if (!seed || !newId) throw new SwitchyardError('other', 'no master to meet')
      ctx.step(`CLUSTER MEET from ${addr}`)
      ctx.step('waiting for every node to know it')
      const ms = await meetAndWait(snap.access, addr, newId, seed, snap.topology.nodes, ctx.signal)
      const id = newId
      const moves = req.start && req.rebalance ? rebalanceFor(await snapshot(ctx), {}, true, 0, { id, addr, weight: req.weight }).moves : d.moves
      d.moves = moves
      d.newId = id
      if (!moves.length) return `${addr} joined as an empty master in ${ms} ms`
      snap = await snapshot(ctx)
      const record = newMigrationRecord(ctx.environment.name, ctx.endpoint.id, moves, `add master ${addr}`)
      const o = await migrate(ctx, snap, deps.store(), record, { concurrency: req.concurrency, batchKeys: 1000 })
      return `${addr} joined in ${ms} ms and took ${o.slotsMoved} slots (${o.keysMoved} keys, ${o.keysPerSec} keys/s)`
    },
    async verify(req, { state: d }, ctx) {
      const addr = formatAddr(req.node.host, req.node.port)
      const { topology } = await snapshot(ctx)
      const n = topology.nodes.find((x) => x.id === d.newId)
      return [
        {
          name: 'node is a master',
          passed: n?.role === 'master' && !n.flags.includes('handshake'),
          detail: n ? `${addr} is ${n.role} with ${countSlots(n.slots)} slots` : `${addr} is not in the cluster`,
        },
        ...ownershipChecks(topology, d.moves),
      ]
    },
  }
}

export const addReplicaAction: ActionDefinition<'redis.add-replica', ScaleState> = {
  kind: 'redis.add-replica',
  async prepare(req, ctx) {
    const snap = await snapshot(ctx)
    const addr = formatAddr(req.node.host, req.node.port)
    const master = findNode(snap.topology.nodes, req.master)
    if (!master || master.role !== 'master') throw new SwitchyardError('config', `${req.master} is not a master of this cluster`)
    const already = findNode(snap.topology.nodes, addr)
    if (already) throw new SwitchyardError('config', `${addr} is already a ${already.role} of this cluster`)
    const probe = await inspectNewNode(snap.access, addr)
    return {
      target: addr,
      title: `Add ${addr} as a replica of ${master.addr}`,
      summary: `Introduces ${addr} with CLUSTER MEET, makes it replicate ${master.addr} (${countSlots(master.slots)} slots) and waits for the initial sync to finish.`,
      risk: 'low',
      steps: [
        step(`Introduce ${addr}`, `${addr}: CLUSTER MEET ${master.host} ${master.port}`),
        step('Wait until every node knows it', 'every node: CLUSTER NODES (poll), up to 30 s'),
        step(`Replicate ${master.addr}`, `${addr}: CLUSTER REPLICATE ${master.id}`),
        step('Wait for the sync', `${addr}: INFO replication (until master_link_status:up and no sync in progress), up to 120 s`),
      ],
      prechecks: [...probe.checks, { name: 'master healthy', passed: !master.error && !master.flags.includes('fail'), detail: master.detail }],
      warnings:
        master.stats && master.stats.usedMemory > 1024 ** 3
          ? [`the initial sync copies ${Math.round(master.stats.usedMemory / 1024 ** 2)} MiB from ${master.addr}`]
          : [],
      state: { moves: [], masterId: master.id, ...(probe.id ? { newId: probe.id } : {}) },
    }
  },
  async execute(req, { state: { newId, masterId } }, ctx) {
    if (!newId || !masterId) throw new SwitchyardError('config', `${formatAddr(req.node.host, req.node.port)} does not answer; plan again`)
    const addr = formatAddr(req.node.host, req.node.port)
    const snap = await snapshot(ctx)
    const master = snap.topology.nodes.find((n) => n.id === masterId)
    if (!master) throw new SwitchyardError('config', 'the master left the cluster; plan again')
    ctx.step(`CLUSTER MEET from ${addr}`)
    ctx.step('waiting for every node to know it')
    await meetAndWait(snap.access, addr, newId, master, snap.topology.nodes, ctx.signal)
    ctx.step(`CLUSTER REPLICATE ${master.id.slice(0, 12)}`)
    await snap.access.call(addr, ['CLUSTER', 'REPLICATE', master.id])
    ctx.step('waiting for the initial sync')
    const started = Date.now()
    await pollUntil(
      `${addr} syncing from ${master.addr}`,
      120_000,
      async () => {
        const info = String(await snap.access.call(addr, ['INFO', 'replication'], 2000))
        return /master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info) ? { done: true } : { waiting: 'sync in progress' }
      },
      250,
      ctx.signal,
    )
    return `${addr} replicates ${master.addr} (synced in ${((Date.now() - started) / 1000).toFixed(1)} s)`
  },
  async verify(req, { state: { newId, masterId } }, ctx) {
    const { topology } = await snapshot(ctx)
    const n = topology.nodes.find((x) => x.id === newId)
    return [
      {
        name: 'node is a replica of the master',
        passed: n?.role === 'replica' && n.masterId === masterId,
        detail: n
          ? `${n.addr} is ${n.role}${n.masterId ? ` of ${nameOf(topology.nodes, n.masterId)}` : ''}`
          : `${formatAddr(req.node.host, req.node.port)} not in the cluster`,
      },
      { name: 'replication link up', passed: n?.stats?.masterLinkStatus === 'up', detail: `master_link_status ${n?.stats?.masterLinkStatus ?? '?'}` },
    ]
  },
}

export function removeMasterAction(deps: ScaleDeps): ActionDefinition<'redis.remove-master', ScaleState> {
  return {
    kind: 'redis.remove-master',
    async prepare(req, ctx) {
      const snap = await snapshot(ctx)
      const node = findNode(snap.topology.nodes, req.node)
      if (!node) throw new SwitchyardError('config', `no node ${req.node} in the cluster`)
      if (node.role !== 'master') throw new SwitchyardError('config', `${node.addr} is a replica; this action removes masters`)
      const others = masterList(snap.topology).filter((m) => m.id !== node.id)
      const drain = countSlots(node.slots) > 0 ? rebalanceFor(snap, { [node.id]: 0 }, false, 0) : undefined
      const moves = drain?.moves ?? []
      const replicas = snap.topology.nodes.filter((n) => n.role === 'replica' && n.masterId === node.id)
      const rest = snap.topology.nodes.filter((n) => n.id !== node.id)
      return {
        target: node.addr,
        title: `Remove master ${node.addr} from ${ctx.endpoint.name}`,
        summary: `Drains its ${countSlots(node.slots)} slots to the other masters, re-attaches its ${replicas.length} replica(s), makes every other node forget it (CLUSTER FORGET within the 60 s ban) and resets it to an empty stand-alone cluster node.`,
        risk: 'high',
        steps: [
          ...moveSteps(moves, snap.view, snap.access, 1000),
          step(
            'Re-attach replicas that follow it',
            ...(replicas.length
              ? replicas.map((r) => `${r.addr}: CLUSTER REPLICATE <master with the fewest replicas>`)
              : ['(none now; after draining, Redis 7 may move replicas on its own)']),
          ),
          step('Forget it everywhere (within 60 s)', ...rest.map((n) => `${n.addr}: CLUSTER FORGET ${node.id}`)),
          step(`Reset ${node.addr}`, `${node.addr}: CLUSTER RESET HARD`),
        ],
        prechecks: [
          ...precheckCluster(snap, false),
          { name: 'another master remains', passed: others.length > 0, detail: `${others.length} other master(s)` },
          { name: 'node reachable', passed: !node.error, detail: node.error?.message ?? `${node.addr} answers` },
        ],
        warnings: countSlots(node.slots) > 0 ? [`${countSlots(node.slots)} slots and their keys move to the other masters first`] : [],
        state: { moves, newId: node.id },
      }
    },
    async execute(req, { state: d }, ctx) {
      const id = d.newId!
      let snap = await snapshot(ctx)
      const node = snap.topology.nodes.find((n) => n.id === id)
      if (!node) throw new SwitchyardError('config', `${req.node} left the cluster already`)
      let moved = 0
      if (d.moves.length) {
        ctx.step(`draining ${countSlots(node.slots)} slots`)
        const record = newMigrationRecord(ctx.environment.name, ctx.endpoint.id, d.moves, `remove master ${node.addr}`)
        moved = (await migrate(ctx, snap, deps.store(), record, { concurrency: req.concurrency, batchKeys: 1000 }, [0, 0.8])).keysMoved
        snap = await snapshot(ctx)
      }
      ctx.step('re-attaching replicas')
      const masters = masterList(snap.topology).filter((m) => m.id !== id && m.slots.length > 0)
      const followers = snap.topology.nodes.filter((n) => n.role === 'replica' && n.masterId === id)
      for (const r of followers) {
        const least = [...masters].sort(
          (a, b) => snap.topology.nodes.filter((x) => x.masterId === a.id).length - snap.topology.nodes.filter((x) => x.masterId === b.id).length,
        )[0]
        if (!least) throw new SwitchyardError('other', 'no master left to attach replicas to')
        await snap.access.call(r.addr, ['CLUSTER', 'REPLICATE', least.id])
      }
      const rest = snap.topology.nodes.filter((n) => n.id !== id && !n.flags.includes('noaddr'))
      // Replicas learn the new owners over the bus; forgetting the node before they have would leave
      // its old slots unassigned in their view (cluster_state fail there) until gossip catches up.
      await pollUntil(
        'every node seeing the drained master without slots',
        20_000,
        async () => {
          const views = await Promise.all(rest.map((n) => nodesOf(snap.access, n.addr).catch(() => null)))
          const stale = rest.filter((_, i) => (views[i]?.find((x) => x.id === id)?.slots.length ?? 0) > 0)
          return stale.length ? { waiting: `${stale.map((n) => n.addr).join(', ')} still see slots on it` } : { done: true }
        },
        200,
        ctx.signal,
      )
      ctx.step('forgetting it on every node')
      const started = Date.now()
      const results = await Promise.all(
        rest.map((n) =>
          snap.access.call(n.addr, ['CLUSTER', 'FORGET', id], 5000).then(
            () => null,
            (err: unknown) => (/Unknown node/i.test(String(err)) ? null : `${n.addr}: ${err instanceof Error ? err.message : String(err)}`),
          ),
        ),
      )
      const failed = results.filter((r): r is string => r !== null)
      if (failed.length) throw new SwitchyardError('other', `CLUSTER FORGET failed on ${failed.join('; ')}`)
      ctx.step(`CLUSTER RESET HARD on ${node.addr}`)
      await snap.access.call(node.addr, ['CLUSTER', 'RESET', 'HARD'], 10_000)
      if (Date.now() - started > 55_000) ctx.progress('forgetting took close to the 60 s ban; check that the node does not reappear')
      await pollUntil('every node forgetting it', 20_000, async () => {
        const views = await Promise.all(rest.map((n) => nodesOf(snap.access, n.addr).catch(() => [])))
        const still = rest.filter((_, i) => views[i]!.some((x) => x.id === id))
        return still.length ? { waiting: `${still.map((n) => n.addr).join(', ')} still list it` } : { done: true }
      })
      await pollUntil(
        'cluster_state ok on every node',
        20_000,
        async () => {
          const st = await stateOkEverywhere(
            snap.access,
            rest.map((n) => n.addr),
          )
          return st.ok ? { done: true } : { waiting: st.detail }
        },
        200,
        ctx.signal,
      )
      return `${node.addr} removed${moved ? ` after moving ${moved} keys` : ''}`
    },
    async verify(req, { state: d }, ctx) {
      const snap = await snapshot(ctx)
      const node = snap.topology.nodes.find((n) => n.id === d.newId)
      const addr = req.node
      const st = await stateOkEverywhere(
        snap.access,
        snap.topology.nodes.map((n) => n.addr),
      )
      return [
        { name: 'forgotten by the cluster', passed: !node, detail: node ? `${node.addr} is still listed` : 'no node lists it' },
        {
          name: 'slots covered',
          passed: !snap.topology.findings.some((f) => f.code === 'uncovered-slots'),
          detail: snap.topology.findings.find((f) => f.code === 'uncovered-slots')?.message ?? 'all 16384 covered',
        },
        { name: 'cluster_state ok', passed: st.ok, detail: st.detail },
        { name: 'removed node reset', passed: true, detail: `${addr} reset (CLUSTER RESET HARD)` },
      ]
    },
  }
}
