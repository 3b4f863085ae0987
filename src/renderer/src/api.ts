import type { Reply, SwitchyardBridge } from '../../shared/contract'

import { ApiError, createApi } from './api-client'

export { ApiError }

declare global {
  interface Window {
    switchyardBridge?: SwitchyardBridge
  }
}

/**
 * The launch token arrives once in the URL; the server has answered with its HttpOnly cookie by
 * the time this runs, so the token leaves the address bar and the history and is kept in memory
 * only (for a socket opened before the cookie exists).
 */
function takeTokenFromUrl(): string {
  const url = new URL(location.href)
  const token = url.searchParams.get('token') ?? ''
  if (token) {
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
  }
  return token
}

/** Web mode: the same contract over a WebSocket to the local server, reconnecting if it drops. */
function webSocketBridge(): SwitchyardBridge {
  const pending = new Map<number, (r: Reply) => void>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let nextId = 1
  let socket: Promise<WebSocket> | undefined
  const token = takeTokenFromUrl()
  const connect = (): Promise<WebSocket> => {
    socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`)
      ws.onopen = () => resolve(ws)
      ws.onerror = () => reject(new ApiError({ code: 'refused', message: 'cannot reach the Switchyard server' }))
      ws.onclose = () => {
        socket = undefined
        for (const [id, done] of pending) {
          pending.delete(id)
          done({ ok: false, error: { code: 'closed', message: 'connection to the Switchyard server lost' } })
        }
        // Keep live views alive across a server restart.
        if (listeners.size > 0)
          setTimeout(
            () =>
              void connect().then(
                () => listeners.get('__reconnect')?.forEach((l) => l(null)),
                () => undefined,
              ),
            1000,
          )
      }
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data)) as { id?: number; reply?: Reply; event?: string; payload?: unknown }
        if (msg.event) listeners.get(msg.event)?.forEach((l) => l(msg.payload))
        else if (typeof msg.id === 'number') {
          pending.get(msg.id)?.(msg.reply!)
          pending.delete(msg.id)
        }
      }
    })
    return socket
  }
  return {
    request: async (channel, input) => {
      const ws = await connect()
      const id = nextId++
      return new Promise<Reply>((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ id, channel, payload: input }))
      })
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      void connect().catch(() => undefined)
      return () => void set.delete(listener)
    },
  }
}

/** The renderer's only way to main; it does not know which transport it has. */
export const api = createApi(window.switchyardBridge ?? webSocketBridge())

export function errorText(err: unknown): string {
  return err instanceof ApiError ? `${err.error.code}: ${err.error.message}` : err instanceof Error ? err.message : String(err)
}
