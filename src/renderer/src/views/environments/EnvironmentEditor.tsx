import { ActionIcon, Alert, Button, Card, Group, Menu, Stack, Switch, Text, TextInput, Title } from '@mantine/core'
import { useState } from 'react'
import type { SystemHealth } from '../../../../shared/health'
import { Environment, type EndpointKind, type EnvironmentView, type SecretSlot } from '../../../../shared/inventory'
import { api, errorText } from '../../api'
import { TrustHostKey } from '../../components/TrustHostKey'
import { StatusBadge } from '../../components/StatusBadge'
import { EndpointFields } from './EndpointFields'
import { draftToEndpoint, emptyDraft, endpointToDraft, KIND_LABEL, type EndpointDraft } from './endpoint-draft'

interface Props {
  initial?: EnvironmentView
  onDone: (saved: boolean) => void
}

type TestState = { running: true } | { running: false; result?: SystemHealth; error?: string }

function issueText(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = err.issues[0]
  return i ? `${i.path.join('.') || 'environment'}: ${i.message}` : 'invalid'
}

/** Add or edit an environment: its endpoints, their secrets (write-only), a test per endpoint. */
export function EnvironmentEditor({ initial, onDone }: Props) {
  const [name, setName] = useState(initial?.environment.name ?? '')
  const [description, setDescription] = useState(initial?.environment.description ?? '')
  const [readOnly, setReadOnly] = useState(initial?.environment.readOnly ?? false)
  const [prometheusUrl, setPrometheusUrl] = useState(initial?.environment.prometheusUrl ?? '')
  const [drafts, setDrafts] = useState<EndpointDraft[]>(initial?.environment.endpoints.map(endpointToDraft) ?? [])
  const [secrets, setSecrets] = useState<Record<string, string>>({})
  const [tests, setTests] = useState<Record<number, TestState>>({})
  const [error, setError] = useState<string>()
  const [saving, setSaving] = useState(false)
  const stored = initial?.secretsSet ?? []
  const sshIds = drafts.filter((d) => d.kind === 'ssh').map((d) => d.id)

  const build = () =>
    Environment.safeParse({
      name: name.trim(),
      description: description.trim() || undefined,
      ...(readOnly ? { readOnly } : {}),
      ...(prometheusUrl.trim() ? { prometheusUrl: prometheusUrl.trim() } : {}),
      endpoints: drafts.map(draftToEndpoint),
    })

  const update = (i: number, patch: Partial<EndpointDraft>) => setDrafts((ds) => ds.map((d, j) => (j === i ? { ...d, ...patch } : d)))
  const setSecret = (id: string, slot: SecretSlot, value: string) => setSecrets((s) => ({ ...s, [`${id}.${slot}`]: value }))

  const test = async (i: number) => {
    const env = build()
    if (!env.success) {
      setTests((t) => ({ ...t, [i]: { running: false, error: issueText(env.error) } }))
      return
    }
    setTests((t) => ({ ...t, [i]: { running: true } }))
    try {
      const result = await api.request('endpoint:test', { environment: env.data, endpointId: drafts[i]!.id, secrets })
      setTests((t) => ({ ...t, [i]: { running: false, result } }))
    } catch (e) {
      setTests((t) => ({ ...t, [i]: { running: false, error: errorText(e) } }))
    }
  }

  const save = async () => {
    const env = build()
    if (!env.success) {
      setError(issueText(env.error))
      return
    }
    setSaving(true)
    try {
      const changed = Object.fromEntries(Object.entries(secrets).filter(([k, v]) => v !== '' || stored.includes(k)))
      await api.request('env:save', { environment: env.data, secrets: changed, previousName: initial?.environment.name })
      onDone(true)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setSaving(false)
    }
  }

  return (
    <Card withBorder padding="lg" data-testid="environment-editor">
      <Stack>
        <Title order={3}>{initial ? `Edit ${initial.environment.name}` : 'New environment'}</Title>
        <Group grow>
          <TextInput label="Name" placeholder="prod-eu" value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid="env-name" />
          <TextInput label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        </Group>
        <Switch
          label="Read-only: look, never touch"
          description="Every action on this environment is refused, in the app, the CLI and the action runner (production during a freeze, a customer's cluster)"
          checked={readOnly}
          onChange={(e) => setReadOnly(e.currentTarget.checked)}
          data-testid="env-readonly"
        />
        <TextInput
          label="Prometheus URL"
          description="The team's Prometheus that scrapes switchyard exporter: charts read their history from it first, this app's own store fills the rest"
          placeholder="http://prometheus.internal:9090"
          value={prometheusUrl}
          onChange={(e) => setPrometheusUrl(e.currentTarget.value)}
          data-testid="env-prometheus"
        />
        {drafts.map((d, i) => {
          const t = tests[i]
          return (
            <Card key={i} withBorder padding="sm" data-testid={`endpoint-${i}`}>
              <Group justify="space-between" mb="xs">
                <Group gap="xs">
                  <Text fw={600}>{KIND_LABEL[d.kind]}</Text>
                  <TextInput size="xs" w={140} value={d.id} onChange={(e) => update(i, { id: e.currentTarget.value })} aria-label="endpoint id" />
                  <TextInput size="xs" w={200} value={d.name} onChange={(e) => update(i, { name: e.currentTarget.value })} aria-label="endpoint name" />
                </Group>
                <Group gap="xs">
                  <Button size="xs" variant="light" loading={t?.running} onClick={() => void test(i)} data-testid="test-endpoint">
                    Test connection
                  </Button>
                  <ActionIcon variant="subtle" color="red" aria-label="remove endpoint" onClick={() => setDrafts((ds) => ds.filter((_, j) => j !== i))}>
                    ✕
                  </ActionIcon>
                </Group>
              </Group>
              <EndpointFields
                draft={d}
                sshIds={sshIds}
                secrets={secrets}
                storedSecrets={stored}
                onChange={(p) => update(i, p)}
                onSecret={(slot, v) => setSecret(d.id, slot, v)}
              />
              {t && !t.running && (
                <Alert
                  mt="sm"
                  color={t.error ? 'red' : t.result?.status === 'ok' ? 'teal' : t.result?.status === 'warn' ? 'yellow' : 'red'}
                  data-testid="test-result"
                >
                  {t.error && <Text size="sm">{t.error}</Text>}
                  {t.result && (
                    <Stack gap={4}>
                      <Group gap="xs">
                        <StatusBadge status={t.result.status} />
                        <Text size="sm">{t.result.reason}</Text>
                      </Group>
                      {t.result.nodes
                        .filter((n) => n.error)
                        .map((n) => (
                          <Stack key={n.id} gap={2}>
                            <Text size="xs" ff="monospace">
                              {n.label}: [{n.error!.code}] {n.error!.message}
                            </Text>
                            {n.error!.code === 'hostkey-unknown' && n.error!.hostKey && (
                              <TrustHostKey hostKey={n.error!.hostKey} onTrusted={() => void test(i)} />
                            )}
                          </Stack>
                        ))}
                      {t.result.notices.map((n) => (
                        <Text key={n} size="xs" c="blue">
                          {n}
                        </Text>
                      ))}
                    </Stack>
                  )}
                </Alert>
              )}
            </Card>
          )
        })}
        <Group>
          <Menu>
            <Menu.Target>
              <Button variant="light" data-testid="add-endpoint">
                Add endpoint
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {(Object.keys(KIND_LABEL) as EndpointKind[]).map((k) => (
                <Menu.Item
                  key={k}
                  onClick={() =>
                    setDrafts((ds) => [
                      ...ds,
                      emptyDraft(
                        k,
                        ds.map((x) => x.id),
                      ),
                    ])
                  }
                  data-testid={`add-${k}`}
                >
                  {KIND_LABEL[k]}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        </Group>
        {error && (
          <Alert color="red" data-testid="save-error">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone(false)}>
            Cancel
          </Button>
          <Button onClick={() => void save()} loading={saving} data-testid="save-environment">
            Save
          </Button>
        </Group>
      </Stack>
    </Card>
  )
}
