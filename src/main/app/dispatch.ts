import { issuesInline } from '../../shared/domain/issues'
import { isRequestChannel, requests, type Reply } from '../../shared/contract'
import { toConnError } from '../core/errors'
import type { ClientContext, Handlers } from '../core/handler-types'

/**
 * The one entry point for a request from either transport: the channel must be in the contract,
 * the payload must parse with its schema, and whatever a service throws becomes a readable error.
 */
export async function dispatch(handlers: Handlers, channel: unknown, payload: unknown, client: ClientContext): Promise<Reply> {
  if (!isRequestChannel(channel)) return { ok: false, error: { code: 'config', message: `unknown request ${String(channel).slice(0, 80)}` } }
  const spec = requests[channel]
  const parsed = spec.input.safeParse(payload ?? {})
  if (!parsed.success) {
    return { ok: false, error: { code: 'config', message: `invalid ${channel} request: ${issuesInline(parsed.error.issues)}` } }
  }
  try {
    const handler = handlers[channel] as (input: unknown, client: ClientContext) => Promise<unknown>
    const value = await handler(parsed.data, client)
    return { ok: true, value: spec.output.parse(value) }
  } catch (err) {
    return { ok: false, error: toConnError(err) }
  }
}
