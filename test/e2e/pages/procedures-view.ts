import type { Page } from 'playwright-core'
import { View } from './view'

/** Guided procedures: start one with its parameters, confirm and tick its steps, its report. */
export class ProceduresView extends View {
  constructor(page: Page) {
    super(page, 'procedures')
  }

  async start(procedure: string, params: Record<string, string>): Promise<void> {
    await this.byTestId(`start-${procedure}`).click()
    for (const [name, value] of Object.entries(params)) await this.byTestId(`param-${name}`).fill(value)
    await this.byTestId('procedure-start').click()
  }

  step(id: string) {
    return this.byTestId(`step-${id}`)
  }

  /** Waits until a step's status says this (e.g. "your confirmation"). */
  async waitForStep(id: string, status: string, timeout = 60_000): Promise<void> {
    await this.byTestId(`step-${id}-status`).getByText(status).waitFor({ timeout })
  }

  async confirmStep(id: string, target: string): Promise<void> {
    await this.step(id).getByTestId('step-confirm').fill(target)
    await this.step(id).getByTestId('step-run').click()
  }

  async tickStep(id: string, note: string): Promise<void> {
    await this.step(id).getByTestId('step-note').fill(note)
    await this.step(id).getByTestId('step-tick').click()
  }

  runState() {
    return this.byTestId('run-state').innerText()
  }

  async report(): Promise<string> {
    await this.byTestId('run-report').click()
    const report = this.byTestId('report-markdown')
    await report.waitFor()
    return report.innerText()
  }
}
