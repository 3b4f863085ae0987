// Module resolution hook: 'electron' (which is a path to a binary on plain Node) is the stand-in.
const STUB = new URL('./electron.mjs', import.meta.url).href

export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: STUB, shortCircuit: true }
  return next(specifier, context)
}
