import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listPackage } from '@electron/asar'
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses'
import { build, Platform } from 'electron-builder'
import { describe, expect, it } from 'vitest'
import { node22Binary } from '../../scripts/node22'
import { builderConfig } from '../../scripts/packaging/builder-config'
import { MASTER_PORTS } from './redis-lab-support'

const OUT_MAIN = 'out/main'
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
const packageOf = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
const isNative = (name: string) => {
  const dir = join('node_modules', name)
  return existsSync(join(dir, 'binding.gyp')) || Boolean((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { gypfile?: boolean }).gypfile)
}

/** Every module the main process's bundle imports statically, from index.js through its chunks. */
function staticImports(entry: string): Set<string> {
  const seen = new Set<string>()
  const specifiers = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    const code = readFileSync(file, 'utf8')
    for (const m of code.matchAll(/^(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|^import\s*["']([^"']+)["']/gm)) {
      const spec = (m[1] ?? m[2])!
      if (spec.startsWith('.')) visit(join(file, '..', spec))
      else specifiers.add(spec)
    }
  }
  visit(entry)
  return specifiers
}

/** A stand-in Electron binary: the fuse sentinel with Electron 45's wire, so the fuses hook has something to flip. */
function standInElectron(): string {
  const dist = mkdtempSync(join(tmpdir(), 'sy-electron-dist-'))
  const wire = Buffer.from('101001000', 'ascii')
  writeFileSync(
    join(dist, 'electron'),
    Buffer.concat([Buffer.alloc(4096, 7), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), wire, Buffer.alloc(4096, 7)]),
    { mode: 0o755 },
  )
  return dist
}

describe('the desktop app where its Electron binary cannot run', () => {
  it('has a main-process bundle that imports nothing native: node builtins, electron and pure-JS dependencies only', () => {
    const imports = staticImports(join(OUT_MAIN, 'index.js'))
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
    const packages = [...imports].filter((s) => !builtins.has(s) && s !== 'electron').map(packageOf)
    expect(packages.length).toBeGreaterThan(3)
    for (const p of packages) {
      expect(pkg.dependencies, `${p} is imported by the main process but is not a dependency`).toHaveProperty(p)
      expect(isNative(p), `${p} is a native module`).toBe(false)
    }
    expect(packages).not.toContain('better-sqlite3')
    const code = readdirSync(OUT_MAIN, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(OUT_MAIN, f), 'utf8'))
      .join('\n')
    expect(code).not.toMatch(/require\(\s*["'][^"']+\.node["']\s*\)/)
  })

  const node22 = node22Binary()
  it.skipIf(!node22)(
    'starts its services on Node 22 with Electron stubbed: node:sqlite, IPC, window, tray, menu, a link from a second instance, and a quit',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'sy-desktop-'))
      const reportFile = join(home, 'report.json')
      execFileSync(node22!, ['--import', './test/support/electron-stub/register.mjs', join(OUT_MAIN, 'index.js')], {
        env: {
          ...process.env,
          SWITCHYARD_HOME: home,
          SWITCHYARD_STUB_REPORT: reportFile,
          SWITCHYARD_STUB_LINK: 'switchyard://open/desk/overview/Redis+Cluster/127.0.0.1%3A7001',
          SWITCHYARD_STUB_REDIS_PORT: String(MASTER_PORTS[0]),
        },
        stdio: 'pipe',
        timeout: 90_000,
      })
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
        calls: unknown[][]
        sent: { event: string; payload: unknown }[]
        tooltips: string[]
        menus: string[][]
        info: { ok: boolean; value: { mode: string } }
        saved: { ok: boolean }
        garbage: { ok: boolean; error: { message: string } }
        page: { status: number; csp: boolean }
        dlopened: string[]
        error?: string
      }
      expect(report.error).toBeUndefined()
      // nothing native: the history, journal and alerts ran on node:sqlite (ssh2's optional bindings, when this checkout built them, are left out of the package)
      expect(report.dlopened.filter((f) => !/ssh2\/lib\/protocol\/crypto\/build|cpu-features/.test(f))).toEqual([])
      expect(existsSync(join(home, 'switchyard.db'))).toBe(true)
      expect(report.info).toEqual({ ok: true, value: expect.objectContaining({ mode: 'electron' }) as unknown })
      expect(report.saved.ok).toBe(true)
      expect(report.garbage).toMatchObject({ ok: false, error: { message: expect.stringMatching(/invalid env:save request/) as string } })
      expect(report.page).toEqual({ status: 200, csp: true })
      // the link of a second instance reaches the window; a malformed one is refused in a dialog and goes nowhere
      expect(report.sent.filter((s) => s.event === 'app:open-link')).toEqual([
        { event: 'app:open-link', payload: { path: 'open/desk/overview/Redis%20Cluster/127.0.0.1%3A7001' }, channel: 'switchyard:event' },
      ])
      expect(report.calls).toContainEqual(['dialog', 'This switchyard:// link cannot be opened'])
      expect(report.tooltips.at(-1)).toMatch(/^Switchyard: healthy, no alerts firing\ndesk: healthy$/)
      expect(report.menus[0]).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help'])
      expect(report.calls).toContainEqual(['permission media', false])
      expect(report.calls.at(-1)).toEqual(['app.quit'])
      // the window's place was remembered on the way out
      expect(JSON.parse(readFileSync(join(home, 'window-state.json'), 'utf8'))).toMatchObject({ width: 1440, height: 900 })
    },
    120_000,
  )

  it('packs with electron-builder into an asar with the app and no native module, README beside it, every fuse flipped', async () => {
    const output = mkdtempSync(join(tmpdir(), 'sy-pack-'))
    await build({
      targets: Platform.LINUX.createTarget('dir'),
      config: { ...builderConfig, electronDist: standInElectron(), electronVersion: '45.4.1', directories: { ...builderConfig.directories, output } },
      publish: 'never',
    })
    const app = join(output, 'linux-unpacked')
    const files = listPackage(join(app, 'resources/app.asar'), { isPack: false })
    expect(files).toEqual(expect.arrayContaining(['/package.json', '/out/main/index.js', '/out/renderer/index.html', '/node_modules/ssh2/package.json']))
    expect(files.filter((f) => f.endsWith('.node'))).toEqual([])
    expect(files.filter((f) => f.includes('better-sqlite3'))).toEqual([])
    expect(files.filter((f) => f.startsWith('/node_modules/react/') || f.startsWith('/node_modules/echarts/'))).toEqual([])
    expect(existsSync(join(app, 'resources/app.asar.unpacked'))).toBe(false)
    expect(existsSync(join(app, 'resources/README.md'))).toBe(true)
    const wire = await getCurrentFuseWire(join(app, 'switchyard'))
    const on = (f: FuseV1Options) => Number(wire[f]) === '1'.charCodeAt(0)
    expect([on(FuseV1Options.RunAsNode), on(FuseV1Options.EnableNodeOptionsEnvironmentVariable), on(FuseV1Options.OnlyLoadAppFromAsar)]).toEqual([
      false,
      false,
      true,
    ])
  }, 120_000)
})
