import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { shellCommand, shq } from '../../src/main/core/ssh/quote'

describe('shell quoting', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shq('pg_ctl')).toBe('pg_ctl')
    expect(shq('/var/lib/postgresql/15/main')).toBe('/var/lib/postgresql/15/main')
    expect(shq(5432)).toBe('5432')
    expect(shq('a b')).toBe("'a b'")
    expect(shq('')).toBe("''")
    expect(shq("it's")).toBe(`'it'\\''s'`)
  })

  it('refuses NUL bytes', () => {
    expect(() => shq('a\0b')).toThrow(/NUL/)
  })

  it('survives a real shell unchanged, whatever the argument holds', () => {
    const nasty = ['$(touch /tmp/pwned)', '`id`', 'a\'b"c', '; rm -rf /', '$HOME', 'x\ny', '\\', '*', '--flag=$(id)', 'ümlaut ✓']
    const script = shellCommand('printf', '%s\\0', ...nasty)
    const out = execFileSync('/bin/sh', ['-c', script]).toString('utf8')
    expect(out.split('\0').slice(0, -1)).toEqual(nasty)
  })
})
