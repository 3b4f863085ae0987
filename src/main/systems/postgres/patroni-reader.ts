import { parseClusterMembers, parseHistory, patroniFindings, isLeaderRole } from '../../../shared/domain/patroni'
import type { PatroniView } from '../../../shared/systems/patroni'
import type { PgFinding, PgNodeSnapshot } from '../../../shared/systems/postgres'
import type { Connections } from '../../core/connections'
import { toConnError } from '../../core/errors'
import type { PostgresEndpoint } from './postgres-client'
import { PATRONI_DEFAULT_PORT, PatroniApi } from './patroni-client'

const empty = (source: string | null, error: string): PatroniView => ({
  source,
  scope: null,
  version: null,
  paused: false,
  leader: null,
  members: [],
  history: [],
  scheduledSwitchover: null,
  disagreements: [],
  error,
})

/**
 * The cluster as Patroni sees it (/cluster, then /patroni and /history from the member that
 * answered), compared with what PostgreSQL said in the same poll. Patroni is asked at the
 * endpoint's URLs, or at its default port on the nodes when its sessions show in
 * pg_stat_activity but no URL is named. Never throws: an unreachable API is a view with the
 * reason, and a finding.
 */
export async function readPatroni(
  endpoint: PostgresEndpoint,
  connections: Connections,
  nodes: readonly PgNodeSnapshot[],
): Promise<{ view: PatroniView; findings: PgFinding[] }> {
  const api = new PatroniApi(endpoint, connections)
  const seen = nodes.filter((n) => n.patroniSeen).map((n) => n.name)
  const unnamed: PgFinding[] = endpoint.patroni
    ? []
    : [
        {
          status: 'warn',
          reason: `Patroni's sessions are connected to ${seen.join(', ')} but the endpoint names no Patroni REST URL; found it on the nodes' default port ${PATRONI_DEFAULT_PORT}: name the URLs in the endpoint`,
        },
      ]
  try {
    const cluster = await api.read('cluster')
    const members = parseClusterMembers(cluster.json, endpoint.nodes)
    const c = cluster.json as { pause?: unknown; scheduled_switchover?: { at?: unknown; from?: unknown; to?: unknown } }
    const [self, history] = await Promise.all([
      api.call(cluster.source, 'patroni').then((r) => r.json as { patroni?: { version?: unknown; scope?: unknown } } | null),
      api.call(cluster.source, 'history').then((r) => parseHistory(r.json)),
    ]).catch(() => [null, []] as const)
    const paused = c.pause === true
    const { disagreements, warnings } = patroniFindings(members, nodes, paused)
    const s = c.scheduled_switchover
    return {
      view: {
        source: cluster.source,
        scope: typeof self?.patroni?.scope === 'string' ? self.patroni.scope : null,
        version: typeof self?.patroni?.version === 'string' ? self.patroni.version : null,
        paused,
        leader: members.find((m) => isLeaderRole(m.role))?.name ?? null,
        members,
        history: [...history],
        scheduledSwitchover:
          s && typeof s.at === 'string' ? { at: s.at, from: typeof s.from === 'string' ? s.from : null, to: typeof s.to === 'string' ? s.to : null } : null,
        disagreements,
      },
      findings: [
        ...unnamed,
        ...disagreements.map((reason) => ({ status: 'critical' as const, reason: `Patroni and PostgreSQL disagree: ${reason}` })),
        ...warnings.map((reason) => ({ status: 'warn' as const, reason })),
      ],
    }
  } catch (err) {
    const why = endpoint.patroni
      ? `Patroni REST API: ${toConnError(err, connections.secretValues()).message}`
      : `Patroni's own sessions are connected to ${seen.join(', ')}, but the endpoint names no Patroni REST URL and none answers on port ${PATRONI_DEFAULT_PORT} of the nodes: name them to read the cluster through Patroni; until then every action is refused`
    return { view: empty(null, why), findings: [{ status: endpoint.patroni ? 'critical' : 'warn', reason: why }] }
  }
}
