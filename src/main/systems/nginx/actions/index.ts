import type { PlanStep, VerificationCheck } from '../../../../shared/actions'
import type { EndpointOf } from '../../../../shared/inventory'
import type { Replica, ReplicaGroup } from '../../../../shared/systems/docker'
import type { UpstreamView } from '../../../../shared/systems/nginx'
import type { ActionContext, ActionDefinition, AnyActionDefinition, Prepared, RunContext } from '../../../core/actions/action-definition'
import { step } from '../../../core/actions/action-definition'
import { SwitchyardError } from '../../../core/errors'
import type { ReplicaProvider } from '../../../core/replicas'
import { pollUntil } from '../../../core/wait'
import { probeBackend, readAppTier, type TierRead } from '../tier-reader'
import type { NginxConfig } from '../nginx-config'
import { NginxHost } from '../nginx-host'
import { applyUpstreamEdit, changeStep, trafficReached, upstreamFile, waitDrained } from './upstream-change'

type NginxEndpoint = EndpointOf<'nginx'>

const HEALTHY_TIMEOUT_MS = 60_000

interface Scene {
  endpoint: NginxEndpoint
  host: NginxHost
  read: TierRead
  config: NginxConfig
  upstream: UpstreamView
}

async function scene(ctx: ActionContext, replicas: ReplicaProvider, upstreamName: string): Promise<Scene> {
  if (ctx.endpoint.kind !== 'nginx') throw new SwitchyardError('config', `${ctx.endpoint.id} is not an nginx endpoint`)
  const endpoint = ctx.endpoint
  const host = await NginxHost.open(endpoint, ctx.connections)
  const read = await readAppTier(ctx.environment, endpoint, ctx.connections, replicas)
  if (!read.config) throw new SwitchyardError('refused', `cannot change nginx: ${read.tier.configError ?? 'configuration not read'}`)
  const upstream = read.tier.upstreams.find((u) => u.name === upstreamName)
  if (!upstream)
    throw new SwitchyardError('config', `nginx has no upstream "${upstreamName}" (it has ${read.tier.upstreams.map((u) => u.name).join(', ') || 'none'})`)
  return { endpoint, host, read, config: read.config, upstream }
}

function groupOf(s: Scene): ReplicaGroup {
  const group = s.read.tier.groups.find((g) => g.key === s.upstream.group)
  if (!group)
    throw new SwitchyardError(
      'refused',
      `no Docker service serves the backends of upstream ${s.upstream.name}: Switchyard matches them by port (PORT, PORT_BASE + SLOT, or a published port)`,
    )
  return group
}

/** host:port of a replica as the upstream addresses its siblings. */
function addressOf(s: Scene, port: number): string {
  const sibling = s.upstream.backends.find((b) => b.replica)?.address ?? s.upstream.backends[0]?.address ?? '127.0.0.1:0'
  return `${sibling.slice(0, sibling.lastIndexOf(':'))}:${port}`
}

/** A new backend's server line, with the parameters of the backends already there. */
function serverLine(s: Scene, address: string): string {
  const model = s.config.upstreams.find((u) => u.name === s.upstream.name)?.servers.find((x) => !x.backup)
  const params = (model?.params ?? []).filter((p) => p !== 'down' && p !== 'backup')
  return `server ${[address, ...params].join(' ')};`
}

function backendOf(s: Scene, replica: Replica): string | undefined {
  return s.upstream.backends.find((b) => b.replica?.id === replica.id)?.address
}

async function waitHealthy(s: Scene, ctx: RunContext, address: string): Promise<void> {
  await pollUntil(
    `${address} to answer ${s.endpoint.probePath ?? '/health'}`,
    HEALTHY_TIMEOUT_MS,
    async () => {
      const p = await probeBackend(s.endpoint, ctx.connections, address)
      return p.status !== null && p.status < 400 ? { done: undefined } : { waiting: p.error ?? `HTTP ${p.status}` }
    },
    200,
    ctx.signal,
  )
}

async function drainBackends(s: Scene, ctx: RunContext, addresses: string[]): Promise<void> {
  await applyUpstreamEdit(
    s.host,
    s.config,
    s.upstream.name,
    { setDown: Object.fromEntries(addresses.map((a) => [a, true])) },
    (m) => ctx.progress(m),
    ctx.signal,
  )
  for (const a of addresses) {
    const left = await waitDrained(s.host, a, (m) => ctx.progress(m), ctx.signal)
    ctx.progress(
      left === 0 ? `${a}: no request in flight` : `${a}: ${left} connection(s) still open after 30 s; going on (the replica gets its stop grace period)`,
    )
  }
}

