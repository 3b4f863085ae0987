import type { Page } from 'playwright-core'
import { View } from './view'

/** MongoDB: chunk balance, shards, replica sets, migrations, and the findings with their fixes. */
export class MongoView extends View {
  constructor(page: Page) {
    super(page, 'mongo')
  }

  readonly collections = this.table('collections-table')

  collection(ns: string) {
    return this.byTestId(`collection-${ns}`)
  }

  verdict(ns: string) {
    return this.byTestId(`verdict-${ns}`)
  }

  finding(code: string) {
    return this.byTestId(`mongo-finding-${code}`)
  }

  async fix(code: string): Promise<void> {
    await this.byTestId(`mongo-fix-${code}`).click()
  }

  async showBalance(): Promise<void> {
    await this.byTestId('mongo-balance-tab').click()
  }

  async showReplicaSets(): Promise<void> {
    await this.byTestId('mongo-replication-tab').click()
  }

  member(host: string, state?: string) {
    return this.page.locator(`[data-testid="member-${host}"]${state ? `[data-state="${state}"]` : ''}`)
  }

  async toggleBalancer(): Promise<void> {
    await this.byTestId('balancer-toggle').click()
  }

  async stepDown(replicaSet: string): Promise<void> {
    await this.byTestId(`stepdown-${replicaSet}`).click()
  }
}
