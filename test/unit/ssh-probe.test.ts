import { describe, expect, it } from 'vitest'
import { slowCommandFinding, SLOW_COMMAND_MS } from '../../src/main/systems/ssh/overview-probe'

describe('slow command start on an SSH host', () => {
  it('warns only from the threshold on, naming the host, the time and the likely cause', () => {
    expect(slowCommandFinding('root@db1:22', SLOW_COMMAND_MS - 1)).toEqual([])
    const [finding] = slowCommandFinding('root@db1:22', 1450)
    expect(finding?.status).toBe('warn')
    expect(finding?.reason).toMatch(/^root@db1:22: a command takes 1450 ms .*~\/\.bashrc/)
  })
})
