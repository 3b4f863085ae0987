import type { z } from 'zod'
import type { EventChannel, EventPayload, RequestChannel, RequestOutput, requests } from '../../shared/contract'

/** One connected renderer (an Electron window or a web-mode socket). */
export interface ClientContext {
  readonly id: string
  emit<E extends EventChannel>(event: E, payload: EventPayload<E>): void
  /** Called once when the client goes away, to stop its live work. */
  onClose(cleanup: () => void): void
}

export type Handler<C extends RequestChannel> = (input: z.output<(typeof requests)[C]['input']>, client: ClientContext) => Promise<RequestOutput<C>>
export type Handlers = { [C in RequestChannel]: Handler<C> }
