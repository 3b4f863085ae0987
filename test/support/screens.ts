import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'

export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url))

/** A chart has drawn. Charts draw only on screen (or near it), so it is scrolled into view first. */
export async function chartDrawn(chart: Locator, timeout = 30_000): Promise<void> {
  await chart.scrollIntoViewIfNeeded({ timeout })
  await chart.and(chart.page().locator('[data-drawn]')).waitFor({ timeout })
}

export async function shot(page: Page, name: string): Promise<Buffer> {
  // a full-page capture shows what is below the fold; its charts have to have drawn first
  for (const chart of await page.locator('[data-echart]:not([data-drawn]):visible').elementHandles()) {
    await chart.scrollIntoViewIfNeeded()
    await page.waitForFunction((el) => (el as HTMLElement).dataset.drawn === 'true', chart, { timeout: 10_000 })
  }
  // a full-page capture of a scrolled page draws the fixed header where the scroll left it
  await page.evaluate(() => window.scrollTo(0, 0))
  return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}
