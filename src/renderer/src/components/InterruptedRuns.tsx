import { Alert, Badge, Button, Group, List, Stack, Text, TextInput } from '@mantine/core'
import { useState } from 'react'
import { api } from '../api'
import { usePolling } from '../hooks/usePolling'
import type { ActionRun } from '../../../shared/actions'
import { stepStates, whereStopped } from '../../../shared/domain/action-runs'
import { ActionDialog, type ActionDraft, type ActionInput } from './ActionDialog'

const MARK = { done: '✓', 'in flight': '⟳', failed: '✗', 'not started': '·' } as const
const COLOR = { done: 'teal', 'in flight': 'red', failed: 'red', 'not started': 'dimmed' } as const

/**
 * An action whose process died mid-run: what it was, who ran it, how far it got, and the three
 * ways out — resume, roll back, or mark resolved — each through the ordinary plan and confirmation.
 */
function InterruptedRun({ run, act }: { run: ActionRun; act: (draft: ActionDraft) => void }) {
  const [note, setNote] = useState('')
  const states = stepStates(run)
  return (
    <Alert color="red" title={`Interrupted: ${run.title}`} data-testid={`interrupted-${run.runId.slice(0, 8)}`}>
      <Stack gap={6}>
        <Text size="sm">
          Run {run.runId.slice(0, 8)} by <b>{run.actor}</b> (pid {run.pid} on {run.host}) since {new Date(run.startedAt).toLocaleString()}: {whereStopped(run)}.
          The process that ran it is gone; nothing else may act on <b>{run.endpointId}</b> until the run is resumed, rolled back or resolved.
        </Text>
        <List size="xs" spacing={0} data-testid="interrupted-steps">
          {run.planSteps.map((s, i) => (
            <List.Item key={i} icon={<Text c={COLOR[states[i]!]}>{MARK[states[i]!]}</Text>}>
              <Text size="xs" c={states[i] === 'not started' ? 'dimmed' : undefined} span>
                {i + 1}. {s.title}
                {states[i] === 'in flight' && (
                  <Badge ml={6} size="xs" color="red">
                    in flight: may or may not have taken effect
                  </Badge>
                )}
              </Text>
            </List.Item>
          ))}
        </List>
        <Group gap="xs" align="flex-end">
          <Button size="xs" color="red" onClick={() => act({ kind: 'run.resume', runId: run.runId })} data-testid="run-resume">
            Resume…
          </Button>
          <Button size="xs" variant="light" color="red" onClick={() => act({ kind: 'run.rollback', runId: run.runId })} data-testid="run-rollback">
            Roll back…
          </Button>
          <TextInput
            size="xs"
            style={{ flex: 1, minWidth: 200 }}
            placeholder="what was done by hand"
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            data-testid="run-resolve-note"
          />
          <Button
            size="xs"
            variant="default"
            disabled={note.trim().length < 3}
            onClick={() => act({ kind: 'run.resolve', runId: run.runId, note: note.trim() })}
            data-testid="run-resolve"
          >
            Mark resolved…
          </Button>
        </Group>
      </Stack>
    </Alert>
  )
}

/** The environment's interrupted runs; the dialog lives here, so it outlasts the card of the run it resumes (which goes once the run is closed). */
export function InterruptedRuns({ runs }: { runs: readonly ActionRun[] }) {
  const [request, setRequest] = useState<ActionInput>()
  return (
    <>
      {runs.length > 0 && (
        <Stack gap="xs" mb="sm">
          {runs.map((r) => (
            <InterruptedRun key={r.runId} run={r} act={(draft) => setRequest({ environment: r.environment, endpointId: r.endpointId, ...draft })} />
          ))}
        </Stack>
      )}
      <ActionDialog request={request} onClose={() => setRequest(undefined)} />
    </>
  )
}

/** On a system's page: the runs interrupted on this endpoint, from the journal, every few seconds. */
export function EndpointInterruptedRuns({ target }: { target: { environment: string; endpointId: string } }) {
  const { data } = usePolling(`${target.environment}/${target.endpointId}`, () => api.request('actions:runs', { name: target.environment, limit: 20 }), 5000)
  return <InterruptedRuns runs={(data ?? []).filter((r) => r.state === 'interrupted' && r.endpointId === target.endpointId)} />
}
