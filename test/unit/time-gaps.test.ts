import { describe, expect, it } from 'vitest'
import { breakGaps } from '../../src/renderer/src/components/time-gaps'

describe('chart lines over gaps in history', () => {
  it('breaks the line where samples stop for much longer than their step, and nowhere else', () => {
    const twoDaysAgo = 1_000_000
    const now = twoDaysAgo + 2 * 86_400_000
    const points: [number, number | null][] = [
      [twoDaysAgo, 1],
      [twoDaysAgo + 60_000, 2],
      [twoDaysAgo + 120_000, 3],
      [now, 4],
      [now + 2000, 5],
      [now + 4000, 6],
    ]
    const out = breakGaps(points)
    expect(out).toHaveLength(7)
    expect(out[3]).toEqual([twoDaysAgo + 120_001, null])
    expect(out.filter((p) => p[1] === null)).toHaveLength(1)
    expect(breakGaps(points.slice(0, 3))).toEqual(points.slice(0, 3))
  })
})
