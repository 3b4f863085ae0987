import { existsSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connections } from '../../src/main/core/connections'
import { shellCommand } from '../../src/main/core/ssh/quote'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { Environment } from '../../src/shared/inventory'
import type { LabDescription } from '../lab/lab-environment'
import { probeSsh, SLOW_COMMAND_MS } from '../../src/main/systems/ssh/overview-probe'
import { replaceRemoteFile } from '../../src/main/core/ssh/remote-file'
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

  it('times out a command that hangs, and leaves neither its channel nor its processes behind', async () => {
    const s = await connections.ssh('bastion')
    // more hung commands than sshd's MaxSessions (10): each one's channel must be given back
    const hung = Array.from({ length: 12 }, (_, i) => s.exec(`sleep ${900 + i}; echo never`, { timeoutMs: 400 }))
    for (const h of hung) await expect(h).rejects.toMatchObject({ code: 'timeout' })
    const left = await s.exec("pgrep -f 'sleep 9[0-9][0-9]' || true", { timeoutMs: 10_000 })
    expect(left.stdout.trim()).toBe('')
    expect((await s.run('echo still-usable', { timeoutMs: 10_000 })).trim()).toBe('still-usable')
  })

  it('queues commands beyond the channels one connection may open, instead of failing them', async () => {
    const s = await connections.ssh('bastion')
    const outs = await Promise.all(Array.from({ length: 25 }, (_, i) => s.run(`sleep 0.2; echo ${i}`, { timeoutMs: 30_000 })))
    expect(outs.map((o) => Number(o.trim()))).toEqual(Array.from({ length: 25 }, (_, i) => i))
  })

  it('runs the same command line for an account whose login shell is dash', async () => {
    const env: Environment = {
      name: 'ssh-dash',
      endpoints: [
        { kind: 'ssh', id: 'dash', name: 'dash user', host: lab.ssh.host, port: lab.ssh.port, user: lab.ssh.passwordUser, auth: { method: 'password' } },
      ],
    }
    const c = new Connections(env, { 'dash.password': lab.ssh.password }, hub.knownHosts)
    try {
      const s = await c.ssh('dash')
      expect((await s.run('getent passwd "$(id -un)" | cut -d: -f7')).trim()).toBe('/bin/dash')
      const args = ["it's", 'a"b', 'two\nlines', '$HOME', '`id`', '!x', '{a,b}']
      const out = await s.run(`${shellCommand('printf', '%s|', ...args)}; [[ -n x ]] 2>/dev/null || printf 'posix'`)
      expect(out).toBe(args.map((a) => `${a}|`).join('') + 'posix')
    } finally {
      await c.close()
    }
  })

  it('writes a 300 KB file over SFTP, atomically, keeping owner and mode and a dated backup', async () => {
    const s = await connections.ssh('bastion')
    const dir = (await s.run('mktemp -d /tmp/switchyard-sftp-XXXXXX')).trim()
    const path = `${dir}/upstream.conf`
    try {
      await s.run(`printf 'old\\n' > ${path} && chmod 640 ${path}`)
      const big = Array.from({ length: 7000 }, (_, i) => `server 10.0.${i % 250}.${i % 200}:8080 weight=1; # backend ${i}`).join('\n') + '\n'
      expect(big.length).toBeGreaterThan(300_000)
      const backup = await replaceRemoteFile(s, path, big)
      expect(await s.run(`cat ${path}`, { timeoutMs: 30_000 })).toBe(big)
      expect((await s.run(`stat -c %a ${path}`)).trim()).toBe('640')
      expect(await s.run(`cat ${backup}`)).toBe('old\n')
      expect((await s.run(`ls ${dir}`)).split('\n').filter((f) => f.endsWith('.tmp'))).toEqual([])
    } finally {
      await s.run(`rm -rf ${dir}`)
    }
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
