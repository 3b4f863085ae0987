import type { Page } from 'playwright-core'
import { View } from './view'

/** Alerts: pending and firing ones with acknowledge and silence, the resolved ones, the rules. */
export class AlertsView extends View {
  constructor(page: Page) {
    super(page, 'alerts')
  }

  readonly history = this.table('alerts-history')

  alert(metric: string, state: 'pending' | 'firing') {
    return this.page.locator(`[data-testid="alert-${metric}"][data-state="${state}"]`)
  }

  async acknowledge(metric: string, note: string): Promise<void> {
    await this.alert(metric, 'firing').getByPlaceholder('note').fill(note)
    await this.byTestId(`ack-${metric}`).click()
  }

  async showResolved(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Resolved' }).click()
  }

  /** Saves rules YAML and returns what the view answers. */
  async saveRules(yaml: string): Promise<string> {
    await this.byTestId('alerts-rules-tab').click()
    await this.byTestId('alerts-rules').fill(yaml)
    await this.byTestId('alerts-rules-save').click()
    return this.byTestId('alerts-rules-result').innerText()
  }
}
