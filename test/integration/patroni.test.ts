import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { patroniLab, type PatroniLab } from '../support/patroni-lab'

/** The Patroni-managed cluster of the lab, read and changed only through Patroni's REST API. */
describe('Patroni', () => {
  let lab: PatroniLab

  beforeAll(async () => {
    lab = await patroniLab()
    await lab.waitHealthy()
  })

  afterAll(async () => {
    if (!lab) return
    try {
      await lab.restore()
    } finally {
      await lab.hub.close()
    }
  })

  it('reads members, roles, timeline, lag and history from the REST API next to what PostgreSQL says, and they agree', async () => {
    const t = await lab.service.topology('lab', 'patroni')
    expect(t.manager).toBe('patroni')
    const p = t.patroni!
    expect(p.error).toBeUndefined()
    expect(p.scope).toBe('labha')
    expect(p.version).toMatch(/^3\./)
    expect(p.members.map((m) => m.name).sort()).toEqual(['ha1', 'ha2', 'ha3'])
    expect(p.members.every((m) => m.node === m.name)).toBe(true)
    expect(p.disagreements).toEqual([])
    expect(t.primary).toBe(p.leader)
    expect(t.status).toBe('ok')
  })

  it('refuses our own pg_ctl switchover on it, with the reason', async () => {
    await expect(lab.runner.plan({ kind: 'pg.switchover', environment: 'lab', endpointId: 'patroni', newPrimary: 'ha2' })).rejects.toThrow(
      /managed by Patroni \(scope labha\).*never stops, promotes or repoints its servers behind Patroni's back: switch over through Patroni/,
    )
  })

  it('recognises Patroni from its sessions on the nodes when the endpoint names no REST URL, and refuses every action', async () => {
    const env = structuredClone(await lab.hub.inventory.get('lab'))
    env.name = 'lab-unnamed'
    const ep = env.endpoints.find((e) => e.id === 'patroni')!
    if (ep.kind === 'postgres') delete ep.patroni
    await lab.hub.inventory.save(env, { 'patroni.password': lab.lab.postgres.password })
    try {
      const t = await lab.service.topology('lab-unnamed', 'patroni')
      expect(t.manager).toBe('patroni')
      expect(t.patroni?.error).toMatch(
        /Patroni's own sessions are connected to ha1, ha2, ha3, but the endpoint names no Patroni REST URL and none answers on port 8008/,
      )
      expect(t.status).toBe('warn')
      await expect(lab.runner.plan({ kind: 'pg.switchover', environment: 'lab-unnamed', endpointId: 'patroni', newPrimary: 'ha2' })).rejects.toThrow(
        /managed by Patroni/,
      )
      await expect(lab.runner.plan({ kind: 'pg.patroni-switchover', environment: 'lab-unnamed', endpointId: 'patroni', candidate: 'ha2' })).rejects.toThrow(
        /nothing was changed: .*no Patroni REST URL/,
      )
    } finally {
      await lab.hub.inventory.remove('lab-unnamed')
    }
  })

  it('switches over through Patroni; the REST API and pg_is_in_recovery() both show the new leader', async () => {
    const leader = await lab.leader()
    const candidate = ['ha1', 'ha2', 'ha3'].find((m) => m !== leader)!
    const { plan, result } = await lab.act({ kind: 'pg.patroni-switchover', candidate })
    expect(plan.steps[0]!.commands[0]).toMatch(
      new RegExp(`^POST http://127\\.0\\.0\\.1:180\\d\\d/switchover \\{"leader":"${leader}","candidate":"${candidate}"\\}$`),
    )
    expect(result.outcome, result.message).toBe('succeeded')
    expect(result.verification.every((c) => c.passed)).toBe(true)
    expect(await lab.leader()).toBe(candidate)
    const member = lab.lab.patroni.members.find((m) => m.name === candidate)!
    const c = new pg.Client({ host: member.host, port: member.port, user: lab.lab.postgres.user, password: lab.lab.postgres.password, database: 'postgres' })
    await c.connect()
    expect((await c.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec')).rows[0]!.rec).toBe(false)
    await c.end()
  })

  it('pauses and resumes automatic failover through Patroni, seen by every member', async () => {
    const paused = await lab.act({ kind: 'pg.patroni-pause', pause: true })
    expect(paused.result.outcome, paused.result.message).toBe('succeeded')
    expect(paused.result.verification.every((c) => c.passed)).toBe(true)
    expect((await lab.cluster()).pause).toBe(true)
    const t = await lab.service.topology('lab', 'patroni')
    expect(t.findings.map((f) => f.reason)).toContain('Patroni is paused: automatic failover is off (maintenance mode)')
    const resumed = await lab.act({ kind: 'pg.patroni-pause', pause: false })
    expect(resumed.result.outcome, resumed.result.message).toBe('succeeded')
    expect((await lab.cluster()).pause).toBeUndefined()
  })
})
