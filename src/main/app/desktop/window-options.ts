import type { BrowserWindowConstructorOptions } from 'electron'
import { contentSecurityPolicy } from '../renderer-files'

/** The renderer may load only its own files; it talks to main only through the preload's contract. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy()

/** The renderer's own origin in the desktop app: files served by main, never file:// (which any local file shares). */
export const APP_SCHEME = 'app'
export const APP_ORIGIN = `${APP_SCHEME}://switchyard`

/**
 * Where the window loads the renderer from: app://switchyard/ in a packaged app; the dev server's
 * URL only while developing (ELECTRON_RENDERER_URL is ignored by a packaged build).
 */
export function rendererUrlFor(packaged: boolean, devServerUrl: string | undefined): string {
  if (!packaged && devServerUrl && /^http:\/\/(localhost|127\.0\.0\.1):\d+\/?$/.test(devServerUrl)) return devServerUrl
  return `${APP_ORIGIN}/index.html`
}

/** Documentation sites the app links to: the only URLs it hands to the user's browser. */
const EXTERNAL_HOSTS = new Set([
  'redis.io',
  'www.postgresql.org',
  'www.mongodb.com',
  'nginx.org',
  'docs.docker.com',
  'patroni.readthedocs.io',
  'www.pgbouncer.org',
  'prometheus.io',
  'github.com',
])

/** Whether a link may leave the app for the user's browser: https, no credentials, to a documentation site. */
export function externalUrlAllowed(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && !u.username && !u.password && !u.port && EXTERNAL_HOSTS.has(u.hostname)
  } catch {
    return false
  }
}

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

/** Only the app's own main frame may call into main: its app:// page, or the dev server in development. */
export function isTrustedSenderUrl(url: string, rendererUrl: string): boolean {
  try {
    const u = new URL(url)
    const r = new URL(rendererUrl)
    if (r.protocol === `${APP_SCHEME}:`) return u.protocol === r.protocol && u.host === r.host
    return (r.protocol === 'http:' || r.protocol === 'https:') && u.origin === r.origin
  } catch {
    return false
  }
}
