// `npm run node22 [-- <args>]`: Node 22 from the npm registry's `node` package, in .cache/node22
// (installed on first use), so the stores run on node:sqlite here too: the runtime Electron ships.
// With arguments it runs them under that Node and exits with its code.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PREFIX = join(ROOT, '.cache/node22')

/** The Node 22 binary if it is installed. */
export function node22Binary(): string | undefined {
  const binary = join(PREFIX, 'node_modules/node/bin/node')
  return existsSync(binary) ? binary : undefined
}

function install(): string {
  mkdirSync(PREFIX, { recursive: true })
  // the package's preinstall fetches the platform's build, also a package of the npm registry
  writeFileSync(join(PREFIX, 'package.json'), JSON.stringify({ name: 'switchyard-node22', private: true, allowScripts: { node: true } }))
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', 'node@22'], { cwd: PREFIX, stdio: ['ignore', 'ignore', 'inherit'] })
  const binary = node22Binary()
  if (!binary) throw new Error(`npm installed node@22 in ${PREFIX} but left no bin/node`)
  return binary
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const binary = node22Binary() ?? install()
  const args = process.argv.slice(2)
  if (args.length === 0) process.stdout.write(`${binary} (Node ${execFileSync(binary, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()})\n`)
  else process.exit(spawnSync(binary, args, { stdio: 'inherit', cwd: ROOT }).status ?? 1)
}
