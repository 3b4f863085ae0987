import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { secretDestination } from '../../src/shared/domain/secret-binding'
import { Endpoint } from '../../src/shared/inventory'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { destinationsOf, SecretStore } from '../../src/main/core/inventory/secret-store'
import { endpointToDraft, pointsElsewhere } from '../../src/renderer/src/views/environments/endpoint-draft'

const parsed = Endpoint.parse({ kind: 'redis-cluster', id: 'redis', name: 'Redis', seeds: [{ host: 'db1', port: 7000 }] })
if (parsed.kind !== 'redis-cluster') throw new Error('not a redis-cluster endpoint')
const redis = parsed

describe('secrets bound to where they were typed for', () => {
  it('a destination changes with host, port, user, seeds or tunnel, not with a name or a path', () => {
    const d = secretDestination(redis)
    expect(secretDestination({ ...redis, name: 'renamed' })).toBe(d)
    expect(secretDestination({ ...redis, seeds: [{ host: 'evil', port: 7000 }] })).not.toBe(d)
    expect(secretDestination({ ...redis, seeds: [{ host: 'db1', port: 7001 }] })).not.toBe(d)
    expect(secretDestination({ ...redis, seeds: [...redis.seeds, { host: 'db2', port: 7000 }] })).not.toBe(d)
    expect(secretDestination({ ...redis, username: 'admin' })).not.toBe(d)
    expect(secretDestination({ ...redis, viaSsh: 'bastion' })).not.toBe(d)
  })

  it('withholds a stored secret from a moved endpoint and drops it when the move is saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-bound-'))
    const store = new SecretStore(dir, new KeyFileCipher(dir))
    const here = destinationsOf([redis])
    await store.update('prod', { 'redis.password': 's3cret' }, here, new Map())
    expect((await store.bound('prod', here)).secrets).toEqual({ 'redis.password': 's3cret' })
    const moved = destinationsOf([{ ...redis, seeds: [{ host: '203.0.113.9', port: 7000 }] }])
    expect(await store.bound('prod', moved)).toEqual({ secrets: {}, withheld: ['redis.password'] })
    expect(await store.update('prod', {}, moved, here)).toEqual(['redis.password'])
    expect(await store.keys('prod')).toEqual([])
    // typed again with the move, it is kept and bound to the new place
    await store.update('prod', { 'redis.password': 'typed-again' }, moved, here)
    expect((await store.bound('prod', moved)).secrets).toEqual({ 'redis.password': 'typed-again' })
  })
})

describe('the environment editor', () => {
  it('knows when an edited endpoint points elsewhere than its stored secrets were typed for', () => {
    const saved = Endpoint.parse({ kind: 'postgres', id: 'pg', name: 'pg', user: 'app', nodes: [{ name: 'pg1', host: 'db1', port: 5432 }] })
    const draft = endpointToDraft(saved)
    expect(pointsElsewhere(draft)).toBe(false)
    expect(pointsElsewhere({ ...draft, name: 'renamed', database: 'other' })).toBe(false)
    expect(pointsElsewhere({ ...draft, addresses: 'pg1 evil.example:5432' })).toBe(true)
    expect(pointsElsewhere({ ...draft, user: 'postgres' })).toBe(true)
    expect(pointsElsewhere({ ...draft, sslmode: 'disable' })).toBe(true)
  })
})
