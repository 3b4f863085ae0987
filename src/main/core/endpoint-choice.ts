import { SwitchyardError } from './errors'

/** The endpoint of one kind in an environment: the one named, or the only one. */
export function pickEndpoint(endpoints: readonly { id: string; kind: string }[], kind: string, label: string, endpointId?: string): string {
  const mine = endpoints.filter((e) => e.kind === kind)
  if (endpointId) {
    if (!mine.some((e) => e.id === endpointId)) throw new SwitchyardError('config', `"${endpointId}" is not a ${label} endpoint of this environment`)
    return endpointId
  }
  if (mine.length === 1) return mine[0]!.id
  if (mine.length === 0) throw new SwitchyardError('config', `this environment has no ${label} endpoint`)
  throw new SwitchyardError('config', `this environment has ${mine.length} ${label} endpoints (${mine.map((e) => e.id).join(', ')}): name one`)
}
