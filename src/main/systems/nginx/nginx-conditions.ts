import { z } from 'zod'
import { UpstreamName } from '../../../shared/systems/nginx'
import { defineCondition } from '../../core/conditions'
import type { ReplicaProvider } from '../../core/replicas'
import { nginxService } from './nginx-service'

export function nginxConditions(replicas: ReplicaProvider) {
  return [
    defineCondition({
      name: 'app.backends-healthy',
      summary: 'every backend of an upstream in rotation answers its probe, and at least minUp do',
      endpointKind: 'nginx',
      args: z.object({ upstream: UpstreamName, minUp: z.number().int().min(1).default(1) }).strict(),
      async evaluate({ upstream, minUp }, ctx) {
        const t = await nginxService(ctx.hub, replicas).tier(ctx.environment, ctx.endpointId)
        const u = t.upstreams.find((x) => x.name === upstream)
        if (!u) return { passed: false, evidence: [`no upstream ${upstream} in nginx's configuration`] }
        const inRotation = u.backends.filter((b) => !b.down)
        const up = inRotation.filter((b) => b.health !== 'critical')
        return {
          passed: up.length === inRotation.length && up.length >= minUp,
          evidence: u.backends.map(
            (b) =>
              `${b.address}: ${b.down ? 'drained' : b.health === 'critical' ? `down (${b.probe.error ?? `HTTP ${b.probe.status}`})` : `up, ${b.probe.latencyMs ?? '?'} ms`}`,
          ),
        }
      },
    }),
  ]
}
