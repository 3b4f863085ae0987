import { describe, expect, it } from 'vitest'
import { scrub, SwitchyardError, toConnError, withTimeout } from '../../src/main/core/errors'

describe('error classification', () => {
  it('maps socket errno codes to words a DBA acts on', () => {
    expect(toConnError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).code).toBe('refused')
    expect(toConnError(Object.assign(new Error('getaddrinfo ENOTFOUND db.invalid'), { code: 'ENOTFOUND' })).code).toBe('dns')
    expect(toConnError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).code).toBe('closed')
  })

  it('recognises authentication failures of every driver', () => {
    expect(toConnError(new Error('WRONGPASS invalid username-password pair or user is disabled.')).code).toBe('auth')
    expect(toConnError(Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' })).code).toBe('auth')
    expect(toConnError(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' })).code).toBe('auth')
  })

  it('unwraps AggregateError from dual-stack connects', () => {
    const agg = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:1'), { code: 'ECONNREFUSED' })], '')
    expect(toConnError(agg).code).toBe('refused')
  })

  it('keeps a host-key mismatch and its fingerprints', () => {
    const e = toConnError(
      new SwitchyardError('hostkey-changed', 'changed', {
        host: 'h',
        port: 22,
        algorithm: 'ssh-ed25519',
        fingerprint: 'SHA256:new',
        previousFingerprint: 'SHA256:old',
      }),
    )
    expect(e).toMatchObject({ code: 'hostkey-changed', hostKey: { fingerprint: 'SHA256:new', previousFingerprint: 'SHA256:old' } })
  })

  it('never lets a secret through', () => {
    expect(scrub('connect postgres://admin:hunter2@db:5432/app failed')).toBe('connect postgres://admin:***@db:5432/app failed')
    expect(scrub('password=hunter2 host=db')).toBe('password=*** host=db')
    expect(toConnError(new Error('auth failed with s3cr3t-pw'), ['s3cr3t-pw']).message).not.toContain('s3cr3t-pw')
  })

  it('times out with the name of what was slow', async () => {
    await expect(withTimeout('INFO on 10.0.0.1:6379', 20, new Promise(() => undefined))).rejects.toMatchObject({
      code: 'timeout',
      message: expect.stringContaining('INFO on'),
    })
  })
})
