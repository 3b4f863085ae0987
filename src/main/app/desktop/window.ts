import { BrowserWindow, session, shell } from 'electron'
import { isDeepLinkHash } from '../../../shared/deep-link'
import { CONTENT_SECURITY_POLICY, externalUrlAllowed, isTrustedSenderUrl, windowOptions } from './window-options'
import type { WindowState } from './window-state'

/** The main window with navigation, new windows and permission requests all blocked, where it was last, at the route given. */
export function createMainWindow(
  preloadPath: string,
  rendererUrl: string,
  place: { bounds: { x?: number; y?: number; width: number; height: number }; maximized: boolean; hash?: string },
): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  // desktop notifications of alerts, nothing else (camera, geolocation, clipboard reads…)
  session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'notifications'))

  const win = new BrowserWindow({ ...windowOptions(preloadPath), ...place.bounds })
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedSenderUrl(url, rendererUrl)) event.preventDefault()
  })
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app; any other URL goes nowhere.
    if (externalUrlAllowed(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.once('ready-to-show', () => {
    if (place.maximized) win.maximize()
    win.show()
  })
  void win.loadURL(`${rendererUrl}${place.hash ?? ''}`)
  return win
}

/** What to remember of the window: its place when not maximised, and the route it shows. */
export function windowStateOf(win: BrowserWindow): WindowState {
  const bounds = win.getNormalBounds()
  let hash: string | undefined
  try {
    const h = new URL(win.webContents.getURL()).hash
    hash = isDeepLinkHash(h) || !h.startsWith('#/') ? undefined : h
  } catch {
    hash = undefined
  }
  return { ...bounds, maximized: win.isMaximized(), ...(hash ? { hash } : {}) }
}
