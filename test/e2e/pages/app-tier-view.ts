import type { Page } from 'playwright-core'
import { View } from './view'

/** The app tier: nginx's upstreams with the containers behind them, the containers, nginx itself. */
export class AppTierView extends View {
  constructor(page: Page) {
    super(page, 'app')
  }

  backends(upstream: string) {
    return this.table(`backends-${upstream}`)
  }

  backend(address: string) {
    return this.byTestId(`backend-${address}`)
  }

  group(upstream: string) {
    return this.byTestId(`group-${upstream}`)
  }

  async showUpstreams(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Upstreams' }).click()
  }

  async showContainers(): Promise<void> {
    await this.byTestId('containers-tab').click()
    await this.byTestId('containers-table').waitFor()
  }

  /** Types the replica count of an upstream's service and asks for the plan. */
  async startScale(upstream: string, replicas: number): Promise<void> {
    await this.byTestId(`scale-input-${upstream}`).fill(String(replicas))
    await this.byTestId(`scale-${upstream}`).click()
  }

  /** A container's logs drawer, from its row's menu in the Containers tab. */
  async openLogs(container: string): Promise<void> {
    await this.byTestId(`container-actions-${container}`).click()
    await this.byTestId(`logs-${container}`).click()
  }

  logs() {
    return this.byTestId('logs-view')
  }

  // ---- the Autoscaling tab ----

  readonly decisions = this.table('autoscale-decisions')

  async showAutoscaling(): Promise<void> {
    await this.byTestId('autoscale-tab').click()
    await this.byTestId('autoscale-yaml').waitFor({ timeout: 30_000 })
  }

  /** Writes the policies' YAML in the editor, saves, and returns what the view answers. */
  async savePolicies(yaml: string): Promise<string> {
    const result = this.byTestId('autoscale-save-result')
    await this.byTestId('autoscale-yaml').fill(yaml)
    // editing clears the last verdict: the one read below is this save's
    await result.waitFor({ state: 'detached' })
    await this.byTestId('autoscale-save').click()
    await result.waitFor()
    return result.innerText()
  }

  policy(name: string) {
    return this.byTestId(`policy-${name}`)
  }
}
