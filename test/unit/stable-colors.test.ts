import { describe, expect, it } from 'vitest'
import { assignColors } from '../../src/shared/domain/stable-colors'

describe('stable master colours', () => {
  it('keeps every master its colour when the set changes order or a replica takes over', () => {
    const first = assignColors({}, ['m-7000', 'm-7001', 'm-7002'], 10)
    expect(new Set(Object.values(first)).size).toBe(3)
    // 7000 failed over to 7003: the survivors keep their colours, the new master gets a free one.
    const after = assignColors(first, ['m-7003', 'm-7002', 'm-7001'], 10)
    expect(after['m-7001']).toBe(first['m-7001'])
    expect(after['m-7002']).toBe(first['m-7002'])
    expect([after['m-7001'], after['m-7002']]).not.toContain(after['m-7003'])
    // and the old master, back as a master, gets its own colour again.
    expect(assignColors(after, ['m-7000', 'm-7001', 'm-7002'], 10)['m-7000']).toBe(first['m-7000'])
  })

  it('does not depend on the order ids arrive in on a fresh start', () => {
    const a = assignColors({}, ['x', 'y', 'z'], 10)
    const b = assignColors({}, ['z', 'y', 'x'], 10)
    // Without collisions every id takes its hash slot, whatever the order.
    if (new Set(Object.values(a)).size === 3) expect(b).toEqual(a)
  })

  it('spreads over the palette and reuses slots only when it is full', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `node-${i}`)
    const got = assignColors({}, ids, 10)
    const counts = new Map<number, number>()
    for (const v of Object.values(got)) counts.set(v, (counts.get(v) ?? 0) + 1)
    expect(counts.size).toBe(10)
    expect(Math.max(...counts.values())).toBe(2)
  })

  it('forgets old ids past its memory but never a present one', () => {
    let a = {}
    for (let i = 0; i < 20; i++) a = assignColors(a, [`n${i}`], 10, 5)
    expect(Object.keys(a).length).toBeLessThanOrEqual(5)
    expect(Object.keys(a)).toContain('n19')
  })
})
