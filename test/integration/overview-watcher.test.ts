import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OverviewWatcher } from '../../src/main/features/overview/overview-watcher'
import type { EventPayload } from '../../src/shared/contract'
import type { ServiceHub } from '../../src/main/core/service-hub'
import type { LabDescription } from '../lab/lab-environment'
import { labHub } from '../support/lab'

type Update = EventPayload<'overview:update'>

describe('the live overview with an environment that does not answer', () => {
  let hub: ServiceHub
  let lab: LabDescription
  let silent: Server
  const sockets = new Set<Socket>()

  beforeAll(async () => {
    ;({ hub, lab } = await labHub())
    // accepts connections and never says a word, like a host behind a firewall that drops replies
    silent = createServer((s) => {
      sockets.add(s)
      s.on('error', () => undefined)
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    await hub.inventory.save({
      name: 'stuck',
      endpoints: [
        { kind: 'ssh', id: 'host', name: 'host', host: '127.0.0.1', port, user: 'root', auth: { method: 'key', keyPath: lab.ssh.keyPath } },
        {
          kind: 'ssh',
          id: 'lab-host',
          name: 'lab host',
          host: lab.ssh.host,
          port: lab.ssh.port,
          user: 'root',
          auth: { method: 'key', keyPath: lab.ssh.keyPath },
        },
      ],
    })
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    silent?.close()
    await hub?.close()
  })

  it('streams each system as its probe answers: the lab and the live host of the stuck environment long before the silent one times out', async () => {
    const updates: Update[] = []
    // the lab answers well within the interval, the silent host takes its 10 s handshake timeout
    const watcher = new OverviewWatcher(hub, 5000)
    const stop = watcher.subscribe((u) => updates.push(u))
    // a second listener (the tray beside a window) hears the same rounds: nothing is probed twice
    const second: Update[] = []
    const stopSecond = watcher.subscribe((u) => second.push(u))
    try {
      await expect
        .poll(() => updates.find((u) => u.environments.find((e) => e.environment === 'stuck')?.status === 'critical'), { timeout: 30_000 })
        .toBeTruthy()
    } finally {
      stop()
      stopSecond()
    }
    expect(second.map((u) => JSON.stringify(u))).toEqual(updates.map((u) => JSON.stringify(u)))
    // an SSH handshake that never comes waits out its 10 s; the lab and the live host answered long before
    const silentPending = (u: Update) => u.environments[1]!.systems.find((x) => x.endpointId === 'host')?.reason === 'checking…'
    const live = updates.find((u) => u.environments[1]!.systems.find((x) => x.endpointId === 'lab-host')?.status === 'ok')!
    expect(silentPending(live)).toBe(true)
    expect(live.environments[1]!.status).toBe('unknown')
    expect(live.environments[1]!.systems.map((x) => [x.endpointId, x.status])).toEqual([
      ['host', 'unknown'],
      ['lab-host', 'ok'],
    ])
    // every system of the lab was shown, as it answered, while the silent host was still being waited for
    const labShown = (u: Update) => u.environments[0]!.systems.length > 0 && u.environments[0]!.systems.every((x) => x.reason !== 'checking…')
    expect(updates.some((u) => labShown(u) && silentPending(u))).toBe(true)
    const done = updates.at(-1)!.environments[1]!
    expect(done.systems[0]!.reason).toMatch(/timed out/i)
    expect(done.status).toBe('critical')
  })
})
