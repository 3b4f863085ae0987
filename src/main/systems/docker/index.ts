import { defineSystem } from '../../core/system-module'
import { dockerRestart } from './docker-actions'
import { probeDocker } from './overview-probe'

export const dockerSystem = defineSystem({ id: 'docker', label: 'Docker', endpointKinds: ['docker'], probe: probeDocker, actions: () => [dockerRestart] })
