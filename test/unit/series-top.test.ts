import { describe, expect, it } from 'vitest'
import { entitiesOf, inRole, maxSeries, topSeries } from '../../src/shared/domain/series-top'

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

describe('values by the role a node held at each step', () => {
  // m1 was master and failed over to r1 at the third step; old rows (the first) carry no role
  const history = [
    { 'm1.ops': 50, 'r1.ops': 1, 'r1.lag': 0 },
    { 'm1.ops': 60, 'm1.master': 1, 'r1.ops': 2, 'r1.master': 0, 'r1.lag': 10 },
    { 'm1.ops': 0, 'm1.master': 0, 'm1.lag': 5, 'r1.ops': 70, 'r1.master': 1 },
    { 'm1.ops': 1, 'm1.master': 0.25, 'm1.lag': 0, 'r1.ops': 80, 'r1.master': 0.75 },
  ]
  const masterNow = (id: string) => id === 'r1'

  it("keeps a node's load where it was master, and takes the role it has now where none was recorded", () => {
    const masters = inRole(history, ['m1', 'r1'], ['ops'], true, masterNow)
    expect(masters.map((r) => r['m1.ops'])).toEqual([undefined, 60, undefined, undefined])
    expect(masters.map((r) => r['r1.ops'])).toEqual([1, undefined, 70, 80])
  })

  it('keeps replica lag where the node was a replica', () => {
    const replicas = inRole(history, ['m1', 'r1'], ['lag'], false, masterNow)
    expect(maxSeries(replicas, ['m1.lag', 'r1.lag'])).toEqual([null, 10, 5, 0])
  })

  it('names the entities of the keys, dots in an entity included', () => {
    expect([...entitiesOf([{ 'a.b.ops': 1, 'c.lag': null }, { 'c.ops': 2 }])]).toEqual(['a.b', 'c'])
  })
})
