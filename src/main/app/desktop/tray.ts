import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron'
import type { EnvironmentHealth, HealthStatus } from '../../../shared/health'
import type { ServiceHub } from '../../core/service-hub'
import { sharedOverview } from '../../features/overview/overview-watcher'
import { trayIconBitmap, trayStatus, type TrayStatus } from './tray-status'

export interface TrayActions {
  /** Focus the window at a link's path (open/<env>/<view>…). */
  openLink: (path: string) => void
  show: () => void
  quit: () => void
}

const ICON_SIZE = 32

function icon(status: HealthStatus) {
  const image = nativeImage.createFromBitmap(trayIconBitmap(status, ICON_SIZE), { width: ICON_SIZE, height: ICON_SIZE })
  return image.resize({ width: 16, height: 16, quality: 'best' })
}

function menu(status: TrayStatus, actions: TrayActions) {
  const environments: MenuItemConstructorOptions[] = status.environments.map((e) => ({
    label: `${e.name} — ${e.status}${e.firing ? `, ${e.firing} firing` : ''}`,
    // an environment with alerts firing opens on its alerts, the others on the overview
    click: () => actions.openLink(`open/${encodeURIComponent(e.name)}/${e.firing ? 'alerts' : 'overview'}`),
  }))
  return Menu.buildFromTemplate([
    { label: 'Open Switchyard', click: actions.show },
    { type: 'separator' },
    ...(environments.length ? environments : [{ label: 'No environments yet', enabled: false }]),
    { type: 'separator' },
    { label: 'Quit Switchyard', click: actions.quit },
  ])
}

/**
 * The tray (menu-bar) icon: coloured by the worst environment's status, the count of firing alerts
 * in its title (macOS) and tooltip, a menu of the environments. It listens to the hub's overview
 * watcher, so it stays current with the window closed (macOS) and probes nothing twice with it open.
 */
export function startTray(hub: ServiceHub, actions: TrayActions): { stop(): void } {
  const tray = new Tray(icon('unknown'))
  tray.setToolTip('Switchyard: checking…')
  tray.setContextMenu(
    menu(
      trayStatus([], () => 0),
      actions,
    ),
  )
  tray.on('click', actions.show)
  const firingIn = (environment: string) => hub.alerts.active(environment).filter((a) => a.state === 'firing').length
  let last = ''
  const update = (fleet: EnvironmentHealth[]) => {
    const status = trayStatus(fleet, firingIn)
    const signature = JSON.stringify(status)
    if (signature === last) return
    last = signature
    tray.setImage(icon(status.status))
    tray.setToolTip(status.tooltip)
    if (process.platform === 'darwin') tray.setTitle(status.firing ? String(status.firing) : '')
    tray.setContextMenu(menu(status, actions))
  }
  // the same rounds as the window's overview: with the window open nothing is probed twice
  const unsubscribe = sharedOverview(hub).then((overview) => overview.subscribe((u) => update(u.environments)))
  return {
    stop: () => {
      void unsubscribe.then((stop) => stop())
      tray.destroy()
    },
  }
}
