import { useMemo } from 'react'
import type { MongoCollectionBalance, MongoLagSample, MongoShard } from '../../../../shared/systems/mongo'
import { formatBytes } from '../../../../shared/domain/units'
import { EChart, timeAxis, type EChartOption } from '../../components/EChart'
import { breakGaps } from '../../components/time-gaps'

const axisText = { color: '#909296' }
const grid = { left: 150, right: 24, top: 32, bottom: 28 }
const splitLine = { lineStyle: { color: '#373a40' } }

/** One horizontal stacked bar per collection: chunks (or owned bytes) on each shard, in each shard's colour. */
export function ChunkBalanceChart({
  collections,
  shardColor,
  metric,
}: {
  collections: MongoCollectionBalance[]
  shardColor: (shard: string) => string
  metric: 'chunks' | 'bytes'
}) {
  const option = useMemo<EChartOption>(() => {
    const shards = [...new Set(collections.flatMap((c) => c.shards.map((s) => s.shard)))].sort()
    const value = (c: MongoCollectionBalance, shard: string) => {
      const s = c.shards.find((x) => x.shard === shard)
      return metric === 'chunks' ? (s?.chunks ?? 0) : (s?.bytes ?? 0)
    }
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid,
      legend: { top: 0, textStyle: { color: '#c1c2c5' } },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => (metric === 'bytes' ? formatBytes(v) : `${v} chunks`) },
      xAxis: { type: 'value', axisLabel: { ...axisText, formatter: (v: number) => (metric === 'bytes' ? formatBytes(v) : String(v)) }, splitLine },
      yAxis: { type: 'category', data: collections.map((c) => c.ns), axisLabel: axisText, inverse: true },
      series: shards.map((shard) => ({
        name: shard,
        type: 'bar',
        stack: 'shards',
        barMaxWidth: 26,
        itemStyle: { color: shardColor(shard) },
        label: { show: metric === 'chunks', color: '#fff', formatter: (p: { value: number }) => (p.value ? String(p.value) : '') },
        data: collections.map((c) => value(c, shard)),
      })),
    }
  }, [collections, shardColor, metric])
  return <EChart option={option} height={Math.max(140, 60 + collections.length * 44)} testId="chunk-balance-chart" />
}

/** Owned data per shard ($shardedDataDistribution). */
export function ShardDataChart({ shards, shardColor }: { shards: MongoShard[]; shardColor: (shard: string) => string }) {
  const option = useMemo<EChartOption>(
    () => ({
      backgroundColor: 'transparent',
      animation: false,
      grid: { ...grid, left: 64 },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => formatBytes(v) },
      xAxis: { type: 'category', data: shards.map((s) => s.id), axisLabel: axisText },
      yAxis: { type: 'value', axisLabel: { ...axisText, formatter: (v: number) => formatBytes(v) }, splitLine },
      series: [{ type: 'bar', barMaxWidth: 48, data: shards.map((s) => ({ value: s.dataBytes ?? 0, itemStyle: { color: shardColor(s.id) } })) }],
    }),
    [shards, shardColor],
  )
  return <EChart option={option} height={220} testId="shard-data-chart" />
}

/** Seconds behind the primary per secondary, over the refreshes of this session. */
export function MemberLagChart({ samples }: { samples: MongoLagSample[] }) {
  const option = useMemo<EChartOption>(() => {
    const members = [...new Set(samples.flatMap((s) => Object.keys(s.members)))].sort()
    return {
      backgroundColor: 'transparent',
      animation: false,
      grid: { left: 48, right: 24, top: 48, bottom: 28 },
      legend: { top: 0, type: 'scroll', textStyle: { color: '#c1c2c5' } },
      tooltip: { trigger: 'axis' },
      xAxis: timeAxis(),
      yAxis: { type: 'value', name: 'seconds', min: 0, axisLabel: axisText, splitLine },
      series: members.map((m) => ({ name: m, type: 'line', showSymbol: false, data: breakGaps(samples.map((s) => [s.at, s.members[m] ?? null])) })),
    }
  }, [samples])
  return <EChart option={option} height={240} testId="mongo-lag-chart" />
}
