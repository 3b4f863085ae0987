import { Alert, Stack, Tabs, Text } from '@mantine/core'
import type { ReactNode } from 'react'
import type { HealthStatus } from '../../../shared/health'
import type { EndpointChoice } from './EndpointPicker'
import { FindingAlerts, type PageFinding } from './FindingAlerts'
import { SystemPageHeader } from './SystemPageHeader'

interface SystemPageProps {
  /** The system's name as the header and the empty-inventory hint say it. */
  title: string
  /** What its endpoints are called where the title is not it ("nginx" for the app tier). */
  endpointNoun?: string
  /** The endpoint picked, from useEndpointPicker: the picker itself, the choice, read-only, none of this kind. */
  picked: { picker: ReactNode; choice?: EndpointChoice; readOnly: boolean; empty: boolean }
  status?: HealthStatus
  actionsTestId: string
  actions: ReactNode
  error?: string
  /** The endpoint's first answer has come: the body shows from then on. */
  loaded: boolean
  /** The one line under the header: the system's own summary, how long it took. */
  reason?: ReactNode
  findings?: readonly PageFinding[]
  findingsPrefix?: string
  onFix?: (f: PageFinding) => void
  /** The action dialog and drawers: outside the body, so they outlive a failed poll. */
  overlays?: ReactNode
  children: ReactNode
}

/**
 * Every system page's frame, in the order a person on call reads it: which endpoint and how it is,
 * what is wrong (each with its fix), then the body — tabs or cards.
 */
export function SystemPage(p: SystemPageProps) {
  const { picker, choice, readOnly, empty } = p.picked
  return (
    <Stack>
      <SystemPageHeader
        readOnly={readOnly}
        title={p.title}
        status={p.status}
        picker={picker}
        target={choice}
        actionsTestId={p.actionsTestId}
        actions={p.actions}
      />
      {empty && <Alert color="blue">No {p.endpointNoun ?? p.title} endpoint in any environment. Add one under Environments.</Alert>}
      {p.error && <Alert color="red">{p.error}</Alert>}
      {p.loaded && (
        <>
          {p.reason}
          {p.findings && <FindingAlerts findings={p.findings} prefix={p.findingsPrefix ?? ''} onFix={readOnly ? undefined : p.onFix} />}
          {p.children}
        </>
      )}
      {p.overlays}
    </Stack>
  )
}

/** The summary line under a page's header: dimmed while all is well. */
export function ReasonLine({
  ok,
  testId,
  children,
  ...data
}: { ok: boolean; testId: string; children: ReactNode } & Record<`data-${string}`, string | number>) {
  return (
    <Text size="sm" c={ok ? 'dimmed' : undefined} data-testid={testId} {...data}>
      {children}
    </Text>
  )
}

export interface PageTab {
  value: string
  label: ReactNode
  testId?: string
  panel: ReactNode
}

/** A page's tabs from one list: label and panel side by side, never out of step. */
export function PageTabs({
  tabs,
  initial,
  onChange,
}: {
  tabs: readonly (PageTab | false)[]
  /** The tab to open with (the one holding what a link named); the first otherwise. */
  initial?: string
  onChange?: (value: string | null) => void
}) {
  const shown = tabs.filter((t): t is PageTab => !!t)
  return (
    <Tabs defaultValue={shown.some((t) => t.value === initial) ? initial : shown[0]?.value} onChange={onChange}>
      <Tabs.List>
        {shown.map((t) => (
          <Tabs.Tab key={t.value} value={t.value} data-testid={t.testId}>
            {t.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {shown.map((t) => (
        <Tabs.Panel key={t.value} value={t.value} pt="md">
          {t.panel}
        </Tabs.Panel>
      ))}
    </Tabs>
  )
}
