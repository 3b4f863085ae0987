import type { Page } from 'playwright-core'
import { View } from './view'

/** PostgreSQL: the nodes and their roles, lag, Patroni's members, and the actions. */
export class PostgresView extends View {
  constructor(page: Page) {
    super(page, 'postgres')
  }

  readonly lag = this.table('lag-table')
  readonly patroniMembers = this.table('patroni-members')

  /** A node's card, once it shows this role ('primary', 'standby'), or any role. */
  node(name: string, role?: string) {
    return this.page.locator(`[data-testid="pg-node-${name}"][data-role${role ? `="${role}"` : ''}]`)
  }

  nodesWithRole(role: string) {
    return this.page.locator(`[data-testid^="pg-node-"][data-role="${role}"]`)
  }

  async startSwitchover(to: string): Promise<void> {
    await this.openActionsMenu()
    await this.byTestId(`switchover-${to}`).click()
  }
}