async function trafficChecks(s: Scene, ctx: ActionContext, addresses: string[]): Promise<VerificationCheck[]> {
  const seen = await trafficReached(s.host, s.endpoint, ctx.connections, s.upstream, addresses)
  return addresses.map((a) => ({ name: `${a} receives traffic`, passed: (seen.get(a) ?? 0) > 0, detail: `${seen.get(a) ?? 0} connection(s) from nginx` }))
}

function upstreamChecks(s: Scene): VerificationCheck[] {
  return s.upstream.backends
    .filter((b) => !b.down)
    .map((b) => ({ name: `${b.address} answers`, passed: b.health === 'ok', detail: b.probe.error ?? `HTTP ${b.probe.status} in ${b.probe.latencyMs} ms` }))
}

function scaleAction(replicas: ReplicaProvider): ActionDefinition<'app.scale', { from: number }> {
  return {
    kind: 'app.scale',
    converges: true,
    /** Rolled back by scaling to the count it started from. */
    inverse: (req, state) => ({ ...req, replicas: state.from }),
    async prepare(req, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const group = groupOf(s)
      const running = group.replicas.filter((r) => r.running)
      const from = running.length
      const out = req.replicas > from
      const prechecks = [
        { name: 'scalable', passed: group.notScalable === null, detail: group.notScalable ?? `new replicas listen on ${group.portRule ?? '?'}` },
        { name: 'a change', passed: req.replicas !== from, detail: `${group.name} runs ${from} replica(s)` },
        { name: 'no update in progress', passed: group.update !== 'updating' && group.update !== 'rollback_started', detail: group.update ?? 'none' },
        { name: 'nginx configuration valid', passed: (await s.host.test()).ok, detail: 'nginx -t before the change' },
      ]
      const title = `Scale ${group.name} from ${from} to ${req.replicas} behind upstream ${s.upstream.name}`
      const base = { target: group.name, title, risk: 'medium' as const, prechecks, warnings: [] as string[], state: { from } }
      if (!prechecks[0]!.passed || !prechecks[1]!.passed) return { ...base, summary: title, steps: [] }
      const file = upstreamFile(s.config, s.upstream.name)
      let steps: PlanStep[]
      if (out) {
        const added = replicas.portsFor(group, req.replicas).map((p) => addressOf(s, p))
        steps = [
          step(`start ${req.replicas - from} replica(s)`, ...replicas.scaleCommands(group, req.replicas)),
          step('wait until each answers', ...added.map((a) => `GET http://${a}${s.endpoint.probePath ?? '/health'} until 2xx/3xx`)),
          changeStep(s.host, file, s.upstream.name, { add: added.map((a) => serverLine(s, a)) }, 'add them to the upstream'),
          step(
            'verify every new backend receives traffic',
            `requests through ${s.upstream.front[0] ?? '(no front server found)'}; ss -Htn state connected dst <backend>`,
          ),
        ]
      } else {
        const gone = replicas.removedBy(group, req.replicas)
        const addresses = gone.map((r) => backendOf(s, r)).filter((a): a is string => !!a)
        steps = [
          changeStep(s.host, file, s.upstream.name, { setDown: Object.fromEntries(addresses.map((a) => [a, true])) }, 'mark the leaving backends down'),
          step('wait for their requests in flight to finish', ...addresses.map((a) => `ss -Htn state established dst ${a}   (until none, at most 30 s)`)),
          step(`stop ${from - req.replicas} replica(s)`, ...replicas.scaleCommands(group, req.replicas)),
          changeStep(s.host, file, s.upstream.name, { remove: addresses }, 'remove them from the upstream'),
        ]
        if (addresses.length < gone.length)
          base.warnings.push(`${gone.length - addresses.length} of the replicas to stop are not in upstream ${s.upstream.name}`)
      }
      return {
        ...base,
        summary: out
          ? `Starts ${req.replicas - from} replica(s) of ${group.name}, waits until they answer, adds them to upstream ${s.upstream.name} (nginx -t, graceful reload) and checks each receives traffic.`
          : `Takes ${from - req.replicas} backend(s) of upstream ${s.upstream.name} out of rotation first (graceful reload, in-flight requests finish), then stops their replicas and removes them from the upstream.`,
        steps,
      }
    },
    async execute(req, _prepared, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const group = groupOf(s)
      const from = group.replicas.filter((r) => r.running).length
      const say = (m: string) => ctx.progress(m)
      if (req.replicas > from) {
        ctx.step(`starting ${req.replicas - from} replica(s) of ${group.name}`)
        const started = await replicas.scaleOut(ctx.connections, group, req.replicas, say, ctx.signal)
        const added = started.map((r) => addressOf(s, r.port ?? 0))
        ctx.step(`waiting until ${added.join(', ')} answer`)
        for (const a of added) await waitHealthy(s, ctx, a)
        ctx.step(`adding ${added.join(', ')} to upstream ${s.upstream.name}`)
        await applyUpstreamEdit(s.host, s.config, s.upstream.name, { add: added.map((a) => serverLine(s, a)) }, say, ctx.signal)
        return `${group.name} scaled from ${from} to ${req.replicas}; ${added.join(', ')} in upstream ${s.upstream.name}`
      }
      const gone = replicas.removedBy(group, req.replicas)
      const addresses = gone.map((r) => backendOf(s, r)).filter((a): a is string => !!a)
      ctx.step(`marking ${addresses.join(', ')} down`)
      await drainBackends(s, ctx, addresses)
      ctx.step(`stopping ${gone.map((r) => r.name).join(', ')}`)
      await replicas.scaleIn(ctx.connections, group, req.replicas, say, ctx.signal)
      ctx.step(`removing ${addresses.join(', ')} from upstream ${s.upstream.name}`)
      const fresh = await scene(ctx, replicas, req.upstream)
      await applyUpstreamEdit(fresh.host, fresh.config, req.upstream, { remove: addresses }, say, ctx.signal)
      return `${group.name} scaled from ${from} to ${req.replicas}; ${addresses.join(', ')} removed from upstream ${s.upstream.name}`
    },
    async verify(req, _prepared, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const group = groupOf(s)
      const running = group.replicas.filter((r) => r.running)
      const served = new Set(s.upstream.backends.filter((b) => !b.down && b.replica).map((b) => b.replica!.id))
      return [
        { name: 'replicas running', passed: running.length === req.replicas, detail: `${running.length} of ${req.replicas}` },
        {
          name: 'every replica in the upstream',
          passed: running.every((r) => served.has(r.id)),
          detail: `${served.size} backend(s) of ${s.upstream.name} matched to replicas`,
        },
        {
          name: 'no backend without a replica',
          passed: s.upstream.backends.every((b) => b.replica !== null),
          detail:
            s.upstream.backends
              .filter((b) => !b.replica)
              .map((b) => b.address)
              .join(', ') || 'none',
        },
        ...upstreamChecks(s),
        ...(await trafficChecks(
          s,
          ctx,
          s.upstream.backends.filter((b) => !b.down).map((b) => b.address),
        )),
      ]
    },
  }
}

