import type { SystemModule } from '../core/system-module'
import { dockerReplicas, dockerSystem } from './docker'
import { mongoSystem } from './mongo'
import { nginxSystem } from './nginx'
import { postgresSystem } from './postgres'
import { redisSystem } from './redis'
import { sentinelSystem } from './sentinel'
import { sshSystem } from './ssh'

/** Every system the app knows: the only place that names them all. Adding a system is one line here. */
export const systems: readonly SystemModule[] = [sshSystem, redisSystem, sentinelSystem, mongoSystem, postgresSystem, nginxSystem(dockerReplicas), dockerSystem]
