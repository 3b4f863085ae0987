// `npm run demo [-- --open]`: bring the lab up, build if needed, then open Switchyard on it:
// the Electron window where its binary exists, otherwise web mode with the URL printed.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { electronBinary } from './electron-binary'

const open = process.argv.includes('--open')
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'inherit' })

/**
 * A command line is readable by every user (ps), so the browser gets a file that forwards to the
 * tokened URL: in a 0700 folder, 0600 itself, and gone once the browser has read it.
 */
function launchPage(url: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-open-'))
  const page = join(dir, 'open.html')
  writeFileSync(page, `<!doctype html><meta charset="utf-8"><script>location.replace(${JSON.stringify(url)})</script>\n`, { mode: 0o600 })
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 15_000).unref()
  return `file://${page}`
}

run('npm', ['run', '--silent', 'lab:up'])
if (!existsSync('out/main/web.js') || !existsSync('out/renderer/index.html')) run('npm', ['run', '--silent', 'build'])

const electronPath = electronBinary()

if (electronPath && process.env.SWITCHYARD_WEB !== '1') {
  spawn(electronPath, ['out/main/index.js'], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0))
} else {
  console.log('Electron binary not available here: starting web mode.')
  const web = spawn(process.execPath, ['out/main/web.js'], { stdio: ['ignore', 'pipe', 'inherit'] })
  web.stdout.on('data', (d: Buffer) => {
    process.stdout.write(d)
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(String(d))?.[1]
    if (url && open) {
      const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p))
      if (chromium)
        spawn(
          chromium,
          [
            `--app=${launchPage(url)}`,
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          ],
          { stdio: 'ignore', detached: true },
        ).unref()
      else console.log('No Chromium found for --open; open the URL above in a browser.')
    }
  })
  web.on('exit', (code) => process.exit(code ?? 0))
  process.on('SIGINT', () => web.kill('SIGINT'))
}