function drainAction(replicas: ReplicaProvider): ActionDefinition<'app.drain', null> {
  return {
    kind: 'app.drain',
    converges: true,
    inverse: (req) => ({ ...req, down: !req.down }),
    async prepare(req, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const b = s.upstream.backends.find((x) => x.address === req.server)
      const file = upstreamFile(s.config, s.upstream.name)
      const others = s.upstream.backends.filter((x) => x.address !== req.server && !x.down && !x.backup && x.health === 'ok')
      const prechecks = [
        { name: 'backend in upstream', passed: !!b, detail: b ? `${req.server} line ${b.line} of ${file}` : `${s.upstream.name} has no server ${req.server}` },
        req.down
          ? { name: 'another backend serves', passed: others.length > 0, detail: `${others.length} other healthy backend(s)` }
          : { name: 'backend answers', passed: b?.health === 'ok', detail: b?.probe.error ?? `HTTP ${b?.probe.status ?? '?'}` },
      ]
      return {
        target: req.server,
        title: req.down ? `Take ${req.server} out of upstream ${s.upstream.name}` : `Return ${req.server} to upstream ${s.upstream.name}`,
        summary: req.down
          ? `Marks ${req.server} down (nginx -t, graceful reload) and waits until its requests in flight finish; it stays in the file for its return.`
          : `Removes the down flag of ${req.server} (nginx -t, graceful reload) and checks it receives traffic.`,
        risk: req.down ? 'medium' : 'low',
        steps: [
          changeStep(s.host, file, s.upstream.name, { setDown: { [req.server]: req.down } }, req.down ? 'mark it down' : 'remove the down flag'),
          req.down
            ? step('wait for its requests in flight to finish', `ss -Htn state established dst ${req.server}`)
            : step('verify it receives traffic', `ss -Htn state connected dst ${req.server}`),
        ],
        prechecks,
        warnings: b?.replica ? [] : [`${req.server} is not matched to a container`],
        state: null,
      }
    },
    async execute(req, { steps }, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      ctx.step(steps[0]!.title)
      await applyUpstreamEdit(s.host, s.config, s.upstream.name, { setDown: { [req.server]: req.down } }, (m) => ctx.progress(m), ctx.signal)
      if (!req.down) return `${req.server} is back in rotation in upstream ${req.upstream}`
      ctx.step(steps[1]!.title)
      const left = await waitDrained(s.host, req.server, (m) => ctx.progress(m), ctx.signal)
      return `${req.server} is out of rotation in upstream ${req.upstream}${left ? `; ${left} connection(s) were still open after 30 s` : ''}`
    },
    async verify(req, _prepared, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const b = s.upstream.backends.find((x) => x.address === req.server)
      const checks = [
        {
          name: req.down ? 'marked down' : 'in rotation',
          passed: b?.down === req.down,
          detail: b ? `line ${b.line}: ${b.down ? 'down' : 'serving'}` : 'not in the upstream',
        },
      ]
      if (!req.down) checks.push(...(await trafficChecks(s, ctx, [req.server])))
      else checks.push({ name: 'no request in flight', passed: (await s.host.inFlight(req.server)) === 0, detail: 'ss -Htn state established' })
      return checks
    },
  }
}

