import { defineSystem } from '../../core/system-module'
import { dockerRestart } from './docker-actions'
import { containerLogs } from './docker-logs'
import { probeDocker } from './overview-probe'

export { dockerReplicas } from './docker-scale'

export const dockerSystem = defineSystem({
  id: 'docker',
  label: 'Docker',
  endpointKinds: ['docker'],
  probe: probeDocker,
  handlers: (hub) => ({
    'docker:logs': async (input) => containerLogs((await hub.connect(input.name)).connections, input.endpointId, input.container, input.since, input.tail),
  }),
  actions: () => [dockerRestart],
})
