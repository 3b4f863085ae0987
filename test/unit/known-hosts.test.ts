import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { algorithmOf, fingerprintOf, KnownHostsStore } from '../../src/main/core/ssh/known-hosts'

/** A fake but well-formed ssh-ed25519 public key blob. */
function keyBlob(fill: number): Buffer {
  const name = Buffer.from('ssh-ed25519')
  const body = Buffer.alloc(32, fill)
  const len = (n: number) => Buffer.from([0, 0, 0, n])
  return Buffer.concat([len(name.length), name, len(body.length), body])
}

describe('known-hosts store', () => {
  it('fingerprints like OpenSSH and reads the algorithm from the blob', () => {
    expect(fingerprintOf(keyBlob(1))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/)
    expect(algorithmOf(keyBlob(1))).toBe('ssh-ed25519')
    expect(algorithmOf(Buffer.from([1]))).toBe('unknown')
  })

  it('refuses a first key until someone trusts its fingerprint, and never trusts over a known one', async () => {
    const store = new KnownHostsStore(mkdtempSync(join(tmpdir(), 'kh-')))
    expect(await store.check('db1', 22, keyBlob(1))).toMatchObject({ trusted: false, unknown: true, info: { fingerprint: fingerprintOf(keyBlob(1)) } })
    expect(await store.list()).toEqual([])
    await store.trust('db1', 22, 'ssh-ed25519', fingerprintOf(keyBlob(1)))
    expect(await store.check('db1', 22, keyBlob(1))).toMatchObject({ trusted: true, firstUse: false })
    await expect(store.trust('db1', 22, 'ssh-ed25519', fingerprintOf(keyBlob(2)))).rejects.toMatchObject({ code: 'hostkey-changed' })
  })

  it('with --accept-new-host-key, trusts on first use, then refuses a different key with both fingerprints', async () => {
    const store = new KnownHostsStore(mkdtempSync(join(tmpdir(), 'kh-')), true)
    expect(await store.check('db1', 22, keyBlob(1))).toMatchObject({ trusted: true, firstUse: true })
    expect(await store.check('db1', 22, keyBlob(1))).toMatchObject({ trusted: true, firstUse: false })
    const changed = await store.check('db1', 22, keyBlob(2))
    expect(changed).toMatchObject({ trusted: false, info: { fingerprint: fingerprintOf(keyBlob(2)), previousFingerprint: fingerprintOf(keyBlob(1)) } })
    // Another port of the same host is another identity.
    expect(await store.check('db1', 2222, keyBlob(2))).toMatchObject({ trusted: true, firstUse: true })
    expect(await store.list()).toHaveLength(2)
  })

  it('accepts a new key only after the old one is forgotten or a known key is pinned', async () => {
    const store = new KnownHostsStore(mkdtempSync(join(tmpdir(), 'kh-')), true)
    await store.check('db1', 22, keyBlob(1))
    expect(await store.forget('db1', 22)).toBe(true)
    expect(await store.forget('db1', 22)).toBe(false)
    expect(await store.check('db1', 22, keyBlob(2))).toMatchObject({ trusted: true, firstUse: true })
    await store.pin('db1', 22, keyBlob(3))
    expect(await store.check('db1', 22, keyBlob(3))).toMatchObject({ trusted: true, firstUse: false })
    expect((await store.check('db1', 22, keyBlob(2))).trusted).toBe(false)
  })
})
