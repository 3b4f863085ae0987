import { Alert, Badge, Button, Group, List, Modal, Progress, Stack, Text, TextInput, Title } from '@mantine/core'
import { useCallback, useEffect, useState } from 'react'
import type { ActionPlan, ActionProgress, ActionResult } from '../../../shared/actions'
import type { RequestInput } from '../../../shared/contract'
import { api, errorText } from '../api'
import { PlanSteps } from './PlanSteps'
import { PlanEstimate } from './PlanEstimate'
import { checkText } from '../../../shared/domain/run-estimate'

export type ActionInput = RequestInput<'action:plan'>
/** An action request before its environment and endpoint are filled in. */
export type ActionDraft = ActionInput extends infer T ? (T extends unknown ? Omit<T, 'environment' | 'endpointId'> : never) : never

const RISK_COLOR = { low: 'teal', medium: 'yellow', high: 'red' } as const

/**
 * Every destructive action in the UI: the plan with its exact commands (the dry run), a
 * confirmation that names the target, live progress, then the verification.
 */
export function ActionDialog(props: DialogProps) {
  // Each request gets a fresh dialog: its plan, confirmation and progress never leak into the next.
  return <PlannedActionDialog key={props.request ? requestId(props.request) : 'closed'} {...props} />
}

interface DialogProps {
  request?: ActionInput
  onClose: (result?: ActionResult) => void
}

const ids = new WeakMap<object, number>()
let nextId = 1
function requestId(request: ActionInput): number {
  let id = ids.get(request)
  if (id === undefined) ids.set(request, (id = nextId++))
  return id
}

function PlannedActionDialog({ request, onClose }: DialogProps) {
  const [plan, setPlan] = useState<ActionPlan>()
  const [error, setError] = useState<string>()
  const [confirm, setConfirm] = useState('')
  const [progress, setProgress] = useState<ActionProgress[]>([])
  const [running, setRunning] = useState(false)
  const [result, setResult] = useState<ActionResult>()

  useEffect(() => {
    if (!request) return
    api.request('action:plan', request).then(setPlan, (e: unknown) => setError(errorText(e)))
  }, [request])

  useEffect(() => {
    if (!plan) return
    return api.on('action:progress', (p) => {
      if (p.planId === plan.planId) setProgress((ps) => [...ps, p])
    })
  }, [plan])

  const run = async () => {
    if (!plan) return
    setRunning(true)
    try {
      setResult(await api.request('action:run', { planId: plan.planId, confirm }))
    } catch (e) {
      setError(errorText(e))
    } finally {
      setRunning(false)
    }
  }
  const last = progress.at(-1)
  const fraction = last?.fraction ?? (last && last.totalSteps > 0 ? last.step / last.totalSteps : 0)

  return (
    <Modal
      opened={!!request}
      onClose={() => !running && onClose(result)}
      size="xl"
      title={<Title order={4}>{plan?.title ?? 'Planning…'}</Title>}
      data-testid="action-dialog"
    >
      <Stack>
        {error && (
          <Alert color="red" data-testid="action-error">
            {error}
          </Alert>
        )}
        {plan && (
          <>
            <Group gap="xs">
              <Badge color={RISK_COLOR[plan.risk]}>{plan.risk} risk</Badge>
              <Text size="sm">
                {plan.environment} / <b>{plan.target}</b>
              </Text>
            </Group>
            <Text size="sm">{plan.summary}</Text>
            {plan.dataLoss && (
              <Text size="sm" data-testid="action-data-loss">
                <b>Data loss:</b> {plan.dataLoss}
              </Text>
            )}
            {plan.whatIf.length > 0 && (
              <Stack gap={2} data-testid="action-what-if">
                <Text size="sm" fw={600}>
                  What it will do
                </Text>
                {plan.whatIf.map((w) => (
                  <Text key={w} size="sm" c="dimmed">
                    {w}
                  </Text>
                ))}
              </Stack>
            )}
            <PlanEstimate plan={plan} />
            {plan.warnings.map((w) => (
              <Alert key={w} color="orange" p="xs">
                {w}
              </Alert>
            ))}
            {plan.prechecks.length > 0 && (
              <List size="sm" spacing={2}>
                {plan.prechecks.map((c) => (
                  <List.Item key={c.name} icon={<Text c={c.passed ? 'teal' : 'red'}>{c.passed ? '✓' : '✗'}</Text>}>
                    {c.name}: {c.detail}
                  </List.Item>
                ))}
              </List>
            )}
            {(running || progress.length > 0) && (
              <Stack gap={4} data-testid="action-progress">
                <Progress value={fraction * 100} animated={running} />
                <Text size="xs" c="dimmed">
                  {last ? `step ${last.step}/${last.totalSteps}: ${last.message}` : 'starting'}
                </Text>
              </Stack>
            )}
            {result && (
              <Alert color={result.outcome === 'succeeded' ? 'teal' : 'red'} title={result.outcome} data-testid="action-result">
                <Text size="sm">
                  {result.message} ({(result.durationMs / 1000).toFixed(1)} s)
                </Text>
                {result.checked.map((c) => (
                  <Text key={c.metric} size="sm" data-testid="action-checked">
                    {checkText(c)}
                  </Text>
                ))}
                <List size="sm" mt={4}>
                  {result.verification.map((v) => (
                    <List.Item key={v.name}>
                      {v.passed ? '✓' : '✗'} {v.name}: {v.detail}
                    </List.Item>
                  ))}
                </List>
              </Alert>
            )}
            <PlanSteps plan={plan} />
            {!result && (
              <Group align="flex-end">
                <TextInput
                  style={{ flex: 1 }}
                  label={`Type ${plan.target} to confirm`}
                  value={confirm}
                  onChange={(e) => setConfirm(e.currentTarget.value)}
                  disabled={!plan.runnable || running}
                  data-testid="action-confirm"
                />
                <Button color="red" disabled={!plan.runnable || confirm !== plan.target} loading={running} onClick={() => void run()} data-testid="action-run">
                  Run
                </Button>
              </Group>
            )}
          </>
        )}
      </Stack>
    </Modal>
  )
}

/** A page's way to start actions on its endpoint: act(draft) opens the dialog, `dialog` renders it. */
export function useActionLauncher(choice: { environment: string; endpointId: string } | undefined) {
  const [request, setRequest] = useState<ActionInput>()
  const act = useCallback(
    (draft: ActionDraft) => {
      if (choice) setRequest({ ...choice, ...draft })
    },
    [choice],
  )
  const dialog = <ActionDialog request={request} onClose={() => setRequest(undefined)} />
  return { act, dialog }
}
