import { app, BrowserWindow, webContents } from 'electron'
import { defaultDataDir } from '../core/app-paths'
import { ServiceHub } from '../core/service-hub'
import { VERSION } from '../core/version'
import { createHandlers } from './handlers'
import { broadcastToWindows, registerIpc } from './ipc-router'
import { SafeStorageCipher } from './safe-storage-cipher'
import { createMainWindow } from './window'

export interface ElectronPaths {
  /** The renderer's index.html (file://) or the dev server's URL. */
  rendererUrl: string
  preloadPath: string
}

/** Electron shell: lifecycle only; every capability lives in the services behind createHandlers. */
export function startElectronApp({ rendererUrl, preloadPath }: ElectronPaths): void {
  const dataDir = defaultDataDir()
  app.setPath('userData', dataDir)
  app.enableSandbox()

  if (!app.requestSingleInstanceLock()) app.quit()

  void app.whenReady().then(async () => {
    const cipher = await SafeStorageCipher.create()
    const hub = new ServiceHub({ dataDir, cipher })
    const handlers = createHandlers(hub, {
      info: { mode: 'electron', version: VERSION, dataDir, secretBackend: { kind: cipher.kind, warning: cipher.warning } },
      broadcastProgress: (p) => broadcastToWindows(webContents.getAllWebContents(), 'action:progress', p),
    })
    registerIpc(handlers, rendererUrl)
    createMainWindow(preloadPath, rendererUrl)
    app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadPath, rendererUrl)
    })
    app.on('before-quit', () => void hub.close())
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
