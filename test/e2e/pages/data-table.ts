import type { Locator } from 'playwright-core'

/** One DataTable of a view: its rows, a column's values, a row's actions menu. */
export class DataTablePart {
  constructor(readonly root: Locator) {}

  get rows(): Locator {
    return this.root.locator('tbody tr')
  }

  rowCount(): Promise<number> {
    return this.rows.count()
  }

  text(): Promise<string> {
    return this.root.innerText()
  }

  /** The text of one column (0-based) in every row. */
  async column(index: number): Promise<string[]> {
    return (await this.rows.allInnerTexts()).map((t) => t.split('\t')[index] ?? '')
  }

  /** Opens a row's ⋯ menu (the first column's button named "Actions for …"). */
  async openActions(row: Locator): Promise<void> {
    await row.getByRole('button', { name: /^Actions for / }).click()
  }
}
