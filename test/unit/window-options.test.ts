import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY, isTrustedSenderUrl, windowOptions } from '../../src/main/app/desktop/window-options'

describe('BrowserWindow security options', () => {
  const prefs = windowOptions('/app/out/preload/index.cjs').webPreferences!

  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
  })

  it('has a strict CSP: own scripts only, no eval, no plugins, no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'")
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/)
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'")
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'")
  })

  it('trusts only the app page as an IPC sender', () => {
    const app = 'app://switchyard/index.html'
    expect(isTrustedSenderUrl('app://switchyard/index.html#/overview', app)).toBe(true)
    expect(isTrustedSenderUrl('file:///tmp/evil.html', app)).toBe(false)
    expect(isTrustedSenderUrl('file:///opt/switchyard/out/renderer/index.html', 'file:///opt/switchyard/out/renderer/index.html')).toBe(false)
    expect(isTrustedSenderUrl('https://example.com/', app)).toBe(false)
    expect(isTrustedSenderUrl('http://localhost:5173/#/x', 'http://localhost:5173/')).toBe(true)
    expect(isTrustedSenderUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isTrustedSenderUrl('not a url', app)).toBe(false)
  })
})
