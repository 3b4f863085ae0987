import type { BrowserWindowConstructorOptions } from 'electron'

/** The renderer may load only its own files; it talks to main only through the preload's contract. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** BrowserWindow options per Electron's security checklist; asserted by a unit test. */
export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Switchyard',
    backgroundColor: '#101113',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  }
}

/** Only the app's own main frame may call into main: its file:// page, or the dev server in development. */
export function isTrustedSenderUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url)
    const r = new URL(rendererUrl)
    if (r.protocol === 'file:') return u.protocol === 'file:' && u.pathname === r.pathname
    return u.origin === r.origin
  } catch {
    return false
  }
}
