import { describe, expect, it } from 'vitest'
import { compareLsn, formatLsn, isLsn, lsnDiff, maxLsn, parseLsn } from '../../src/shared/domain/pg-lsn'
import { formatBytes } from '../../src/shared/domain/units'

describe('pg_lsn arithmetic', () => {
  it('parses both halves as hex', () => {
    expect(parseLsn('0/0')).toBe(0n)
    expect(parseLsn('0/3000148')).toBe(0x3000148n)
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n)
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe(2n ** 64n - 1n)
  })
  it('round-trips through formatLsn in upper case', () => {
    for (const s of ['0/0', '0/3000148', '16/B374D848', '1/0']) expect(formatLsn(parseLsn(s))).toBe(s)
    expect(formatLsn(parseLsn('a/bc'))).toBe('A/BC')
  })
  it('rejects what is not a position', () => {
    expect(() => parseLsn('0-3000148')).toThrow(/not a WAL position/)
    expect(() => parseLsn('')).toThrow()
    expect(isLsn('0/1')).toBe(true)
    expect(isLsn('x/1')).toBe(false)
    expect(isLsn(null)).toBe(false)
  })
  it('diffs like pg_wal_lsn_diff, across the 4 GiB boundary and negative', () => {
    expect(lsnDiff('0/3000148', '0/3000000')).toBe(0x148)
    expect(lsnDiff('1/0', '0/FFFFFFFF')).toBe(1)
    expect(lsnDiff('0/0', '0/10')).toBe(-16)
    expect(lsnDiff('16/B374D848', '16/B374D848')).toBe(0)
  })
  it('compares and picks the maximum, ignoring missing values', () => {
    expect(compareLsn('0/10', '0/9')).toBe(1)
    expect(compareLsn('1/0', '0/FFFFFFFF')).toBe(1)
    expect(compareLsn('0/A', '0/a')).toBe(0)
    expect(maxLsn(null, '0/5', undefined, '0/50', '0/6')).toBe('0/50')
    expect(maxLsn(null, undefined)).toBeUndefined()
  })
  it('formats byte counts for people', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(16 * 1024 * 1024)).toBe('16.0 MiB')
    expect(formatBytes(300 * 1024 ** 3)).toBe('300 GiB')
  })
})
