import type { EndpointOf } from '../../../../shared/inventory'
import type { PlanStep } from '../../../../shared/actions'
import type { UpstreamView } from '../../../../shared/systems/nginx'
import type { Connections } from '../../../core/connections'
import { SwitchyardError } from '../../../core/errors'
import { sleep } from '../../../core/wait'
import { editUpstream, type NginxConfig, type UpstreamEdit } from '../nginx-config'
import type { NginxHost } from '../nginx-host'
import { httpRequest } from '../../../core/http'

type NginxEndpoint = EndpointOf<'nginx'>

/** How long a drained backend may keep requests in flight before we go on without it. */
const DRAIN_TIMEOUT_MS = 30_000

export function upstreamFile(config: NginxConfig, name: string): string {
  const u = config.upstreams.find((x) => x.name === name)
  if (!u) throw new SwitchyardError('config', `nginx has no upstream "${name}"`)
  return u.file
}

/** The plan's commands for one config change: the edit, the backup, the test and the reload. */
/** One step: the edit is written, tested and reloaded all or nothing (applyUpstreamEdit), so the plan shows it as one. */
export function changeStep(host: NginxHost, file: string, upstream: string, edit: UpstreamEdit, title: string): PlanStep {
  const lines = [
    ...(edit.add ?? []).map((l) => `+ ${l}`),
    ...(edit.remove ?? []).map((a) => `- server ${a} …;`),
    ...Object.entries(edit.setDown ?? {}).map(([a, down]) => (down ? `~ server ${a} … down;` : `~ server ${a} … (without down);`)),
  ]
  return {
    title: `${title}, validate and reload gracefully`,
    commands: [
      `# upstream ${upstream} in ${file}`,
      ...lines,
      `cp -p ${file} ${file}.switchyard-<time>.bak; write ${file}.switchyard-<time>-<pid>-<id>.tmp; mv -f it over ${file}`,
      host.command('-t'),
      host.command('-s', 'reload'),
      '(nginx -t refuses it: the file is restored and nginx keeps running as it was)',
    ],
  }
}

/**
 * One nginx config change, all or nothing: write the edited file atomically with a backup, test it
 * with `nginx -t`, reload gracefully. A failed test restores the file and leaves the running nginx
 * untouched; the error carries nginx's own message.
 */
export async function applyUpstreamEdit(
  host: NginxHost,
  config: NginxConfig,
  upstream: string,
  edit: UpstreamEdit,
  say: (m: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const file = upstreamFile(config, upstream)
  const text = await host.readFile(file)
  const next = editUpstream(text, file, upstream, edit)
  if (next === text) {
    say(`${file} already says so; no reload needed`)
    return
  }
  const backup = await host.writeAtomic(file, next)
  say(`wrote ${file} (backup ${backup}); nginx -t`)
  const test = await host.test()
  if (!test.ok) {
    await host.restore(file, backup)
    throw new SwitchyardError(
      'refused',
      `nginx -t rejected the change, so ${file} was restored from ${backup} and nginx keeps running its previous configuration. nginx said:\n${test.message}`,
    )
  }
  say('nginx -s reload')
  await host.reload(config.pidPath, signal)
}

/** Wait until nginx has no request in flight to a backend; returns how many were still open at the timeout. */
export async function waitDrained(host: NginxHost, address: string, say: (m: string) => void, signal?: AbortSignal): Promise<number> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS
  for (;;) {
    const open = await host.inFlight(address)
    if (open === 0) return 0
    if (Date.now() > deadline) return open
    say(`${open} request(s) still in flight to ${address}`)
    await sleep(250, signal)
  }
}

/** Where a listen directive's address is reached from here: its own IP, or nginx's host for a bare port. */
function frontTarget(endpoint: NginxEndpoint, listen: string): { host: string; port: number } {
  const fallback = new URL(endpoint.statusUrl).hostname.replace(/^\[|\]$/g, '')
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+)$/.exec(listen)
  const host = m?.[1] && m[1] !== '*' && m[1] !== '0.0.0.0' ? m[1].replace(/^\[|\]$/g, '') : fallback
  return { host, port: Number(m?.[2] ?? 80) }
}

/** Batches of requests a traffic check sends before it says a backend receives none. */
const TRAFFIC_ROUNDS = 3

/**
 * Send requests through the upstream's front door and count, per backend, the TCP connections from
 * the nginx host (open or in TIME-WAIT) that appeared meanwhile: a backend nginx connected to while
 * we sent them has received traffic, whatever else connects to it directly.
 */
export async function trafficReached(
  host: NginxHost,
  endpoint: NginxEndpoint,
  connections: Connections,
  upstream: UpstreamView,
  addresses: string[],
): Promise<Map<string, number>> {
  const door = upstream.front[0]
  if (!door || addresses.length === 0) return new Map(addresses.map((a) => [a, 0]))
  const target = frontTarget(endpoint, door)
  const serving = upstream.backends.filter((b) => !b.down).length
  const fresh = (was: { state: string; timewaitLeft: number | null } | undefined, now: { state: string; timewaitLeft: number | null }) => {
    if (!was) return true
    // loopback reuses TIME-WAIT ports: the same local address with its timer started again is a new connection
    return was.timewaitLeft !== null && now.timewaitLeft !== null ? now.timewaitLeft > was.timewaitLeft + 0.5 : was.state !== now.state
  }
  const seen = new Map(addresses.map((a) => [a, 0]))
  // Other clients' requests move least_conn's choices: a backend our requests missed gets more rounds.
  for (let round = 0; round < TRAFFIC_ROUNDS; round++) {
    const pending = addresses.filter((a) => seen.get(a) === 0)
    if (!pending.length) break
    const before = new Map(await Promise.all(pending.map(async (a) => [a, await host.socketsTo(a)] as const)))
    for (let i = 0; i < Math.max(pending.length, serving) * 4; i++)
      await httpRequest(endpoint, connections, target, endpoint.probePath ?? '/health', { timeoutMs: 3000 }).catch(() => undefined)
    for (const a of pending) seen.set(a, [...(await host.socketsTo(a))].filter(([local, now]) => fresh(before.get(a)?.get(local), now)).length)
  }
  return seen
}
