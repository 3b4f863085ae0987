import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PromSeries {
  metric: Record<string, string>
  value: [number, string]
}

export interface LabPrometheus {
  url: string
  dir: string
  query(q: string): Promise<PromSeries[]>
  stop(): Promise<void>
}

/** Samples written straight into the TSDB before it starts (promtool tsdb create-blocks-from openmetrics): history older than anything the app saw. */
export function backfill(dataDir: string, lines: string[]): void {
  const file = join(dataDir, '..', 'backfill.om')
  writeFileSync(file, `${lines.join('\n')}\n# EOF\n`)
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { stdio: 'pipe' })
}

/**
 * Debian's Prometheus on loopback, scraping one target with honor_labels (the exporter's
 * instance labels stay), evaluating a rule file every second.
 */
export async function startPrometheus(opts: {
  port: number
  target: string
  scrapeIntervalS: number
  rulesFile?: string
  prepare?: (dataDir: string) => void
}): Promise<LabPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-prom-'))
  const data = join(dir, 'data')
  opts.prepare?.(data)
  const config = join(dir, 'prometheus.yml')
  writeFileSync(
    config,
    [
      'global:',
      '  evaluation_interval: 1s',
      ...(opts.rulesFile ? ['rule_files:', `  - ${opts.rulesFile}`] : []),
      'scrape_configs:',
      '  - job_name: switchyard',
      '    honor_labels: true',
      `    scrape_interval: ${opts.scrapeIntervalS}s`,
      `    scrape_timeout: ${opts.scrapeIntervalS}s`,
      '    static_configs:',
      `      - targets: ['${opts.target}']`,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${opts.port}`, '--storage.tsdb.retention.time=60d'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let log = ''
  child.stderr!.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)))
  const url = `http://127.0.0.1:${opts.port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${log}`)
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${log}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    dir,
    async query(q) {
      const reply = (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`)).json()) as { data: { result: PromSeries[] } }
      return reply.data.result
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve()
          return
        }
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
