// The desktop packages, for electron-builder (npm run package builds the current platform's).
import { Arch, type AfterPackContext, type Configuration } from 'electron-builder'
import { join } from 'node:path'
import { flipFuses } from '@electron/fuses'
import { FUSES } from './fuses'

export const APP_ID = 'dev.switchyard.cockpit'

/** The Electron binary inside a packed app folder, which the fuses are flipped in. */
export function packedBinary(
  context: Pick<AfterPackContext, 'appOutDir' | 'electronPlatformName'> & { executableName: string; productFilename: string },
): string {
  if (context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas') return join(context.appOutDir, `${context.productFilename}.app`)
  if (context.electronPlatformName === 'win32') return join(context.appOutDir, `${context.productFilename}.exe`)
  return join(context.appOutDir, context.executableName)
}

/** After electron-builder packs the app and before it builds the installer (and signs): every fuse set, none left to defaults. */
export async function afterPack(context: AfterPackContext): Promise<void> {
  const binary = packedBinary({
    appOutDir: context.appOutDir,
    electronPlatformName: context.electronPlatformName,
    executableName: (context.packager as { executableName?: string }).executableName ?? 'switchyard',
    productFilename: context.packager.appInfo.productFilename,
  })
  // flipping changes the binary, so a macOS arm64 build needs its ad-hoc signature redone (x64 runs unsigned)
  await flipFuses(binary, { ...FUSES, resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === Arch.arm64 })
}

/**
 * Only what the main process runs on goes into the asar: the built out/ and the main process's
 * dependencies (the renderer's are bundled into out/renderer). better-sqlite3 stays out — the
 * app's runtime has node:sqlite, and a module built for Node's ABI would not load in Electron's —
 * and so does every other native build (ssh2's optional crypto binding, cpu-features): nothing to
 * rebuild, nothing to unpack.
 */
export const builderConfig: Configuration = {
  appId: APP_ID,
  productName: 'Switchyard',
  executableName: 'switchyard',
  copyright: 'Switchyard contributors',
  directories: { output: 'dist', buildResources: 'resources' },
  files: [
    'out/**',
    'package.json',
    '!**/*.map',
    '!node_modules/better-sqlite3{,/**}',
    '!node_modules/bindings{,/**}',
    '!node_modules/prebuild-install{,/**}',
    '!node_modules/cpu-features{,/**}',
    '!node_modules/ssh2/lib/protocol/crypto/build{,/**}',
    '!**/*.node',
  ],
  extraResources: [{ from: 'README.md', to: 'README.md' }],
  asar: true,
  asarUnpack: [],
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,
  protocols: [{ name: 'Switchyard link', schemes: ['switchyard'] }],
  afterPack,
  linux: {
    target: ['AppImage', 'deb'],
    icon: 'resources/icon.png',
    category: 'Development',
    synopsis: 'Cockpit for Redis Cluster, MongoDB, PostgreSQL and the nginx/Docker tier',
    maintainer: 'Switchyard contributors <switchyard@localhost>',
    // the .desktop file opens switchyard:// links (MimeType=x-scheme-handler/switchyard) with the link as an argument
    desktop: { entry: { StartupWMClass: 'Switchyard' } },
  },
  deb: { packageCategory: 'devel' },
  mac: {
    target: [{ target: 'dmg', arch: ['arm64', 'x64'] }],
    icon: 'resources/icon.png',
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
  },
  win: { target: [{ target: 'nsis', arch: ['x64'] }], icon: 'resources/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true, createDesktopShortcut: true },
}

/** The packages npm run package builds on each platform (a dmg needs macOS, an nsis installer is built best on Windows). */
const TARGETS = new Map<NodeJS.Platform, 'linux' | 'mac' | 'win'>([
  ['linux', 'linux'],
  ['darwin', 'mac'],
  ['win32', 'win'],
])
export const packageTarget = (platform: NodeJS.Platform) => TARGETS.get(platform)
