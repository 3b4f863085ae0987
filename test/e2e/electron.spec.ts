import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { _electron as electron } from 'playwright-core'
import { electronBinary } from '../../scripts/electron-binary'
import { SCREENSHOTS } from '../support/screens'

const binary = electronBinary()
if (!binary)
  console.warn(
    '[e2e] Electron binary not installed on this machine (it cannot be downloaded here): Electron window tests skipped; web mode covers the renderer.',
  )

describe.skipIf(!binary)('Electron window', () => {
  it('opens the app sandboxed, with the bridge and no Node in the page', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(__dirname, '../../out/main/index.js'), '--no-sandbox'],
      env: { ...process.env, SWITCHYARD_HOME: join(SCREENSHOTS, '../electron-home') },
    })
    try {
      const page = await app.firstWindow()
      await page.getByText('Overview').first().waitFor()
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
      expect(await page.evaluate(() => typeof (window as unknown as { switchyardBridge?: unknown }).switchyardBridge)).toBe('object')
      await page.screenshot({ path: join(SCREENSHOTS, 'electron-window.png') })
    } finally {
      await app.close()
    }
  })
})
