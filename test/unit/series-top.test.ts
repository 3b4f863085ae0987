import { describe, expect, it } from 'vitest'
import { maxSeries, topSeries } from '../../src/shared/domain/series-top'

const rows = [
  { a: 10, b: 1, c: 5, d: null },
  { a: 30, b: 3, c: null, d: 2 },
  { a: null, b: 2, c: 7 },
]
const members = ['a', 'b', 'c', 'd', 'e'].map((k) => ({ key: k, name: `node ${k}` }))

describe('stacked series of many members', () => {
  it('keeps the biggest by mean, largest first, and sums the rest into one series', () => {
    expect(topSeries(rows, members, 2, (n) => `${n} others`)).toEqual([
      { name: 'node a', values: [10, 30, null] },
      { name: 'node c', values: [5, null, 7] },
      { name: '2 others', values: [1, 5, 2], rest: true },
    ])
  })

  it('leaves out members without a value and adds no "others" when all fit', () => {
    expect(topSeries(rows, members, 10, (n) => `${n} others`).map((s) => s.name)).toEqual(['node a', 'node c', 'node b', 'node d'])
  })

  it('takes the largest value per row, null where nothing was measured', () => {
    expect(maxSeries([{ x: 1, y: 4 }, { x: null, y: 2 }, { z: 9 }], ['x', 'y'])).toEqual([4, 2, null])
  })
})
