import type { MenuItemConstructorOptions } from 'electron'

export interface MenuActions {
  openReadme: () => void
  openDataFolder: () => void
  /** The app's own views, by link path (open/<env>/<view> needs an environment: these take the first). */
  openView: (view: 'overview' | 'alerts' | 'timeline' | 'environments') => void
}

/**
 * The native menu with the usual roles (so copy, paste, zoom, full screen and window handling
 * work as on every app of the platform), Switchyard's main views, and Help → the README.
 * Developer tools only outside a packaged build.
 */
export function menuTemplate(platform: NodeJS.Platform, packaged: boolean, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin'
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [{ label: 'Open data folder', click: actions.openDataFolder }, { type: 'separator' }, mac ? { role: 'close' } : { role: 'quit' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Overview', accelerator: 'CmdOrCtrl+1', click: () => actions.openView('overview') },
        { label: 'Alerts', accelerator: 'CmdOrCtrl+2', click: () => actions.openView('alerts') },
        { label: 'Timeline', accelerator: 'CmdOrCtrl+3', click: () => actions.openView('timeline') },
        { label: 'Environments', accelerator: 'CmdOrCtrl+4', click: () => actions.openView('environments') },
        { type: 'separator' },
        { role: 'reload' },
        ...(packaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Switchyard README', click: actions.openReadme }] },
  ]
}
