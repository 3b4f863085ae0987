import { Alert, Badge, Button, Card, Group, SimpleGrid, Stack, Switch, Text, Textarea, Title } from '@mantine/core'
import { useState } from 'react'
import type { PolicyStatus, ScalingDecision } from '../../../../shared/autoscale'
import { api, errorText } from '../../api'
import { DataTable, type Column } from '../../components/DataTable'
import { useHistoryRange } from '../../components/HistoryRange'
import { usePolling } from '../../hooks/usePolling'
import { ScalingHistoryChart } from './ScalingHistoryChart'
import { RightSizingCard } from './RightSizingCard'

const POLL_MS = 5000
const OUTCOME_COLOR: Record<ScalingDecision['outcome'], string> = { held: 'gray', recommended: 'yellow', deferred: 'orange', scaled: 'teal', failed: 'red' }

const DECISION_COLUMNS: Column<ScalingDecision>[] = [
  { title: 'when', cell: (d) => new Date(d.at).toLocaleString() },
  { title: 'policy', cell: (d) => d.policy },
  {
    title: 'decision',
    cell: (d) => (
      <Badge color={OUTCOME_COLOR[d.outcome]} variant="light">
        {d.verdict === 'hold' ? 'hold' : `${d.verdict} ${d.replicas} → ${d.desired}`} · {d.outcome}
      </Badge>
    ),
  },
  {
    title: 'why',
    cell: (d) => (
      <>
        <Text size="sm">{d.reason}</Text>
        {d.detail && (
          <Text size="xs" c="dimmed">
            {d.detail}
          </Text>
        )}
      </>
    ),
  },
]

/** One policy: what it watches, its last decision, its history as a chart. */
function PolicyCard({ status, decisions }: { status: PolicyStatus; decisions: readonly ScalingDecision[] }) {
  const { policy: p, last } = status
  return (
    <Card withBorder data-testid={`policy-${p.name}`}>
      <Group justify="space-between" mb={4}>
        <Group gap="xs">
          <Title order={5}>{p.name}</Title>
          <Badge color={p.mode === 'act' ? 'indigo' : 'gray'} variant="light">
            {p.mode}
          </Badge>
          <Text size="xs" c="dimmed">
            upstream {p.upstream} · {p.min}–{p.max} replicas, step {p.step} · cooldown {String(p.cooldownUp)} up / {String(p.cooldownDown)} down
          </Text>
        </Group>
        {last && (
          <Badge color={OUTCOME_COLOR[last.outcome]} data-testid={`policy-last-${p.name}`}>
            {last.verdict === 'hold' ? `hold at ${last.replicas}` : `${last.verdict} ${last.replicas} → ${last.desired}`} · {last.outcome}
          </Badge>
        )}
      </Group>
      {last && (
        <Text size="sm" mb="xs">
          {last.reason}
          {last.detail ? ` — ${last.detail}` : ''}
        </Text>
      )}
      {decisions.length > 1 ? <ScalingHistoryChart policy={p} decisions={decisions} /> : <Text c="dimmed">No decisions in this window yet.</Text>}
    </Card>
  )
}

/** The policies editor: YAML as written, saved only when it validates; the problems with their lines otherwise. */
function PoliciesEditor({ environment, yaml }: { environment: string; yaml: string }) {
  const [text, setText] = useState(yaml)
  const [result, setResult] = useState<{ ok: boolean; message: string }>()
  const save = () =>
    api.request('autoscale:save', { name: environment, yaml: text }).then(
      (r) => setResult({ ok: true, message: `saved: ${r.policies} polic${r.policies === 1 ? 'y' : 'ies'}; they decide from the next round` }),
      (e: unknown) => setResult({ ok: false, message: errorText(e) }),
    )
  return (
    <Card withBorder>
      <Title order={5} mb="xs">
        Policies (autoscale/{environment}.yaml)
      </Title>
      <Textarea
        autosize
        minRows={8}
        maxRows={24}
        ff="monospace"
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value)
          // a verdict stands next to the text it was about, never next to an edited one
          setResult(undefined)
        }}
        data-testid="autoscale-yaml"
      />
      <Group justify="space-between" mt="xs">
        {result ? (
          <Alert color={result.ok ? 'teal' : 'red'} p="xs" style={{ whiteSpace: 'pre-wrap', flex: 1 }} data-testid="autoscale-save-result">
            {result.message}
          </Alert>
        ) : (
          <span />
        )}
        <Button onClick={() => void save()} data-testid="autoscale-save">
          Validate and save
        </Button>
      </Group>
    </Card>
  )
}

/** The app tier's autoscaling: the pause switch, each policy's decisions and history, every decision, the policies' YAML. */
export function AutoscaleTab({ environment, endpointId, readOnly }: { environment: string; endpointId: string; readOnly: boolean }) {
  const range = useHistoryRange('autoscale-history-range')
  const polled = usePolling(
    environment,
    async () => {
      const status = await api.request('autoscale:status', { name: environment })
      return { status, history: await api.request('autoscale:history', { name: environment, sinceMs: range.since() }) }
    },
    POLL_MS,
  )
  // the switch shows what was asked at once; the next poll confirms it
  const [asked, setAsked] = useState<boolean>()
  if (!polled.data) return polled.error ? <Alert color="red">{polled.error}</Alert> : <Text c="dimmed">Reading the policies…</Text>
  const { status, history } = polled.data
  const paused = asked ?? status.paused
  const setPaused = (p: boolean) => {
    setAsked(p)
    void api.request('autoscale:pause', { name: environment, paused: p }).catch((e: unknown) => polled.setError(errorText(e)))
  }
  return (
    <Stack>
      <Group justify="space-between">
        <Switch
          checked={!paused}
          onChange={(e) => setPaused(!e.currentTarget.checked)}
          label={paused ? 'Policies paused: they record what they would do, and act never' : 'Policies running'}
          data-testid="autoscale-running"
        />
        <Group gap="xs">
          {readOnly && <Badge color="grape">read-only environment: policies only recommend</Badge>}
          {range.control}
        </Group>
      </Group>
      {status.error && (
        <Alert color="red" style={{ whiteSpace: 'pre-wrap' }} title="The policy file is not valid: nothing acts on it">
          {status.error}
        </Alert>
      )}
      {status.policies.length === 0 && !status.error && <Text c="dimmed">No autoscaling policy in {environment} yet: write one below.</Text>}
      <SimpleGrid cols={{ base: 1, xl: 2 }}>
        {status.policies.map((s) => (
          <PolicyCard key={s.policy.name} status={s} decisions={history.filter((d) => d.policy === s.policy.name)} />
        ))}
      </SimpleGrid>
      {history.some((d) => d.verdict !== 'hold') && (
        <Card withBorder>
          <Title order={5} mb="xs">
            Scaling decisions
          </Title>
          <DataTable
            testId="autoscale-decisions"
            rows={history.filter((d) => d.verdict !== 'hold').reverse()}
            columns={DECISION_COLUMNS}
            rowKey={(d) => `${d.policy}@${d.at}`}
          />
        </Card>
      )}
      <RightSizingCard environment={environment} endpointId={endpointId} />
      <PoliciesEditor key={environment} environment={environment} yaml={status.yaml} />
    </Stack>
  )
}
