import { describe, expect, it } from 'vitest'
import { shot, webAppSuite } from '../support/web-app'

/** Names that would run script if any view rendered them as HTML. */
const XSS = {
  description: '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  redis: '<script>window.__xss=1</script><b>Redis</b>',
  sentinel: '<svg onload="window.__xss=1">sentinel',
  postgres: '<img src=y onerror="window.__xss=1">pg',
}

const xssYaml = (lab: {
  redis: { seeds: { port: number }[] }
  sentinel: { masterName: string; sentinels: { port: number }[] }
  postgres: { user: string; nodes: { name: string; port: number }[] }
}) =>
  [
    'name: xss',
    `description: '${XSS.description}'`,
    'endpoints:',
    `  - { kind: redis-cluster, id: r1, name: '${XSS.redis}', seeds: [{ host: 127.0.0.1, port: ${lab.redis.seeds[0]!.port} }] }`,
    `  - { kind: redis-sentinel, id: s1, name: '${XSS.sentinel}', masterName: ${lab.sentinel.masterName}, sentinels: [{ host: 127.0.0.1, port: ${lab.sentinel.sentinels[0]!.port} }] }`,
    `  - kind: postgres`,
    `    id: p1`,
    `    name: '${XSS.postgres}'`,
    `    user: ${lab.postgres.user}`,
    `    sslmode: disable`,
    `    nodes: [${lab.postgres.nodes.map((n) => `{ name: ${n.name}, host: 127.0.0.1, port: ${n.port} }`).join(', ')}]`,
    '',
  ].join('\n')

