import { Alert, Button, Checkbox, Code, Group, Modal, Stack, Text, Textarea, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useState } from 'react'
import type { EnvironmentView } from '../../../../shared/inventory'
import { api, errorText } from '../../api'
import { useRequest } from '../../hooks/useRequest'
import { EnvironmentEditor } from './EnvironmentEditor'
import { DataTable, type Column } from '../../components/DataTable'
import { RowActions } from '../../components/RowActions'

/** The inventory: environments and their endpoints; add, edit, test, remove, import and export YAML. */
export function EnvironmentsPage() {
  const list = useRequest('env:list', {})
  const [editing, setEditing] = useState<EnvironmentView | 'new'>()
  const [exported, setExported] = useState<{ name: string; yaml: string }>()
  const [importing, setImporting] = useState(false)
  const [importText, setImportText] = useState('')
  const [overwrite, setOverwrite] = useState(false)
  const [importError, setImportError] = useState<string>()
  const [removing, setRemoving] = useState<string>()

  const done = (saved: boolean) => {
    setEditing(undefined)
    if (saved) list.reload()
  }
  const doImport = async () => {
    try {
      const v = await api.request('env:import', { yaml: importText, overwrite })
      notifications.show({ color: 'teal', message: `Imported ${v.environment.name}; add its secrets by editing it` })
      setImporting(false)
      setImportText('')
      list.reload()
    } catch (e) {
      setImportError(errorText(e))
    }
  }
  const remove = async (name: string) => {
    await api.request('env:remove', { name }).catch((e: unknown) => notifications.show({ color: 'red', message: errorText(e) }))
    setRemoving(undefined)
    list.reload()
  }

  const exportYaml = (name: string) =>
    void api.request('env:export', { name }).then(
      (r) => setExported({ name, yaml: r.yaml }),
      (e: unknown) => notifications.show({ color: 'red', message: errorText(e) }),
    )
  const columns: Column<EnvironmentView>[] = [
    {
      title: 'Name',
      cell: (v) => (
        <Group gap={8} wrap="nowrap" align="start">
          <RowActions
            subject={v.environment.name}
            testId={`env-actions-${v.environment.name}`}
            actions={[
              { label: 'Edit', onClick: () => setEditing(v) },
              { label: 'Export YAML (no secrets)', onClick: () => exportYaml(v.environment.name) },
              { label: 'Remove', color: 'red', onClick: () => setRemoving(v.environment.name) },
            ]}
          />
          <div>
            <Text fw={600}>{v.environment.name}</Text>
            <Text size="xs" c="dimmed">
              {v.environment.description}
            </Text>
          </div>
        </Group>
      ),
    },
    { title: 'Endpoints', cell: (v) => <Text size="sm">{v.environment.endpoints.map((e) => `${e.name} (${e.kind})`).join(', ') || '—'}</Text> },
    { title: 'Secrets stored', cell: (v) => v.secretsSet.length },
  ]

  if (editing) return <EnvironmentEditor initial={editing === 'new' ? undefined : editing} onDone={done} />

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Environments</Title>
        <Group>
          <Button variant="default" onClick={() => setImporting(true)} data-testid="import-open">
            Import YAML
          </Button>
          <Button onClick={() => setEditing('new')} data-testid="new-environment">
            Add environment
          </Button>
        </Group>
      </Group>
      {list.error && <Alert color="red">{list.error}</Alert>}
      <DataTable
        striped
        rows={list.data ?? []}
        columns={columns}
        rowKey={(v) => v.environment.name}
        rowAttributes={(v) => ({ 'data-testid': `env-row-${v.environment.name}` })}
        empty={list.data && 'No environments yet.'}
      />

      <Modal opened={!!exported} onClose={() => setExported(undefined)} title={`${exported?.name}.yaml (no secrets)`} size="lg">
        <Code block>{exported?.yaml}</Code>
      </Modal>
      <Modal opened={importing} onClose={() => setImporting(false)} title="Import an environment from YAML" size="lg">
        <Stack>
          <Textarea autosize minRows={10} value={importText} onChange={(e) => setImportText(e.currentTarget.value)} ff="monospace" data-testid="import-text" />
          <Checkbox label="Replace an environment of the same name" checked={overwrite} onChange={(e) => setOverwrite(e.currentTarget.checked)} />
          {importError && (
            <Alert color="red" data-testid="import-error" style={{ whiteSpace: 'pre-wrap' }}>
              {importError}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button onClick={() => void doImport()} data-testid="import-submit">
              Import
            </Button>
          </Group>
        </Stack>
      </Modal>
      <Modal opened={!!removing} onClose={() => setRemoving(undefined)} title={`Remove ${removing}?`}>
        <Stack>
          <Text size="sm">The environment and its stored secrets are deleted from this machine. The servers are not touched.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(undefined)}>
              Keep
            </Button>
            <Button color="red" onClick={() => void remove(removing!)}>
              Remove {removing}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  )
}

export default EnvironmentsPage
