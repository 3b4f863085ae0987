import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createActionRunner } from '../../src/main/features/actions/runner'
import { runCli } from '../../src/main/app/cli'
import { createHandlers, systemHandlers } from '../../src/main/app/handlers'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { systems } from '../../src/main/systems'
import { ActionRequest } from '../../src/shared/action-requests'
import { requests } from '../../src/shared/contract'
import { Endpoint } from '../../src/shared/inventory'

const hub = () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-registry-'))
  return new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
}

describe('the system registry', () => {
  it('serves every endpoint kind of the inventory with exactly one system, each with its probe', () => {
    const kinds = Endpoint.options.map((o) => o.shape.kind.value)
    for (const kind of kinds)
      expect(
        systems.filter((s) => s.endpointKinds.includes(kind)).map((s) => s.id),
        kind,
      ).toHaveLength(1)
    for (const s of systems) expect(typeof s.probe, s.id).toBe('function')
    expect(new Set(systems.map((s) => s.id)).size).toBe(systems.length)
  })

  it("wires every system's handlers: each channel is in the contract and the app serves the whole contract", () => {
    const h = hub()
    for (const s of systems)
      for (const channel of Object.keys(s.handlers?.(h) ?? {})) expect(Object.keys(requests), `${s.id} serves ${channel}`).toContain(channel)
    const app = createHandlers(h, {
      info: { mode: 'web', version: 'test', dataDir: '', secretBackend: { kind: 'keyfile' } },
      broadcastProgress: () => undefined,
    })
    expect(Object.keys(app).sort()).toEqual(Object.keys(requests).sort())
    expect(Object.keys(systemHandlers(h))).toEqual(expect.arrayContaining(['redis:topology', 'sentinel:topology', 'pg:topology']))
  })

  it('has a definition for every action kind of the contract, from exactly one system or the core (resume, roll back, resolve)', () => {
    const h = hub()
    const kinds = systems.flatMap((s) => (s.actions?.(h) ?? []).map((a) => a.kind))
    expect(new Set(kinds).size).toBe(kinds.length)
    const runner = createActionRunner(h)
    const core = ['run.resume', 'run.rollback', 'run.resolve']
    for (const k of core) expect(runner.definition(k).kind).toBe(k)
    expect([...kinds, ...core].sort()).toEqual(ActionRequest.options.map((o) => o.shape.kind.value).sort())
  })

  it('lists and routes every system command in the CLI', async () => {
    let usage = ''
    await runCli(['help'], { out: (s) => (usage += s), err: () => undefined }, hub())
    for (const s of systems.filter((x) => x.cli)) {
      expect(usage).toContain(`  ${s.cli!.name} `)
      let help = ''
      expect(await runCli([s.cli!.name, 'help'], { out: (x) => (help += x), err: () => undefined }, hub()), s.id).toBe(0)
      expect(help).toMatch(new RegExp(`usage: switchyard ${s.cli!.name}`))
    }
    expect(systems.filter((s) => s.actions).every((s) => s.cli || s.id === 'docker')).toBe(true)
  })
})
