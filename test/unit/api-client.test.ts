import { describe, expect, it } from 'vitest'
import type { SwitchyardBridge } from '../../src/shared/contract'
import { createApi, type ContractError } from '../../src/renderer/src/api-client'

/** A bridge whose events the test sends by hand. */
function fakeBridge() {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const bridge: SwitchyardBridge = {
    request: () => Promise.resolve({ ok: true, value: null }),
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => void set.delete(listener)
    },
  }
  return { bridge, send: (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload)) }
}

describe('the renderer api', () => {
  it('passes an event that matches its schema and reports one that does not, naming the channel', () => {
    const { bridge, send } = fakeBridge()
    const api = createApi(bridge)
    const got: unknown[] = []
    const dropped: ContractError[] = []
    api.on('overview:update', (p) => got.push(p))
    api.onContractError((e) => dropped.push(e))
    send('overview:update', { environments: [], intervalMs: 5000 })
    send('overview:update', { environments: 'not a list', intervalMs: 5000 })
    expect(got).toEqual([{ environments: [], intervalMs: 5000 }])
    expect(dropped).toHaveLength(1)
    expect(dropped[0]).toMatchObject({ channel: 'overview:update', problem: expect.stringMatching(/^environments: /) as unknown })
  })
})
