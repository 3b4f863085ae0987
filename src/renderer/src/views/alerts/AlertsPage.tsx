import { Alert, Badge, Button, Card, Code, Group, Loader, Select, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useState } from 'react'
import type { Alert as AlertState } from '../../../../shared/alerts'
import { describeAlert, METRIC_LABEL } from '../../../../shared/domain/alert-eval'
import { formatElapsed } from '../../../../shared/domain/units'
import { api, errorText } from '../../api'
import { usePolling } from '../../hooks/usePolling'
import { useRequest } from '../../hooks/useRequest'
import { navigate, parseHash } from '../../routes'
import { DataTable, type Column } from '../../components/DataTable'

const POLL_MS = 2000
const SILENCE = [
  { value: '3600000', label: '1 hour' },
  { value: '14400000', label: '4 hours' },
  { value: '86400000', label: '1 day' },
]
const when = (at: number | null) => (at ? new Date(at).toLocaleString() : '—')

const HISTORY_COLUMNS: Column<AlertState>[] = [
  {
    title: 'alert',
    cell: (a) => (
      <>
        {METRIC_LABEL[a.metric]} on <Code>{a.subject}</Code>
      </>
    ),
  },
  { title: 'endpoint', cell: (a) => a.endpointId },
  { title: 'fired', cell: (a) => when(a.firedAt) },
  { title: 'resolved', cell: (a) => when(a.resolvedAt) },
  { title: 'lasted', cell: (a) => (a.firedAt && a.resolvedAt ? formatElapsed(a.firedAt, a.resolvedAt) : '—') },
]

