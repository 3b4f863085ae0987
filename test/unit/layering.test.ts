import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../..')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : []
  })
}

function imports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!)
}

const rel = (f: string) => relative(root, f)

describe('layering (who may import what)', () => {
  it('shared imports only zod and itself', () => {
    for (const f of files(join(root, 'src/shared')))
      for (const i of imports(f)) expect(i === 'zod' || i.startsWith('./') || i.startsWith('../'), `${rel(f)} imports ${i}`).toBe(true)
    for (const f of files(join(root, 'src/shared'))) for (const i of imports(f)) expect(i, rel(f)).not.toMatch(/\.\.\/(main|renderer|preload)/)
  })

  it('the renderer never imports main, preload, electron or node', () => {
    for (const f of files(join(root, 'src/renderer')))
      for (const i of imports(f)) expect(i, `${rel(f)} imports ${i}`).not.toMatch(/^(electron|node:)|\/main\/|\/preload\//)
  })

  it('system services never import electron; only the shell does', () => {
    const shell = new Set(['index.ts', 'window.ts', 'ipc/router.ts', 'safe-storage-cipher.ts'])
    for (const f of files(join(root, 'src/main'))) {
      const r = relative(join(root, 'src/main'), f)
      if (shell.has(r)) continue
      for (const i of imports(f)) expect(i === 'electron' && !r.startsWith('window-options'), `${r} imports electron`).toBe(false)
    }
  })

  it('each driver lives only in its service folder', () => {
    const home: Record<string, string> = { ioredis: 'redis/', pg: 'postgres/', mongodb: 'mongo/', dockerode: 'docker/', ssh2: 'ssh/' }
    for (const f of files(join(root, 'src'))) {
      const r = relative(join(root, 'src/main'), f)
      for (const i of imports(f)) if (home[i]) expect(r.startsWith(home[i]!), `${rel(f)} imports ${i}`).toBe(true)
    }
  })

  it('only the preload touches ipcRenderer and only the router ipcMain', () => {
    for (const f of files(join(root, 'src'))) {
      const text = readFileSync(f, 'utf8')
      if (/\bipcRenderer\b/.test(text)) expect(rel(f)).toBe('src/preload/index.ts')
      if (/\bipcMain\b/.test(text)) expect(rel(f)).toBe('src/main/ipc/router.ts')
    }
  })
})
