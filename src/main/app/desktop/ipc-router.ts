import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron'
import { randomUUID } from 'node:crypto'
import type { EventChannel, EventPayload, Reply } from '../../../shared/contract'
import { IPC_EVENT, IPC_REQUEST } from '../../../shared/ipc-channels'
import type { ClientContext, Handlers } from '../../core/handler-types'
import { isTrustedSenderUrl } from './window-options'
import { dispatch } from '../dispatch'

/** The only user of ipcMain: sender check → schema parse → handler → reply. */
export function registerIpc(handlers: Handlers, rendererUrl: string): void {
  const clients = new Map<number, ClientContext>()
  const clientFor = (wc: WebContents): ClientContext => {
    let c = clients.get(wc.id)
    if (!c) {
      const cleanups: (() => void)[] = []
      const client: ClientContext = {
        id: randomUUID(),
        emit: <E extends EventChannel>(event: E, payload: EventPayload<E>) => {
          if (!wc.isDestroyed()) wc.send(IPC_EVENT, event, payload)
        },
        onClose: (fn) => void cleanups.push(fn),
      }
      wc.once('destroyed', () => {
        cleanups.splice(0).forEach((fn) => fn())
        clients.delete(wc.id)
      })
      clients.set(wc.id, client)
      c = client
    }
    return c
  }

  ipcMain.handle(IPC_REQUEST, async (event: IpcMainInvokeEvent, channel: unknown, payload: unknown): Promise<Reply> => {
    const frame = event.senderFrame
    if (!frame || frame !== event.sender.mainFrame || !isTrustedSenderUrl(frame.url, rendererUrl))
      return { ok: false, error: { code: 'config', message: 'request from an untrusted frame refused' } }
    return dispatch(handlers, channel, payload, clientFor(event.sender))
  })
}

export function broadcastToWindows<E extends EventChannel>(contents: readonly WebContents[], event: E, payload: EventPayload<E>): void {
  for (const wc of contents) if (!wc.isDestroyed()) wc.send(IPC_EVENT, event, payload)
}
