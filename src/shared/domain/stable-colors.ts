/**
 * Colour slots that follow an identity (a Redis master's node id) instead of its sort position,
 * so a failover or a new master never repaints the others. An id keeps its slot for as long as it
 * is remembered; a new id takes its hash's slot when free, else the least-used one.
 */
export type ColorAssignments = Record<string, number>

function hashSlot(id: string, size: number): number {
  let h = 2166136261
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619)
  return (h >>> 0) % size
}

/** Assign a slot to each of `ids`, keeping `previous` for ids it knows; returns the new assignments (previous ones kept). */
export function assignColors(previous: ColorAssignments, ids: readonly string[], size: number, remember = 256): ColorAssignments {
  const next: ColorAssignments = { ...previous }
  const inUse = (slot: number) => ids.filter((id) => next[id] === slot).length
  for (const id of ids) {
    if (next[id] !== undefined && next[id] < size) continue
    delete next[id]
    const preferred = hashSlot(id, size)
    let best = preferred
    for (let k = 0; k < size && inUse(best) > 0; k++) {
      const candidate = (preferred + k) % size
      if (inUse(candidate) < inUse(best)) best = candidate
    }
    next[id] = best
  }
  // Forget the oldest ids past the limit, never one that is present now.
  const keys = Object.keys(next)
  for (const id of keys.slice(0, Math.max(0, keys.length - remember))) if (!ids.includes(id)) delete next[id]
  return next
}
