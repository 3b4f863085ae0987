import type { Page } from 'playwright-core'
import { View } from './view'

/** Capacity: every resource that runs out, soonest first, with its chart, forecast and fix. */
export class CapacityView extends View {
  constructor(page: Page) {
    super(page, 'capacity')
  }

  /** The resource cards in the order shown. */
  get resources() {
    return this.page.locator('[data-testid^="capacity-"][data-status]')
  }

  resource(key: string) {
    return this.byTestId(`capacity-${key}`)
  }

  fix(key: string) {
    return this.byTestId(`capacity-fix-${key}`)
  }
}