function restartAction(replicas: ReplicaProvider): ActionDefinition<'app.restart', null> {
  return {
    kind: 'app.restart',
    async prepare(req, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const group = groupOf(s)
      const members = group.replicas.filter((r) => r.running && backendOf(s, r))
      const file = upstreamFile(s.config, s.upstream.name)
      const healthy = s.upstream.backends.filter((b) => !b.down && b.health === 'ok').length
      return {
        target: group.name,
        title: `Rolling restart of ${group.name} behind upstream ${s.upstream.name}`,
        summary: `One backend at a time: mark it down (graceful reload), wait for its requests in flight, restart its replica, wait until it answers, return it and check it receives traffic. ${members.length} replica(s).`,
        risk: 'medium',
        steps: members.flatMap((r) => {
          const a = backendOf(s, r)!
          return [
            changeStep(s.host, file, s.upstream.name, { setDown: { [a]: true } }, `${r.name}: mark ${a} down`),
            step(
              `${r.name}: restart`,
              `ss -Htn state established dst ${a}   (until none)`,
              ...replicas.restartCommands(group, r),
              `GET http://${a}${s.endpoint.probePath ?? '/health'} until 2xx/3xx`,
            ),
            changeStep(s.host, file, s.upstream.name, { setDown: { [a]: false } }, `${r.name}: return ${a}`),
          ]
        }),
        prechecks: [
          { name: 'restartable one at a time', passed: group.notRestartable === null, detail: group.notRestartable ?? `${group.kind} service ${group.name}` },
          { name: 'replicas behind the upstream', passed: members.length > 0, detail: `${members.length} of ${group.replicas.length}` },
          { name: 'others serve meanwhile', passed: healthy >= 2, detail: `${healthy} healthy backend(s); one is out at a time` },
        ],
        warnings: [],
        state: null,
      }
    },
    async execute(req, _prepared, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      const group = groupOf(s)
      const members = group.replicas.filter((r) => r.running && backendOf(s, r))
      for (const r of members) {
        const a = backendOf(s, r)!
        const now = await scene(ctx, replicas, req.upstream)
        ctx.step(`${r.name}: marking ${a} down`)
        await drainBackends(now, ctx, [a])
        ctx.step(`${r.name}: restarting`)
        const successor = await replicas.restart(ctx.connections, group, r, (m) => ctx.progress(m), ctx.signal)
        await waitHealthy(now, ctx, a)
        ctx.step(`${successor.name}: returning ${a}`)
        const again = await scene(ctx, replicas, req.upstream)
        await applyUpstreamEdit(again.host, again.config, req.upstream, { setDown: { [a]: false } }, (m) => ctx.progress(m), ctx.signal)
      }
      return `restarted ${members.length} replica(s) of ${group.name}, one at a time`
    },
    async verify(req, _prepared, ctx) {
      const s = await scene(ctx, replicas, req.upstream)
      return [
        {
          name: 'no backend left down',
          passed: s.upstream.backends.every((b) => !b.down),
          detail:
            s.upstream.backends
              .filter((b) => b.down)
              .map((b) => b.address)
              .join(', ') || 'none',
        },
        ...upstreamChecks(s),
        ...(await trafficChecks(
          s,
          ctx,
          s.upstream.backends.map((b) => b.address),
        )),
      ]
    },
  }
}

