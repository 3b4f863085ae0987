import { defineSystem } from '../../core/system-module'
import { probeNginx } from './overview-probe'

export const nginxSystem = defineSystem({ id: 'nginx', label: 'nginx', endpointKinds: ['nginx'], probe: probeNginx })
