import {
  events,
  requests,
  type EventChannel,
  type EventPayload,
  type RequestChannel,
  type RequestInput,
  type RequestOutput,
  type SwitchyardApi,
  type SwitchyardBridge,
} from '../../shared/contract'
import type { ConnError } from '../../shared/health'

/** An error from main, with the code the UI uses to pick its words (auth, refused, hostkey-changed…). */
export class ApiError extends Error {
  constructor(readonly error: ConnError) {
    super(error.message)
  }
}

/** An event from main that did not match its schema: the view it feeds would otherwise freeze without a word. */
export interface ContractError {
  channel: string
  problem: string
  at: number
}

export interface RendererApi extends SwitchyardApi {
  onReconnect(fn: () => void): () => void
  /** Told of every event dropped for not matching the contract (a main and a renderer of different versions). */
  onContractError(fn: (e: ContractError) => void): () => void
}

/** The contract over a bridge: requests and events checked with their schemas on the way in. */
export function createApi(bridge: SwitchyardBridge): RendererApi {
  const contractListeners = new Set<(e: ContractError) => void>()
  return {
    async request<C extends RequestChannel>(channel: C, input: RequestInput<C>): Promise<RequestOutput<C>> {
      const reply = await bridge.request(channel, input)
      if (!reply.ok) throw new ApiError(reply.error)
      return requests[channel].output.parse(reply.value) as RequestOutput<C>
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      return bridge.on(event, (raw) => {
        const parsed = events[event].safeParse(raw)
        if (parsed.success) {
          listener(parsed.data as EventPayload<E>)
          return
        }
        const issue = parsed.error.issues[0]
        const problem = issue ? `${issue.path.join('.') || '(the payload)'}: ${issue.message}` : parsed.error.message
        for (const fn of contractListeners) fn({ channel: event, problem, at: Date.now() })
      })
    },
    onReconnect: (fn) => bridge.on('__reconnect', fn),
    onContractError(fn) {
      contractListeners.add(fn)
      return () => void contractListeners.delete(fn)
    },
  }
}
