import { describe, expect, it } from 'vitest'
import { loadKnee, type LoadPoint } from '../../src/shared/domain/load-knee'

const T = { p95Ms: 500, cpuPct: 70 }
const at = (i: number, rps: number, p95: number | null, cpu: number | null = 30): LoadPoint => ({ at: i * 60_000, rps, p95, cpu })

describe('the load at which a service strained before', () => {
  it('is the lower quartile of the strained moments’ request rates, named by what crossed', () => {
    const points = Array.from({ length: 40 }, (_, i) => {
      const rps = 10 + (i % 8) * 5
      return at(i, rps, rps >= 40 ? 800 : 50)
    })
    expect(loadKnee(points, T)).toEqual({ rps: 40, by: 'p95', threshold: 500, crossings: 10 })
    const hot = points.map((p) => ({ ...p, p95: 50, cpu: p.rps >= 35 ? 85 : 40 }))
    expect(loadKnee(hot, T)).toMatchObject({ rps: 35, by: 'cpu', threshold: 70 })
  })

  it('is nothing for a blip, for a service that never strained, or for strain at ordinary loads (a slow dependency)', () => {
    const calm = Array.from({ length: 30 }, (_, i) => at(i, 10 + i, 40))
    expect(loadKnee(calm, T)).toBeNull()
    expect(loadKnee([...calm, at(31, 60, 900), at(32, 61, 900)], T)).toBeNull()
    const unrelated = calm.map((p, i) => (i % 5 === 0 ? { ...p, rps: 12, p95: 900 } : p))
    expect(loadKnee(unrelated, T)).toBeNull()
  })
})
