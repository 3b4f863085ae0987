// Tiny HTTP backend for the Switchyard lab (runs inside the sy-app-N containers).
//   GET /        -> 200 {"instance": "...", "port": 9101, "time": "..."}
//   GET /health  -> 200 "ok"
// Works both as CommonJS (/app/app-backend.js in the container) and as ESM (repo has
// "type": "module"), hence the dynamic import.
import('node:http').then(({ createServer }) => {
  const port = Number(process.env.PORT || 9101)
  const host = process.env.HOST || '127.0.0.1'
  const instance = process.env.INSTANCE || `app-${port}`

  const server = createServer((req, res) => {
    const path = (req.url || '/').split('?')[0]
    if (req.method === 'GET' && path === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end('ok')
      return
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/') {
      const body = JSON.stringify({ instance, port, time: new Date().toISOString() })
      res.writeHead(200, { 'content-type': 'application/json', 'x-instance': instance })
      res.end(req.method === 'HEAD' ? undefined : body)
      return
    }
    res.writeHead(404, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: 'not found', instance }))
  })

  server.listen(port, host, () => {
    console.log(`${instance} listening on ${host}:${port}`)
  })

  const stop = () => server.close(() => process.exit(0))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
})
