import { defineSystem } from '../../core/system-module'
import { probeMongo } from './overview-probe'

export const mongoSystem = defineSystem({ id: 'mongo', label: 'MongoDB', endpointKinds: ['mongo'], probe: probeMongo })
