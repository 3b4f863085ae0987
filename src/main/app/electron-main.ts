import { app, BrowserWindow, dialog, protocol, webContents } from 'electron'
import { actionsRunning, stopRunningActions } from '../core/actions/action-runner'
import { defaultDataDir } from '../core/app-paths'
import { ServiceHub } from '../core/service-hub'
import { VERSION } from '../core/version'
import { createHandlers } from './handlers'
import { autoscaler } from '../features/autoscale/autoscaler'
import { broadcastToWindows, registerIpc } from './ipc-router'
import { SafeStorageCipher } from './safe-storage-cipher'
import { readRendererFile, rendererFile } from './renderer-files'
import { createMainWindow } from './window'
import { APP_SCHEME, CONTENT_SECURITY_POLICY, rendererUrlFor } from './window-options'

export interface ElectronPaths {
  /** The built renderer's folder, served as app://switchyard/. */
  rendererDir: string
  /** The dev server's URL (ELECTRON_RENDERER_URL), used only when the app is not packaged. */
  devServerUrl: string | undefined
  preloadPath: string
}

/** Electron shell: lifecycle only; every capability lives in the services behind createHandlers. */
export function startElectronApp({ rendererDir, devServerUrl, preloadPath }: ElectronPaths): void {
  // A second instance hands over to the first and leaves at once (app.quit() would let it start up first).
  if (!app.requestSingleInstanceLock()) {
    app.exit(0)
    return
  }
  const dataDir = defaultDataDir()
  app.setPath('userData', dataDir)
  app.enableSandbox()
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
  const rendererUrl = rendererUrlFor(app.isPackaged, devServerUrl)

  void app.whenReady().then(async () => {
    protocol.handle(APP_SCHEME, async (request) => {
      const url = new URL(request.url)
      const path = url.host === 'switchyard' ? rendererFile(rendererDir, url.pathname) : undefined
      if (!path) return new Response('not found', { status: 404 })
      const file = await readRendererFile(rendererDir, path)
      const body = typeof file.body === 'string' ? file.body : new Uint8Array(file.body)
      return new Response(body, {
        status: file.status,
        headers: { 'content-type': file.type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' },
      })
    })
    const cipher = await SafeStorageCipher.create()
    const hub = new ServiceHub({ dataDir, cipher })
    const handlers = createHandlers(hub, {
      info: { mode: 'electron', version: VERSION, dataDir, secretBackend: { kind: cipher.kind, warning: cipher.warning } },
      broadcastProgress: (p) => broadcastToWindows(webContents.getAllWebContents(), 'action:progress', p),
    })
    registerIpc(handlers, rendererUrl)
    autoscaler(hub).start()
    createMainWindow(preloadPath, rendererUrl)
    app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preloadPath, rendererUrl)
    })
    let quitting = false
    app.on('before-quit', (event) => {
      if (quitting) return
      event.preventDefault()
      void confirmQuit().then(async (quit) => {
        if (!quit) return
        quitting = true
        autoscaler(hub).stop()
        await stopRunningActions('the app is quitting')
        await hub.close()
        app.quit()
      })
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}

/** Quitting while an action runs asks first; the run then stops at its next safe point and the journal says where. */
async function confirmQuit(): Promise<boolean> {
  const running = actionsRunning()
  if (running === 0) return true
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    buttons: ['Keep running', 'Stop at the next safe point and quit'],
    defaultId: 0,
    cancelId: 0,
    message: `${running} action${running === 1 ? ' is' : 's are'} running`,
    detail:
      'Quitting stops each at its next safe point (never between a PAUSE and its RESUME without recording it). An action stopped midway shows as interrupted, to resume or roll back.',
  })
  return response === 1
}
