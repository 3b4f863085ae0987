import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

/**
 * The one Content-Security-Policy of the renderer, in the Electron window (app://) and in web
 * mode: its own scripts only, no eval, no plugins, no framing; `connect` adds web mode's socket.
 */
export function contentSecurityPolicy(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/** A URL path's file inside the renderer folder; undefined for a malformed escape or a path that leaves the folder. */
export function rendererFile(rendererDir: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const rel = normalize(decoded).replace(/^([/\\])+/, '')
  const path = join(rendererDir, rel === '' ? 'index.html' : rel)
  return path.startsWith(rendererDir + sep) ? path : undefined
}

export interface RendererReply {
  status: 200 | 404
  type: string
  body: Buffer | string
}

/** A renderer file, or index.html for a route without an extension (client-side navigation), or 404. */
export async function readRendererFile(rendererDir: string, path: string): Promise<RendererReply> {
  try {
    return { status: 200, type: TYPES[extname(path)] ?? 'application/octet-stream', body: await readFile(path) }
  } catch {
    const index = extname(path) ? undefined : await readFile(join(rendererDir, 'index.html')).catch(() => undefined)
    return index ? { status: 200, type: TYPES['.html']!, body: index } : { status: 404, type: 'text/plain', body: 'not found' }
  }
}
