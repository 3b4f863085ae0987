import { app, BrowserWindow, webContents } from 'electron'
import { fileURLToPath } from 'node:url'
import { createHandlers } from './app-handlers'
import { defaultDataDir } from './app-paths'
import { broadcastToWindows, registerIpc } from './ipc/router'
import { SafeStorageCipher } from './safe-storage-cipher'
import { ServiceHub } from './service-hub'
import { VERSION } from './version'
import { createMainWindow } from './window'

/** Electron shell: lifecycle only; every capability lives in the services behind createHandlers. */
const dataDir = defaultDataDir()
app.setPath('userData', dataDir)
app.enableSandbox()

if (!app.requestSingleInstanceLock()) app.quit()

app.whenReady().then(() => {
  const cipher = new SafeStorageCipher()
  const hub = new ServiceHub({ dataDir, cipher })
  const rendererUrl = process.env.ELECTRON_RENDERER_URL ?? new URL('../renderer/index.html', import.meta.url).href
  const handlers = createHandlers(hub, {
    info: { mode: 'electron', version: VERSION, dataDir, secretBackend: { kind: cipher.kind, warning: cipher.warning } },
    broadcastProgress: (p) => broadcastToWindows(webContents.getAllWebContents(), 'action:progress', p),
  })
  registerIpc(handlers, rendererUrl)
  const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
  createMainWindow(preload, rendererUrl)
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preload, rendererUrl)
  })
  app.on('before-quit', () => void hub.close())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
