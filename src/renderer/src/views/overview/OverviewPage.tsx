import { Alert, Badge, Group, Paper, SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { EventPayload } from '../../../../shared/contract'
import { api, errorText } from '../../api'
import { StatusBadge } from '../../components/StatusBadge'
import { SystemCard } from './SystemCard'

const INTERVALS = ['1000', '2000', '5000', '10000', '30000']
const HISTORY = 60

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
      {snapshot?.environments.map((env) => (
        <Paper key={env.environment} withBorder p="md" data-testid={`env-${env.environment}`} data-status={env.status}>
          <Group justify="space-between" mb="sm">
            <Group gap="sm">
              <Title order={3}>{env.environment}</Title>
              <StatusBadge status={env.status} size="md" />
              {env.readOnly && (
                <Badge color="grape" variant="light" title="every action is refused for this environment">
                  read-only
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              checked {new Date(env.checkedAt).toLocaleTimeString()}
            </Text>
          </Group>
          <Text size="sm" mb="sm" c={env.status === 'ok' ? 'dimmed' : undefined} data-testid="env-reason">
            {env.reason}
          </Text>
          <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
            {env.systems.map((s) => (
              <SystemCard key={s.endpointId} environment={env.environment} system={s} latency={history[`${env.environment}/${s.endpointId}`] ?? []} />
            ))}
          </SimpleGrid>
        </Paper>
      ))}
    </Stack>
  )
}
