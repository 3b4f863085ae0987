import type { Page } from 'playwright-core'
import { View } from './view'

/** Capacity: every resource that runs out, soonest first, with its chart, forecast and fix. */
export class CapacityView extends View {
  constructor(page: Page) {
    super(page, 'capacity')
  }

  /** The cards of what runs out within 7 days, soonest first. */
  get urgent() {
    return this.page.locator('[data-testid^="capacity-"][data-status]')
  }

  /** A resource's row in the table of all of them. */
  row(key: string) {
    return this.byTestId('capacity-table').locator(`[data-key="${key}"]`)
  }

  resource(key: string) {
    return this.byTestId(`capacity-${key}`)
  }

  fix(key: string) {
    return this.byTestId(`capacity-fix-${key}`)
  }
}
