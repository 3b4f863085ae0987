import { z } from 'zod'
import { PgNodeName } from '../../../shared/systems/postgres'
import { defineCondition } from '../../core/conditions'
import type { ServiceHub } from '../../core/service-hub'
import { postgresService } from './postgres-service'

const read = (ctx: { hub: ServiceHub; environment: string; endpointId: string }) => postgresService(ctx.hub).topology(ctx.environment, ctx.endpointId)

export const pgConditions = [
  defineCondition({
    name: 'pg.cluster-ok',
    summary: 'exactly one primary, every listed node up, every standby streaming',
    endpointKind: 'postgres',
    args: z.object({}).strict(),
    async evaluate(_args, ctx) {
      const t = await read(ctx)
      const primaries = t.nodes.filter((n) => n.role === 'primary')
      const downNodes = t.nodes.filter((n) => n.listed && (n.error || n.role === 'down'))
      const notStreaming = t.standbys.filter((s) => s.state !== 'streaming')
      return {
        passed: primaries.length === 1 && downNodes.length === 0 && notStreaming.length === 0,
        evidence: [
          `primary: ${primaries.map((n) => n.name).join(', ') || 'none'}`,
          downNodes.length ? `down: ${downNodes.map((n) => n.name).join(', ')}` : `${t.nodes.length} nodes up`,
          ...t.standbys.map((s) => `${s.standby}: ${s.label}, ${s.bytes ?? '?'} bytes / ${s.seconds ?? '?'} s behind`),
        ],
      }
    },
  }),
  defineCondition({
    name: 'pg.role',
    summary: 'a node is primary (read-write) or standby (in recovery)',
    endpointKind: 'postgres',
    args: z.object({ node: PgNodeName, role: z.enum(['primary', 'standby']) }).strict(),
    async evaluate({ node, role }, ctx) {
      const n = (await read(ctx)).nodes.find((x) => x.name === node)
      if (!n) return { passed: false, evidence: [`${node} is not a node of this endpoint`] }
      return {
        passed: n.role === role,
        evidence: [`${n.name} is ${n.role}${n.timeline ? ` on timeline ${n.timeline}` : ''}${n.error ? `: ${n.error.message}` : ''}`],
      }
    },
  }),
  defineCondition({
    name: 'pg.standby-caught-up',
    summary: 'a standby streams and is at most maxBytes behind its upstream',
    endpointKind: 'postgres',
    args: z.object({ node: PgNodeName, maxBytes: z.number().int().min(0).default(16_777_216) }).strict(),
    async evaluate({ node, maxBytes }, ctx) {
      const s = (await read(ctx)).standbys.find((x) => x.standby === node)
      if (!s) return { passed: false, evidence: [`${node} is not a standby`] }
      return {
        passed: s.state === 'streaming' && s.bytes !== null && s.bytes <= maxBytes,
        evidence: [`${node}: ${s.label}, ${s.bytes ?? '?'} bytes behind (at most ${maxBytes})`],
      }
    },
  }),
]
