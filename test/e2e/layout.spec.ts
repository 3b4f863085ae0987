import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SCREENSHOTS } from '../support/screens'
import { webAppSuite } from '../support/web-app'
import { clippedOn } from './pages/layout-check'

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
]

describe('every view at 1280 and 1440 px', () => {
  const { ctx } = webAppSuite()

  for (const size of SIZES)
    it(`cuts nothing off at ${size.width} × ${size.height}`, async () => {
      await ctx.page.setViewportSize(size)
      const problems: string[] = []
      for (const { name: view } of ctx.app.views) {
        await ctx.app.view(view).open()
        // the view's first data, then a moment for late rows and charts
        await ctx.page.waitForLoadState('networkidle').catch(() => undefined)
        await ctx.page.waitForTimeout(1500)
        const clipped = await clippedOn(ctx.page)
        problems.push(...clipped.map((c) => `${view}: ${c}`))
        await ctx.page.screenshot({ path: join(SCREENSHOTS, `layout-${size.width}-${view}.png`), fullPage: true })
      }
      expect(problems).toEqual([])
    })
})
