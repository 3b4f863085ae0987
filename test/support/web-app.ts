import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createHandlers } from '../../src/main/app-handlers'
import type { ServiceHub } from '../../src/main/service-hub'
import { startWebServer, type WebServer } from '../../src/main/web-server'

export const SCREENSHOTS = join(__dirname, '../../test-results/screenshots')
const RENDERER = join(__dirname, '../../out/renderer')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The app in web mode over a test hub, and a headless Chromium on it: what a person would see. */
export async function openWebApp(hub: ServiceHub): Promise<{ server: WebServer; browser: Browser; page: Page; close(): Promise<void> }> {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('the renderer is not built: run npm run build first')
  mkdirSync(SCREENSHOTS, { recursive: true })
  const server = await startWebServer({
    rendererDir: RENDERER,
    handlers: (broadcast) =>
      createHandlers(hub, {
        info: { mode: 'web', version: 'e2e', dataDir: hub.options.dataDir, secretBackend: { kind: 'keyfile' } },
        broadcastProgress: (p) => broadcast('action:progress', p),
      }),
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  await page.goto(server.url)
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close()
      await server.close()
    },
  }
}

export function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
