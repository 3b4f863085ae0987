import { describe, expect, it } from 'vitest'
import { webAppSuite } from '../support/web-app'

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
    const environments = await ctx.app.environments.open()
    await environments.import(xssYaml(ctx.lab), 'xss')
    expect(await environments.row('xss').innerText()).toContain(XSS.redis)

    const env = (await ctx.app.overview.open()).environmentWith('xss')
    await env.waitFor({ timeout: 30_000 })
    // each system's card streams in as its probe answers
    await expect.poll(() => env.innerText(), { timeout: 30_000 }).toContain(XSS.postgres)

    // Every system page on this environment, with its charts' tooltips shown.
    await ctx.page.goto(`${new URL(ctx.page.url()).origin}/#/redis/xss/r1`)
    const redis = ctx.app.redis
    await redis.waitForSlotMap()
    for (const [x, y] of [
      [0.3, 0.2],
      [0.6, 0.5],
      [0.8, 0.9],
    ] as const) {
      await redis.hoverSlotMap(x, y)
      await ctx.page.waitForTimeout(300)
    }
    expect(await ctx.page.getByTestId('endpoint-picker').inputValue()).toContain(XSS.redis)
    await ctx.page.locator('#root').click({ position: { x: 5, y: 5 } })
    await (await ctx.app.sentinel.openEndpoint('xss', 's1')).byTestId('sentinel-reason').waitFor({ timeout: 30_000 })
    const pg = await ctx.app.postgres.openEndpoint('xss', 'p1')
    await pg.node('pg1').waitFor({ timeout: 30_000 })
    const chart = pg.byTestId('lag-chart')
    if (await chart.count()) {
      const box = (await chart.boundingBox())!
      await ctx.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    }
    await ctx.app.openPalette()
    await ctx.app.paletteSearch.fill('Redis')
    await ctx.page.waitForTimeout(300)
    await ctx.app.shot('xss-names-palette')
    await ctx.page.keyboard.press('Escape')
    expect(await executed()).toBe(0)
    await ctx.hub.inventory.remove('xss')
  })

  it('jumps anywhere and runs the current view’s actions from the command palette (Ctrl+K)', async () => {
    await ctx.page.evaluate(() => (location.hash = '#/overview'))
    // Node entries come from the overview's live data: wait for it before searching them.
    await ctx.page.getByText('pg2', { exact: false }).first().waitFor({ timeout: 30_000 })
    const search = ctx.app.paletteSearch
    await ctx.app.openPalette()
    await search.fill('pg2')
    await ctx.page.getByRole('dialog').getByText(/pg2/).first().waitFor({ timeout: 10_000 })
    await ctx.app.shot('palette-node-search')
    await ctx.page.keyboard.press('Enter')
    await expect.poll(() => ctx.page.evaluate(() => location.hash)).toBe('#/postgres/lab/postgres')
    await ctx.app.postgres.node('pg1').waitFor({ timeout: 30_000 })

    await ctx.app.openPalette()
    await search.fill('switchover to pg3')
    await ctx.page.keyboard.press('Enter')
    await ctx.app.dialog.plan(20_000)
    expect(await ctx.app.dialog.text()).toMatch(/pg3/)
    await ctx.app.shot('palette-started-switchover-plan')
    await ctx.page.keyboard.press('Escape')
  })

  it('marks an environment read-only: a badge in the header, no Actions menu, and every plan refused with the reason', async () => {
    const env = await ctx.hub.inventory.get('lab')
    await ctx.hub.inventory.save({ ...env, readOnly: true }, {}, 'lab')
    try {
      const redis = await ctx.app.redis.openEndpoint('lab', 'redis')
      await ctx.page.reload()
      await redis.byTestId('readonly-badge').waitFor({ timeout: 20_000 })
      await expect.poll(() => redis.byTestId('redis-actions').innerText(), { timeout: 20_000 }).toMatch(/read-only/i)
      await redis.startFailover(redis.masters.rows.first())
      await redis.dialog.plan(20_000)
      expect(await redis.dialog.text()).toMatch(/environment lab is read-only/)
      expect(await redis.dialog.runButton.isDisabled()).toBe(true)
      await ctx.app.shot('read-only-refused')
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
    await (await ctx.app.environments.open()).import(yaml, 'newhost')
    const overview = await ctx.app.overview.open()
    const env = overview.environmentWith('newhost')
    await env.getByTestId('trust-host-key').waitFor({ timeout: 30_000 })
    expect(await env.innerText()).toMatch(/UNKNOWN HOST KEY/)
    expect(await ctx.hub.knownHosts.list()).not.toContainEqual(expect.objectContaining({ host: 'localhost' }))
    await env.getByTestId('trust-host-key').click()
    await ctx.page.getByRole('dialog').waitFor()
    await ctx.page.waitForTimeout(400) // the modal's opening transition
    const fingerprint = await ctx.page.getByTestId('host-key-fingerprint').innerText()
    expect(fingerprint).toMatch(/^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}$/)
    await ctx.app.shot('trust-host-key')
    await ctx.page.getByTestId('confirm-trust-host-key').click()
    await expect.poll(async () => (await ctx.hub.knownHosts.list()).find((k) => k.host === 'localhost')?.fingerprint).toBe(fingerprint.split(' ')[1])
    await overview.environmentWith('newhost', 'ok').waitFor({ timeout: 30_000 })
  })
})
