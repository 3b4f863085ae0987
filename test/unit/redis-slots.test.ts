import { describe, expect, it } from 'vitest'
import {
  chunkRanges,
  countSlots,
  crc16,
  expandRanges,
  formatRanges,
  keySlot,
  normalizeRanges,
  parseRanges,
  subtractRanges,
  takeLastSlots,
  takeSlots,
  toRanges,
  uncoveredRanges,
} from '../../src/shared/domain/slots'

describe('key slots', () => {
  it('matches the CRC16 check value and Redis key slots', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x31c3)
    // Values from redis-cli CLUSTER KEYSLOT.
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('bar')).toBe(5061)
    expect(keySlot('')).toBe(0)
  })

  it('honours hash tags exactly like Redis', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'))
    expect(keySlot('{user1000}.followers')).toBe(keySlot('{user1000}.following'))
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}')) // empty tag: the whole key
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'))
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'))
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'))
  })
})

describe('slot ranges', () => {
  it('compresses slots to ranges and back', () => {
    expect(toRanges([5, 3, 4, 10, 11, 0])).toEqual([
      { start: 0, end: 0 },
      { start: 3, end: 5 },
      { start: 10, end: 11 },
    ])
    expect(expandRanges([{ start: 3, end: 5 }])).toEqual([3, 4, 5])
    expect(
      countSlots([
        { start: 0, end: 5460 },
        { start: 10923, end: 16383 },
      ]),
    ).toBe(10922)
  })

  it('formats and parses like redis-cli', () => {
    expect(
      formatRanges([
        { start: 0, end: 5460 },
        { start: 7000, end: 7000 },
      ]),
    ).toBe('0-5460,7000')
    expect(formatRanges([])).toBe('(none)')
    expect(parseRanges('7000, 0-5460,5461')).toEqual([
      { start: 0, end: 5461 },
      { start: 7000, end: 7000 },
    ])
    expect(() => parseRanges('16384')).toThrow(/not a valid slot range/)
    expect(() => parseRanges('5-3')).toThrow()
    expect(() => parseRanges('x')).toThrow(/not a slot/)
  })

  it('finds uncovered slots', () => {
    expect(
      uncoveredRanges([
        { start: 0, end: 5460 },
        { start: 10923, end: 16383 },
      ]),
    ).toEqual([{ start: 5461, end: 10922 }])
    expect(uncoveredRanges([{ start: 0, end: 16383 }])).toEqual([])
    expect(uncoveredRanges([])).toEqual([{ start: 0, end: 16383 }])
  })

  it('normalises, subtracts, chunks and takes', () => {
    expect(
      normalizeRanges([
        { start: 10, end: 20 },
        { start: 0, end: 9 },
        { start: 15, end: 30 },
      ]),
    ).toEqual([{ start: 0, end: 30 }])
    expect(subtractRanges([{ start: 0, end: 10 }], [{ start: 3, end: 4 }])).toEqual([
      { start: 0, end: 2 },
      { start: 5, end: 10 },
    ])
    const chunks = chunkRanges(
      [
        { start: 0, end: 9 },
        { start: 20, end: 24 },
      ],
      4,
    )
    expect(chunks.map((c) => countSlots(c))).toEqual([4, 4, 4, 3])
    expect(chunks[2]).toEqual([
      { start: 8, end: 9 },
      { start: 20, end: 21 },
    ])
    expect(
      takeSlots(
        [
          { start: 0, end: 2 },
          { start: 10, end: 20 },
        ],
        5,
      ),
    ).toEqual([
      { start: 0, end: 2 },
      { start: 10, end: 11 },
    ])
    expect(
      takeLastSlots(
        [
          { start: 0, end: 2 },
          { start: 10, end: 12 },
        ],
        4,
      ),
    ).toEqual([
      { start: 2, end: 2 },
      { start: 10, end: 12 },
    ])
  })
})
