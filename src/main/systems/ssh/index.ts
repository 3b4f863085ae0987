import { defineSystem } from '../../core/system-module'
import { hostConditions } from './ssh-conditions'
import { probeSsh } from './overview-probe'

/** SSH hosts: the host card. The SSH transport itself is in core/ssh, since every system rides on it. */
export const sshSystem = defineSystem({ id: 'ssh', label: 'SSH hosts', endpointKinds: ['ssh'], probe: probeSsh, conditions: hostConditions })
