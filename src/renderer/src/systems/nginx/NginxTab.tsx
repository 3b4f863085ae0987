import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import type { AppTier } from '../../../../shared/systems/nginx'
import { formatElapsed } from '../../../../shared/domain/units'
import { DataTable, type Column } from '../../components/DataTable'

const SERVER_COLUMNS: Column<AppTier['servers'][number]>[] = [
  { title: 'listen', cell: (s) => s.listen.join(', ') },
  { title: 'names', cell: (s) => s.serverNames.join(' ') || '—' },
  {
    title: 'locations',
    cell: (s) =>
      s.locations.map((l) => (
        <Text size="xs" key={l.path}>
          {l.path}
          {l.proxyPass ? ` → ${l.proxyPass}` : ''}
        </Text>
      )),
  },
]

export function NginxTab({ tier }: { tier: AppTier }) {
  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Card withBorder>
        <Title order={5} mb="xs">
          Server blocks
        </Title>
        <DataTable rows={tier.servers} columns={SERVER_COLUMNS} rowKey={(s) => `${s.file}:${s.line}`} />
        <Text size="xs" c="dimmed" mt="xs">
          files: {tier.configFiles.join(', ') || '—'}
        </Text>
      </Card>
      <Stack>
        <Card withBorder data-testid="reloads">
          <Title order={5} mb="xs">
            Reloads
          </Title>
          {tier.reloads.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.reloads].reverse().map((r, i) => (
            <Text size="sm" key={i}>
              {new Date(r.at).toLocaleString()} · {formatElapsed(r.at, tier.checkedAt)} ago
            </Text>
          ))}
        </Card>
        <Card withBorder>
          <Title order={5} mb="xs">
            Upstream errors
          </Title>
          {tier.failures.length === 0 && <Text c="dimmed">none in the error log&apos;s tail</Text>}
          {[...tier.failures]
            .reverse()
            .slice(0, 20)
            .map((f, i) => (
              <Text size="xs" key={i}>
                {new Date(f.at).toLocaleTimeString()} [{f.level}] {f.upstream ?? ''} {f.message}
              </Text>
            ))}
        </Card>
      </Stack>
    </SimpleGrid>
  )
}
