import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { InventoryStore } from '../../src/main/core/inventory/inventory-store'
import { SecretStore } from '../../src/main/core/inventory/secret-store'
import { createFileOnce, readJson, writeFileAtomic } from '../../src/main/core/json-file'
import { SettingsStore } from '../../src/main/core/settings-store'
import { terminalSafe } from '../../src/main/core/terminal-text'

const fresh = () => mkdtempSync(join(tmpdir(), 'sy-files-'))

describe('files the app keeps', () => {
  it('writes atomically: the new content, the asked mode, no temporary file left', async () => {
    const dir = fresh()
    const path = join(dir, 'environments', 'prod.yaml')
    await writeFileAtomic(path, 'one\n')
    await writeFileAtomic(path, 'two\n', 0o644)
    expect(readFileSync(path, 'utf8')).toBe('two\n')
    expect(statSync(path).mode & 0o777).toBe(0o644)
    expect(readdirSync(join(dir, 'environments'))).toEqual(['prod.yaml'])
  })

  it('creates a file once: of many racing creators exactly one wins', async () => {
    const path = join(fresh(), 'once')
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => createFileOnce(path, `writer ${i}\n`)))
    expect(won.filter(Boolean)).toHaveLength(1)
    expect(readFileSync(path, 'utf8')).toBe(`writer ${won.indexOf(true)}\n`)
  })

  it('gives every process racing to create the secret key the same key', async () => {
    const dir = fresh()
    const ciphers = Array.from({ length: 12 }, () => new KeyFileCipher(dir))
    const sealed = await Promise.all(ciphers.map((c, i) => c.encrypt(`secret ${i}`)))
    // any instance opens what any other sealed: one key file, whoever created it
    for (const [i, s] of sealed.entries()) expect(await ciphers[(i + 5) % ciphers.length]!.decrypt(s)).toBe(`secret ${i}`)
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
  })

  it('reads a damaged file as a clear message naming it, and damaged settings as the defaults', async () => {
    const dir = fresh()
    writeFileSync(join(dir, 'secrets.json'), '{"prod": {')
    await expect(readJson(join(dir, 'secrets.json'), {})).rejects.toMatchObject({ code: 'config', message: expect.stringMatching(/secrets\.json is damaged/) })
    await expect(new SecretStore(dir, new KeyFileCipher(dir)).keys('prod')).rejects.toThrow(/secrets\.json is damaged/)
    writeFileSync(join(dir, 'settings.json'), 'not json at all')
    expect(await new SettingsStore(dir).get()).toMatchObject({ refreshIntervalMs: 2000 })
    writeFileSync(join(dir, 'settings.json'), '[1,2]')
    expect(await new SettingsStore(dir).get()).toMatchObject({ refreshIntervalMs: 2000 })
    await mkdir(join(dir, 'environments'))
    await writeFile(join(dir, 'environments', 'prod.yaml'), 'name: prod\nendpoints: [\n')
    const inventory = new InventoryStore(dir, new SecretStore(dir, new KeyFileCipher(dir)))
    await expect(inventory.get('prod')).rejects.toThrow(/prod\.yaml is damaged or invalid — not valid YAML: line \d/)
  })

  it('shows server text in a terminal without its escape sequences', () => {
    const hostile =
      'ERR \x1b[2J\x1b[31mred\x1b[0m \x1b]0;owned\x07title \x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\ bell\x07 back\x08\x08 cr\roverwrite\ttab\nnext'
    expect(terminalSafe(hostile)).toBe('ERR red title link bell back croverwrite\ttab\nnext')
  })
})
