import http from 'node:http'

export interface LoadResult {
  requests: number
  failed: number
  /** The first few failures, for the assertion message. */
  errors: string[]
  byInstance: Record<string, number>
}

/**
 * A bounded request loop through nginx on loopback: `concurrency` workers each send GETs one after
 * another (a new connection each) until stop() or maxMs; a non-2xx or a socket error is a failure.
 */
export function loadLoop(url: string, opts: { concurrency?: number; maxMs?: number; maxRequests?: number } = {}): { stop: () => Promise<LoadResult> } {
  const target = new URL(url)
  if (!/^127\./.test(target.hostname)) throw new Error('load loops talk to loopback only')
  const result: LoadResult = { requests: 0, failed: 0, errors: [], byInstance: {} }
  const deadline = Date.now() + (opts.maxMs ?? 120_000)
  const maxRequests = opts.maxRequests ?? 200_000
  let stopped = false
  const agent = new http.Agent({ keepAlive: false })
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, timeout: 5000 }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => {
          result.requests++
          if ((res.statusCode ?? 0) >= 300) {
            result.failed++
            if (result.errors.length < 5) result.errors.push(`HTTP ${res.statusCode}: ${body.slice(0, 100)}`)
          } else {
            const instance = String(res.headers['x-instance'] ?? '?')
            result.byInstance[instance] = (result.byInstance[instance] ?? 0) + 1
          }
          resolve()
        })
      })
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', (err) => {
        result.requests++
        result.failed++
        if (result.errors.length < 5) result.errors.push(err.message)
        resolve()
      })
    })
  const worker = async () => {
    while (!stopped && Date.now() < deadline && result.requests < maxRequests) await one()
  }
  const workers = Array.from({ length: opts.concurrency ?? 4 }, worker)
  return {
    stop: async () => {
      stopped = true
      await Promise.all(workers)
      agent.destroy()
      return result
    },
  }
}
