// Tiny HTTP backend for the Switchyard lab (runs inside the app containers and Swarm tasks).
//   GET /?ms=N   -> 200 {"instance": "...", "port": 9101, "time": "..."} after N ms (in-flight tests)
//   GET /health  -> 200 "ok"
//   GET /work?ms=N -> 200 after N ms of CPU spent computing (at most 200): load the autoscaler sees
// The port is PORT, or PORT_BASE + SLOT (a Compose container number or a Swarm {{.Task.Slot}}).
// Works both as CommonJS (/app/app-backend.js in the container) and as ESM (repo has
// "type": "module"), hence the dynamic import.
import('node:http').then(({ createServer }) => {
  const port = Number(process.env.PORT || Number(process.env.PORT_BASE || 9100) + Number(process.env.SLOT || 1))
  const host = process.env.HOST || '127.0.0.1'
  const instance = process.env.INSTANCE || `app-${port}`

  const server = createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://backend')
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
      return
    }
    if (req.method === 'GET' && url.pathname === '/work') {
      const spend = Math.min(Number(url.searchParams.get('ms')) || 10, 200)
      const until = Date.now() + spend
      let x = 0
      while (Date.now() < until) x = (x * 31 + 7) % 1_000_003
      res.writeHead(200, { 'content-type': 'application/json', 'x-instance': instance })
      res.end(JSON.stringify({ instance, port, spentMs: spend, x }))
      return
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname === '/') {
      const delay = Math.min(Number(url.searchParams.get('ms')) || 0, 10_000)
      setTimeout(() => {
        const body = JSON.stringify({ instance, port, time: new Date().toISOString() })
        res.writeHead(200, { 'content-type': 'application/json', 'x-instance': instance })
        res.end(req.method === 'HEAD' ? undefined : body)
      }, delay)
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'not found', instance }))
  })

  server.listen(port, host, () => {
    console.log(`${instance} listening on ${host}:${port}`)
  })

  // Finish the requests in flight, then exit: what a well-behaved replica does on SIGTERM.
  const stop = () => {
    server.close(() => process.exit(0))
    server.closeIdleConnections()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})
