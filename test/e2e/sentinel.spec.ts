import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { sentinelSystem } from '../../src/main/systems/sentinel'
import { webAppSuite } from '../support/web-app'

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
    const sentinel = await ctx.app.sentinel.open()
    const master = sentinel.master('lab')
    await master.waitFor({ timeout: 30_000 })
    expect(await master.getByTestId('ckquorum').innerText()).toMatch(/^ckquorum ok$/i)
    expect(await master.innerText()).toContain(m.replicas[0]!.addr)
    await ctx.app.shot('sentinel')
  })

  it('runs SENTINEL FAILOVER from the UI after a named confirmation, and the replica becomes master', async () => {
    const replica = (await topology()).masters[0]!.replicas[0]!.addr
    const sentinel = ctx.app.sentinel
    await sentinel.startFailover('lab')
    expect(await sentinel.dialog.plan(20_000)).toMatch(/SENTINEL FAILOVER lab/)
    await sentinel.dialog.confirm('lab')
    expect(await sentinel.dialog.run(90_000)).toContain('succeeded')
    await ctx.app.shot('sentinel-failover-done')
    expect(role(replica)).toBe('master')
  })
})
