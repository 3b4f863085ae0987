import { contextBridge, ipcRenderer } from 'electron'
import type { Reply, SwitchyardBridge } from '../shared/contract'
import { IPC_EVENT, IPC_REQUEST } from '../shared/ipc-channels'

/** Exposes exactly the contract's two verbs; never ipcRenderer itself or its event objects. */
type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()

ipcRenderer.on(IPC_EVENT, (_event, name: string, payload: unknown) => {
  listeners.get(name)?.forEach((l) => l(payload))
})

const bridge: SwitchyardBridge = {
  request: (channel: string, input: unknown): Promise<Reply> => ipcRenderer.invoke(IPC_REQUEST, channel, input),
  on: (event: string, listener: Listener): (() => void) => {
    const set = listeners.get(event) ?? new Set<Listener>()
    set.add(listener)
    listeners.set(event, set)
    return () => void set.delete(listener)
  },
}
contextBridge.exposeInMainWorld('switchyardBridge', bridge)
