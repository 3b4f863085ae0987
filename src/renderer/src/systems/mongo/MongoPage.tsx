import { Card, Group, Menu, Stack, Title } from '@mantine/core'
import type { MongoCluster } from '../../../../shared/systems/mongo'
import { useMemo } from 'react'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { useEndpointPicker } from '../../components/EndpointPicker'
import type { PageFinding } from '../../components/FindingAlerts'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { SERIES_COLORS } from '../../components/series-colors'
import { PageTabs, ReasonLine, SystemPage } from '../../components/SystemPage'
import { useSnapshotWithHistory } from '../../hooks/usePolling'
import { useStableColors } from '../../hooks/useStableColors'
import { usePaletteActions } from '../../palette/palette-actions'
import { MemberLagChart } from './MongoCharts'
import { BalanceTab } from './BalanceTab'
import { MigrationsTab } from './MigrationsTab'
import { ReplicaSetCard } from './ReplicaSetCard'
import { ShardsTab } from './ShardsTab'
import { linkedNode } from '../../routes'

const POLL_MS = 2500

/** MongoDB sharded cluster: chunk balance per collection, the balancer, migrations, replica sets and their lag, and the actions. */
export function MongoPage() {
  const picked = useEndpointPicker('mongo')
  const { choice, readOnly } = picked
  const range = useHistoryRange('mongo-history-range')
  const polled = useSnapshotWithHistory(choice, { snapshot: 'mongo:cluster', history: 'mongo:lag-history' }, range.since, POLL_MS)
  const cluster = polled.data?.snapshot
  const { act, dialog } = useActionLauncher(choice)
  const shardColor = useStableColors(choice ? `mongo/${choice.environment}/${choice.endpointId}` : '-', cluster?.shards.map((s) => s.id) ?? [], SERIES_COLORS)
  const fix = (f: PageFinding) => f.fix && act(f.fix.request as ActionDraft)

  const paletteActions = useMemo(
    () =>
      cluster
        ? [
            {
              id: 'mongo-balancer',
              label: cluster.balancer.enabled ? 'Stop the MongoDB balancer' : 'Start the MongoDB balancer',
              run: () => act({ kind: 'mongo.balancer', enable: !cluster.balancer.enabled }),
            },
            ...cluster.replicaSets.map((rs) => ({
              id: `mongo-stepdown-${rs.name}`,
              label: `Step down the primary of ${rs.name}`,
              run: () => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 }),
            })),
          ]
        : [],
    [cluster, act],
  )
  usePaletteActions(paletteActions)

  return (
    <SystemPage
      title="MongoDB"
      picked={picked}
      status={cluster?.status}
      actionsTestId="mongo-actions"
      actions={cluster && <MongoActions cluster={cluster} act={act} />}
      error={polled.error}
      loaded={!!cluster}
      reason={
        cluster && (
          <ReasonLine ok testId="mongo-reason">
            {cluster.reason} · MongoDB {cluster.version} via {cluster.mongos} · read in {cluster.durationMs} ms
          </ReasonLine>
        )
      }
      findings={cluster?.findings}
      findingsPrefix="mongo"
      onFix={fix}
      overlays={dialog}
    >
      {cluster && (
        <PageTabs
          initial={linkedNode()?.includes(':') ? 'replication' : undefined}
          tabs={[
            {
              value: 'balance',
              label: 'Chunk balance',
              testId: 'mongo-balance-tab',
              panel: <BalanceTab cluster={cluster} shardColor={shardColor} act={act} readOnly={readOnly} />,
            },
            { value: 'shards', label: 'Shards', panel: <ShardsTab cluster={cluster} shardColor={shardColor} act={act} readOnly={readOnly} /> },
            {
              value: 'replication',
              label: 'Replica sets',
              testId: 'mongo-replication-tab',
              panel: (
                <Stack>
                  <Card withBorder>
                    <Group justify="space-between">
                      <Title order={5}>Lag behind the primary</Title>
                      {range.control}
                    </Group>
                    <MemberLagChart samples={polled.data?.samples ?? []} />
                    <HistorySourceNote source={polled.data?.source} />
                  </Card>
                  {cluster.replicaSets.map((rs) => (
                    <ReplicaSetCard
                      key={rs.name}
                      rs={rs}
                      onStepDown={readOnly ? undefined : () => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 })}
                    />
                  ))}
                </Stack>
              ),
            },
            { value: 'migrations', label: 'Migrations', panel: <MigrationsTab cluster={cluster} /> },
          ]}
        />
      )}
    </SystemPage>
  )
}

/** The header's Actions menu: the balancer, a step-down per replica set, a removal per shard. */
function MongoActions({ cluster, act }: { cluster: MongoCluster; act: (d: ActionDraft) => void }) {
  return (
    <>
      <Menu.Label>Balancer</Menu.Label>
      <Menu.Item onClick={() => act({ kind: 'mongo.balancer', enable: !cluster.balancer.enabled })}>
        {cluster.balancer.enabled ? 'Stop the balancer' : 'Start the balancer'}
      </Menu.Item>
      <Menu.Label>Step down a primary</Menu.Label>
      {cluster.replicaSets.map((rs) => (
        <Menu.Item key={rs.name} onClick={() => act({ kind: 'mongo.step-down', replicaSet: rs.name, catchUpSecs: 10 })}>
          {rs.name} ({rs.primary ?? 'no primary'})
        </Menu.Item>
      ))}
      <Menu.Label>Shards</Menu.Label>
      {cluster.shards.map((s) => (
        <Menu.Item key={s.id} color="red" onClick={() => act({ kind: 'mongo.remove-shard', shard: s.id })}>
          {s.draining ? `Continue removing ${s.id}` : `Remove shard ${s.id}`}
        </Menu.Item>
      ))}
    </>
  )
}

export default MongoPage