describe('the app shell in Chromium', () => {
  const { ctx } = webAppSuite()
  const executed = () => ctx.page.evaluate(() => (window as { __xss?: number }).__xss ?? 0)

  it('imports an environment with HTML for names; no view, tooltip or palette runs it', async () => {
    await ctx.page.getByTestId('nav-environments').click()
    await ctx.page.getByTestId('import-open').click()
    await ctx.page.getByTestId('import-text').fill(xssYaml(ctx.lab))
    await ctx.page.getByTestId('import-submit').click()
    await ctx.page.getByTestId('env-row-xss').waitFor()
    expect(await ctx.page.getByTestId('env-row-xss').innerText()).toContain(XSS.redis)

    await ctx.page.getByTestId('nav-overview').click()
    const env = ctx.page.locator('[data-testid="env-xss"][data-status]')
    await env.waitFor({ timeout: 30_000 })
    expect(await env.innerText()).toContain(XSS.postgres)

    // Every system page on this environment, with its charts' tooltips shown.
    await ctx.page.goto(`${new URL(ctx.page.url()).origin}/#/redis/xss/r1`)
    await ctx.page.getByTestId('slot-map').locator('canvas').first().waitFor({ timeout: 30_000 })
    const map = (await ctx.page.getByTestId('slot-map').boundingBox())!
    for (const [x, y] of [
      [0.3, 0.2],
      [0.6, 0.5],
      [0.8, 0.9],
    ] as const) {
      await ctx.page.mouse.move(map.x + map.width * x, map.y + map.height * y)
      await ctx.page.waitForTimeout(300)
    }
    expect(await ctx.page.getByTestId('endpoint-picker').inputValue()).toContain(XSS.redis)
    await ctx.page.locator('#root').click({ position: { x: 5, y: 5 } })
    await ctx.page.evaluate(() => (location.hash = '#/sentinel/xss/s1'))
    await ctx.page.getByTestId('sentinel-reason').waitFor({ timeout: 30_000 })
    await ctx.page.evaluate(() => (location.hash = '#/postgres/xss/p1'))
    await ctx.page.locator('[data-testid="pg-node-pg1"][data-role]').waitFor({ timeout: 30_000 })
    const chart = ctx.page.getByTestId('lag-chart')
    if (await chart.count()) {
      const box = (await chart.boundingBox())!
      await ctx.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    }
    await ctx.page.keyboard.press('Control+k')
    await ctx.page.getByPlaceholder(/Jump to a view/).fill('Redis')
    await ctx.page.waitForTimeout(300)
    await shot(ctx.page, 'xss-names-palette')
    await ctx.page.keyboard.press('Escape')
    expect(await executed()).toBe(0)
    await ctx.hub.inventory.remove('xss')
  })

  it('jumps anywhere and runs the current view’s actions from the command palette (Ctrl+K)', async () => {
    await ctx.page.evaluate(() => (location.hash = '#/overview'))
    // Node entries come from the overview's live data: wait for it before searching them.
    await ctx.page.getByText('pg2', { exact: false }).first().waitFor({ timeout: 30_000 })
    const search = ctx.page.getByPlaceholder(/Jump to a view/)
    // Ctrl+K toggles, and a palette that just ran an entry is still closing: let it close first.
    const openPalette = async () => {
      if (await search.isVisible()) await ctx.page.keyboard.press('Escape')
      await search.waitFor({ state: 'hidden' })
      await ctx.page.keyboard.press('Control+k')
      await search.waitFor({ state: 'visible' })
    }
    await openPalette()
    await search.fill('pg2')
    await ctx.page.getByRole('dialog').getByText(/pg2/).first().waitFor({ timeout: 10_000 })
    await shot(ctx.page, 'palette-node-search')
    await ctx.page.keyboard.press('Enter')
    await expect.poll(() => ctx.page.evaluate(() => location.hash)).toBe('#/postgres/lab/postgres')
    await ctx.page.locator('[data-testid="pg-node-pg1"][data-role]').waitFor({ timeout: 30_000 })

    await openPalette()
    await search.fill('switchover to pg3')
    await ctx.page.keyboard.press('Enter')
    const dialog = ctx.page.getByRole('dialog').filter({ has: ctx.page.getByTestId('action-plan') })
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.innerText()).toMatch(/pg3/)
    await shot(ctx.page, 'palette-started-switchover-plan')
    await ctx.page.keyboard.press('Escape')
  })

  it('marks an environment read-only: a badge in the header, no Actions menu, and every plan refused with the reason', async () => {
    const env = await ctx.hub.inventory.get('lab')
    await ctx.hub.inventory.save({ ...env, readOnly: true }, {}, 'lab')
    try {
      await ctx.page.evaluate(() => (location.hash = '#/redis/lab/redis'))
      await ctx.page.reload()
      await ctx.page.getByTestId('readonly-badge').waitFor({ timeout: 20_000 })
      await expect.poll(() => ctx.page.getByTestId('redis-actions').innerText(), { timeout: 20_000 }).toMatch(/read-only/i)
      await ctx.page
        .getByTestId('masters-table')
        .locator('tbody tr')
        .first()
        .getByRole('button', { name: /^Actions for / })
        .click()
      await ctx.page.getByTestId('failover-default').click()
      const dialog = ctx.page.getByRole('dialog')
      await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
      expect(await dialog.innerText()).toMatch(/environment lab is read-only/)
      expect(await dialog.getByTestId('action-run').isDisabled()).toBe(true)
      await shot(ctx.page, 'read-only-refused')
      await ctx.page.keyboard.press('Escape')
    } finally {
      await ctx.hub.inventory.save({ ...env, readOnly: false }, {}, 'lab')
    }
  })

  it('keeps the token out of the address bar, and asks with the fingerprint before trusting an SSH host it has never seen', async () => {
    expect(ctx.page.url()).not.toContain('token=')
    // localhost:2222 is the lab's sshd under a name the app has never connected to
    const yaml = [
      'name: newhost',
      'endpoints:',
      `  - { kind: ssh, id: fresh, name: fresh host, host: localhost, port: ${ctx.lab.ssh.port}, user: root, auth: { method: key, keyPath: ${ctx.lab.ssh.keyPath} } }`,
      '',
    ].join('\n')
    await ctx.page.getByTestId('nav-environments').click()
    await ctx.page.getByTestId('import-open').click()
    await ctx.page.getByTestId('import-text').fill(yaml)
    await ctx.page.getByTestId('import-submit').click()
    await ctx.page.getByTestId('env-row-newhost').waitFor()
    await ctx.page.getByTestId('nav-overview').click()
    const env = ctx.page.locator('[data-testid="env-newhost"][data-status]')
    await env.getByTestId('trust-host-key').waitFor({ timeout: 30_000 })
    expect(await env.innerText()).toMatch(/UNKNOWN HOST KEY/)
    expect(await ctx.hub.knownHosts.list()).not.toContainEqual(expect.objectContaining({ host: 'localhost' }))
    await env.getByTestId('trust-host-key').click()
    await ctx.page.getByRole('dialog').waitFor()
    await ctx.page.waitForTimeout(400) // the modal's opening transition
    const fingerprint = await ctx.page.getByTestId('host-key-fingerprint').innerText()
    expect(fingerprint).toMatch(/^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/)
    await shot(ctx.page, 'trust-host-key')
    await ctx.page.getByTestId('confirm-trust-host-key').click()
    await expect.poll(async () => (await ctx.hub.knownHosts.list()).find((k) => k.host === 'localhost')?.fingerprint).toBe(fingerprint.split(' ')[1])
    await ctx.page.locator('[data-testid="env-newhost"][data-status="ok"]').waitFor({ timeout: 30_000 })
  })
})
