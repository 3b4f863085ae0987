import { z } from 'zod'
import { countSlots, SLOT_COUNT } from '../../../shared/domain/slots'
import type { RedisNode, RedisTopology } from '../../../shared/systems/redis'
import { RedisNodeRef } from '../../../shared/systems/redis'
import { defineCondition } from '../../core/conditions'
import { readTopology } from './redis-watch'

const down = (n: RedisNode) => !!n.error || n.flags.includes('fail')

function nodeOf(t: RedisTopology, ref: string): RedisNode | undefined {
  return t.nodes.find((n) => n.addr === ref || n.id === ref)
}

const read = (ctx: { hub: Parameters<typeof readTopology>[0]; environment: string; endpointId: string }) =>
  readTopology(ctx.hub, ctx.environment, ctx.endpointId)

export const redisConditions = [
  defineCondition({
    name: 'redis.cluster-ok',
    summary: 'cluster_state ok, every slot served by a live master, no open slots, no node down',
    endpointKind: 'redis-cluster',
    args: z.object({}).strict(),
    async evaluate(_args, ctx) {
      const t = await read(ctx)
      const served = t.nodes.filter((n) => n.role === 'master' && !down(n)).reduce((a, n) => a + countSlots(n.slots), 0)
      const open = t.nodes.reduce((a, n) => a + n.migrating.length + n.importing.length, 0)
      const nodesDown = t.nodes.filter(down).map((n) => n.addr)
      return {
        passed: t.clusterState === 'ok' && served === SLOT_COUNT && open === 0 && nodesDown.length === 0,
        evidence: [
          `cluster_state ${t.clusterState}`,
          `${served} of ${SLOT_COUNT} slots served by live masters`,
          `${open} open slots`,
          nodesDown.length ? `down: ${nodesDown.join(', ')}` : `${t.nodes.length} nodes, none down`,
        ],
      }
    },
  }),
  defineCondition({
    name: 'redis.role',
    summary: 'a node answers with this role (master or replica)',
    endpointKind: 'redis-cluster',
    args: z.object({ node: RedisNodeRef, role: z.enum(['master', 'replica']) }).strict(),
    async evaluate({ node, role }, ctx) {
      const t = await read(ctx)
      const n = nodeOf(t, node)
      if (!n) return { passed: false, evidence: [`${node} is not in the cluster`] }
      const master = n.masterId ? t.nodes.find((m) => m.id === n.masterId)?.addr : undefined
      return {
        passed: n.role === role && !down(n),
        evidence: [`${n.addr} is ${n.role}${master ? ` of ${master}` : ''}${down(n) ? ', and down' : ''}`],
      }
    },
  }),
  defineCondition({
    name: 'redis.replica-in-sync',
    summary: 'a master has a replica with its link up and lag at most maxLagBytes',
    endpointKind: 'redis-cluster',
    args: z.object({ master: RedisNodeRef, maxLagBytes: z.number().int().min(0).default(1_048_576) }).strict(),
    async evaluate({ master, maxLagBytes }, ctx) {
      const t = await read(ctx)
      const m = nodeOf(t, master)
      if (!m || m.role !== 'master') return { passed: false, evidence: [`${master} is not a master of the cluster`] }
      const replicas = t.nodes.filter((n) => n.masterId === m.id)
      const good = replicas.filter((r) => !down(r) && r.stats?.masterLinkStatus === 'up' && r.lagBytes !== null && r.lagBytes <= maxLagBytes)
      return {
        passed: good.length > 0,
        evidence: replicas.length
          ? replicas.map((r) => `${r.addr}: link ${r.stats?.masterLinkStatus ?? 'unknown'}, ${r.lagBytes ?? '?'} bytes behind${down(r) ? ', down' : ''}`)
          : [`${m.addr} has no replica`],
      }
    },
  }),
  defineCondition({
    name: 'redis.node-up',
    summary: 'a node answers and the cluster does not flag it failing',
    endpointKind: 'redis-cluster',
    args: z.object({ node: RedisNodeRef }).strict(),
    async evaluate({ node }, ctx) {
      const n = nodeOf(await read(ctx), node)
      if (!n) return { passed: false, evidence: [`${node} is not in the cluster`] }
      return { passed: !down(n), evidence: [`${n.addr}: ${n.error ? n.error.message : `flags ${n.flags.join(',')}`}`] }
    },
  }),
  defineCondition({
    name: 'redis.balanced',
    summary: 'every master holds its share of the slots within thresholdPct',
    endpointKind: 'redis-cluster',
    args: z.object({ thresholdPct: z.number().min(0).max(100).default(2) }).strict(),
    async evaluate({ thresholdPct }, ctx) {
      const t = await read(ctx)
      const worst = t.masters.reduce((a, m) => Math.max(a, Math.abs(m.imbalancePct)), 0)
      return {
        passed: t.masters.length > 0 && worst <= thresholdPct,
        evidence: [`${t.masters.length} masters; worst ${worst.toFixed(1)} % from its share`, ...t.masters.map((m) => `${m.addr}: ${m.slots} slots`)],
      }
    },
  }),
]
