import { Alert, Badge, Button, Card, Code, Group, Modal, Select, SimpleGrid, Stack, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useEffect, useState } from 'react'
import type { ProcedureInfo, ProcedureRun, StepRecord } from '../../../../shared/procedures'
import { api, errorText } from '../../api'
import { PlanSteps } from '../../components/PlanSteps'
import { ReportModal } from '../../components/ReportModal'
import { useRequest } from '../../hooks/useRequest'
import { navigate, parseHash } from '../../routes'

const STATE_COLOR: Record<string, string> = {
  running: 'blue',
  paused: 'gray',
  awaiting: 'yellow',
  failed: 'red',
  succeeded: 'teal',
  aborted: 'gray',
  passed: 'teal',
  skipped: 'gray',
  pending: 'gray',
}

/** The procedures (built-in and the user's), their runs in this environment, and one run step by step. */
export function ProceduresPage() {
  const envs = useRequest('env:list', {})
  const route = parseHash(location.hash)
  const names = envs.data?.map((v) => v.environment.name) ?? []
  const name = route.environment && names.includes(route.environment) ? route.environment : names[0]
  const [library, setLibrary] = useState<ProcedureInfo[]>([])
  const [runs, setRuns] = useState<ProcedureRun[]>([])
  const [selected, setSelected] = useState<string>()
  const [starting, setStarting] = useState<ProcedureInfo>()
  const [error, setError] = useState<string>()

  useEffect(() => {
    api.request('procedures:list', {}).then(
      (r) => setLibrary(r.procedures),
      (e: unknown) => setError(errorText(e)),
    )
  }, [])
  useEffect(() => {
    if (!name) return
    void api.request('procedures:watch', {}).catch(() => undefined)
    api.request('procedures:runs', { name }).then(
      (r) => setRuns(r.runs),
      (e: unknown) => setError(errorText(e)),
    )
    return api.on('procedures:changed', (run) => {
      if (run.environment !== name) return
      setRuns((rs) => [run, ...rs.filter((r) => r.id !== run.id)].sort((a, b) => b.startedAt - a.startedAt))
    })
  }, [name])
  const run = runs.find((r) => r.id === selected)

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Procedures</Title>
        <Select data={names} value={name ?? null} onChange={(v) => v && navigate('procedures', v)} allowDeselect={false} data-testid="procedures-env" />
      </Group>
      {error && <Alert color="red">{error}</Alert>}
      {run ? (
        <RunView run={run} onBack={() => setSelected(undefined)} />
      ) : (
        <Tabs defaultValue="library">
          <Tabs.List>
            <Tabs.Tab value="library">Procedures</Tabs.Tab>
            <Tabs.Tab value="runs">Runs ({runs.length})</Tabs.Tab>
            <Tabs.Tab value="editor">Write one</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="library" pt="md">
            <SimpleGrid cols={2}>
              {library.map((p) => (
                <Card key={p.name} withBorder data-testid={`procedure-${p.name}`}>
                  <Group justify="space-between">
                    <Text fw={600}>{p.title}</Text>
                    <Badge variant="light" color={p.errors.length ? 'red' : 'gray'}>
                      {p.errors.length ? 'invalid' : p.source}
                    </Badge>
                  </Group>
                  <Text size="sm" c="dimmed" my="xs">
                    {p.description || p.name}
                  </Text>
                  {p.errors.length > 0 && <Code block>{p.errors.join('\n')}</Code>}
                  <Group justify="space-between">
                    <Text size="xs" c="dimmed">
                      {p.steps} steps
                    </Text>
                    <Button size="xs" disabled={p.errors.length > 0 || !name} onClick={() => setStarting(p)} data-testid={`start-${p.name}`}>
                      Start…
                    </Button>
                  </Group>
                </Card>
              ))}
            </SimpleGrid>
          </Tabs.Panel>
          <Tabs.Panel value="runs" pt="md">
            <Stack gap="xs">
              {runs.length === 0 && <Text c="dimmed">No procedure has run in {name}.</Text>}
              {runs.map((r) => (
                <Card key={r.id} withBorder onClick={() => setSelected(r.id)} style={{ cursor: 'pointer' }}>
                  <Group justify="space-between">
                    <Text>
                      {r.title}{' '}
                      <Text span c="dimmed" size="sm">
                        {new Date(r.startedAt).toLocaleString()} by {r.startedBy}
                      </Text>
                    </Text>
                    <Badge color={STATE_COLOR[r.state]}>{r.state}</Badge>
                  </Group>
                  <Text size="sm" c="dimmed">
                    {r.reason}
                  </Text>
                </Card>
              ))}
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="editor" pt="md">
            <Editor onSaved={(p) => setLibrary((l) => [...l.filter((x) => x.name !== p.name), p])} />
          </Tabs.Panel>
        </Tabs>
      )}
      <StartDialog
        key={starting?.name ?? 'closed'}
        procedure={starting}
        environment={name}
        onClose={(started) => {
          setStarting(undefined)
          if (started) {
            setRuns((rs) => [started, ...rs.filter((r) => r.id !== started.id)])
            setSelected(started.id)
          }
        }}
      />
    </Stack>
  )
}

