import { Alert, Button, Checkbox, Code, Group, Modal, Stack, Table, Text, Textarea, Title } from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useState } from 'react'
import type { EnvironmentView } from '../../../../shared/inventory'
import { api, errorText } from '../../api'
import { useRequest } from '../../hooks/useRequest'
import { EnvironmentEditor } from './EnvironmentEditor'
import { TableHead } from '../../components/TableHead'

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
      <Table striped highlightOnHover>
        <TableHead columns={['Name', 'Endpoints', 'Secrets stored', '']} />
        <Table.Tbody>
          {list.data?.map((v) => (
            <Table.Tr key={v.environment.name} data-testid={`env-row-${v.environment.name}`}>
              <Table.Td>
                <Text fw={600}>{v.environment.name}</Text>
                <Text size="xs" c="dimmed">
                  {v.environment.description}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{v.environment.endpoints.map((e) => `${e.name} (${e.kind})`).join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td>{v.secretsSet.length}</Table.Td>
              <Table.Td>
                <Group gap="xs" justify="flex-end" wrap="nowrap">
                  <Button size="xs" variant="light" onClick={() => setEditing(v)}>
                    Edit
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() =>
                      void api.request('env:export', { name: v.environment.name }).then(
                        (r) => setExported({ name: v.environment.name, yaml: r.yaml }),
                        (e: unknown) => notifications.show({ color: 'red', message: errorText(e) }),
                      )
                    }
                  >
                    Export
                  </Button>
                  <Button size="xs" color="red" variant="subtle" onClick={() => setRemoving(v.environment.name)}>
                    Remove
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {list.data?.length === 0 && <Text c="dimmed">No environments yet.</Text>}

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
