// The layering of the codebase as one lint rule (after VS Code's local/code-layering): every import
// is resolved to the layer it lands in and checked against what the importing layer may use.
import { existsSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

/** Node's built-in modules by every name they answer to (fs, node:fs, fs/promises). */
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const isBuiltin = (spec) => BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]) || spec.startsWith('node:')

/** The files that run inside Electron (the others of src/main/app run on plain Node too: CLI, web mode, exporter). */
const DESKTOP_SHELL = path.join(root, 'src/main/app/desktop') + path.sep
const isElectronShell = (file) => file === path.join(root, 'src/main/index.ts') || file.startsWith(DESKTOP_SHELL)

/** better-sqlite3 is a native module built for one Node ABI: one file loads it, only where node:sqlite is missing. */
const BETTER_SQLITE_HOME = path.join(root, 'src/main/core/sqlite/better-sqlite-driver.ts')

/** Packages that need Node: native addons (a binding.gyp or gypfile) and the server-side drivers and servers. */
const NODE_ONLY = new Set(['ws', 'ioredis', 'pg', 'mongodb', 'dockerode', 'ssh2', 'prom-client', 'better-sqlite3', '@electron/fuses', 'playwright-core'])
const nativeCache = new Map()
function isNative(pkg) {
  if (!nativeCache.has(pkg)) {
    const dir = path.join(root, 'node_modules', pkg)
    const manifest = path.join(dir, 'package.json')
    const gypfile = existsSync(manifest) && Boolean(JSON.parse(readFileSync(manifest, 'utf8')).gypfile)
    nativeCache.set(pkg, gypfile || existsSync(path.join(dir, 'binding.gyp')))
  }
  return nativeCache.get(pkg)
}

/** Drivers and the only system folders that may load them. */
const DRIVERS = { ioredis: ['redis', 'sentinel'], pg: ['postgres'], mongodb: ['mongo'], dockerode: ['docker'], ssh2: ['core'] }

/** The layer of a file under src/, or null outside it. */
export function layerOf(file) {
  const rel = path.relative(path.join(root, 'src'), file).split(path.sep)
  if (rel[0] === '..' || rel.length < 2) return null
  if (rel[0] === 'shared') return { name: 'shared' }
  if (rel[0] === 'renderer') return { name: 'renderer' }
  if (rel[0] === 'preload') return { name: 'preload' }
  if (rel[0] !== 'main') return null
  if (rel[1] === 'systems' || rel[1] === 'systems.ts')
    return rel.length <= 3 && !rel[2]?.match(/^[a-z-]+$/) ? { name: 'registry' } : { name: 'system', system: rel[2] }
  if (rel[1] === 'features') return { name: 'feature', feature: rel[2] }
  if (rel.length === 2) return { name: 'main-entry' }
  return { name: rel[1] } // app, core
}

/** Which layers each layer may import (besides itself). */
const MAY_IMPORT = {
  shared: ['shared'],
  renderer: ['renderer', 'shared'],
  preload: ['preload', 'shared'],
  core: ['core', 'shared'],
  system: ['system', 'core', 'shared'],
  registry: ['registry', 'system', 'core', 'shared'],
  feature: ['feature', 'registry', 'core', 'shared'],
  app: ['app', 'feature', 'registry', 'system', 'core', 'shared'],
  'main-entry': ['app', 'shared'],
}

function packageRule(from, spec, file) {
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
  if (spec === 'electron' || spec.startsWith('electron/')) {
    if (from.name !== 'preload' && !isElectronShell(file))
      return 'only the desktop shell (src/main/app/desktop, src/main/index.ts) and the preload may import electron: the CLI, web mode and the exporter run on plain Node'
    return null
  }
  if (isBuiltin(spec)) {
    if (['shared', 'renderer', 'preload'].includes(from.name)) return `${from.name} code runs without Node and must not import ${spec}`
    return null
  }
  if (from.name === 'preload') return `the preload imports only electron and src/shared (not ${spec})`
  if (from.name === 'renderer' && (NODE_ONLY.has(pkg) || isNative(pkg))) return `the renderer runs in a browser and must not import ${pkg}, which needs Node`
  if (from.name === 'shared' && pkg !== 'zod') return 'src/shared imports nothing but zod'
  if (pkg === 'better-sqlite3' && file !== BETTER_SQLITE_HOME)
    return 'better-sqlite3 is native: only src/main/core/sqlite/better-sqlite-driver.ts loads it (where node:sqlite is missing); use SqlDatabase'
  const homes = DRIVERS[pkg]
  if (homes) {
    const here = from.name === 'system' ? from.system : from.name
    if (!homes.includes(here))
      return `the ${pkg} driver lives only in ${homes.map((h) => (h === 'core' ? 'src/main/core' : `src/main/systems/${h}`)).join(' and ')}`
  }
  return null
}

export const layering = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers: shared ← core ← systems ← registry ← features ← app; renderer and preload apart' },
    schema: [],
    messages: { bad: '{{why}}' },
  },
  create(context) {
    const file = context.filename
    const from = layerOf(file)
    if (!from) return {}
    const check = (node, spec) => {
      if (typeof spec !== 'string') {
        context.report({ node, messageId: 'bad', data: { why: 'a module is imported by a literal name, so the layering can be checked' } })
        return
      }
      let why = null
      if (spec.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(file), spec))
        if (!to) why = `imports outside src/ (${spec})`
        else if (!MAY_IMPORT[from.name].includes(to.name))
          why = `${from.name} must not import ${to.name === 'system' ? `systems/${to.system}` : to.name} (${spec})`
        else if (from.name === 'system' && to.name === 'system' && to.system !== from.system)
          why = `systems/${from.system} must not reach into systems/${to.system} (${spec}); share through core or the registry`
      } else why = packageRule(from, spec, file)
      if (why) context.report({ node, messageId: 'bad', data: { why } })
    }
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => check(n.source, n.source.type === 'Literal' ? n.source.value : undefined),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require')
          check(n.arguments[0] ?? n, n.arguments[0]?.type === 'Literal' ? n.arguments[0].value : undefined)
      },
    }
  },
}

/** Raw IPC stays in one file each: the preload (ipcRenderer) and the router (ipcMain). */
export const ipcOwners = {
  meta: { type: 'problem', schema: [], messages: { bad: '{{name}} is used only in {{owner}}' } },
  create(context) {
    const rel = path.relative(root, context.filename).split(path.sep).join('/')
    // this file and the Electron stand-in of the tests name them without using them
    if (rel === 'eslint/layering.js' || rel === 'test/support/electron-stub/electron.mjs') return {}
    const seen = new WeakSet()
    const owners = { ipcRenderer: 'src/preload/index.ts', ipcMain: 'src/main/app/desktop/ipc-router.ts' }
    return {
      Identifier(node) {
        const owner = Object.hasOwn(owners, node.name) ? owners[node.name] : undefined
        // In `import { ipcMain }` the imported and the local name are one node, visited twice.
        if (!owner || rel === owner || seen.has(node)) return
        seen.add(node)
        context.report({ node, messageId: 'bad', data: { name: node.name, owner } })
      },
    }
  },
}
