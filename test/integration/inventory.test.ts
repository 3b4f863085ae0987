import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/main/app/cli'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'

describe('inventory and secrets at rest', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let dataDir: string
  beforeAll(async () => {
    ;({ hub, lab, dataDir } = await labHub())
  })
  afterAll(() => hub?.close())

  it('keeps secrets encrypted in a 0600 file, with a 0600 key, and out of the environment file', () => {
    const sealed = readFileSync(join(dataDir, 'secrets.json'), 'utf8')
    expect(sealed).not.toContain(lab.postgres.password)
    expect(sealed).toContain('"cipher": "keyfile"')
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600)
    expect(readFileSync(join(dataDir, 'environments', 'lab.yaml'), 'utf8')).not.toContain(lab.postgres.password)
  })

  it('lists which secrets are set, never their values', async () => {
    const [view] = await hub.inventory.list()
    expect(view!.secretsSet).toEqual(['mongo.password', 'patroni.password', 'pgbouncer.password', 'postgres.password', 'postgres.replication-password'])
    expect(JSON.stringify(view)).not.toContain(lab.mongo.password)
    expect(JSON.stringify(view)).not.toContain(lab.postgres.password)
  })

  it('exports YAML without secrets and imports it back under another name', async () => {
    const yaml = await hub.inventory.exportYaml('lab')
    expect(yaml).toContain('kind: redis-cluster')
    expect(yaml).not.toContain(lab.postgres.password)
    const copy = await hub.inventory.importYaml(yaml.replace(/^name: lab$/m, 'name: lab-copy'), false)
    expect(copy.environment.endpoints).toHaveLength(10)
    expect(copy.secretsSet).toEqual([])
    await expect(hub.inventory.importYaml(yaml, false)).rejects.toThrow(/already exists/)
    await expect(hub.inventory.importYaml('name: [unclosed', false)).rejects.toThrow(/not valid YAML/)
    await expect(hub.inventory.importYaml('name: x\nendpoints: [{kind: ssh}]', false)).rejects.toThrow(/not a valid environment/)
    expect(await hub.inventory.remove('lab-copy')).toBe(true)
  })

  it('an import with several mistakes names every one with its path and line, and saves nothing', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sy-import-')), 'bad.yaml')
    writeFileSync(
      file,
      [
        'name: Bad Name',
        'endpoints:',
        '  - id: r1',
        '    name: redis',
        '    kind: redis-cluster',
        '    seeds:',
        '      - host: "bad host!"',
        '        port: 70000',
        '  - id: p1',
        '    name: pg',
        '    kind: postgres',
        '    nodes: []',
        '    user: sy',
        '',
      ].join('\n'),
    )
    let err = ''
    expect(await runCli(['env', 'import', file], { out: () => undefined, err: (s) => (err += s) }, hub)).toBe(3)
    expect(err).toMatch(/4 problems/)
    expect(err).toMatch(/line 1, name: names are lower-case/)
    expect(err).toMatch(/line 7, endpoints\.0\.seeds\.0\.host: not a valid host name/)
    expect(err).toMatch(/line 8, endpoints\.0\.seeds\.0\.port: port must be 1-65535/)
    expect(err).toMatch(/line 12, endpoints\.1\.nodes: at least one node/)
    expect((await hub.inventory.list()).map((v) => v.environment.name)).toEqual(['lab'])
  })

  it('renaming an environment moves its secrets; an empty value deletes one', async () => {
    const env = await hub.inventory.get('lab')
    await hub.inventory.save({ ...env, name: 'lab-renamed' }, {}, 'lab')
    expect(await hub.inventory.secrets.get('lab-renamed', 'postgres.password')).toBe(lab.postgres.password)
    expect(await hub.inventory.exists('lab')).toBe(false)
    await hub.inventory.save({ ...env, name: 'lab' }, { 'postgres.replication-password': '' }, 'lab-renamed')
    expect(await hub.inventory.secrets.keys('lab')).toEqual(['mongo.password', 'patroni.password', 'pgbouncer.password', 'postgres.password'])
  })
})