function StartDialog({ procedure, environment, onClose }: { procedure?: ProcedureInfo; environment?: string; onClose: (run?: ProcedureRun) => void }) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries((procedure?.params ?? []).map((p) => [p.name, p.default !== undefined ? String(p.default) : ''])),
  )
  const [error, setError] = useState<string>()
  const start = () =>
    api.request('procedures:start', { name: environment!, procedure: procedure!.name, params: values }).then(onClose, (e: unknown) => setError(errorText(e)))
  return (
    <Modal opened={!!procedure} onClose={() => onClose()} title={procedure ? `Start: ${procedure.title}` : ''}>
      <Stack>
        <Text size="sm">
          On <b>{environment}</b>. Checks and waits run by themselves; every action shows its plan and waits for your confirmation; manual steps wait for your
          tick.
        </Text>
        {procedure?.params.map((p) => (
          <TextInput
            key={p.name}
            label={p.label}
            placeholder={p.example}
            value={values[p.name] ?? ''}
            onChange={(e) => setValues((v) => ({ ...v, [p.name]: e.currentTarget.value }))}
            data-testid={`param-${p.name}`}
          />
        ))}
        {error && <Alert color="red">{error}</Alert>}
        <Button onClick={() => void start()} data-testid="procedure-start">
          Start
        </Button>
      </Stack>
    </Modal>
  )
}

function RunView({ run, onBack }: { run: ProcedureRun; onBack: () => void }) {
  const [error, setError] = useState<string>()
  const [report, setReport] = useState<{ markdown: string; html: string }>()
  const act = (p: Promise<unknown>) =>
    void p.then(
      () => setError(undefined),
      (e: unknown) => setError(errorText(e)),
    )
  const live = run.state === 'running' || run.state === 'awaiting'
  return (
    <Stack data-testid="procedure-run">
      <Group justify="space-between">
        <Group>
          <Button size="xs" variant="subtle" onClick={onBack}>
            ← All runs
          </Button>
          <Title order={3}>{run.title}</Title>
          <Badge color={STATE_COLOR[run.state]} data-testid="run-state">
            {run.state}
          </Badge>
        </Group>
        <Group>
          {live && (
            <Button size="xs" variant="light" onClick={() => act(api.request('procedures:pause', { runId: run.id }))}>
              Pause
            </Button>
          )}
          {(run.state === 'paused' || run.state === 'failed') && (
            <Button size="xs" onClick={() => act(api.request('procedures:resume', { runId: run.id }))} data-testid="run-resume">
              {run.state === 'failed' ? 'Retry the failed step' : 'Resume'}
            </Button>
          )}
          {run.state !== 'succeeded' && run.state !== 'aborted' && (
            <Button size="xs" variant="light" color="red" onClick={() => act(api.request('procedures:abort', { runId: run.id, note: '' }))}>
              Abort
            </Button>
          )}
          <Button size="xs" variant="light" onClick={() => act(api.request('procedures:report', { runId: run.id }).then(setReport))} data-testid="run-report">
            Report
          </Button>
        </Group>
      </Group>
      <Text size="sm" c="dimmed">
        {run.reason} · started {new Date(run.startedAt).toLocaleString()} by {run.startedBy}
        {Object.keys(run.params).length > 0 &&
          ` · ${Object.entries(run.params)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}`}
      </Text>
      {error && <Alert color="red">{error}</Alert>}
      {run.steps.map((s, i) => (
        <StepCard key={s.id} step={s} index={i} run={run} act={act} />
      ))}
      <ReportModal report={report} name={`${run.procedure}-${run.id.slice(0, 8)}`} onClose={() => setReport(undefined)} />
    </Stack>
  )
}

