import type { PeerCertificate } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { namesOneOf, tlsOptions } from '../../src/main/core/tls'
import { pgSsl, tlsNotice } from '../../src/main/systems/postgres/postgres-client'
import { Endpoint } from '../../src/shared/inventory'

const cert = { subject: { CN: 'mongo1.example.net' }, subjectaltname: 'DNS:mongo1.example.net, IP Address:10.0.0.5' } as unknown as PeerCertificate

describe('TLS that verifies', () => {
  it('maps sslmode as libpq does, verify-full by default and for old files that said prefer', () => {
    const pg = Endpoint.parse({ kind: 'postgres', id: 'pg', name: 'pg', user: 'app', nodes: [{ name: 'pg1', host: 'db1', port: 5432 }] })
    const prefer = Endpoint.parse({ kind: 'postgres', id: 'pg', name: 'pg', user: 'app', sslmode: 'prefer', nodes: [{ name: 'pg1', host: 'db1', port: 5432 }] })
    if (pg.kind !== 'postgres' || prefer.kind !== 'postgres') throw new Error('postgres')
    expect(pg.sslmode).toBe('verify-full')
    expect(prefer.sslmode).toBe('verify-full')
    expect(pgSsl({ sslmode: 'disable' }, 'db1')).toBe(false)
    expect(pgSsl({ sslmode: 'require' }, 'db1')).toEqual({ rejectUnauthorized: false })
    expect(pgSsl({ sslmode: 'verify-full' }, 'db1')).toMatchObject({ rejectUnauthorized: true, servername: 'db1', host: 'db1' })
    expect(pgSsl({ sslmode: 'verify-full' }, '10.0.0.5')).not.toHaveProperty('servername') // no SNI for an IP (RFC 6066)
    const verifyCa = pgSsl({ sslmode: 'verify-ca' }, 'db1') as { checkServerIdentity: () => unknown; rejectUnauthorized: boolean }
    expect(verifyCa.rejectUnauthorized).toBe(true)
    expect(verifyCa.checkServerIdentity()).toBeUndefined()
    expect(tlsNotice({ sslmode: 'disable' })[0]).toMatch(/no TLS/)
    expect(tlsNotice({ sslmode: 'require' })[0]).toMatch(/without a certificate check/)
    expect(tlsNotice({ sslmode: 'verify-full' })).toEqual([])
    expect(() => tlsOptions('db1', { caFile: '/nonexistent/ca.pem' })).toThrow(/cannot read the CA file/)
  })

  it('checks a tunnelled certificate against the hosts the endpoint names, not the socket', () => {
    expect(namesOneOf(['mongo1.example.net'])('localhost', cert)).toBeUndefined()
    expect(namesOneOf(['evil.example', '10.0.0.5'])('localhost', cert)).toBeUndefined()
    expect(namesOneOf(['evil.example'])('localhost', cert)).toBeInstanceOf(Error)
  })
})
