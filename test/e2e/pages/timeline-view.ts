import type { Page } from 'playwright-core'
import { View } from './view'

/** The timeline: what happened, charts around a moment, incidents and their reports. */
export class TimelineView extends View {
  constructor(page: Page) {
    super(page, 'timeline')
  }

  readonly entries = this.table('timeline-table')

  /** Clicks the first entry saying this, and waits for the charts around its moment. */
  async openMoment(text: string): Promise<void> {
    await this.entries.root.getByText(text).first().click()
    await this.byTestId('timeline-moment').waitFor()
  }

  /** Starts an incident and returns its report's Markdown. */
  async incidentReport(title: string): Promise<string> {
    await this.byTestId('incident-title').fill(title)
    await this.byTestId('incident-start').click()
    await this.byTestId('incident-report').click()
    return this.byTestId('report-markdown').innerText()
  }
}
