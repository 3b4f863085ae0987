import { AppShell, Badge, Group, MantineProvider, NavLink, Text, Title, createTheme } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { useEffect, useState } from 'react'
import { AuditPage } from './views/audit/AuditPage'
import { EnvironmentsPage } from './views/environments/EnvironmentsPage'
import { KnownHostsPage } from './views/hosts/KnownHostsPage'
import { OverviewPage } from './views/overview/OverviewPage'
import { PostgresPage } from './systems/postgres/PostgresPage'
import { RedisPage } from './systems/redis/RedisPage'
import { SentinelPage } from './systems/sentinel/SentinelPage'
import { useRequest } from './hooks/useRequest'

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md', fontFamily: 'Inter, system-ui, sans-serif' })

const VIEWS = {
  overview: { label: 'Overview', page: OverviewPage },
  redis: { label: 'Redis Cluster', page: RedisPage },
  sentinel: { label: 'Redis Sentinel', page: SentinelPage },
  postgres: { label: 'PostgreSQL', page: PostgresPage },
  environments: { label: 'Environments', page: EnvironmentsPage },
  hosts: { label: 'Known hosts', page: KnownHostsPage },
  audit: { label: 'Audit log', page: AuditPage },
} as const
type View = keyof typeof VIEWS

function viewFromHash(): View {
  const h = location.hash.replace(/^#\/?/, '').split('/')[0]
  return h && h in VIEWS ? (h as View) : 'overview'
}

export function App() {
  const [view, setView] = useState<View>(viewFromHash)
  const info = useRequest('app:info', {})
  useEffect(() => {
    const on = () => setView(viewFromHash())
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  const Page = VIEWS[view].page
  return (
    <MantineProvider theme={theme} defaultColorScheme="dark">
      <Notifications position="top-right" />
      <AppShell header={{ height: 52 }} navbar={{ width: 210, breakpoint: 0 }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Group gap="xs">
              <Title order={3}>Switchyard</Title>
              <Text c="dimmed" size="sm">
                cluster cockpit
              </Text>
            </Group>
            <Group gap="xs">
              {info.data?.secretBackend.warning && (
                <Badge color="orange" title={info.data.secretBackend.warning}>
                  secrets weakly protected
                </Badge>
              )}
              <Badge variant="outline" color="gray">
                {info.data ? `${info.data.mode} · ${info.data.version}` : '…'}
              </Badge>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs">
          {(Object.keys(VIEWS) as View[]).map((v) => (
            <NavLink key={v} href={`#/${v}`} label={VIEWS[v].label} active={v === view} data-testid={`nav-${v}`} />
          ))}
        </AppShell.Navbar>
        <AppShell.Main>
          <Page />
        </AppShell.Main>
      </AppShell>
    </MantineProvider>
  )
}
