import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses'
import { Arch } from 'electron-builder'
import { describe, expect, it } from 'vitest'
import { menuTemplate } from '../../src/main/app/desktop/app-menu'
import { STATUS_RGB, trayIconBitmap, trayStatus } from '../../src/main/app/desktop/tray-status'
import { placeWindow, readWindowState, writeWindowState, MIN_SIZE } from '../../src/main/app/desktop/window-state'
import { defaultDataDir } from '../../src/main/core/app-paths'
import type { EnvironmentHealth } from '../../src/shared/health'
import { afterPack, builderConfig, packedBinary } from '../../scripts/packaging/builder-config'

const screen = { x: 0, y: 0, width: 1920, height: 1080 }
const env = (name: string, status: EnvironmentHealth['status']): EnvironmentHealth => ({ environment: name, status, reason: '', systems: [], checkedAt: 0 })

describe('window state', () => {
  it('opens where it was when that is on a screen, sized within the screen', () => {
    expect(placeWindow({ x: 100, y: 80, width: 1300, height: 850, maximized: false }, [screen])).toEqual({ x: 100, y: 80, width: 1300, height: 850 })
    // a second monitor to the right, still there
    expect(placeWindow({ x: 2000, y: 100, width: 1200, height: 800, maximized: false }, [screen, { x: 1920, y: 0, width: 1280, height: 1024 }])).toEqual({
      x: 2000,
      y: 100,
      width: 1200,
      height: 800,
    })
    // bigger than the screen it is on, or hanging off its edge: pulled in
    expect(placeWindow({ x: 1800, y: 10, width: 2500, height: 1400, maximized: false }, [screen])).toEqual({ x: 0, y: 0, width: 1920, height: 1080 })
  })

  it('is centred by the OS when its screen is gone (a monitor unplugged), never below the minimum size', () => {
    expect(placeWindow({ x: 2500, y: 200, width: 1200, height: 800, maximized: false }, [screen])).toEqual({ width: 1200, height: 800 })
    expect(placeWindow({ x: 10, y: 10, width: 300, height: 200, maximized: false }, [screen])).toMatchObject(MIN_SIZE)
    expect(placeWindow(undefined, [screen])).toEqual({ width: 1440, height: 900 })
  })

  it('reads back what it wrote; a damaged or foreign file is no state, and a link is never remembered as the route', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-window-'))
    const file = join(dir, 'window-state.json')
    expect(await readWindowState(file)).toBeUndefined()
    await writeWindowState(file, { x: 5, y: 6, width: 1300, height: 800, maximized: true, hash: '#/redis/lab/redis' })
    expect(await readWindowState(file)).toEqual({ x: 5, y: 6, width: 1300, height: 800, maximized: true, hash: '#/redis/lab/redis' })
    writeFileSync(file, '{"width": "wide"')
    expect(await readWindowState(file)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ width: 1200, height: 700, hash: 'javascript:alert(1)' }))
    expect(await readWindowState(file)).toBeUndefined()
  })
})

describe('tray', () => {
  it("takes the worst environment's status, counts the firing alerts, and lists environments worst first", () => {
    const firing: Record<string, number> = { prod: 2, lab: 1 }
    const status = trayStatus([env('lab', 'ok'), env('prod', 'critical'), env('stage', 'warn')], (e) => firing[e] ?? 0)
    expect(status.status).toBe('critical')
    expect(status.firing).toBe(3)
    expect(status.environments.map((e) => e.name)).toEqual(['prod', 'stage', 'lab'])
    expect(status.tooltip).toBe('Switchyard: critical, 3 alerts firing\nprod: critical (2 firing)\nstage: needs attention\nlab: healthy (1 firing)')
    expect(trayStatus([], () => 0)).toMatchObject({ status: 'unknown', firing: 0, tooltip: 'Switchyard: no environments yet' })
  })

  it('draws its icon as a disc in the status colour, transparent in the corners', () => {
    const size = 32
    const px = trayIconBitmap('critical', size)
    expect(px.length).toBe(size * size * 4)
    const at = (x: number, y: number) => [...px.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)]
    const [r, g, b] = STATUS_RGB.critical
    expect(at(16, 16)).toEqual([b, g, r, 255])
    expect(at(0, 0)[3]).toBe(0)
    expect(trayIconBitmap('ok', size).equals(px)).toBe(false)
  })
})

