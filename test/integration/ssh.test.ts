import { existsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connections } from '../../src/main/core/connections'
import { shellCommand } from '../../src/main/core/ssh/quote'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { Environment } from '../../src/shared/inventory'
import type { LabDescription } from '../lab/lab-environment'
import { probeSsh, SLOW_COMMAND_MS } from '../../src/main/systems/ssh/ssh-probe'
import { labHub } from '../support/lab'

describe('SSH command runner against the lab sshd', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let connections: Connections

  beforeAll(async () => {
    ;({ hub, lab } = await labHub())
    const key = { method: 'key' as const, keyPath: lab.ssh.keyPath }
    const env: Environment = {
      name: 'ssh-test',
      endpoints: [
        { kind: 'ssh', id: 'bastion', name: 'bastion', host: lab.ssh.host, port: lab.ssh.port, user: 'root', auth: key },
        { kind: 'ssh', id: 'inner', name: 'inner via bastion', host: lab.ssh.host, port: lab.ssh.port, user: 'postgres', auth: key, jumpHostId: 'bastion' },
      ],
    }
    connections = new Connections(env, {}, hub.knownHosts)
  })
  afterAll(async () => {
    await connections?.close()
    await hub?.close()
  })

  it('passes every argument through the remote shell unchanged', async () => {
    const s = await connections.ssh('bastion')
    const args = ['$(touch /tmp/switchyard-pwned)', '`id`', "it's", 'a"b', '; echo injected', '$HOME', 'tab\there', '*']
    const out = await s.run(shellCommand('printf', '%s\\n', ...args))
    expect(out.split('\n').slice(0, -1)).toEqual(args)
    expect((await s.exec('test -e /tmp/switchyard-pwned')).code).toBe(1)
  })

  it('streams output as it comes and reports the exit code', async () => {
    const s = await connections.ssh('bastion')
    const chunks: string[] = []
    const r = await s.exec('for i in 1 2 3; do echo line$i; sleep 0.1; done; echo oops >&2; exit 7', { onStdout: (c) => chunks.push(c) })
    expect(r.code).toBe(7)
    expect(r.stdout).toBe('line1\nline2\nline3\n')
    expect(r.stderr).toBe('oops\n')
    expect(chunks.length).toBeGreaterThan(1)
    await expect(s.run('exit 3')).rejects.toThrow(/exit 3/)
  })

  it('the host card says how long a command takes to run, and the lab host is not slow', async () => {
    const bastion = connections.endpoint('bastion')
    if (bastion.kind !== 'ssh') throw new Error('bastion is an SSH host')
    const card = await probeSsh(bastion, connections)
    expect(card.status, card.reason).toBe('ok')
    expect(card.nodes[0]!.detail).toMatch(/^Linux .*, load \d+\.\d\d, a command runs in \d+ ms$/)
    expect(card.nodes[0]!.metrics.commandMs).toBeLessThan(SLOW_COMMAND_MS)
  })

  it('times out a command that hangs', async () => {
    const s = await connections.ssh('bastion')
    await expect(s.exec('sleep 10', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'timeout' })
  })

  it('reaches a host through a jump host and tunnels a database port to a unix socket only this user can enter', async () => {
    const inner = await connections.ssh('inner')
    expect((await inner.run('whoami')).trim()).toBe('postgres')
    const fwd = await inner.forwardLocal('127.0.0.1', 7000, 'redis.sock')
    expect(statSync(dirname(fwd.path)).mode & 0o777).toBe(0o700)
    const { Socket } = await import('node:net')
    const reply = await new Promise<string>((resolve, reject) => {
      const sock = new Socket()
      sock.once('error', reject)
      sock.connect(fwd.path, () => sock.write('PING\r\n'))
      sock.once('data', (d) => {
        resolve(String(d))
        sock.destroy()
      })
    })
    expect(reply).toBe('+PONG\r\n')
    await fwd.close()
    expect(existsSync(dirname(fwd.path))).toBe(false)
  })
})
