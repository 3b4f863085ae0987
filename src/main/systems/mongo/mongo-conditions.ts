import { z } from 'zod'
import { initialSyncText, memberServes } from '../../../shared/domain/mongo-findings'
import { defineCondition } from '../../core/conditions'
import { mongoService } from './mongo-service'

export const mongoConditions = [
  defineCondition({
    name: 'mongo.balancer-idle',
    summary: 'the balancer is not in a round and no chunk migration is running',
    endpointKind: 'mongo',
    args: z.object({}).strict(),
    async evaluate(_args, ctx) {
      const c = await mongoService(ctx.hub).cluster(ctx.environment, ctx.endpointId)
      const running = c.migrations.running
      return {
        passed: !c.balancer.running && running.length === 0,
        evidence: [
          `balancer ${c.balancer.enabled ? 'enabled' : 'stopped'}, ${c.balancer.running ? 'in a round' : 'not in a round'}`,
          running.length ? `${running.length} migrations running: ${running.map((m) => `${m.ns} ${m.from} → ${m.to}`).join('; ')}` : 'no migration running',
        ],
      }
    },
  }),
  defineCondition({
    name: 'mongo.balancer',
    summary: 'the balancer is enabled (true) or stopped (false)',
    endpointKind: 'mongo',
    args: z.object({ enabled: z.boolean() }).strict(),
    async evaluate({ enabled }, ctx) {
      const c = await mongoService(ctx.hub).cluster(ctx.environment, ctx.endpointId)
      return { passed: c.balancer.enabled === enabled, evidence: [`balancer ${c.balancer.enabled ? 'enabled' : 'stopped'} (mode ${c.balancer.mode})`] }
    },
  }),
  defineCondition({
    name: 'mongo.replica-sets-ok',
    summary: 'every replica set has a primary and every member serves (healthy, not syncing, recovering or rolling back)',
    endpointKind: 'mongo',
    args: z.object({ maxLagSeconds: z.number().min(0).default(10) }).strict(),
    async evaluate({ maxLagSeconds }, ctx) {
      const c = await mongoService(ctx.hub).cluster(ctx.environment, ctx.endpointId)
      const bad = c.replicaSets.flatMap((rs) => [
        ...(rs.primary ? [] : [`${rs.name} has no primary`]),
        ...rs.members
          .filter((m) => !memberServes(m) || (m.lagSeconds ?? 0) > maxLagSeconds)
          .map((m) =>
            m.state === 'STARTUP2'
              ? `${rs.name} ${m.host} ${initialSyncText(m)}`
              : `${rs.name} ${m.host}: ${m.state}${m.lagSeconds !== null ? `, ${m.lagSeconds} s behind` : ''}`,
          ),
      ])
      return { passed: bad.length === 0, evidence: bad.length ? bad : [`${c.replicaSets.length} replica sets, each with a primary and healthy members`] }
    },
  }),
]
