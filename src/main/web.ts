import { fileURLToPath } from 'node:url'
import { startWebMode } from './app/web-main'

startWebMode(fileURLToPath(new URL('../renderer', import.meta.url))).catch((err: unknown) => {
  process.stderr.write(`switchyard: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
