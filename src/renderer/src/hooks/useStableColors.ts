import { useCallback, useEffect, useMemo } from 'react'
import { assignColors, type ColorAssignments } from '../../../shared/domain/stable-colors'

const storageKey = (scope: string) => `switchyard.colors.${scope}`

function stored(scope: string): ColorAssignments {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(storageKey(scope)) ?? '{}')
    return v && typeof v === 'object' ? (v as ColorAssignments) : {}
  } catch {
    return {}
  }
}

/** A colour per id (a master's node id) that stays with it across polls, failovers and reloads. */
export function useStableColors(scope: string, ids: readonly string[], palette: readonly string[]): (id: string) => string {
  const idsKey = ids.join(',')
  const assignments = useMemo(() => assignColors(stored(scope), idsKey ? idsKey.split(',') : [], palette.length), [scope, idsKey, palette.length])
  useEffect(() => {
    localStorage.setItem(storageKey(scope), JSON.stringify(assignments))
  }, [scope, assignments])
  return useCallback((id: string) => palette[assignments[id] ?? 0] ?? palette[0]!, [assignments, palette])
}
