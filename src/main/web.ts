import { fileURLToPath } from 'node:url'
import { createHandlers } from './app-handlers'
import { defaultDataDir } from './app-paths'
import { KeyFileCipher } from './inventory/secret-cipher'
import { ServiceHub } from './service-hub'
import { VERSION } from './version'
import { startWebServer } from './web-server'

/** `npm run serve`: the app's services and renderer on 127.0.0.1 with a per-launch token. */
async function main(): Promise<void> {
  const dataDir = defaultDataDir()
  const cipher = new KeyFileCipher(dataDir)
  const hub = new ServiceHub({ dataDir, cipher })
  const port = Number(process.env.SWITCHYARD_PORT ?? 0)
  const server = await startWebServer({
    rendererDir: fileURLToPath(new URL('../renderer', import.meta.url)),
    port,
    handlers: (broadcast) =>
      createHandlers(hub, {
        info: { mode: 'web', version: VERSION, dataDir, secretBackend: { kind: cipher.kind } },
        broadcastProgress: (p) => broadcast('action:progress', p),
      }),
  })
  process.stdout.write(`Switchyard web mode: ${server.url}\n`)
  const stop = async () => {
    await server.close()
    await hub.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}

main().catch((err: Error) => {
  process.stderr.write(`switchyard: ${err.message}\n`)
  process.exit(1)
})
