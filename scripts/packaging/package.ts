// `npm run package`: the desktop packages of the current platform into dist/ (AppImage and deb on
// Linux, dmg on macOS, an nsis installer on Windows). Needs Electron's binary for the platform;
// where it cannot be had, stops at once with one line saying so.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { electronBinary } from '../electron-binary'
import { builderConfig, packageTarget } from './builder-config'

const fail = (line: string): never => {
  process.stderr.write(`package: ${line}\n`)
  process.exit(1)
}

const platform = packageTarget(process.platform) ?? fail(`no desktop package is built on ${process.platform}`)
const electronVersion = (JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version

if (!electronBinary()) {
  // electron's own installer fetches the zip into the cache electron-builder reads; it fails fast where there is no route
  const tried = spawnSync(process.execPath, ['node_modules/electron/install.js'], { encoding: 'utf8', timeout: 300_000 })
  if (tried.status !== 0 || !electronBinary()) {
    const why =
      `${tried.stderr}${tried.error?.message ?? ''}`
        .split('\n')
        .find((l) => /error|failed|ENOTFOUND|ECONN|timed out/i.test(l))
        ?.trim() ?? 'no binary'
    fail(
      `Electron ${electronVersion} for ${process.platform}-${process.arch} cannot be downloaded here (${why}); build the packages on a machine that reaches github.com (or set ELECTRON_MIRROR): npm ci && npm run package`,
    )
  }
}

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
const { build, Platform } = await import('electron-builder')
const target = { linux: Platform.LINUX, mac: Platform.MAC, win: Platform.WINDOWS }[platform]
const artifacts = await build({ targets: target.createTarget(), config: builderConfig, publish: 'never' })
process.stdout.write(`package: ${artifacts.map((a) => a).join(', ')}\n`)
