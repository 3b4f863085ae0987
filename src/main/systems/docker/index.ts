import { defineSystem } from '../../core/system-module'
import { dockerRestart } from './actions/index'
import { dockerHandlers } from './docker-handlers'
import { probeDocker } from './overview-probe'

export { dockerReplicas } from './actions/scale'

export const dockerSystem = defineSystem({
  id: 'docker',
  label: 'Docker',
  endpointKinds: ['docker'],
  probe: probeDocker,
  handlers: dockerHandlers,
  actions: () => [dockerRestart],
})
