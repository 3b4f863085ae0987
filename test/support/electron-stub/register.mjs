// node --import ./register.mjs out/main/index.js: the desktop app's main process on plain Node,
// with 'electron' resolved to the stand-in beside this file and every native addon load recorded.
import { register } from 'node:module'

globalThis.__switchyardDlopened = []
const dlopen = process.dlopen
process.dlopen = function (module, filename, ...rest) {
  globalThis.__switchyardDlopened.push(filename)
  return dlopen.call(this, module, filename, ...rest)
}
register('./hooks.mjs', import.meta.url)
