import type { Page } from 'playwright-core'
import { View } from './view'

/** The inventory: environments, their endpoints and secrets; import, edit, test. */
export class EnvironmentsView extends View {
  constructor(page: Page) {
    super(page, 'environments')
  }

  row(name: string) {
    return this.byTestId(`env-row-${name}`)
  }

  /** Imports an environment from YAML and waits for its row. */
  async import(yaml: string, name: string): Promise<void> {
    await this.byTestId('import-open').click()
    await this.byTestId('import-text').fill(yaml)
    await this.byTestId('import-submit').click()
    await this.row(name).waitFor()
  }

  async startNew(name: string): Promise<void> {
    await this.byTestId('new-environment').click()
    await this.byTestId('env-name').fill(name)
  }

  /** In the editor: a new endpoint of a kind, its fields by name. */
  async addEndpoint(kind: string, fields: Record<string, string>): Promise<void> {
    await this.byTestId('add-endpoint').click()
    await this.byTestId(`add-${kind}`).click()
    for (const [name, value] of Object.entries(fields)) await this.byTestId(name.startsWith('secret-') ? name : `field-${name}`).fill(value)
  }

  async testEndpoint(): Promise<void> {
    await this.byTestId('test-endpoint').click()
  }

  testResult() {
    return this.byTestId('test-result')
  }

  async save(name: string): Promise<void> {
    await this.byTestId('save-environment').click()
    await this.row(name).waitFor()
  }
}
