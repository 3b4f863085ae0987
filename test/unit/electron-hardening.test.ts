import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, rendererFile } from '../../src/main/app/renderer-files'
import { tokenCookie } from '../../src/main/app/web-server'
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, externalUrlAllowed, isTrustedSenderUrl, rendererUrlFor } from '../../src/main/app/desktop/window-options'
import { flipAppFuses, FUSES } from '../../scripts/packaging/fuses'

/** A stand-in for an Electron binary: the fuse sentinel, wire version 1, nine fuses as Electron 45 ships them. */
function fakeElectron(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sy-fuses-')), 'electron')
  const wire = Buffer.from('101001000', 'ascii') // RunAsNode on, cookies off, NODE_OPTIONS on, --inspect on, …
  writeFileSync(
    path,
    Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire, Buffer.alloc(4096, 7)]),
  )
  return path
}

describe('desktop app hardening', () => {
  it('flips every fuse of a packaged binary: no Node mode, no inspector, no NODE_OPTIONS, asar only and checked, cookies encrypted', async () => {
    const binary = fakeElectron()
    await flipAppFuses(binary)
    const wire = await getCurrentFuseWire(binary)
    const on = (f: FuseV1Options) => Number(wire[f]) === '1'.charCodeAt(0)
    expect(on(FuseV1Options.RunAsNode)).toBe(false)
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe(false)
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe(false)
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe(true)
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe(true)
    expect(on(FuseV1Options.EnableCookieEncryption)).toBe(true)
    expect(on(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe(false)
    expect(FUSES.strictlyRequireAllFuses).toBe(true)
  })

  it('loads the renderer from app:// with the same CSP as web mode; the dev server only while developing', () => {
    expect(rendererUrlFor(true, 'http://localhost:5173/')).toBe(`${APP_ORIGIN}/index.html`)
    expect(rendererUrlFor(false, 'http://localhost:5173/')).toBe('http://localhost:5173/')
    expect(rendererUrlFor(false, 'https://evil.example/')).toBe(`${APP_ORIGIN}/index.html`)
    expect(rendererUrlFor(false, undefined)).toBe(`${APP_ORIGIN}/index.html`)
    expect(CONTENT_SECURITY_POLICY).toBe(contentSecurityPolicy())
    expect(contentSecurityPolicy(['ws://127.0.0.1:1'])).toBe(CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:1"))
    expect(isTrustedSenderUrl('app://switchyard/index.html#/overview', `${APP_ORIGIN}/index.html`)).toBe(true)
    expect(isTrustedSenderUrl('app://other/index.html', `${APP_ORIGIN}/index.html`)).toBe(false)
    expect(isTrustedSenderUrl('file:///tmp/evil.html', `${APP_ORIGIN}/index.html`)).toBe(false)
  })

  it('serves only files inside the renderer folder', () => {
    expect(rendererFile('/app/renderer', '/assets/index.js')).toBe('/app/renderer/assets/index.js')
    expect(rendererFile('/app/renderer', '/')).toBe('/app/renderer/index.html')
    expect(rendererFile('/app/renderer', '/..%2f..%2fetc/passwd')).toBe('/app/renderer/etc/passwd')
    expect(rendererFile('/app/renderer', '/%')).toBeUndefined()
    expect(rendererFile('/app/renderer', '/a%00b')).toBeUndefined()
  })

  it('hands only documentation links to the browser', () => {
    expect(externalUrlAllowed('https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/')).toBe(true)
    expect(externalUrlAllowed('https://www.postgresql.org/docs/current/app-pgrewind.html')).toBe(true)
    expect(externalUrlAllowed('http://redis.io/')).toBe(false)
    expect(externalUrlAllowed('https://evil.example/')).toBe(false)
    expect(externalUrlAllowed('https://user:pw@redis.io/')).toBe(false)
    expect(externalUrlAllowed('file:///etc/passwd')).toBe(false)
    expect(externalUrlAllowed('not a url')).toBe(false)
  })

  it("names the web token's cookie by port, so two instances never share one", () => {
    expect(tokenCookie(41234)).toBe('switchyard_token_41234')
    expect(tokenCookie(41234)).not.toBe(tokenCookie(41235))
  })
})
