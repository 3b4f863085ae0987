import type { MigrationMove } from '../../../../shared/systems/redis'
import { findNode } from '../../../../shared/domain/redis-failover'
import { formatAddr } from '../../../../shared/domain/redis-parse'
import { countSlots } from '../../../../shared/domain/slots'
import { step, type ActionDefinition } from '../../../core/actions/action-definition'
import type { PlanStep } from '../../../../shared/actions'
import { SwitchyardError } from '../../../core/errors'
import { shellCommand, shq } from '../../../core/ssh/quote'
import { pollUntil } from '../../../core/wait'
import { inspectNewNode, meetAndWait, snapshot } from '../cluster-ops'
import { newMigrationRecord } from '../slot-migration'
import {
  type ScaleDeps,
  nameOf,
  moveSteps,
  masterList,
  rebalanceFor,
  precheckCluster,
  migrate,
  ownershipChecks,
  type ScaleState,
  movePlanFields,
} from './scale-common'

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
      const startedAt = Date.now()
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
      const predicted = await movePlanFields(ctx, deps.store(), snap, moves, {
        kind: 'redis.add-master',
        concurrency: req.concurrency,
        batchKeys: 1000,
        startedAt,
        addrOf: (x) => (x === id ? addr : undefined),
      })
      const view = [
        ...snap.view,
        { ...snap.view[0]!, id, addr, host: req.node.host, port: req.node.port, slots: [], role: 'master' as const, masterId: null, flags: ['master'] },
      ]
      return {
        ...predicted,
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
        prechecks: [...checks, ...precheckCluster(snap, false), ...predicted.prechecks],
        warnings: [
          ...(req.start && moves.length ? ['the new node id is known only once it runs: the moves are planned again with it, to the same shares'] : []),
          ...predicted.warnings,
        ],
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
