/** Fields that say nothing about where a secret goes: renaming or re-pathing keeps the stored secrets. */
const NOT_WHERE = new Set(['name', 'labelFilter', 'probePath', 'configPath', 'prefix', 'dataDir', 'binDir', 'logPath', 'database'])

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !NOT_WHERE.has(k) && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonical(v)]),
  )
}

/**
 * Where an endpoint's secrets would be sent: every field that decides the host, port, user, seed
 * list, TLS or tunnel, as one string. A secret is stored with the destination it was typed for and
 * only ever used for an endpoint with the same one.
 */
export function secretDestination(endpoint: object): string {
  return JSON.stringify(canonical(endpoint))
}
