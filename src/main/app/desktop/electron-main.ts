import { app, BrowserWindow, dialog, Menu, protocol, screen, shell, webContents } from 'electron'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { DEEP_LINK_SCHEME, DeepLinkError, deepLinkInArgs, deepLinkPath, parseDeepLink } from '../../../shared/deep-link'
import { actionsRunning, stopRunningActions } from '../../core/actions/action-runner'
import { defaultDataDir } from '../../core/app-paths'
import { ServiceHub } from '../../core/service-hub'
import { VERSION } from '../../core/version'
import { autoscaler } from '../../features/autoscale/autoscaler'
import { createHandlers } from '../handlers'
import { readRendererFile, rendererFile } from '../renderer-files'
import { menuTemplate } from './app-menu'
import { broadcastToWindows, registerIpc } from './ipc-router'
import { SafeStorageCipher } from './safe-storage-cipher'
import { startTray } from './tray'
import { createMainWindow, windowStateOf } from './window'
import { APP_SCHEME, CONTENT_SECURITY_POLICY, rendererUrlFor } from './window-options'
import { placeWindow, readWindowState, writeWindowState } from './window-state'

export interface ElectronPaths {
  /** The built renderer's folder, served as app://switchyard/. */
  rendererDir: string
  /** The dev server's URL (ELECTRON_RENDERER_URL), used only when the app is not packaged. */
  devServerUrl: string | undefined
  preloadPath: string
  /** README.md: beside the app in a package (resources/), at the repository's root otherwise. */
  readmePath: string
}

/** A switchyard:// link's path, or why it cannot be opened (said in a dialog; never passed on). */
function linkPath(url: string): string | undefined {
  try {
    return deepLinkPath(parseDeepLink(url))
  } catch (err) {
    if (!(err instanceof DeepLinkError)) throw err
    void dialog.showMessageBox({ type: 'warning', message: 'This switchyard:// link cannot be opened', detail: `${url.slice(0, 300)}\n\n${err.message}` })
    return undefined
  }
}

/** Electron shell: lifecycle only; every capability lives in the services behind createHandlers. */
export function startElectronApp({ rendererDir, devServerUrl, preloadPath, readmePath }: ElectronPaths): void {
  // A second instance hands its link to the first and leaves at once (app.quit() would let it start up first).
  if (!app.requestSingleInstanceLock()) {
    app.exit(0)
    return
  }
  const dataDir = defaultDataDir()
  app.setPath('userData', dataDir)
  app.enableSandbox()
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
  // Packages register the scheme themselves (Info.plist, the .desktop file, the installer); this covers a development run.
  if (!app.isPackaged) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [process.argv[1] ?? '.'])
  const rendererUrl = rendererUrlFor(app.isPackaged, devServerUrl)
  const stateFile = join(dataDir, 'window-state.json')

  let window: BrowserWindow | undefined
  // A link that arrives before the window exists (the one the app was started with) opens it there.
  const argLink = deepLinkInArgs(process.argv)
  let startLink = argLink ? linkPath(argLink) : undefined
  const show = () => {
    if (!window || window.isDestroyed()) window = undefined
    if (!window) return void openWindow()
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  }
  const openPath = (path: string) => {
    if (!window || window.isDestroyed()) {
      startLink = path
      return void openWindow()
    }
    broadcastToWindows([window.webContents], 'app:open-link', { path })
    show()
  }
  const openLink = (url: string) => {
    const path = linkPath(url)
    if (path) openPath(path)
  }
  app.on('open-url', (event, url) => {
    event.preventDefault() // macOS hands links here, before ready too
    if (app.isReady()) openLink(url)
    else startLink = linkPath(url) ?? startLink
  })
  app.on('second-instance', (_event, argv) => {
    const url = deepLinkInArgs(argv)
    if (url) openLink(url)
    else show()
  })

  const openWindow = async () => {
    const saved = await readWindowState(stateFile)
    const bounds = placeWindow(
      saved,
      screen.getAllDisplays().map((d) => d.workArea),
    )
    window = createMainWindow(preloadPath, rendererUrl, { bounds, maximized: saved?.maximized ?? false, hash: startLink ? `#/${startLink}` : saved?.hash })
    startLink = undefined
    const win = window
    let timer: NodeJS.Timeout | undefined
    const remember = () => {
      clearTimeout(timer)
      timer = setTimeout(() => void writeWindowState(stateFile, windowStateOf(win)).catch(() => undefined), 500)
    }
    win.on('resize', remember)
    win.on('move', remember)
    win.on('maximize', remember)
    win.on('unmaximize', remember)
    win.webContents.on('did-navigate-in-page', remember)
    win.on('close', () => {
      clearTimeout(timer)
      void saveWindow()
    })
  }
  /** The window's place and route, for the next start (a failed write costs the place, never the quit). */
  const saveWindow = async () => {
    if (window && !window.isDestroyed()) await writeWindowState(stateFile, windowStateOf(window)).catch(() => undefined)
  }

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
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(process.platform, app.isPackaged, {
          openReadme: () => void (existsSync(readmePath) ? shell.openPath(readmePath) : Promise.resolve()),
          openDataFolder: () => void shell.openPath(dataDir),
          openView: (view) => openPath(view),
        }),
      ),
    )
    const tray = startTray(hub, { openLink: openPath, show, quit: () => app.quit() })
    await openWindow()
    app.on('activate', show)
    let quitting = false
    app.on('before-quit', (event) => {
      if (quitting) return
      event.preventDefault()
      void confirmQuit().then(async (quit) => {
        if (!quit) return
        quitting = true
        await saveWindow()
        tray.stop()
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
