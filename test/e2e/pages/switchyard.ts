import type { Page } from 'playwright-core'
import { shot } from '../../support/screens'
import { ActionDialog } from './action-dialog'
import { AlertsView } from './alerts-view'
import { AppTierView } from './app-tier-view'
import { CapacityView } from './capacity-view'
import { EnvironmentsView } from './environments-view'
import { MongoView } from './mongo-view'
import { OverviewView } from './overview-view'
import { PostgresView } from './postgres-view'
import { ProceduresView } from './procedures-view'
import { RedisView } from './redis-view'
import { SentinelView } from './sentinel-view'
import { TimelineView } from './timeline-view'
import { View, type ViewName } from './view'

/** The app as the e2e tests drive it: one object per view, the action dialog, the command palette. */
export class Switchyard {
  readonly dialog: ActionDialog
  readonly overview: OverviewView
  readonly redis: RedisView
  readonly sentinel: SentinelView
  readonly mongo: MongoView
  readonly postgres: PostgresView
  readonly appTier: AppTierView
  readonly capacity: CapacityView
  readonly alerts: AlertsView
  readonly timeline: TimelineView
  readonly procedures: ProceduresView
  readonly environments: EnvironmentsView
  readonly hosts: View
  readonly audit: View

  constructor(readonly page: Page) {
    this.dialog = new ActionDialog(page)
    this.overview = new OverviewView(page)
    this.redis = new RedisView(page)
    this.sentinel = new SentinelView(page)
    this.mongo = new MongoView(page)
    this.postgres = new PostgresView(page)
    this.appTier = new AppTierView(page)
    this.capacity = new CapacityView(page)
    this.alerts = new AlertsView(page)
    this.timeline = new TimelineView(page)
    this.procedures = new ProceduresView(page)
    this.environments = new EnvironmentsView(page)
    this.hosts = new View(page, 'hosts')
    this.audit = new View(page, 'audit')
  }

  /** Every view, in the navigation's order. */
  get views(): View[] {
    return [
      this.overview,
      this.redis,
      this.sentinel,
      this.mongo,
      this.postgres,
      this.appTier,
      this.capacity,
      this.alerts,
      this.timeline,
      this.procedures,
      this.environments,
      this.hosts,
      this.audit,
    ]
  }

  /** A link's path (open/…, incident/…, as after switchyard://) put in the address, as web mode opens it. */
  async openLink(path: string): Promise<void> {
    await this.page.evaluate((hash) => (location.hash = hash), `#/${path}`)
  }

  /** The address once the app has routed a link into its own form. */
  async routedHash(): Promise<string> {
    await this.page.waitForFunction(() => !/^#\/(open|incident)\//.test(location.hash))
    return this.page.evaluate(() => location.hash)
  }

  /** The table row (or node card) a link named. */
  get focused() {
    return this.page.locator('[data-focused="true"]')
  }

  /** A full-page screenshot under test-results/screenshots, its charts drawn first. */
  shot(name: string): Promise<Buffer> {
    return shot(this.page, name)
  }

  view(name: ViewName): View {
    return this.views.find((v) => v.name === name)!
  }

  get paletteSearch() {
    return this.page.getByPlaceholder(/Jump to a view/)
  }

  /** Opens the command palette (Ctrl+K toggles: a palette still closing is let close first). */
  async openPalette(): Promise<void> {
    if (await this.paletteSearch.isVisible()) await this.page.keyboard.press('Escape')
    await this.paletteSearch.waitFor({ state: 'hidden' })
    await this.page.keyboard.press('Control+k')
    await this.paletteSearch.waitFor({ state: 'visible' })
  }
}
