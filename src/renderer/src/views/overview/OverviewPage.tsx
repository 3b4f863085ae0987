import { Alert, Group, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import type { EventPayload } from '../../../../shared/contract'
import type { EnvironmentHealth } from '../../../../shared/health'
import { api, errorText } from '../../api'
import { arrangeFleet, type FleetQuery } from '../../../../shared/domain/fleet'
import { EnvironmentPanel, FoldedEnvironment } from './EnvironmentPanel'
import { FleetToolbar } from './FleetToolbar'

const INTERVALS = ['1000', '2000', '5000', '10000', '30000']
const HISTORY = 60
const FOLD_FROM = 4

/** Check latency per system over the last snapshots, keyed "env/endpoint". */
function appendHistory(prev: Record<string, number[]>, snap: EventPayload<'overview:update'>): Record<string, number[]> {
  const next: Record<string, number[]> = {}
  for (const env of snap.environments)
    for (const s of env.systems) {
      const key = `${env.environment}/${s.endpointId}`
      next[key] = [...(prev[key] ?? []), s.durationMs].slice(-HISTORY)
    }
  return next
}

/** Every environment and a live card per system, refreshed by main at the chosen interval. */
export function OverviewPage() {
  const [snapshot, setSnapshot] = useState<EventPayload<'overview:update'>>()
  const [error, setError] = useState<string>()
  const [interval, setIntervalMs] = useState<string>()
  const [history, setHistory] = useState<Record<string, number[]>>({})
  const [query, setQuery] = useState<FleetQuery>({ text: '', problemsOnly: false })
  const [unfolded, setUnfolded] = useState<ReadonlySet<string>>(new Set())
  const shown = useMemo(() => arrangeFleet(snapshot?.environments ?? [], query), [snapshot, query])
  // With many environments the healthy ones fold to one line each, so the ones that need a look fit on screen.
  const fold = (snapshot?.environments.length ?? 0) > FOLD_FROM
  const isFolded = (env: EnvironmentHealth) => fold && env.status === 'ok' && !query.text && !unfolded.has(env.environment)
  const open = shown.filter((e) => !isFolded(e))
  const folded = shown.filter(isFolded)
  const toggle = (name: string) =>
    setUnfolded((prev) => {
      const next = new Set(prev)
      if (!next.delete(name)) next.add(name)
      return next
    })

  useEffect(() => {
    const start = () =>
      api.request('overview:watch', {}).then(
        (r) => setIntervalMs(String(r.intervalMs)),
        (e: unknown) => setError(errorText(e)),
      )
    const off = api.on('overview:update', (s) => {
      setSnapshot(s)
      setHistory((h) => appendHistory(h, s))
      setError(undefined)
    })
    const offReconnect = api.onReconnect(() => void start())
    void start()
    return () => {
      off()
      offReconnect()
      void api.request('overview:unwatch', {}).catch(() => undefined)
    }
  }, [])

  const changeInterval = (v: string) => {
    setIntervalMs(v)
    void api.request('settings:set', { refreshIntervalMs: Number(v) }).catch((e: unknown) => setError(errorText(e)))
  }

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Overview</Title>
        <Group gap="xs">
          <Text size="sm" c="dimmed">
            refresh
          </Text>
          <SegmentedControl
            size="xs"
            value={interval ?? '2000'}
            onChange={changeInterval}
            data={INTERVALS.map((v) => ({ value: v, label: `${Number(v) / 1000}s` }))}
          />
        </Group>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {!snapshot && !error && <Text c="dimmed">Checking every environment…</Text>}
      {snapshot?.environments.length === 0 && (
        <Alert color="blue" title="No environments yet">
          Add one under Environments, or run <code>npm run lab:up</code> to get the local lab.
        </Alert>
      )}
      {snapshot && snapshot.environments.length > 0 && <FleetToolbar environments={snapshot.environments} query={query} onQuery={setQuery} />}
      {snapshot && shown.length === 0 && snapshot.environments.length > 0 && (
        <Text c="dimmed" data-testid="fleet-empty">
          {query.problemsOnly && !query.text ? 'Every environment is healthy.' : 'No environment or system matches the filter.'}
        </Text>
      )}
      {open.map((env) => (
        <EnvironmentPanel
          key={env.environment}
          env={env}
          history={history}
          {...(fold && env.status === 'ok' ? { onFold: () => toggle(env.environment) } : {})}
        />
      ))}
      {folded.length > 0 && (
        <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} spacing="xs" data-testid="folded-environments">
          {folded.map((env) => (
            <FoldedEnvironment key={env.environment} env={env} onUnfold={() => toggle(env.environment)} />
          ))}
        </SimpleGrid>
      )}
    </Stack>
  )
}
