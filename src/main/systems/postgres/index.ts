import { defineSystem, needingAttention } from '../../core/system-module'
import { pgConditions } from './pg-conditions'
import { probePostgres } from './overview-probe'
import { postgresActions } from './postgres-actions'
import { pgCli } from './postgres-cli'
import { postgresHandlers } from './postgres-handlers'
import { MOMENT_POINTS, momentSeries, reduceFields } from '../../core/history/moments'
import { lagScope, postgresService } from './postgres-service'

export const postgresSystem = defineSystem({
  id: 'postgres',
  label: 'PostgreSQL',
  endpointKinds: ['postgres'],
  probe: probePostgres,
  handlers: postgresHandlers,
  actions: () => postgresActions,
  cli: pgCli,
  conditions: pgConditions,
  findings: async (hub, environment, endpointId) => needingAttention((await postgresService(hub).topology(environment, endpointId)).findings),
  observe: async (hub, environment, endpointId) => {
    const t = await postgresService(hub).topology(environment, endpointId)
    return {
      values: [
        ...t.nodes.map((n) => ({ endpointId, metric: 'node-down' as const, subject: n.name, value: n.error ? 1 : 0 })),
        ...t.standbys.flatMap((s) => [
          ...(s.bytes !== null ? [{ endpointId, metric: 'pg-lag-bytes' as const, subject: s.standby, value: s.bytes }] : []),
          ...(s.seconds !== null ? [{ endpointId, metric: 'pg-lag-seconds' as const, subject: s.standby, value: s.seconds }] : []),
        ]),
      ],
      facts: t.nodes.map((n) => ({ endpointId, subject: n.name, aspect: 'role' as const, value: n.role })),
    }
  },
  moments: (hub, environment, endpointId, from, to) => {
    const points = hub.history.read(lagScope(environment, endpointId), from, to, MOMENT_POINTS)
    return Promise.resolve([
      momentSeries(points, 'PostgreSQL lag (worst standby)', 'bytes', (v) => reduceFields(v, 'bytes', 'max')),
      momentSeries(points, 'PostgreSQL lag (worst standby)', 's', (v) => reduceFields(v, 'seconds', 'max')),
    ])
  },
})
