import type Docker from 'dockerode'

/** What one stats message says, as the app tier shows it. */
export interface ContainerLoad {
  cpuPct: number | null
  memPct: number | null
  memBytes: number | null
  netRxBps: number | null
  netTxBps: number | null
}

interface StatsMessage {
  read: string
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number }
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number }
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> }
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>
}

/** CPU as `docker stats` computes it (share of all CPUs × CPU count), memory without the page cache. */
export function loadFrom(msg: StatsMessage, previous: StatsMessage | undefined): ContainerLoad {
  const cpu = msg.cpu_stats
  const pre = msg.precpu_stats
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0)
  const sysDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0)
  const cpus = cpu?.online_cpus ?? cpu?.cpu_usage?.percpu_usage?.length ?? 1
  const cpuPct = pre?.system_cpu_usage && sysDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : null
  const m = msg.memory_stats
  const cache = m?.stats?.inactive_file ?? m?.stats?.total_inactive_file ?? m?.stats?.cache ?? 0
  const memBytes = m?.usage === undefined ? null : Math.max(0, m.usage - cache)
  const memPct = memBytes !== null && m?.limit ? (memBytes / m.limit) * 100 : null
  const net = (s: StatsMessage | undefined, k: 'rx_bytes' | 'tx_bytes') => (s?.networks ? Object.values(s.networks).reduce((a, n) => a + n[k], 0) : undefined)
  const seconds = previous ? (Date.parse(msg.read) - Date.parse(previous.read)) / 1000 : 0
  const rate = (k: 'rx_bytes' | 'tx_bytes') => {
    const now = net(msg, k)
    const before = net(previous, k)
    return now !== undefined && before !== undefined && seconds > 0 ? Math.max(0, (now - before) / seconds) : null
  }
  return { cpuPct, memPct, memBytes, netRxBps: rate('rx_bytes'), netTxBps: rate('tx_bytes') }
}

interface Watch {
  stream: NodeJS.ReadableStream & { destroy?: () => void }
  last?: StatsMessage
  load?: ContainerLoad
  wantedAt: number
}

/** Containers nobody asked about for this long lose their stats stream. */
const IDLE_MS = 60_000
const FIRST_SAMPLE_MS = 2500

/**
 * One `docker stats` stream per running container that a view is looking at: the daemon pushes a
 * sample every second, so a poll reads the latest load without waiting for two samples.
 */
export class StatsWatcher {
  private readonly watches = new Map<string, Watch>()

  constructor(private readonly docker: Docker) {}

  /** The latest load of each container (null until its first sample); starts streams for new ones, stops idle ones. */
  async loads(ids: string[]): Promise<Map<string, ContainerLoad | null>> {
    const now = Date.now()
    for (const [id, w] of this.watches)
      if (now - w.wantedAt > IDLE_MS || !ids.includes(id)) {
        w.stream.destroy?.()
        this.watches.delete(id)
      }
    await Promise.all(ids.filter((id) => !this.watches.has(id)).map((id) => this.start(id)))
    const out = new Map<string, ContainerLoad | null>()
    for (const id of ids) {
      const w = this.watches.get(id)
      if (w) w.wantedAt = now
      out.set(id, w?.load ?? null)
    }
    return out
  }

  /** Resolves at the first sample with a CPU reading (the daemon's second, a second in) or after FIRST_SAMPLE_MS. */
  private async start(id: string): Promise<void> {
    const stream: Watch['stream'] | null = await this.docker
      .getContainer(id)
      .stats({ stream: true })
      .catch(() => null)
    if (!stream) return
    const w: Watch = { stream, wantedAt: Date.now() }
    let ready: () => void = () => undefined
    const first = new Promise<void>((resolve) => (ready = resolve))
    const timer = setTimeout(ready, FIRST_SAMPLE_MS)
    this.watches.set(id, w)
    let buf = ''
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8')
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim()
        buf = buf.slice(nl + 1)
        if (!line) continue
        try {
          const msg = JSON.parse(line) as StatsMessage
          w.load = loadFrom(msg, w.last)
          w.last = msg
          if (w.load.cpuPct !== null) ready()
        } catch {
          // a torn line is followed by a whole one a second later
        }
      }
    })
    const drop = () => {
      if (this.watches.get(id) === w) this.watches.delete(id)
    }
    stream.on('error', drop)
    stream.on('end', drop)
    await first
    clearTimeout(timer)
  }

  close(): void {
    for (const w of this.watches.values()) w.stream.destroy?.()
    this.watches.clear()
  }
}
