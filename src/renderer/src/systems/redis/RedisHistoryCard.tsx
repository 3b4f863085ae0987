import { Card, ColorSwatch, Group, SimpleGrid, Text } from '@mantine/core'
import { useMemo, type ReactNode } from 'react'
import { formatBytes } from '../../../../shared/domain/units'
import type { RedisHistory } from '../../../../shared/systems/redis'
import { api } from '../../api'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'
import type { EndpointChoice } from '../../components/EndpointPicker'
import { HistorySourceNote, useHistoryRange } from '../../components/HistoryRange'
import { SERIES_COLORS } from '../../components/series-colors'
import { breakGaps } from '../../components/time-gaps'
import { usePolling } from '../../hooks/usePolling'

const POLL_MS = 15_000
const axisColor = '#909296'

function stackedOption(
  at: readonly number[],
  series: RedisHistory['ops'],
  unit: (v: number) => string,
  stacked: boolean,
  colorOfMaster: MasterColor,
): EChartOption {
  return {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 56, right: 16, top: 12, bottom: 24 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? unit(v) : '—') },
    xAxis: timeAxis(),
    yAxis: { type: 'value', min: 0, minInterval: 1, axisLabel: { color: axisColor, formatter: unit }, splitLine: { lineStyle: { color: '#373a40' } } },
    series: series.map((s, i) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      ...(stacked ? { stack: 'total', areaStyle: { opacity: 0.5 } } : {}),
      lineStyle: { width: 1, color: colorOf(s, i, colorOfMaster) },
      itemStyle: { color: colorOf(s, i, colorOfMaster) },
      data: breakGaps(at.map((t, k) => [t, s.values[k] ?? null])),
    })),
  }
}

type MasterColor = (addr: string) => string | undefined

/**
 * A master in the colour the slot map gives it (a node no longer master, by its place in the chart);
 * the band of all other masters grey: it is often the largest, and must not pass for one master.
 */
const colorOf = (s: RedisHistory['ops'][number], i: number, ofMaster: MasterColor) =>
  s.rest ? '#868e96' : (ofMaster(s.name) ?? SERIES_COLORS[i % SERIES_COLORS.length]!)

/**
 * The masters a chart stacks, as page text: nine full addresses wrap here, where the chart's own
 * legend pages through them two at a time (and costs a third of the chart's drawing).
 */
function SeriesLegend({ series, colorOfMaster }: { series: RedisHistory['ops']; colorOfMaster: MasterColor }) {
  return (
    <Group gap={8} mb={4} data-testid="series-legend">
      {series.map((s, i) => (
        <Group key={s.name} gap={4} wrap="nowrap">
          <ColorSwatch color={colorOf(s, i, colorOfMaster)} size={8} withShadow={false} />
          <Text size="xs" ff="monospace" c="dimmed">
            {s.name}
          </Text>
        </Group>
      ))}
    </Group>
  )
}

/** One chart of the card under its title (and its legend, when it has one). */
function HistoryPanel({ title, option, testId, children }: { title: string; option: EChartOption; testId: string; children?: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {title}
      </Text>
      {children}
      <EChart option={option} height={220} testId={testId} />
    </div>
  )
}

const count = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : `${Math.round(v)}`)

/** The cluster over hours to weeks: where the load and the memory are (per master, stacked) and how far the worst replica fell behind. */
export function RedisHistoryCard({ choice, colorOfMaster }: { choice: EndpointChoice; colorOfMaster: MasterColor }) {
  const range = useHistoryRange('redis-history-range')
  const polled = usePolling(
    `${choice.environment}/${choice.endpointId}/${range.range}`,
    () => api.request('redis:history', { ...choice, sinceMs: range.since() }),
    POLL_MS,
  )
  const h = polled.data
  const options = useMemo(
    () =>
      h && {
        ops: stackedOption(h.at, h.ops, count, true, colorOfMaster),
        memory: stackedOption(h.at, h.memory, formatBytes, true, colorOfMaster),
        lag: stackedOption(h.at, [{ name: 'worst replica', values: h.maxLagBytes }], formatBytes, false, () => undefined),
      },
    [h, colorOfMaster],
  )
  return (
    <Card withBorder data-testid="redis-history" data-points={h?.at.length ?? 0}>
      <Group justify="space-between" mb="xs">
        <Text fw={600}>History</Text>
        {range.control}
      </Group>
      {polled.error && (
        <Text size="sm" c="red">
          {polled.error}
        </Text>
      )}
      {options && h!.at.length > 1 ? (
        <SimpleGrid cols={{ base: 1, lg: 3 }}>
          <HistoryPanel title="ops/s per master (stacked)" option={options.ops} testId="redis-history-ops">
            <SeriesLegend series={h!.ops} colorOfMaster={colorOfMaster} />
          </HistoryPanel>
          <HistoryPanel title="memory per master (stacked)" option={options.memory} testId="redis-history-memory">
            <SeriesLegend series={h!.memory} colorOfMaster={colorOfMaster} />
          </HistoryPanel>
          <HistoryPanel title="replica lag, worst replica" option={options.lag} testId="redis-history-lag" />
        </SimpleGrid>
      ) : (
        !polled.error && (
          <Text size="sm" c="dimmed">
            Collecting history…
          </Text>
        )
      )}
      <HistorySourceNote source={h?.source} />
    </Card>
  )
}
