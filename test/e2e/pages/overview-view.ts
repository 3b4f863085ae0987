import type { Page } from 'playwright-core'
import { View } from './view'

/** The first view: one panel per environment, a card per system, interrupted runs, the fleet's filter. */
export class OverviewView extends View {
  constructor(page: Page) {
    super(page, 'overview')
  }

  environment(name: string) {
    return this.page.getByTestId(`env-${name}`)
  }

  /** An environment's panel once it shows this status ('critical', 'ok', …), or any status. */
  environmentWith(name: string, status?: string) {
    return this.page.locator(`[data-testid="env-${name}"][data-status${status ? `="${status}"` : ''}]`)
  }

  /** The system cards of an environment that have a status, or those with this one. */
  systemCards(environment: string, status?: string) {
    return this.page.locator(`[data-testid="env-${environment}"] [data-testid^="system-"][data-status${status ? `="${status}"` : ''}]`)
  }

  /** The panels shown, by environment name, in the order shown. */
  async shownEnvironments(): Promise<string[]> {
    const ids = await this.page.locator('[data-testid^="env-"][data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))
    return ids.map((t) => t!.slice(4))
  }

  get fleetSummary() {
    return this.byTestId('fleet-summary')
  }

  /** Environments folded to a line each (or, given a name, that one once folded). */
  folded(name?: string) {
    return this.page.locator(name ? `[data-testid="env-${name}"][data-folded="true"]` : '[data-folded="true"]')
  }

  async unfold(name: string): Promise<void> {
    await this.byTestId(`unfold-${name}`).click()
  }

  async fold(name: string): Promise<void> {
    await this.byTestId(`fold-${name}`).click()
  }

  async problemsOnly(): Promise<void> {
    await this.byTestId('overview-problems').click()
  }

  interruptedRun(runId: string) {
    return this.page.getByTestId(`interrupted-${runId.slice(0, 8)}`)
  }

  async filter(text: string): Promise<void> {
    await this.page.getByTestId('overview-filter').fill(text)
  }

  async restartContainer(name: string): Promise<void> {
    await this.page.getByTestId(`restart-${name}`).click()
  }
}
