import { describe, expect, it } from 'vitest'
import { parseStubStatus } from '../../src/main/systems/nginx/stub-status'

describe('nginx stub_status', () => {
  it('parses the page', () => {
    const text = 'Active connections: 3 \nserver accepts handled requests\n 120 120 456 \nReading: 0 Writing: 1 Waiting: 2 \n'
    expect(parseStubStatus(text)).toEqual({ active: 3, accepts: 120, handled: 120, requests: 456, reading: 0, writing: 1, waiting: 2 })
  })

  it('calls anything else a protocol error', () => {
    expect(() => parseStubStatus('<html>404</html>')).toThrow(/stub_status/)
  })
})
