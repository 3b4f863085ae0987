import type { ServiceHub } from '../core/service-hub'
import type { SystemModule } from '../core/system-module'
import type { AppTier } from '../../shared/systems/nginx'
import { dockerReplicas, dockerSystem } from './docker'
import { mongoSystem } from './mongo'
import { nginxSystem } from './nginx'
import { nginxService } from './nginx/nginx-service'
import { postgresSystem } from './postgres'
import { redisSystem } from './redis'
import { sentinelSystem } from './sentinel'
import { sshSystem } from './ssh'

/** Every system the app knows: the only place that names them all. Adding a system is one line here. */
export const systems: readonly SystemModule[] = [sshSystem, redisSystem, sentinelSystem, mongoSystem, postgresSystem, nginxSystem(dockerReplicas), dockerSystem]

/** The app tier behind an nginx endpoint as its page shows it: what the autoscaler decides on. */
export function readAppTier(hub: ServiceHub, environment: string, endpointId: string): Promise<AppTier> {
  return nginxService(hub, dockerReplicas).tier(environment, endpointId)
}
