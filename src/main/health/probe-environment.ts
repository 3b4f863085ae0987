import { reasonFor, worstStatus } from '../../shared/domain/health'
import type { EnvironmentHealth, SystemHealth } from '../../shared/health'
import type { Endpoint } from '../../shared/inventory'
import type { Connections } from '../connections'
import { probeDocker } from '../docker/overview-probe'
import { withTimeout } from '../errors'
import { probeMongo } from '../mongo/overview-probe'
import { probeNginx } from '../nginx/overview-probe'
import { probePostgres } from '../postgres/overview-probe'
import { probeRedisCluster } from '../redis/overview-probe'
import { probeSentinel } from '../redis/sentinel-probe'
import { probeSsh } from '../ssh/ssh-probe'
import { systemDown } from './system-health'

const SYSTEM_OF = {
  ssh: 'ssh',
  'redis-cluster': 'redis',
  'redis-sentinel': 'sentinel',
  mongo: 'mongo',
  postgres: 'postgres',
  nginx: 'nginx',
  docker: 'docker',
} as const

/** Check one endpoint; never throws, a whole-system failure becomes a critical card. */
export async function probeEndpoint(endpoint: Endpoint, connections: Connections, timeoutMs = 12_000): Promise<SystemHealth> {
  const started = Date.now()
  try {
    const probe = (): Promise<SystemHealth> => {
      switch (endpoint.kind) {
        case 'ssh':
          return probeSsh(endpoint, connections)
        case 'redis-cluster':
          return probeRedisCluster(endpoint, connections)
        case 'redis-sentinel':
          return probeSentinel(endpoint, connections)
        case 'mongo':
          return probeMongo(endpoint, connections)
        case 'postgres':
          return probePostgres(endpoint, connections)
        case 'nginx':
          return probeNginx(endpoint, connections)
        case 'docker':
          return probeDocker(endpoint, connections)
      }
    }
    return await withTimeout(`checking ${endpoint.name}`, timeoutMs, probe())
  } catch (err) {
    return systemDown(endpoint, SYSTEM_OF[endpoint.kind], started, err, connections.secretValues())
  }
}

export async function probeEnvironment(connections: Connections): Promise<EnvironmentHealth> {
  const env = connections.environment
  const systems = await Promise.all(env.endpoints.map((e) => probeEndpoint(e, connections)))
  return {
    environment: env.name,
    status: worstStatus(systems.map((s) => s.status)),
    reason: reasonFor(systems.map((s) => ({ status: s.status, reason: `${s.name}: ${s.reason}` })), `${systems.length} systems ok`),
    systems,
    checkedAt: Date.now(),
  }
}
