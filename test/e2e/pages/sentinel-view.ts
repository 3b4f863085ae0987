import type { Page } from 'playwright-core'
import { View } from './view'

/** Redis Sentinel: each monitored master with its replicas and CKQUORUM. */
export class SentinelView extends View {
  constructor(page: Page) {
    super(page, 'sentinel')
  }

  master(name: string) {
    return this.byTestId(`sentinel-master-${name}`)
  }

  async startFailover(master: string): Promise<void> {
    await this.openActionsMenu()
    await this.byTestId(`sentinel-failover-${master}`).click()
  }
}
