import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { createHandlers } from '../../src/main/app/handlers'
import type { ServiceHub } from '../../src/main/core/service-hub'
import { startWebServer, type WebServer } from '../../src/main/app/web-server'
import { dispatch } from '../../src/main/app/dispatch'
import type { ActionPlan, ActionResult } from '../../src/shared/actions'
import type { RequestInput } from '../../src/shared/contract'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from './lab'
import { SCREENSHOTS } from './screens'
import { Switchyard } from '../e2e/pages/switchyard'

const RENDERER = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The app in web mode over a hub, and a headless Chromium (no page yet). */
export async function startWebApp(hub: ServiceHub): Promise<{ server: WebServer; browser: Browser }> {
  if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('the renderer is not built: run npm run build first')
  mkdirSync(SCREENSHOTS, { recursive: true })
  const server = await startWebServer({
    rendererDir: RENDERER,
    handlers: (broadcast) =>
      createHandlers(hub, {
        info: { mode: 'web', version: 'e2e', dataDir: hub.options.dataDir, secretBackend: { kind: 'keyfile' } },
        broadcastProgress: (p) => broadcast('action:progress', p),
      }),
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  })
  return { server, browser }
}

/** The app in web mode over a test hub, and a headless Chromium on it (the script runs before the page's own): what a person would see. */
export async function openWebApp(
  hub: ServiceHub,
  initScript?: string,
): Promise<{ server: WebServer; browser: Browser; page: Page; close: () => Promise<void> }> {
  const { server, browser } = await startWebApp(hub)
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  if (initScript) await page.addInitScript(initScript)
  await page.goto(server.url)
  return {
    server,
    browser,
    page,
    close: async () => {
      await browser.close()
      await server.close()
    },
  }
}

/**
 * One e2e suite: a hub holding the lab, the app in web mode and a page on it, torn down after;
 * runAction drives the same action runner as the UI, to put the lab back after a test changed it.
 */
export function webAppSuite() {
  const ctx = {} as { hub: ServiceHub; lab: LabDescription; page: Page; app: Switchyard; close?: () => Promise<void> }
  beforeAll(async () => {
    const { hub, lab } = await labHub()
    const opened = await openWebApp(hub)
    Object.assign(ctx, { hub, lab, app: new Switchyard(opened.page) }, opened)
  })
  afterAll(async () => {
    await ctx.close?.()
    await ctx.hub?.close()
  })
  const runAction = async (request: RequestInput<'action:plan'>): Promise<ActionResult> => {
    const handlers = createHandlers(ctx.hub, {
      info: { mode: 'web', version: 'e2e', dataDir: ctx.hub.options.dataDir, secretBackend: { kind: 'keyfile' } },
      broadcastProgress: () => undefined,
    })
    const client = { id: 'e2e-restore', emit: () => undefined, onClose: () => undefined }
    // Through dispatch, so the request gets its schema defaults exactly as from the UI.
    const planned = await dispatch(handlers, 'action:plan', request, client)
    if (!planned.ok) throw new Error(planned.error.message)
    const plan = planned.value as ActionPlan
    const ran = await dispatch(handlers, 'action:run', { planId: plan.planId, confirm: plan.target }, client)
    if (!ran.ok) throw new Error(ran.error.message)
    return ran.value as ActionResult
  }
  return { ctx, runAction }
}
