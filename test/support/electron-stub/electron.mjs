// A stand-in for Electron's main-process modules, just enough for Switchyard's desktop shell to
// start its services, open its window, tray and menu, take a link and quit. It then drives the
// app through the IPC handler the shell registered and writes what it saw to SWITCHYARD_STUB_REPORT.
import { EventEmitter } from 'node:events'
import { writeFileSync } from 'node:fs'

const report = { calls: [], sent: [], tooltips: [], icons: [], menus: [] }
const record = (name, ...args) => report.calls.push([name, ...args.map((a) => (typeof a === 'function' ? 'fn' : a))])
const LINK = process.env.SWITCHYARD_STUB_LINK

class Emitter extends EventEmitter {}

export const app = Object.assign(new Emitter(), {
  isPackaged: false,
  ready: false,
  requestSingleInstanceLock: () => true,
  exit: (code) => record('app.exit', code),
  setPath: (name, path) => record('app.setPath', name, path),
  enableSandbox: () => record('app.enableSandbox'),
  setAsDefaultProtocolClient: (scheme) => record('app.setAsDefaultProtocolClient', scheme),
  isReady: () => app.ready,
  whenReady: () =>
    new Promise((resolve) =>
      setImmediate(() => {
        app.ready = true
        resolve()
      }),
    ),
  quit: () => {
    const event = { prevented: false, preventDefault: () => (event.prevented = true) }
    app.emit('before-quit', event)
    if (event.prevented) return record('app.quit deferred')
    record('app.quit')
    finish(0)
  },
})

export const protocol = {
  handlers: new Map(),
  registerSchemesAsPrivileged: (schemes) =>
    record(
      'protocol.registerSchemesAsPrivileged',
      schemes.map((s) => s.scheme),
    ),
  handle: (scheme, fn) => protocol.handlers.set(scheme, fn),
}

export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] }

const ipcHandlers = new Map()
export const ipcMain = { handle: (channel, fn) => ipcHandlers.set(channel, fn) }

class WebContents extends Emitter {
  constructor(win) {
    super()
    this.id = 1
    this.win = win
    this.mainFrame = { url: '' }
  }
  isDestroyed = () => false
  setWindowOpenHandler = () => undefined
  send = (channel, event, payload) => report.sent.push({ channel, event, payload })
  getURL = () => this.mainFrame.url
}

const windows = []
export class BrowserWindow extends Emitter {
  static getAllWindows = () => windows
  constructor(options) {
    super()
    this.options = options
    this.webContents = new WebContents(this)
    windows.push(this)
    record('BrowserWindow', { width: options.width, height: options.height, sandbox: options.webPreferences.sandbox })
  }
  loadURL(url) {
    this.webContents.mainFrame.url = url
    record('loadURL', url)
    setImmediate(() => this.emit('ready-to-show'))
    if (windows.length === 1) setTimeout(() => void drive(this).catch((err) => fail(err)), 50)
    return Promise.resolve()
  }
  show = () => record('win.show')
  focus = () => record('win.focus')
  maximize = () => record('win.maximize')
  isMinimized = () => false
  isMaximized = () => false
  isDestroyed = () => false
  restore = () => undefined
  getNormalBounds = () => ({ x: 10, y: 10, width: this.options.width, height: this.options.height })
}

export const webContents = { getAllWebContents: () => windows.map((w) => w.webContents) }

export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived: () => undefined },
    setPermissionRequestHandler: (fn) => fn(null, 'media', (allowed) => record('permission media', allowed)),
  },
}

export const dialog = { showMessageBox: async (options) => (record('dialog', options.message), { response: 0 }) }

export const Menu = {
  buildFromTemplate: (template) => ({ template }),
  setApplicationMenu: (menu) => report.menus.push(menu.template.map((m) => m.label ?? m.role)),
}

export class Tray extends Emitter {
  constructor() {
    super()
    record('Tray')
  }
  setImage = (image) => report.icons.push(image.size)
  setToolTip = (text) => report.tooltips.push(text)
  setTitle = () => undefined
  setContextMenu = (menu) => (this.items = menu.template.map((i) => i.label ?? i.type))
  destroy = () => record('tray.destroy')
}

export const nativeImage = {
  createFromBitmap: (buffer, size) => {
    if (buffer.length !== size.width * size.height * 4) throw new Error('bitmap size does not match')
    const image = { size, resize: (to) => ({ ...image, size: to }) }
    return image
  },
}

export const shell = { openPath: async (p) => (record('shell.openPath', p), ''), openExternal: async () => undefined }

export const safeStorage = {
  isAsyncEncryptionAvailable: async () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptStringAsync: async (plain) => Buffer.from(`sealed:${plain}`),
  decryptStringAsync: async (sealed) => ({ result: sealed.toString().slice('sealed:'.length) }),
}

async function invoke(win, channel, input) {
  const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame }
  return ipcHandlers.get('switchyard:request')(event, channel, input)
}

/** Once the window is up: what a renderer would ask, a link from a second instance, then a quit. */
async function drive(win) {
  win.webContents.mainFrame = { url: 'app://switchyard/index.html' }
  report.info = await invoke(win, 'app:info', {})
  const environment = {
    name: 'desk',
    endpoints: [
      {
        kind: 'redis-cluster',
        id: 'redis',
        name: 'Redis Cluster',
        seeds: [{ host: '127.0.0.1', port: Number(process.env.SWITCHYARD_STUB_REDIS_PORT) }],
        tls: false,
      },
    ],
  }
  report.saved = await invoke(win, 'env:save', { environment })
  report.garbage = await invoke(win, 'env:save', { environment: { name: 'Bad Name!' } })
  const page = await protocol.handlers.get('app')(new Request('app://switchyard/index.html'))
  report.page = { status: page.status, csp: page.headers.get('content-security-policy') !== null }
  app.emit('second-instance', {}, ['/opt/Switchyard/switchyard', LINK])
  app.emit('second-instance', {}, ['/opt/Switchyard/switchyard', 'switchyard://open/desk/shell'])
  const deadline = Date.now() + 20_000
  // until the tray has the environment's probed status, not its "checking…"
  while (!report.tooltips.some((t) => t.includes('desk:') && !t.includes('not known')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
  app.quit()
}

function finish(code) {
  report.dlopened = globalThis.__switchyardDlopened ?? []
  writeFileSync(process.env.SWITCHYARD_STUB_REPORT, JSON.stringify(report, null, 2))
  process.exit(code)
}

function fail(err) {
  report.error = String(err?.stack ?? err)
  finish(1)
}
