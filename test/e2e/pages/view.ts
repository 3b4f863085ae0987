import type { Page } from 'playwright-core'
import { ActionDialog } from './action-dialog'
import { DataTablePart } from './data-table'

export type ViewName =
  'overview' | 'redis' | 'sentinel' | 'mongo' | 'postgres' | 'app' | 'capacity' | 'alerts' | 'timeline' | 'procedures' | 'environments' | 'hosts' | 'audit'

/** What every view object has: its page, its entry in the navigation, the action dialog, tables by test id. */
export class View {
  readonly dialog: ActionDialog

  constructor(
    readonly page: Page,
    readonly name: ViewName,
  ) {
    this.dialog = new ActionDialog(page)
  }

  /** Through the navigation, as a person goes there. */
  async open(): Promise<this> {
    await this.page.getByTestId(`nav-${this.name}`).click()
    return this
  }

  /** Straight to an endpoint of this view by its address (#/view/environment/endpoint). */
  async openEndpoint(environment: string, endpointId: string): Promise<this> {
    await this.page.evaluate((hash) => (location.hash = hash), `#/${this.name}/${environment}/${endpointId}`)
    return this
  }

  byTestId(id: string) {
    return this.page.getByTestId(id)
  }

  table(testId: string): DataTablePart {
    return new DataTablePart(this.page.getByTestId(testId))
  }

  /** The header's Actions menu, opened. */
  async openActionsMenu(): Promise<void> {
    await this.page.getByTestId(`${this.name === 'postgres' ? 'pg' : this.name}-actions`).click()
  }
}
