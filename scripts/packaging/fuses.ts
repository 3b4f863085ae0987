// The fuses of a packaged Switchyard: flipped in the Electron binary itself when the app is packaged
// (`tsx scripts/packaging/fuses.ts <path to the packaged electron binary>`, the packager's afterPack).
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses'

/**
 * Every fuse set, none left to Electron's defaults (strictlyRequireAllFuses): no Node mode, no
 * --inspect, no NODE_OPTIONS (each would let any local process run code with the app's keychain
 * access), the app only from its integrity-checked asar, cookies encrypted, and file:// without
 * extra privileges (the renderer comes from app://).
 */
export const FUSES: FuseV1Config = {
  version: FuseVersion.V1,
  strictlyRequireAllFuses: true,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  [FuseV1Options.WasmTrapHandlers]: true,
}

export function flipAppFuses(electronBinary: string): Promise<unknown> {
  return flipFuses(electronBinary, FUSES)
}

if (process.argv[1]?.endsWith('fuses.ts') && process.argv[2]) {
  await flipAppFuses(process.argv[2])
  process.stdout.write(`fuses set in ${process.argv[2]}\n`)
}
