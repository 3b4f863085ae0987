import { AppShell, Badge, Group, Kbd, Loader, MantineProvider, NavLink, Text, Title, Tooltip, UnstyledButton, createTheme } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { spotlight } from '@mantine/spotlight'
import { Suspense } from 'react'
import { ContractErrorBanner } from './components/ContractErrorBanner'
import { useDeepLinkHash } from './hooks/useDeepLinkHash'
import { useRequest } from './hooks/useRequest'
import { navViews, routeFromHash } from './navigation'
import { CommandPalette } from './palette/CommandPalette'
import { useAlertNotifications } from './views/alerts/useAlertNotifications'
import { PaletteActionsProvider } from './palette/palette-actions'

const theme = createTheme({ primaryColor: 'indigo', defaultRadius: 'md', fontFamily: 'Inter, system-ui, sans-serif' })

export function App() {
  const { hash, resolving } = useDeepLinkHash()
  const route = routeFromHash(hash)
  const info = useRequest('app:info', {})
  useAlertNotifications()
  const environments = useRequest('env:list', {}, [route.view.id])
  const current = environments.data?.find((v) => v.environment.name === route.environment)?.environment
  const Page = route.view.page
  return (
    <MantineProvider theme={theme} defaultColorScheme="dark">
      <Notifications position="bottom-right" />
      <PaletteActionsProvider>
        <CommandPalette environments={environments.data ?? []} />
        {/* The navbar spans the whole document, not just the first screen; its links stay in view (sticky). */}
        <AppShell
          header={{ height: 52 }}
          navbar={{ width: 210, breakpoint: 0 }}
          padding="md"
          styles={{ root: { position: 'relative', minHeight: '100vh' }, navbar: { position: 'absolute', height: 'auto', bottom: 0 } }}
        >
          <AppShell.Header>
            <Group h="100%" px="md" justify="space-between" wrap="nowrap">
              <Group gap="xs">
                <Title order={3}>Switchyard</Title>
                <Text c="dimmed" size="sm">
                  cluster cockpit
                </Text>
                {current?.readOnly && (
                  <Tooltip label={`Every action on ${current.name} is refused: it is marked read-only in its settings`}>
                    <Badge color="grape" variant="filled" data-testid="readonly-badge">
                      {current.name} · read-only
                    </Badge>
                  </Tooltip>
                )}
              </Group>
              <Group gap="xs" wrap="nowrap">
                <UnstyledButton onClick={() => spotlight.open()} data-testid="palette-open" aria-label="Open the command palette">
                  <Group gap={4}>
                    <Text size="xs" c="dimmed">
                      Search or run
                    </Text>
                    <Kbd size="xs">Ctrl</Kbd>
                    <Kbd size="xs">K</Kbd>
                  </Group>
                </UnstyledButton>
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
            <div style={{ position: 'sticky', top: 60 }}>
              {navViews.map((v) => (
                <NavLink key={v.id} href={`#/${v.id}`} label={v.label} active={v.id === route.view.id} data-testid={`nav-${v.id}`} />
              ))}
            </div>
          </AppShell.Navbar>
          <AppShell.Main>
            <ContractErrorBanner />
            <Suspense fallback={<Loader size="sm" />}>
              {/* Keyed by the whole hash: a jump to another endpoint mounts its page afresh. */}
              {resolving ? <Loader size="sm" data-testid="link-resolving" /> : <Page key={hash} />}
            </Suspense>
          </AppShell.Main>
        </AppShell>
      </PaletteActionsProvider>
    </MantineProvider>
  )
}