function backendEditActions(replicas: ReplicaProvider): [ActionDefinition<'nginx.add-backend', null>, ActionDefinition<'nginx.remove-backend', null>] {
  const planEdit = async (ctx: ActionContext, upstream: string, server: string, add: boolean, params: string[]): Promise<Prepared<null>> => {
    const s = await scene(ctx, replicas, upstream)
    const exists = s.upstream.backends.some((b) => b.address === server)
    const file = upstreamFile(s.config, upstream)
    const line = `server ${[server, ...params].join(' ')};`
    return {
      target: server,
      title: add ? `Add ${server} to upstream ${upstream}` : `Remove ${server} from upstream ${upstream}`,
      summary: add
        ? `Appends "${line}" to upstream ${upstream} in ${file}, validates with nginx -t (restoring the file if nginx refuses it) and reloads gracefully.`
        : `Removes ${server} from upstream ${upstream} in ${file}, validates with nginx -t and reloads gracefully; its requests in flight finish on the old workers.`,
      risk: add ? 'low' : 'medium',
      steps: [changeStep(s.host, file, upstream, add ? { add: [line] } : { remove: [server] }, add ? 'add the server line' : 'remove the server line')],
      prechecks: [
        add
          ? { name: 'not yet in the upstream', passed: !exists, detail: exists ? `${server} is already in ${upstream}` : 'new' }
          : { name: 'in the upstream', passed: exists, detail: exists ? 'present' : `${upstream} has no server ${server}` },
        ...(add ? [] : [{ name: 'others remain', passed: s.upstream.backends.length > 1, detail: `${s.upstream.backends.length - 1} other backend(s)` }]),
      ],
      warnings: [],
      state: null,
    }
  }
  return [
    {
      kind: 'nginx.add-backend',
      converges: true,
      prepare: (req, ctx) => planEdit(ctx, req.upstream, req.server, true, req.params),
      inverse: ({ environment, endpointId, upstream, server }) => ({ kind: 'nginx.remove-backend', environment, endpointId, upstream, server }),
      async execute(req, _prepared, ctx) {
        const s = await scene(ctx, replicas, req.upstream)
        ctx.step(`adding ${req.server}`)
        await applyUpstreamEdit(
          s.host,
          s.config,
          req.upstream,
          { add: [`server ${[req.server, ...req.params].join(' ')};`] },
          (m) => ctx.progress(m),
          ctx.signal,
        )
        return `${req.server} added to upstream ${req.upstream}`
      },
      async verify(req, _prepared, ctx) {
        const s = await scene(ctx, replicas, req.upstream)
        const b = s.upstream.backends.find((x) => x.address === req.server)
        return [
          { name: 'in the upstream', passed: !!b, detail: b ? `line ${b.line}` : 'missing' },
          { name: 'nginx -t', passed: (await s.host.test()).ok, detail: 'configuration valid' },
        ]
      },
    },
    {
      kind: 'nginx.remove-backend',
      converges: true,
      prepare: (req, ctx) => planEdit(ctx, req.upstream, req.server, false, []),
      async execute(req, _prepared, ctx) {
        const s = await scene(ctx, replicas, req.upstream)
        ctx.step(`removing ${req.server}`)
        await applyUpstreamEdit(s.host, s.config, req.upstream, { remove: [req.server] }, (m) => ctx.progress(m), ctx.signal)
        return `${req.server} removed from upstream ${req.upstream}`
      },
      async verify(req, _prepared, ctx) {
        const s = await scene(ctx, replicas, req.upstream)
        return [{ name: 'gone from the upstream', passed: !s.upstream.backends.some((b) => b.address === req.server), detail: s.upstream.file }]
      },
    },
  ]
}

/** The app tier's actions: every one changes nginx only through the write → nginx -t → reload transaction. */
export function nginxActions(replicas: ReplicaProvider): AnyActionDefinition[] {
  return [scaleAction(replicas), drainAction(replicas), restartAction(replicas), ...backendEditActions(replicas)]
}
