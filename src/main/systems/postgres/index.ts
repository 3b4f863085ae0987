import type { EndpointOf } from '../../../shared/inventory'
import type { Connections } from '../../core/connections'
import { observePostgres } from './postgres-observe'
import { defineSystem, needingAttention } from '../../core/system-module'
import { MOMENT_POINTS, momentSeries, reduceFields } from '../../core/history/moments'
import { pgConditions } from './postgres-conditions'
import { probePostgres } from './overview-probe'
import { patroniActions } from './actions/patroni'
import { probePgbouncer } from './pgbouncer-reader'
import { postgresActions } from './actions/index'
import { pgCli } from './postgres-cli'
import { postgresHandlers } from './postgres-handlers'
import { postgresService } from './postgres-service'

type Served = EndpointOf<'postgres' | 'pgbouncer'>

/** PostgreSQL clusters (direct or Patroni-managed) and the pgbouncers in front of them, which its switchovers repoint. */
export const postgresSystem = defineSystem({
  id: 'postgres',
  label: 'PostgreSQL',
  endpointKinds: ['postgres', 'pgbouncer'],
  probe: (endpoint: Served, connections: Connections) =>
    endpoint.kind === 'pgbouncer' ? probePgbouncer(endpoint, connections) : probePostgres(endpoint, connections),
  handlers: postgresHandlers,
  actions: () => [...postgresActions, ...patroniActions],
  cli: pgCli,
  conditions: pgConditions,
  findings: async (hub, environment, endpointId) => {
    const service = postgresService(hub)
    const kind = (await hub.inventory.get(environment)).endpoints.find((e) => e.id === endpointId)?.kind
    return needingAttention(
      kind === 'pgbouncer' ? (await service.bouncer(environment, endpointId)).findings : (await service.topology(environment, endpointId)).findings,
    )
  },
  observe: observePostgres,
  moments: async (hub, environment, endpointId, from, to) => {
    const { points } = await postgresService(hub).lagPoints(environment, endpointId, from, to, MOMENT_POINTS)
    return [
      momentSeries(points, 'PostgreSQL lag (worst standby)', 'bytes', (v) => reduceFields(v, 'bytes', 'max')),
      momentSeries(points, 'PostgreSQL lag (worst standby)', 's', (v) => reduceFields(v, 'seconds', 'max')),
    ]
  },
})
