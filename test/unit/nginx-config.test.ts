import { describe, expect, it } from 'vitest'
import { editUpstream, parseConfig, readConfig, splitDump } from '../../src/main/systems/nginx/nginx-config'
import { parseErrorLog, upstreamErrorPct } from '../../src/main/systems/nginx/error-log'

const UPSTREAMS = `# our API, scaled by hand until now
upstream api {
    least_conn;
    keepalive 16;
    server 10.0.0.10:8000 weight=2 max_fails=3 fail_timeout=30s;   # first
    server 10.0.0.11:8000 max_fails=3 fail_timeout=30s;
    server 10.0.0.12:8000 backup;
}

upstream static { server 10.0.0.20:80; }
`

const MAIN = `pid /run/nginx.pid;
error_log /var/log/nginx/error.log notice;
http {
    include /etc/nginx/conf.d/upstreams.conf;
    server {
        listen 10.0.0.5:80;
        server_name api.example.com "www.example.com";
        location / { proxy_pass http://api; }
        location ~ ^/assets/(?<file>.+)\${suffix}$ { proxy_pass http://static/; }
        location /health { return 200 'ok;{}'; }
    }
}
`

describe('nginx configuration', () => {
  it('splits nginx -T output into its files and reads upstreams, servers, logs and the pid file', () => {
    const dump = `# configuration file /etc/nginx/nginx.conf:\n${MAIN}\n# configuration file /etc/nginx/conf.d/upstreams.conf:\n${UPSTREAMS}\n`
    const files = splitDump(dump)
    expect(files.map((f) => f.path)).toEqual(['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/upstreams.conf'])
    expect(files[1]!.text).toBe(UPSTREAMS)
    const c = readConfig(files)
    expect(c.pidPath).toBe('/run/nginx.pid')
    expect(c.errorLogs).toEqual(['/var/log/nginx/error.log'])
    const api = c.upstreams.find((u) => u.name === 'api')!
    expect(api).toMatchObject({ file: '/etc/nginx/conf.d/upstreams.conf', line: 2, method: 'least_conn', keepalive: 16 })
    expect(api.servers.map((s) => [s.address, s.port, s.weight, s.maxFails, s.failTimeout, s.backup, s.down])).toEqual([
      ['10.0.0.10:8000', 8000, 2, 3, '30s', false, false],
      ['10.0.0.11:8000', 8000, 1, 3, '30s', false, false],
      ['10.0.0.12:8000', 8000, 1, 1, '10s', true, false],
    ])
    expect(c.upstreams.find((u) => u.name === 'static')).toMatchObject({ method: 'round-robin', servers: [{ address: '10.0.0.20:80' }] })
    expect(c.servers).toEqual([
      {
        file: '/etc/nginx/nginx.conf',
        line: 5,
        listen: ['10.0.0.5:80'],
        serverNames: ['api.example.com', 'www.example.com'],
        locations: [
          { path: '/', proxyPass: 'http://api' },
          { path: '~ ^/assets/(?<file>.+)${suffix}$', proxyPass: 'http://static/' },
          { path: '/health', proxyPass: null },
        ],
      },
    ])
  })

  it('names the file and line of a syntax error', () => {
    expect(() => parseConfig('http {\n  server {\n    listen 80;\n', 'site.conf')).toThrow(/site\.conf:2: "server" block is not closed/)
    expect(() => parseConfig('upstream a { server x:1 }', 'u.conf')).toThrow(/u\.conf:1: unexpected "}"/)
    expect(() => parseConfig('x "unterminated;', 'q.conf')).toThrow(/q\.conf:1: unterminated quoted string/)
  })

  it('edits one upstream and leaves every other byte alone', () => {
    const added = editUpstream(UPSTREAMS, 'u.conf', 'api', { add: ['server 10.0.0.13:8000 max_fails=3 fail_timeout=30s;'] })
    expect(added).toBe(
      UPSTREAMS.replace('    server 10.0.0.12:8000 backup;\n', '    server 10.0.0.12:8000 backup;\n    server 10.0.0.13:8000 max_fails=3 fail_timeout=30s;\n'),
    )
    const down = editUpstream(UPSTREAMS, 'u.conf', 'api', { setDown: { '10.0.0.10:8000': true } })
    expect(down).toContain('    server 10.0.0.10:8000 weight=2 max_fails=3 fail_timeout=30s down;   # first\n')
    expect(editUpstream(down, 'u.conf', 'api', { setDown: { '10.0.0.10:8000': false } })).toBe(UPSTREAMS)
    const removed = editUpstream(UPSTREAMS, 'u.conf', 'api', { remove: ['10.0.0.11:8000', '10.0.0.10:8000'] })
    expect(removed).toBe(UPSTREAMS.replace(/ {4}server 10\.0\.0\.1[01]:8000[^\n]*\n/g, ''))
    // a one-line block gets its new server on a line of its own
    expect(editUpstream(UPSTREAMS, 'u.conf', 'static', { add: ['server 10.0.0.21:80;'] })).toContain(
      'upstream static { server 10.0.0.20:80; \n    server 10.0.0.21:80;\n}',
    )
    expect(editUpstream(UPSTREAMS, 'u.conf', 'api', { setDown: { '10.0.0.11:8000': false } })).toBe(UPSTREAMS)
  })

  it('refuses edits that name what is not there', () => {
    expect(() => editUpstream(UPSTREAMS, 'u.conf', 'nope', { add: ['server a:1;'] })).toThrow(/upstream "nope" is not defined in u\.conf/)
    expect(() => editUpstream(UPSTREAMS, 'u.conf', 'api', { remove: ['10.9.9.9:1'] })).toThrow(/has no server 10\.9\.9\.9:1/)
  })
})

describe('nginx error log', () => {
  it('finds upstream failures with their backend, and reloads', () => {
    const log = [
      '2026/11/24 10:00:00 [notice] 100#100: signal 1 (SIGHUP) received from 4242, reconfiguring',
      '2026/11/24 10:00:01 [error] 101#101: *45 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: lab, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:9102/", host: "127.0.0.1:8080"',
      '2026/11/24 10:00:02 [warn] 101#101: *45 upstream server temporarily disabled while connecting to upstream, client: 127.0.0.1, upstream: "http://127.0.0.1:9102/"',
      '2026/11/24 10:00:03 [error] 101#101: *46 no live upstreams while connecting to upstream, client: 127.0.0.1, upstream: "http://app/"',
      'garbage that is not a log line',
    ].join('\n')
    const events = parseErrorLog(log)
    expect(events.map((e) => [e.kind, e.upstream, e.level])).toEqual([
      ['reload', null, 'notice'],
      ['upstream', '127.0.0.1:9102', 'error'],
      ['upstream', '127.0.0.1:9102', 'warn'],
      ['upstream', 'app', 'error'],
    ])
    expect(new Date(events[1]!.at).getSeconds()).toBe(1)
  })

  it('turns the last minute of upstream errors into a share of the requests served', () => {
    const now = 1_000_000
    const failures = [{ at: now - 1000 }, { at: now - 30_000 }, { at: now - 120_000 }]
    expect(upstreamErrorPct(failures, 1, now)).toBeCloseTo((100 * 2) / 60)
    expect(upstreamErrorPct(failures, null, now)).toBeNull()
    expect(upstreamErrorPct([], 0, now)).toBe(0)
    expect(upstreamErrorPct(failures, 0, now)).toBe(100)
  })
})
