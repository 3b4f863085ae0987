import { Alert, Badge, Button, Card, Group, MultiSelect, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core'
import { useEffect, useMemo, useState } from 'react'
import type { TimelineEntry, TimelineKind } from '../../../../shared/timeline'
import { api, errorText } from '../../api'
import { EChart, type EChartOption } from '../../components/EChart'
import { useHistoryRange } from '../../components/HistoryRange'
import { ReportModal } from '../../components/ReportModal'
import { usePolling } from '../../hooks/usePolling'
import { useRequest } from '../../hooks/useRequest'
import { navigate, parseHash } from '../../routes'
import { DataTable, type Column } from '../../components/DataTable'

const KINDS: TimelineKind[] = ['node', 'role', 'state', 'alert', 'action', 'autoscale', 'procedure', 'reload', 'migration', 'balancer', 'incident']
const COLOR = { info: '#4dabf7', ok: '#40c057', warn: '#fab005', critical: '#fa5252' } as const
/** The charts around a moment reach this far each side. */
const AROUND_MS = 10 * 60_000

const clock = (at: number) => new Date(at).toLocaleTimeString()

const TIMELINE_COLUMNS: Column<TimelineEntry>[] = [
  { title: 'time', cell: (e) => <span style={{ whiteSpace: 'nowrap' }}>{new Date(e.at).toLocaleString()}</span> },
  {
    title: 'kind',
    cell: (e) => (
      <Badge color={COLOR[e.severity]} variant="light">
        {e.kind}
      </Badge>
    ),
  },
  { title: 'what happened', cell: (e) => e.message },
]

/**
 * What was observed and done in an environment, on lanes by kind: zoom, filter, click a moment
 * for the charts around it; start an incident and take its report.
 */
export function TimelinePage() {
  const envs = useRequest('env:list', {})
  const route = parseHash(location.hash)
  const names = envs.data?.map((v) => v.environment.name) ?? []
  const name = route.environment && names.includes(route.environment) ? route.environment : names[0]
  const range = useHistoryRange('timeline-range')
  const [kinds, setKinds] = useState<string[]>([])
  const [moment, setMoment] = useState<number>()
  const [title, setTitle] = useState('')
  const [report, setReport] = useState<{ markdown: string; html: string }>()
  const [error, setError] = useState<string>()

  const polled = usePolling(
    name,
    async () => {
      const [timeline, incidents] = await Promise.all([
        api.request('timeline:list', { name: name!, from: range.since(), to: Date.now() }),
        api.request('incident:list', { name: name! }),
      ])
      return { entries: timeline.entries, incidents: incidents.incidents, to: Date.now() }
    },
    3000,
  )
  const entries = useMemo(() => (polled.data?.entries ?? []).filter((e) => kinds.length === 0 || kinds.includes(e.kind)), [polled.data, kinds])
  const moments = usePolling(
    moment === undefined ? undefined : `${name}|${moment}`,
    () => api.request('timeline:metrics', { name: name!, from: moment! - AROUND_MS, to: moment! + AROUND_MS }),
    60_000,
  )

  const act = (p: Promise<unknown>) =>
    void p.then(
      () => setError(undefined),
      (e: unknown) => setError(errorText(e)),
    )
  const openReport = (from: number, to: number, reportTitle?: string) =>
    act(api.request('incident:report', { name: name!, from, to, ...(reportTitle ? { title: reportTitle } : {}) }).then(setReport))
  // an incident link (switchyard://incident/<env>?from…&to…) opens on its report
  const linkedWindow = route.from !== undefined && route.to !== undefined && name ? { from: route.from, to: route.to } : undefined
  useEffect(() => {
    if (linkedWindow) openReport(linkedWindow.from, linkedWindow.to)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [linkedWindow?.from, linkedWindow?.to, name])
  const open = polled.data?.incidents.find((i) => i.to === null)
  // A new option resets the zoom: only build one when what is drawn changes, not on every poll.
  const signature = `${entries.length}|${entries.at(-1)?.at}|${moment}|${kinds.join()}`
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const lanes = useMemo(() => laneOption(entries, range.since(), polled.data?.to ?? 0, moment), [signature])

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Timeline</Title>
        <Group>
          {range.control}
          <Select data={names} value={name ?? null} onChange={(v) => v && navigate('timeline', v)} allowDeselect={false} data-testid="timeline-env" />
        </Group>
      </Group>
      {(polled.error ?? error) && <Alert color="red">{polled.error ?? error}</Alert>}
      <Card withBorder>
        <Group align="flex-end">
          {open ? (
            <>
              <Text>
                Incident <b>{open.title}</b> open since {new Date(open.from).toLocaleString()} ({open.openedBy})
              </Text>
              <Button size="xs" variant="light" onClick={() => openReport(open.from, Date.now(), `Incident: ${open.title}`)} data-testid="incident-report">
                Report so far
              </Button>
              <Button size="xs" color="teal" onClick={() => act(api.request('incident:close', { name: name!, id: open.id }))}>
                Close incident
              </Button>
            </>
          ) : (
            <>
              <TextInput
                size="xs"
                placeholder="What is happening"
                value={title}
                onChange={(e) => setTitle(e.currentTarget.value)}
                data-testid="incident-title"
              />
              <Button
                size="xs"
                color="red"
                disabled={!title.trim()}
                onClick={() => act(api.request('incident:start', { name: name!, title: title.trim(), from: moment ?? Date.now() }).then(() => setTitle('')))}
                data-testid="incident-start"
              >
                Start incident{moment ? ` at ${clock(moment)}` : ''}
              </Button>
              <Button size="xs" variant="light" onClick={() => openReport(range.since(), Date.now())} data-testid="window-report">
                Report of this window
              </Button>
            </>
          )}
          <MultiSelect
            size="xs"
            placeholder="all kinds"
            data={KINDS}
            value={kinds}
            onChange={setKinds}
            clearable
            data-testid="timeline-kinds"
            style={{ minWidth: 220 }}
          />
        </Group>
      </Card>
      <Card withBorder data-testid="timeline-chart">
        <EChart option={lanes} height={260} onEvent={(type, d) => type === 'click' && setMoment((d as { value: [number] }).value[0])} />
      </Card>
      {moment !== undefined && (
        <Card withBorder data-testid="timeline-moment">
          <Group justify="space-between" mb="xs">
            <Text fw={600}>The charts around {new Date(moment).toLocaleString()} (±10 min)</Text>
            <Button size="xs" variant="subtle" onClick={() => setMoment(undefined)}>
              Close
            </Button>
          </Group>
          {moments.data?.series.length === 0 && <Text c="dimmed">No metric history was recorded around this moment.</Text>}
          <SimpleGrid cols={2}>
            {moments.data?.series.map((s) => (
              <Stack key={`${s.label}|${s.unit}`} gap={2}>
                <Text size="sm">
                  {s.label} ({s.unit})
                </Text>
                <EChart height={140} option={momentOption(s.points, moment)} />
              </Stack>
            ))}
          </SimpleGrid>
        </Card>
      )}
      <DataTable
        striped
        testId="timeline-table"
        rows={entries.slice().reverse().slice(0, 300)}
        columns={TIMELINE_COLUMNS}
        rowKey={(e, i) => `${e.at}|${i}`}
        rowAttributes={(e) => ({ onClick: () => setMoment(e.at) })}
      />
      {entries.length === 0 && <Text c="dimmed">Nothing recorded in this window{kinds.length ? ' of these kinds' : ''}.</Text>}
      <ReportModal report={report} name={`switchyard-${name}-report`} onClose={() => setReport(undefined)} />
    </Stack>
  )
}

function laneOption(entries: readonly TimelineEntry[], from: number, to: number, moment: number | undefined): EChartOption {
  return {
    animation: false,
    grid: { left: 80, right: 20, top: 10, bottom: 60 },
    tooltip: { trigger: 'item', formatter: (p: { data: [number, string, string] }) => `${new Date(p.data[0]).toLocaleString()}\n${p.data[2]}` },
    xAxis: { type: 'time', min: from, max: to },
    yAxis: { type: 'category', data: KINDS },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 10 }],
    series: [
      {
        type: 'scatter',
        symbolSize: 10,
        data: entries.map((e) => ({ value: [e.at, e.kind, e.message], itemStyle: { color: COLOR[e.severity] } })),
        markLine: moment ? { symbol: 'none', silent: true, label: { show: false }, data: [{ xAxis: moment }], lineStyle: { color: '#aaa' } } : undefined,
      },
    ],
  }
}

function momentOption(points: [number, number | null][], moment: number): EChartOption {
  return {
    animation: false,
    grid: { left: 60, right: 10, top: 10, bottom: 24 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time', min: moment - AROUND_MS, max: moment + AROUND_MS },
    yAxis: { type: 'value' },
    series: [
      {
        type: 'line',
        showSymbol: false,
        data: points,
        markLine: { symbol: 'none', silent: true, label: { show: false }, data: [{ xAxis: moment }], lineStyle: { color: '#fa5252' } },
      },
    ],
  }
}

export default TimelinePage
