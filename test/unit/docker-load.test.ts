import { describe, expect, it } from 'vitest'
import { demuxLogs } from '../../src/main/systems/docker/docker-logs'
import { loadFrom } from '../../src/main/systems/docker/docker-stats'

describe('docker stats and logs', () => {
  it('computes CPU as docker stats does, memory without the page cache, network rates between samples', () => {
    const first = {
      read: '2026-11-24T10:00:00Z',
      cpu_stats: { cpu_usage: { total_usage: 2_000_000_000 }, system_cpu_usage: 100_000_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 98_000_000_000 },
      memory_stats: { usage: 300 * 2 ** 20, limit: 1000 * 2 ** 20, stats: { inactive_file: 100 * 2 ** 20 } },
      networks: { eth0: { rx_bytes: 1000, tx_bytes: 500 } },
    }
    const load = loadFrom(first, undefined)
    expect(load.cpuPct).toBeCloseTo(100) // 1 s of CPU in 2 s of 2 CPUs' system time × 2 CPUs
    expect(load.memBytes).toBe(200 * 2 ** 20)
    expect(load.memPct).toBeCloseTo(20)
    expect(load.netRxBps).toBeNull()
    const second = { ...first, read: '2026-11-24T10:00:02Z', networks: { eth0: { rx_bytes: 5000, tx_bytes: 1500 } } }
    expect(loadFrom(second, first)).toMatchObject({ netRxBps: 2000, netTxBps: 500 })
    // the first message of a stream has no previous CPU sample; host-network containers have no networks
    expect(loadFrom({ read: first.read, cpu_stats: first.cpu_stats, precpu_stats: {} }, undefined)).toMatchObject({
      cpuPct: null,
      memPct: null,
      netRxBps: null,
    })
  })

  it('splits the multiplexed log stream into timestamped stdout and stderr lines', () => {
    const frame = (stream: number, text: string) => {
      const head = Buffer.alloc(8)
      head[0] = stream
      head.writeUInt32BE(Buffer.byteLength(text), 4)
      return Buffer.concat([head, Buffer.from(text)])
    }
    const buf = Buffer.concat([frame(1, '2026-11-24T10:00:00.1Z listening on 9101\n'), frame(2, '2026-11-24T10:00:00.2Z oops\nsecond line\n')])
    expect(demuxLogs(buf)).toEqual([
      { at: '2026-11-24T10:00:00.1Z', stream: 'stdout', text: 'listening on 9101' },
      { at: '2026-11-24T10:00:00.2Z', stream: 'stderr', text: 'oops' },
      { at: 'second', stream: 'stderr', text: 'line' },
    ])
    expect(demuxLogs(Buffer.from('plain tty output\n'), false)).toEqual([{ at: '', stream: 'stdout', text: 'plain tty output' }])
  })
})
