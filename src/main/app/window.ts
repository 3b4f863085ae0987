import { BrowserWindow, session, shell } from 'electron'
import { CONTENT_SECURITY_POLICY, externalUrlAllowed, isTrustedSenderUrl, windowOptions } from './window-options'

/** The main window with navigation, new windows and permission requests all blocked. */
export function createMainWindow(preloadPath: string, rendererUrl: string): BrowserWindow {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } })
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

  const win = new BrowserWindow(windowOptions(preloadPath))
  win.webContents.on('will-navigate', (event, url) => {
    if (!isTrustedSenderUrl(url, rendererUrl)) event.preventDefault()
  })
  win.webContents.on('will-attach-webview', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app; any other URL goes nowhere.
    if (externalUrlAllowed(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.once('ready-to-show', () => win.show())
  void win.loadURL(rendererUrl)
  return win
}
