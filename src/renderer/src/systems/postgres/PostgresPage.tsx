import { Text } from '@mantine/core'
import { useMemo, useState } from 'react'
import type { PgHealth } from '../../../../shared/systems/postgres'
import { api, errorText } from '../../api'
import { useActionLauncher } from '../../components/ActionDialog'
import { useEndpointPicker } from '../../components/EndpointPicker'
import { useHistoryRange } from '../../components/HistoryRange'
import { PageTabs, ReasonLine, SystemPage } from '../../components/SystemPage'
import { useSnapshotWithHistory } from '../../hooks/usePolling'
import { usePaletteActions } from '../../palette/palette-actions'
import { AddReplicaTab } from './AddReplicaTab'
import { HealthTab } from './HealthTab'
import { PgActions } from './PgActions'
import { ReplicationTab } from './ReplicationTab'

const POLL_MS = 2000

/** PostgreSQL: who is primary, who streams from whom, lag in bytes and seconds over time, health, and the actions. */
export function PostgresPage() {
  const picked = useEndpointPicker('postgres')
  const { choice, endpoint } = picked
  const range = useHistoryRange('pg-history-range')
  const [health, setHealth] = useState<PgHealth>()

  const polled = useSnapshotWithHistory(choice, { snapshot: 'pg:topology', history: 'pg:lag-history' }, range.since, POLL_MS)
  const topology = polled.data?.snapshot
  const setError = polled.setError

  const loadHealth = () =>
    choice && api.request('pg:health', { name: choice.environment, endpointId: choice.endpointId }).then(setHealth, (e: unknown) => setError(errorText(e)))
  const { act, dialog } = useActionLauncher(choice)
  const patroni = topology?.manager === 'patroni' ? topology.patroni : null
  // A Patroni-managed cluster offers only the actions that go through Patroni.
  const paletteActions = useMemo(() => {
    if (!topology) return []
    if (patroni)
      return patroni.members
        .filter((m) => m.role !== 'leader')
        .map((m) => ({
          id: `patroni-switchover-${m.name}`,
          label: `Switchover to ${m.name} through Patroni`,
          run: () => act({ kind: 'pg.patroni-switchover', candidate: m.name }),
        }))
    return [
      ...topology.nodes
        .filter((n) => n.role === 'standby')
        .map((s) => ({
          id: `pg-switchover-${s.name}`,
          label: `Switchover to ${s.name}`,
          description: 'planned, zero data loss',
          run: () => act({ kind: 'pg.switchover', newPrimary: s.name }),
        })),
      { id: 'pg-failover', label: 'Failover: promote the most advanced standby', run: () => act({ kind: 'pg.failover' }) },
    ]
  }, [patroni, topology, act])
  usePaletteActions(paletteActions)

  return (
    <SystemPage
      title="PostgreSQL"
      picked={picked}
      status={topology?.status}
      actionsTestId="pg-actions"
      actions={topology && <PgActions topology={topology} act={act} />}
      error={polled.error}
      loaded={!!topology}
      reason={
        topology && (
          <ReasonLine ok={topology.status === 'ok'} testId="pg-reason">
            {topology.reason} · checked in {topology.durationMs} ms
          </ReasonLine>
        )
      }
      findings={topology?.findings}
      findingsPrefix="pg"
      overlays={dialog}
    >
      {topology && (
        <PageTabs
          onChange={(t) => t === 'health' && void loadHealth()}
          tabs={[
            {
              value: 'replication',
              label: 'Replication',
              panel: <ReplicationTab topology={topology} samples={polled.data?.samples ?? []} source={polled.data?.source} rangeControl={range.control} />,
            },
            {
              value: 'health',
              label: 'Health',
              testId: 'pg-health-tab',
              panel: health ? (
                <HealthTab health={health} onRefresh={() => void loadHealth()} />
              ) : (
                <Text c="dimmed">Reading pg_stat_activity, locks, sizes and statements…</Text>
              ),
            },
            !patroni && { value: 'add', label: 'Add a replica', panel: <AddReplicaTab topology={topology} endpoint={endpoint} act={act} onError={setError} /> },
          ]}
        />
      )}
    </SystemPage>
  )
}

export default PostgresPage
