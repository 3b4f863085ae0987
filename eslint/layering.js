// The layering of the codebase as one lint rule (after VS Code's local/code-layering): every import
// is resolved to the layer it lands in and checked against what the importing layer may use.
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')

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
  app: ['app', 'registry', 'system', 'core', 'shared'],
  'main-entry': ['app', 'shared'],
}

function packageRule(from, spec) {
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
  if (spec === 'electron' || spec.startsWith('electron/')) {
    if (!['app', 'main-entry', 'preload'].includes(from.name)) return 'only the shells (src/main/app, the preload) may import electron'
    return null
  }
  if (spec.startsWith('node:')) {
    if (['shared', 'renderer'].includes(from.name)) return `${from.name} code runs in the browser too and must not import ${spec}`
    return null
  }
  if (from.name === 'shared' && pkg !== 'zod') return 'src/shared imports nothing but zod'
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
    docs: { description: 'imports follow the layers: shared ← core ← systems ← app; renderer and preload apart' },
    schema: [],
    messages: { bad: '{{why}}' },
  },
  create(context) {
    const file = context.filename
    const from = layerOf(file)
    if (!from) return {}
    const check = (node, spec) => {
      if (typeof spec !== 'string') return
      let why = null
      if (spec.startsWith('.')) {
        const to = layerOf(path.resolve(path.dirname(file), spec))
        if (!to) why = `imports outside src/ (${spec})`
        else if (!MAY_IMPORT[from.name].includes(to.name))
          why = `${from.name} must not import ${to.name === 'system' ? `systems/${to.system}` : to.name} (${spec})`
        else if (from.name === 'system' && to.name === 'system' && to.system !== from.system)
          why = `systems/${from.system} must not reach into systems/${to.system} (${spec}); share through core or the registry`
      } else why = packageRule(from, spec)
      if (why) context.report({ node, messageId: 'bad', data: { why } })
    }
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
    }
  },
}

/** Raw IPC stays in one file each: the preload (ipcRenderer) and the router (ipcMain). */
export const ipcOwners = {
  meta: { type: 'problem', schema: [], messages: { bad: '{{name}} is used only in {{owner}}' } },
  create(context) {
    const rel = path.relative(root, context.filename).split(path.sep).join('/')
    if (rel === 'eslint/layering.js') return {}
    const seen = new WeakSet()
    const owners = { ipcRenderer: 'src/preload/index.ts', ipcMain: 'src/main/app/ipc-router.ts' }
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