function StepCard({ step, index, run, act }: { step: StepRecord; index: number; run: ProcedureRun; act: (p: Promise<unknown>) => void }) {
  const [text, setText] = useState('')
  const [reason, setReason] = useState('')
  const took = step.startedAt && step.finishedAt ? ` · ${((step.finishedAt - step.startedAt) / 1000).toFixed(1)} s` : ''
  return (
    <Card withBorder data-testid={`step-${step.id}`} style={{ opacity: step.status === 'pending' ? 0.6 : 1 }}>
      <Group justify="space-between">
        <Text fw={600}>
          {index + 1}. {step.title}
        </Text>
        <Group gap="xs">
          <Text size="xs" c="dimmed">
            {step.type}
            {step.actor ? ` · ${step.actor}` : ''}
            {took}
          </Text>
          <Badge color={STATE_COLOR[step.status]} data-testid={`step-${step.id}-status`}>
            {step.status === 'awaiting' ? (step.type === 'manual' ? 'your tick' : 'your confirmation') : step.status}
          </Badge>
        </Group>
      </Group>
      {step.evidence.length > 0 && (
        <Code block mt="xs" style={{ whiteSpace: 'pre-wrap' }}>
          {step.evidence.join('\n')}
        </Code>
      )}
      {step.note && (
        <Text size="sm" mt="xs">
          Note: {step.note}
        </Text>
      )}
      {step.next && (
        <Alert color="red" mt="xs" title="What to do next">
          {step.next}
        </Alert>
      )}
      {step.status === 'awaiting' && step.type === 'action' && step.plan && (
        <Stack mt="sm">
          <PlanSteps plan={step.plan} />
          <Group align="flex-end">
            <TextInput
              style={{ flex: 1 }}
              label={`Type ${step.plan.target} to confirm`}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              data-testid="step-confirm"
            />
            <Button
              color="red"
              disabled={text !== step.plan.target}
              onClick={() => act(api.request('procedures:confirm', { runId: run.id, confirm: text }))}
              data-testid="step-run"
            >
              Run
            </Button>
          </Group>
        </Stack>
      )}
      {step.status === 'awaiting' && step.type === 'manual' && (
        <Group mt="sm" align="flex-end">
          <TextInput style={{ flex: 1 }} label="Note (what was done)" value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="step-note" />
          <Button color="teal" onClick={() => act(api.request('procedures:tick', { runId: run.id, note: text }))} data-testid="step-tick">
            Done
          </Button>
        </Group>
      )}
      {(step.status === 'failed' || step.status === 'awaiting') && run.state !== 'aborted' && (
        <Group mt="xs">
          <TextInput size="xs" placeholder="why skip it" value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
          <Button
            size="xs"
            variant="subtle"
            disabled={!reason.trim()}
            onClick={() => act(api.request('procedures:skip', { runId: run.id, note: reason.trim() }))}
          >
            Skip with this reason
          </Button>
        </Group>
      )}
    </Card>
  )
}

function Editor({ onSaved }: { onSaved: (p: ProcedureInfo) => void }) {
  const [yaml, setYaml] = useState(
    'name: my-procedure\ntitle: My procedure\nsteps:\n  - id: healthy\n    check: redis.cluster-ok\n  - id: work\n    manual: Do the work\n',
  )
  const [errors, setErrors] = useState<string[]>()
  const [saved, setSaved] = useState<string>()
  const validate = () =>
    api.request('procedures:validate', { yaml }).then(
      (r) => setErrors(r.errors),
      (e: unknown) => setErrors([errorText(e)]),
    )
  const save = () =>
    api.request('procedures:save', { yaml }).then(
      (p) => {
        setErrors([])
        setSaved(p.name)
        onSaved(p)
      },
      (e: unknown) => setErrors(errorText(e).split('\n')),
    )
  return (
    <Stack>
      <Text size="sm" c="dimmed">
        A procedure is YAML: steps of check, wait (with timeout), action (with done_when) and manual, each with an id; needs, if_failed and {'{{param}}'}{' '}
        placeholders. Saved to the data folder's procedures/.
      </Text>
      <Textarea
        autosize
        minRows={12}
        value={yaml}
        onChange={(e) => setYaml(e.currentTarget.value)}
        styles={{ input: { fontFamily: 'monospace' } }}
        data-testid="procedure-yaml"
      />
      <Group>
        <Button variant="light" onClick={() => void validate()}>
          Validate
        </Button>
        <Button onClick={() => void save()} data-testid="procedure-save">
          Save
        </Button>
      </Group>
      {errors && errors.length > 0 && (
        <Alert color="red" title="Not saved" data-testid="procedure-errors">
          <Code block>{errors.join('\n')}</Code>
        </Alert>
      )}
      {errors?.length === 0 && <Alert color="teal">{saved ? `Saved ${saved}.` : 'Valid.'}</Alert>}
    </Stack>
  )
}

export default ProceduresPage
