import type { Locator, Page } from 'playwright-core'
import { View } from './view'

/** Redis Cluster: the slot map, the masters and nodes tables, the history. */
export class RedisView extends View {
  constructor(page: Page) {
    super(page, 'redis')
  }

  readonly masters = this.table('masters-table')
  readonly nodes = this.table('nodes-table')

  get slotMap() {
    return this.byTestId('slot-map')
  }

  get reason() {
    return this.byTestId('redis-reason')
  }

  /** How many polls the view has drawn. */
  async polls(): Promise<number> {
    return Number(await this.reason.getAttribute('data-polls'))
  }

  async waitForSlotMap(timeout = 30_000): Promise<void> {
    await this.slotMap.locator('canvas').first().waitFor({ timeout })
  }

  /** Moves the pointer to a point of the slot map, as fractions of its width and height. */
  async hoverSlotMap(x: number, y: number, steps = 1): Promise<void> {
    const box = (await this.slotMap.boundingBox())!
    await this.page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps })
  }

  masterAddr(row: Locator): Promise<string> {
    return row
      .getByTestId('master-addr')
      .innerText()
      .then((t) => t.trim())
  }

  /** Master address → the colour of its swatch in the Masters table. */
  async masterColors(): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for (const row of await this.masters.rows.all())
      out[await this.masterAddr(row)] = await row.getByTestId('master-color').evaluate((e) => getComputedStyle(e).backgroundColor)
    return out
  }

  /** The header's Actions menu, then "Rebalance slots evenly": the dialog opens on the plan. */
  async startRebalance(): Promise<void> {
    await this.openActionsMenu()
    await this.page.getByRole('menuitem', { name: 'Rebalance slots evenly' }).click()
  }

  /** A master row's menu, then its coordinated failover: the dialog opens on the plan. */
  async startFailover(row: Locator): Promise<void> {
    await this.masters.openActions(row)
    await this.page.getByTestId('failover-default').click()
  }
}
