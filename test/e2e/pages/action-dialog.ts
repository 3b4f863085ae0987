import type { Page } from 'playwright-core'
import { shot } from '../../support/screens'

/** The action dialog every destructive action goes through: plan, typed confirmation, progress, result. */
export class ActionDialog {
  constructor(private readonly page: Page) {}

  /** The dialog that shows a plan (the palette is a dialog too). */
  get root() {
    return this.page.getByRole('dialog').filter({ has: this.page.getByTestId('action-plan') })
  }

  get runButton() {
    return this.root.getByTestId('action-run')
  }

  /** The plan's text once it has come: the exact commands of the dry run. */
  async plan(timeout = 30_000): Promise<string> {
    const plan = this.page.getByRole('dialog').getByTestId('action-plan')
    await plan.waitFor({ timeout })
    return plan.innerText()
  }

  /** What the plan says it will do (per master, per replica), one line each. */
  async whatIf(): Promise<string[]> {
    return (await this.root.getByTestId('action-what-if').innerText()).split('\n').slice(1)
  }

  /** How long the plan says it will take, from what, and how the last predictions did. */
  estimate(): Promise<string> {
    return this.root.getByTestId('action-estimate').innerText()
  }

  /** All the dialog says, refusals included. */
  text(): Promise<string> {
    return this.root.innerText()
  }

  /** The word the dialog asks to be typed: the target it names. */
  async askedTarget(): Promise<string> {
    const label = await this.root.locator('label').filter({ hasText: 'to confirm' }).innerText()
    return /Type (\S+) to confirm/.exec(label)![1]!
  }

  async confirm(target?: string): Promise<void> {
    await this.root.getByTestId('action-confirm').fill(target ?? (await this.askedTarget()))
  }

  /** Run the confirmed plan and return the result's text once it shows. */
  async run(timeout = 120_000): Promise<string> {
    await this.runButton.click()
    const result = this.root.getByTestId('action-result')
    await result.waitFor({ timeout })
    return result.innerText()
  }

  async close(): Promise<void> {
    await this.page.keyboard.press('Escape')
    await this.page.getByRole('dialog').waitFor({ state: 'hidden' })
  }

  /** The whole way through: the plan, the asked (or given) target typed, run, closed; screenshots of the plan and the result when named. */
  async confirmAndRun(options: { target?: string; shots?: { plan?: string; done?: string }; timeout?: number } = {}): Promise<string> {
    await this.plan()
    await this.confirm(options.target)
    if (options.shots?.plan) await shot(this.page, options.shots.plan)
    const text = await this.run(options.timeout)
    if (options.shots?.done) await shot(this.page, options.shots.done)
    await this.close()
    return text
  }
}
