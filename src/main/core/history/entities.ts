import type { HistoryPoint } from './history-store'

/** How far back a chart's history reaches when the view does not say. */
export const DEFAULT_WINDOW_MS = 3600_000

/** Points a chart gets at most: an hour of 2 s polls comes whole, longer ranges as bucket averages. */
export const CHART_POINTS = 2000

/** Fields per entity ({ pg2: { bytes, seconds } }) as one group's fields ("pg2.bytes", "pg2.seconds"). */
export function flatten(entities: Record<string, Record<string, number | null>>): Record<string, number | null> {
  const out: Record<string, number | null> = {}
  for (const [entity, fields] of Object.entries(entities)) for (const [field, value] of Object.entries(fields)) out[`${entity}.${field}`] = value
  return out
}

/** The reverse of flatten, per point; an entity name may hold dots, a field name does not. */
export function byEntity(points: HistoryPoint[]): { at: number; entities: Record<string, Record<string, number | null>> }[] {
  return points.map((p) => {
    const entities: Record<string, Record<string, number | null>> = {}
    for (const [key, value] of Object.entries(p.values)) {
      const dot = key.lastIndexOf('.')
      const entity = key.slice(0, dot)
      ;(entities[entity] ??= {})[key.slice(dot + 1)] = value
    }
    return { at: p.at, entities }
  })
}

/** The start of a history request: what the view asked for, else the default window. */
export function sinceOf(sinceMs: number | undefined, now = Date.now()): number {
  return sinceMs && sinceMs > 0 ? sinceMs : now - DEFAULT_WINDOW_MS
}
