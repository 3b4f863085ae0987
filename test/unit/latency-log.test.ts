import { describe, expect, it } from 'vitest'
import { readConfig } from '../../src/main/systems/nginx/nginx-config'
import { FIRST_READ_BYTES, LatencyLog, parseLatencyLines, upstreamLatency } from '../../src/main/systems/nginx/latency-log'
import { percentile } from '../../src/shared/domain/percentile'

const NOW = 1_765_000_000_000
const line = (msAgo: number, upstream: string, ms: string, status = 200) => `${((NOW - msAgo) / 1000).toFixed(3)} ${upstream} ${status} ${ms}`

describe('response times from the access log', () => {
  it('reads the switchyard format: retries add up, requests nginx answered itself and torn lines are passed over', () => {
    const entries = parseLatencyLines(
      [line(1000, 'app', '0.004'), line(900, 'app', '0.010, 0.003', 502), line(800, 'localhost', '-', 404), '17650000', line(700, 'swarm_app', '0.120')].join(
        '\n',
      ),
    )
    expect(entries).toEqual([
      { at: NOW - 1000, upstream: 'app', status: 200, ms: 4 },
      { at: NOW - 900, upstream: 'app', status: 502, ms: 13 },
      { at: NOW - 700, upstream: 'swarm_app', status: 200, ms: 120 },
    ])
  })

  it('p50 and p95 per upstream over the last minute, by nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1)
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile([7], 95), percentile([], 95)]).toEqual([50, 95, 7, null])
    const entries = [
      ...Array.from({ length: 20 }, (_, i) => ({ at: NOW - 1000 * i, upstream: 'app', status: 200, ms: i < 19 ? 10 : 900 })),
      { at: NOW - 120_000, upstream: 'app', status: 200, ms: 5000 },
    ]
    expect(upstreamLatency(entries, NOW, 60_000)).toEqual([{ upstream: 'app', p50Ms: 10, p95Ms: 10, requests: 20, windowS: 60 }])
  })

  it('follows the file by offset: the recent end first, only what was appended after, a partial line kept for later, from the start after a rotation', () => {
    const log = new LatencyLog()
    expect(log.from(10_000_000)).toBe(10_000_000 - FIRST_READ_BYTES)
    // a first read mid-file starts with a fragment of a line
    log.take(10_000_000 - FIRST_READ_BYTES, `0.002\n${line(3000, 'app', '0.020')}\n${line(2000, 'app', '0.030').slice(0, 20)}`, NOW)
    expect(log.latency(NOW)).toEqual([{ upstream: 'app', p50Ms: 20, p95Ms: 20, requests: 1, windowS: 60 }])
    const offset = log.from(20_000_000)
    expect(offset).toBe(10_000_000 - FIRST_READ_BYTES + `0.002\n${line(3000, 'app', '0.020')}\n`.length)
    log.take(offset, `${line(2000, 'app', '0.030')}\n${line(1000, 'app', '0.040')}\n`, NOW)
    expect(log.latency(NOW)[0]).toMatchObject({ requests: 3, p50Ms: 30, p95Ms: 40 })
    // rotated: smaller than where we were
    expect(log.from(500)).toBe(0)
  })

  it('finds the access log written in the switchyard format in the effective configuration', () => {
    const config = readConfig([
      {
        path: '/etc/nginx/nginx.conf',
        text: `http {
  log_format main '$remote_addr - $remote_user [$time_local] "$request"';
  log_format switchyard escape=default '$msec $proxy_host '
                                       '$status $upstream_response_time $request_time';
  access_log /var/log/nginx/access.log main;
  access_log /var/log/nginx/switchyard.log switchyard;
  access_log off;
}`,
      },
    ])
    expect(config.latencyLogs).toEqual(['/var/log/nginx/switchyard.log'])
  })
})
