import { createHandlers } from './handlers'
import { defaultDataDir } from '../core/app-paths'
import { KeyFileCipher } from '../core/inventory/secret-cipher'
import { ServiceHub } from '../core/service-hub'
import { VERSION } from '../core/version'
import { startWebServer } from './web-server'
import { stopRunningActions } from '../core/actions/action-runner'
import { autoscaler } from '../features/autoscale/autoscaler'

/** `npm run serve`: the app's services and renderer on 127.0.0.1 with a per-launch token. */
export async function startWebMode(rendererDir: string): Promise<void> {
  const dataDir = defaultDataDir()
  const cipher = new KeyFileCipher(dataDir)
  const hub = new ServiceHub({ dataDir, cipher })
  const port = Number(process.env.SWITCHYARD_PORT ?? 0)
  const server = await startWebServer({
    rendererDir,
    port,
    handlers: (broadcast) =>
      createHandlers(hub, {
        info: { mode: 'web', version: VERSION, dataDir, secretBackend: { kind: cipher.kind } },
        broadcastProgress: (p) => broadcast('action:progress', p),
      }),
  })
  // the open app runs the environments' autoscaling policies (a headless `switchyard watch` does too)
  autoscaler(hub).start()
  process.stdout.write(`Switchyard web mode: ${server.url}\n`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    // A running action reaches its next safe point and says so in the journal before the process leaves.
    autoscaler(hub).stop()
    await stopRunningActions('web mode is stopping (SIGTERM)')
    await server.close()
    await hub.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
}
