import { Menu } from '@mantine/core'
import type { PatroniView } from '../../../../shared/systems/patroni'
import type { PgTopology } from '../../../../shared/systems/postgres'
import type { ActionDraft } from '../../components/ActionDialog'

type Act = (d: ActionDraft) => void

/** The header's Actions menu: a Patroni-managed cluster offers only the actions that go through Patroni. */
export function PgActions({ topology, act }: { topology: PgTopology; act: Act }) {
  return topology.manager === 'patroni' && topology.patroni ? (
    <PatroniActions patroni={topology.patroni} act={act} />
  ) : (
    <StreamingActions topology={topology} act={act} />
  )
}

function PatroniActions({ patroni, act }: { patroni: PatroniView; act: Act }) {
  const replicas = patroni.members.filter((m) => m.role !== 'leader')
  return (
    <>
      <Menu.Label>Through Patroni ({patroni.scope ?? 'cluster'})</Menu.Label>
      {replicas.map((m) => (
        <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-switchover', candidate: m.name })} data-testid={`patroni-switchover-${m.name}`}>
          Switch over to {m.name}
        </Menu.Item>
      ))}
      {replicas.map((m) => (
        <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-failover', candidate: m.name })}>
          Fail over to {m.name}
        </Menu.Item>
      ))}
      <Menu.Item onClick={() => act({ kind: 'pg.patroni-pause', pause: !patroni.paused })} data-testid="patroni-pause">
        {patroni.paused ? 'Resume automatic failover' : 'Pause automatic failover (maintenance)'}
      </Menu.Item>
      <Menu.Label>Members</Menu.Label>
      {patroni.members.map((m) => (
        <Menu.Item key={m.name} onClick={() => act({ kind: 'pg.patroni-restart', member: m.name, onlyIfPending: false })}>
          Restart {m.name}
          {m.pendingRestart ? ' (pending)' : ''}
        </Menu.Item>
      ))}
      {replicas.map((m) => (
        <Menu.Item key={m.name} color="red" onClick={() => act({ kind: 'pg.patroni-reinit', member: m.name })}>
          Reinitialize {m.name} from the leader
        </Menu.Item>
      ))}
    </>
  )
}

function StreamingActions({ topology, act }: { topology: PgTopology; act: Act }) {
  const standbys = topology.nodes.filter((n) => n.role === 'standby')
  return (
    <>
      <Menu.Label>Switchover (planned, zero loss)</Menu.Label>
      {standbys.map((s) => (
        <Menu.Item key={s.name} onClick={() => act({ kind: 'pg.switchover', newPrimary: s.name })} data-testid={`switchover-${s.name}`}>
          Promote {s.name}, demote {topology.primary}
        </Menu.Item>
      ))}
      <Menu.Label>Failover (primary down)</Menu.Label>
      <Menu.Item onClick={() => act({ kind: 'pg.failover' })}>Promote the most advanced standby</Menu.Item>
      <Menu.Label>Replicas</Menu.Label>
      {topology.nodes
        .filter((n) => n.needsRewind || n.role === 'down')
        .map((n) => (
          <Menu.Item key={n.name} onClick={() => act({ kind: 'pg.rejoin', node: n.name })}>
            Rejoin {n.name} as a standby (pg_rewind)
          </Menu.Item>
        ))}
      {standbys.map((s) => (
        <Menu.Item key={s.name} color="red" onClick={() => act({ kind: 'pg.remove-replica', node: s.name })}>
          Remove replica {s.name} and drop its slot
        </Menu.Item>
      ))}
    </>
  )
}
