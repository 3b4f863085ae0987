// Lets benches (run by Node with tsx, not Vite) load the app's `import text from './x.yaml?raw'`.
// Registered after tsx, so its hooks see a `?raw` import first.
import { register } from 'node:module'

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { readFile } from 'node:fs/promises'
export async function resolve(specifier, context, next) {
  if (!specifier.endsWith('?raw')) return next(specifier, context)
  const { url } = await next(specifier.slice(0, -4), context)
  return { url: url + '?raw', shortCircuit: true }
}
export async function load(url, context, next) {
  if (!url.endsWith('?raw')) return next(url, context)
  const text = await readFile(new URL(url.slice(0, -4)), 'utf8')
  return { format: 'module', source: 'export default ' + JSON.stringify(text), shortCircuit: true }
}
`),
)