describe('native menu', () => {
  it('has the platform roles, the views, help to the README, and developer tools only outside a package', () => {
    const actions = { openReadme: () => undefined, openDataFolder: () => undefined, openView: () => undefined }
    const mac = menuTemplate('darwin', true, actions)
    expect(mac.map((m) => m.role ?? m.label)).toEqual(['appMenu', 'File', 'editMenu', 'View', 'windowMenu', 'help'])
    const view = (t: typeof mac) => (t.find((m) => m.label === 'View')!.submenu as { role?: string }[]).map((i) => i.role)
    expect(view(mac)).not.toContain('toggleDevTools')
    expect(view(menuTemplate('linux', false, actions))).toContain('toggleDevTools')
    expect(menuTemplate('win32', true, actions).map((m) => m.role ?? m.label)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help'])
  })
})

describe('data folder per OS', () => {
  it("is where each OS keeps an application's settings, unless SWITCHYARD_HOME says otherwise", () => {
    expect(defaultDataDir('linux', {}, '/home/ana')).toBe('/home/ana/.config/switchyard')
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/ana')).toBe('/cfg/switchyard')
    expect(defaultDataDir('darwin', {}, '/Users/ana')).toBe('/Users/ana/Library/Application Support/Switchyard')
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ana\\AppData\\Roaming' }, 'C:\\Users\\ana')).toMatch(/Roaming.Switchyard$/)
    expect(defaultDataDir('darwin', { SWITCHYARD_HOME: '/tmp/x' }, '/Users/ana')).toBe('/tmp/x')
  })
})

describe('packaging configuration', () => {
  it('builds AppImage and deb, dmg for arm64 and x64, nsis; registers switchyard://; unpacks and rebuilds nothing', () => {
    expect(builderConfig.linux!.target).toEqual(['AppImage', 'deb'])
    expect(builderConfig.mac!.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }])
    expect(builderConfig.win!.target).toEqual([{ target: 'nsis', arch: ['x64'] }])
    expect(builderConfig.protocols).toEqual([{ name: 'Switchyard link', schemes: ['switchyard'] }])
    expect(builderConfig.asar).toBe(true)
    expect(builderConfig.asarUnpack).toEqual([])
    expect([builderConfig.npmRebuild, builderConfig.nodeGypRebuild]).toEqual([false, false])
    expect(builderConfig.files).toEqual(expect.arrayContaining(['!node_modules/better-sqlite3{,/**}', '!**/*.node']))
    expect(builderConfig.afterPack).toBe(afterPack)
  })

  it('flips the fuses in the packed binary of each platform', async () => {
    const names = { executableName: 'switchyard', productFilename: 'Switchyard' }
    expect(packedBinary({ appOutDir: '/o', electronPlatformName: 'linux', ...names })).toBe('/o/switchyard')
    expect(packedBinary({ appOutDir: '/o', electronPlatformName: 'darwin', ...names })).toBe('/o/Switchyard.app')
    expect(packedBinary({ appOutDir: '/o', electronPlatformName: 'win32', ...names })).toBe('/o/Switchyard.exe')
    const appOutDir = mkdtempSync(join(tmpdir(), 'sy-afterpack-'))
    const wire = Buffer.from('101001000', 'ascii')
    writeFileSync(join(appOutDir, 'switchyard'), Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire]))
    await afterPack({
      appOutDir,
      electronPlatformName: 'linux',
      arch: Arch.x64,
      packager: { executableName: 'switchyard', appInfo: { productFilename: 'Switchyard' } },
    } as never)
    const flipped = await getCurrentFuseWire(join(appOutDir, 'switchyard'))
    expect(flipped[FuseV1Options.RunAsNode]).toBe('0'.charCodeAt(0))
    expect(flipped[FuseV1Options.OnlyLoadAppFromAsar]).toBe('1'.charCodeAt(0))
  })
})