/** Pending and firing alerts of an environment with acknowledge and silence, the recent resolved ones, and the rules as YAML. */
export function AlertsPage() {
  const envs = useRequest('env:list', {})
  const route = parseHash(location.hash)
  const names = envs.data?.map((v) => v.environment.name) ?? []
  const name = route.environment && names.includes(route.environment) ? route.environment : names[0]
  const polled = usePolling(name, async () => ({ ...(await api.request('alerts:list', { name: name! })), now: Date.now() }), POLL_MS)
  const [error, setError] = useState<string>()
  const now = polled.data?.now ?? 0
  const act = (p: Promise<unknown>) => {
    p.then(
      () => setError(undefined),
      (e: unknown) => setError(errorText(e)),
    )
  }
  const desktop = 'Notification' in window ? Notification.permission : 'unsupported'

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Alerts</Title>
        <Group>
          {desktop === 'default' && (
            <Button size="xs" variant="light" onClick={() => void Notification.requestPermission()}>
              Enable desktop notifications
            </Button>
          )}
          <Select data={names} value={name ?? null} onChange={(v) => v && navigate('alerts', v)} allowDeselect={false} data-testid="alerts-env" />
        </Group>
      </Group>
      {(polled.error ?? error) && <Alert color="red">{polled.error ?? error}</Alert>}
      <Tabs defaultValue="active">
        <Tabs.List>
          <Tabs.Tab value="active">Active ({polled.data?.active.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="history">Resolved</Tabs.Tab>
          <Tabs.Tab value="rules" data-testid="alerts-rules-tab">
            Rules
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="active" pt="md">
          {polled.data?.active.length === 0 && <Text c="dimmed">Nothing pending or firing in {name}.</Text>}
          <Stack>
            {polled.data?.active
              .sort((a, b) => Number(b.state === 'firing') - Number(a.state === 'firing') || b.since - a.since)
              .map((a) => (
                <ActiveAlert
                  key={a.key}
                  alert={a}
                  now={now}
                  onAck={(note) => act(api.request('alerts:ack', { name: name!, key: a.key, note }))}
                  onSilence={(ms, note) => act(api.request('alerts:silence', { name: name!, key: a.key, untilMs: Date.now() + ms, note }))}
                />
              ))}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="history" pt="md">
          <DataTable testId="alerts-history" rows={polled.data?.recent ?? []} columns={HISTORY_COLUMNS} rowKey={(a) => `${a.key}@${a.resolvedAt}`} />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="md">
          {name && <RulesEditor key={name} name={name} />}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  )
}

function ActiveAlert({
  alert: a,
  now,
  onAck,
  onSilence,
}: {
  alert: AlertState
  now: number
  onAck: (note: string) => void
  onSilence: (ms: number, note: string) => void
}) {
  const [note, setNote] = useState('')
  const [silenceFor, setSilenceFor] = useState('3600000')
  const silenced = a.silencedUntil !== null && a.silencedUntil > now
  return (
    <Card withBorder data-testid={`alert-${a.metric}`} data-state={a.state}>
      <Group justify="space-between" wrap="nowrap">
        <Stack gap={2}>
          <Group gap="xs">
            <Badge color={a.state === 'pending' ? 'gray' : a.level === 'critical' ? 'red' : 'yellow'}>{a.state === 'pending' ? 'pending' : a.level}</Badge>
            <Text fw={600}>{describeAlert(a)}</Text>
          </Group>
          <Text size="sm" c="dimmed">
            {a.endpointId} · holding for {formatElapsed(a.since, now)}
            {a.firedAt ? ` · firing for ${formatElapsed(a.firedAt, now)}` : ''}
            {a.ack ? ` · acknowledged ${formatElapsed(a.ack.at, now)} ago${a.ack.note ? `: ${a.ack.note}` : ''}` : ''}
            {silenced ? ` · silenced until ${new Date(a.silencedUntil!).toLocaleTimeString()}${a.silenceNote ? `: ${a.silenceNote}` : ''}` : ''}
          </Text>
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <TextInput size="xs" placeholder="note" value={note} onChange={(e) => setNote(e.currentTarget.value)} w={160} />
          <Button size="xs" variant="light" disabled={!!a.ack} onClick={() => onAck(note)} data-testid={`ack-${a.metric}`}>
            Acknowledge
          </Button>
          <Select size="xs" w={100} data={SILENCE} value={silenceFor} onChange={(v) => setSilenceFor(v ?? '3600000')} allowDeselect={false} />
          <Button size="xs" variant="default" onClick={() => onSilence(Number(silenceFor), note)}>
            Silence
          </Button>
        </Group>
      </Group>
    </Card>
  )
}

function RulesEditor({ name }: { name: string }) {
  const rules = useRequest('alerts:rules', { name })
  const [draft, setDraft] = useState<string>()
  const [result, setResult] = useState<{ ok: boolean; text: string }>()
  const text = draft ?? rules.data?.yaml ?? ''
  // The editor appears only once the saved rules have arrived, so that nothing typed is overwritten by them.
  if (!rules.data) return rules.error ? <Alert color="red">{rules.error}</Alert> : <Loader size="sm" />
  const save = () =>
    api.request('alerts:save-rules', { name, yaml: text }).then(
      (r) => setResult({ ok: true, text: `saved ${r.rules.length} rules for ${name}` }),
      (e: unknown) => setResult({ ok: false, text: errorText(e) }),
    )
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        Each rule: the metric, the warn and critical thresholds (at or above), and how long it must hold (for: 30s, 2m).{' '}
        {rules.data.custom ? '' : 'These are the defaults.'}
      </Text>
      <Textarea
        autosize
        minRows={12}
        maxRows={30}
        value={text}
        onChange={(e) => setDraft(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'monospace' } }}
        data-testid="alerts-rules"
      />
      <Group>
        <Button onClick={() => void save()} data-testid="alerts-rules-save">
          Validate and save
        </Button>
      </Group>
      {result && (
        <Alert color={result.ok ? 'teal' : 'red'} style={{ whiteSpace: 'pre-wrap' }} data-testid="alerts-rules-result">
          {result.text}
        </Alert>
      )}
    </Stack>
  )
}

export default AlertsPage
