import { Alert, Card, Group, Menu, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useMemo, useState } from 'react'
import type { Replica } from '../../../../shared/systems/docker'
import { useActionLauncher, type ActionDraft } from '../../components/ActionDialog'
import { useEndpointPicker } from '../../components/EndpointPicker'
import type { PageFinding } from '../../components/FindingAlerts'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { PageTabs, ReasonLine, SystemPage } from '../../components/SystemPage'
import { useSnapshotWithHistory } from '../../hooks/usePolling'
import { usePaletteActions } from '../../palette/palette-actions'
import { ConnectionsChart, RequestRateChart } from './AppTierCharts'
import { groupOf } from './upstream-group'
import { UpstreamCard } from './UpstreamCard'
import { ContainersTab } from './ContainersTab'
import { NginxTab } from './NginxTab'
import { AutoscaleTab } from './AutoscaleTab'
import { ResponseTimeCard } from './ResponseTimeCard'
import { LogsDrawer } from './LogsDrawer'
import { linkedNode } from '../../routes'

const POLL_MS = 3000

/** nginx's upstreams with the containers or Swarm tasks behind each backend, the load on them, and the actions that scale and drain them. */
export function AppTierPage() {
  const picked = useEndpointPicker('nginx')
  const { choice, readOnly } = picked
  const range = useHistoryRange('app-history-range')
  const polled = useSnapshotWithHistory(choice, { snapshot: 'app:tier', history: 'app:stub-history' }, range.since, POLL_MS)
  const tier = polled.data?.snapshot
  const { act, dialog } = useActionLauncher(choice)
  const [logsOf, setLogsOf] = useState<Replica>()
  const fix = (f: PageFinding) => f.fix && act(f.fix.request as ActionDraft)

  const paletteActions = useMemo(
    () =>
      tier
        ? tier.upstreams.flatMap((u) => {
            const g = groupOf(tier, u)
            if (!g) return []
            const n = g.replicas.filter((r) => r.running).length
            return [
              {
                id: `app-scale-out-${u.name}`,
                label: `Scale ${g.name} out to ${n + 1} (upstream ${u.name})`,
                run: () => act({ kind: 'app.scale', upstream: u.name, replicas: n + 1 }),
              },
              {
                id: `app-restart-${u.name}`,
                label: `Rolling restart of ${g.name} (upstream ${u.name})`,
                run: () => act({ kind: 'app.restart', upstream: u.name }),
              },
            ]
          })
        : [],
    [tier, act],
  )
  usePaletteActions(paletteActions)

  return (
    <SystemPage
      title="App tier"
      endpointNoun="nginx"
      picked={picked}
      status={tier?.status}
      actionsTestId="app-actions"
      actions={tier?.upstreams.map((u) => (
        <div key={u.name}>
          <Menu.Label>upstream {u.name}</Menu.Label>
          <Menu.Item disabled={!groupOf(tier, u)} onClick={() => act({ kind: 'app.restart', upstream: u.name })}>
            Rolling restart
          </Menu.Item>
        </div>
      ))}
      error={polled.error}
      loaded={!!tier}
      reason={
        tier && (
          <>
            <ReasonLine ok testId="app-reason">
              {tier.reason} · nginx {tier.nginxVersion ?? '?'} · read in {tier.durationMs} ms
            </ReasonLine>
            {tier.configError && (
              <Alert color="yellow" title="nginx configuration not read">
                {tier.configError}
              </Alert>
            )}
          </>
        )
      }
      findings={tier?.findings}
      findingsPrefix="app"
      onFix={fix}
      overlays={
        <>
          {choice && <LogsDrawer key={logsOf?.id ?? 'closed'} environment={choice.environment} replica={logsOf} onClose={() => setLogsOf(undefined)} />}
          {dialog}
        </>
      }
    >
      {tier && (
        <>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Group justify="space-between">
                <Title order={5}>Requests</Title>
                <Group gap="xs">
                  {tier.stub && (
                    <Text size="sm" c="dimmed">
                      {tier.stub.requestsPerSec === null ? '—' : `${tier.stub.requestsPerSec.toFixed(1)}/s`} now
                    </Text>
                  )}
                  {range.control}
                </Group>
              </Group>
              {tier.stubError ? <Alert color="red">{tier.stubError}</Alert> : <RequestRateChart samples={polled.data?.samples ?? []} />}
              <HistorySourceNote source={polled.data?.source} />
            </Card>
            <Card withBorder>
              <Group justify="space-between">
                <Title order={5}>Client connections</Title>
                {tier.stub && (
                  <Text size="sm" c="dimmed">
                    {tier.stub.active} active
                  </Text>
                )}
              </Group>
              <ConnectionsChart samples={polled.data?.samples ?? []} />
            </Card>
          </SimpleGrid>
          <ResponseTimeCard tier={tier} since={range.since} />
          <PageTabs
            initial={tier.containers.some((c) => c.name === linkedNode()) ? 'containers' : undefined}
            tabs={[
              {
                value: 'upstreams',
                label: 'Upstreams',
                panel: (
                  <Stack>
                    {tier.upstreams.map((u) => (
                      <UpstreamCard key={u.name} tier={tier} upstream={u} act={act} readOnly={readOnly} onLogs={setLogsOf} />
                    ))}
                  </Stack>
                ),
              },
              {
                value: 'containers',
                label: `Containers (${tier.containers.length})`,
                testId: 'containers-tab',
                panel: <ContainersTab tier={tier} onLogs={setLogsOf} />,
              },
              { value: 'nginx', label: 'nginx', testId: 'nginx-tab', panel: <NginxTab tier={tier} /> },
              {
                value: 'autoscale',
                label: 'Autoscaling',
                testId: 'autoscale-tab',
                panel: choice && <AutoscaleTab environment={choice.environment} endpointId={choice.endpointId} readOnly={readOnly} />,
              },
            ]}
          />
        </>
      )}
    </SystemPage>
  )
}

export default AppTierPage
