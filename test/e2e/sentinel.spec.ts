import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { sentinelSystem } from '../../src/main/systems/sentinel'
import { shot, webAppSuite } from '../support/web-app'

const role = (addr: string) => {
  const [host, port] = addr.split(':')
  return execFileSync('redis-cli', ['-h', host!, '-p', port!, 'ROLE'], { encoding: 'utf8', timeout: 5000 }).split('\n')[0]
}

/** The lab's own Sentinel deployment: master "lab" with one replica and three sentinels. */
describe('Redis Sentinel view in Chromium', () => {
  const { ctx } = webAppSuite()
  const topology = () =>
    sentinelSystem.handlers!(ctx.hub)['sentinel:topology']!(
      { environment: 'lab', endpointId: 'sentinel' },
      { id: 't', emit: () => undefined, onClose: () => undefined },
    )

  it('shows the master, its replica, the sentinels and CKQUORUM', async () => {
    const t = await topology()
    const m = t.masters[0]!
    await ctx.page.getByTestId('nav-sentinel').click()
    const master = ctx.page.getByTestId('sentinel-master-lab')
    await master.waitFor({ timeout: 30_000 })
    expect(await master.getByTestId('ckquorum').innerText()).toMatch(/^ckquorum ok$/i)
    expect(await master.innerText()).toContain(m.replicas[0]!.addr)
    await shot(ctx.page, 'sentinel')
  })

  it('runs SENTINEL FAILOVER from the UI after a named confirmation, and the replica becomes master', async () => {
    const replica = (await topology()).masters[0]!.replicas[0]!.addr
    await ctx.page.getByTestId('sentinel-actions').click()
    await ctx.page.getByTestId('sentinel-failover-lab').click()
    const dialog = ctx.page.getByRole('dialog')
    await dialog.getByTestId('action-plan').waitFor({ timeout: 20_000 })
    expect(await dialog.getByTestId('action-plan').innerText()).toMatch(/SENTINEL FAILOVER lab/)
    await dialog.getByTestId('action-confirm').fill('lab')
    await dialog.getByTestId('action-run').click()
    const result = dialog.getByTestId('action-result')
    await result.waitFor({ timeout: 90_000 })
    expect(await result.innerText()).toContain('succeeded')
    await shot(ctx.page, 'sentinel-failover-done')
    expect(role(replica)).toBe('master')
  })
})
