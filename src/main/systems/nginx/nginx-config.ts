import { isLatencyFormat } from './latency-log'
import { SwitchyardError } from '../../core/errors'

/** One directive of an nginx config file with where it sits, so an edit can splice the text around it. */
export interface Directive {
  name: string
  args: string[]
  line: number
  /** Offsets in the file: the first character of the name, and just past its ';' or closing '}'. */
  start: number
  end: number
  block?: Directive[]
  /** For a block: the offset of its closing '}'. */
  blockClose?: number
}

interface Token {
  text: string
  quoted: boolean
  start: number
  end: number
  line: number
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  const fail = (why: string): never => {
    throw new SwitchyardError('protocol', `${file}:${line}: ${why}`)
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '\n') {
      line++
      i++
    } else if (/\s/.test(c)) i++
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === ';' || c === '{' || c === '}') {
      tokens.push({ text: c, quoted: false, start: i, end: i + 1, line })
      i++
    } else if (c === '"' || c === "'") {
      const start = i
      const startLine = line
      let value = ''
      i++
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < text.length) i++
        if (text[i] === '\n') line++
        value += text.charAt(i)
        i++
      }
      if (i >= text.length) fail('unterminated quoted string')
      i++
      tokens.push({ text: value, quoted: true, start, end: i, line: startLine })
    } else {
      const start = i
      while (i < text.length && !/[\s;{}]/.test(text[i]!)) {
        // ${name} is one variable, not a block
        if (text[i] === '$' && text[i + 1] === '{') {
          const close = text.indexOf('}', i)
          if (close < 0) fail('unterminated ${ variable')
          i = close + 1
        } else i++
      }
      tokens.push({ text: text.slice(start, i), quoted: false, start, end: i, line })
    }
  }
  return tokens
}

/** Parse one config file's text into its directive tree; a syntax error names the file and line. */
export function parseConfig(text: string, file = 'nginx.conf'): Directive[] {
  const tokens = tokenize(text, file)
  let pos = 0
  const parseBlock = (nested: boolean): { directives: Directive[]; close?: number } => {
    const directives: Directive[] = []
    while (pos < tokens.length) {
      const t = tokens[pos]!
      if (!t.quoted && t.text === '}') {
        if (!nested) throw new SwitchyardError('protocol', `${file}:${t.line}: unexpected "}"`)
        pos++
        return { directives, close: t.start }
      }
      if (!t.quoted && (t.text === ';' || t.text === '{')) throw new SwitchyardError('protocol', `${file}:${t.line}: unexpected "${t.text}"`)
      const args: string[] = []
      pos++
      for (;;) {
        const a = tokens[pos]
        if (!a) throw new SwitchyardError('protocol', `${file}:${t.line}: "${t.text}" is not terminated by ";" or "{"`)
        pos++
        if (!a.quoted && a.text === ';') {
          directives.push({ name: t.text, args, line: t.line, start: t.start, end: a.end })
          break
        }
        if (!a.quoted && a.text === '{') {
          const inner = parseBlock(true)
          if (inner.close === undefined) throw new SwitchyardError('protocol', `${file}:${t.line}: "${t.text}" block is not closed`)
          directives.push({ name: t.text, args, line: t.line, start: t.start, end: inner.close + 1, block: inner.directives, blockClose: inner.close })
          break
        }
        if (!a.quoted && a.text === '}') throw new SwitchyardError('protocol', `${file}:${a.line}: unexpected "}"`)
        args.push(a.text)
      }
    }
    if (nested) return { directives }
    return { directives }
  }
  return parseBlock(false).directives
}

/** The files `nginx -T` printed, each after its "# configuration file <path>:" header. */
export function splitDump(dump: string): { path: string; text: string }[] {
  const files: { path: string; text: string }[] = []
  const header = /^# configuration file (.+):$/gm
  const marks = [...dump.matchAll(header)]
  marks.forEach((m, i) => {
    const from = m.index + m[0].length + 1
    const to = i + 1 < marks.length ? marks[i + 1]!.index : dump.length
    files.push({ path: m[1]!, text: dump.slice(from, to).replace(/\n$/, '') })
  })
  if (files.length === 0) throw new SwitchyardError('protocol', 'nginx -T printed no "# configuration file" sections')
  return files
}

export interface UpstreamServer {
  address: string
  host: string
  port: number | null
  weight: number
  maxFails: number
  failTimeout: string
  maxConns: number | null
  backup: boolean
  down: boolean
  /** The parameters as written, e.g. ["max_fails=3", "fail_timeout=30s"]. */
  params: string[]
  line: number
}

export type BalancingMethod = 'round-robin' | 'least_conn' | 'ip_hash' | 'hash' | 'random' | 'least_time'

export interface Upstream {
  name: string
  file: string
  line: number
  method: BalancingMethod
  methodArgs: string[]
  keepalive: number | null
  servers: UpstreamServer[]
}

export interface ServerBlock {
  file: string
  line: number
  listen: string[]
  serverNames: string[]
  locations: { path: string; proxyPass: string | null }[]
}

export interface NginxConfig {
  upstreams: Upstream[]
  servers: ServerBlock[]
  errorLogs: string[]
  /** Access logs written in the switchyard format (response times per upstream). */
  latencyLogs: string[]
  pidPath: string | null
}

const METHODS: readonly BalancingMethod[] = ['least_conn', 'ip_hash', 'hash', 'random', 'least_time']

function splitAddress(address: string): { host: string; port: number | null } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address)
  return m ? { host: m[1]!, port: m[2] ? Number(m[2]) : null } : { host: address, port: null }
}

function param(args: string[], key: string): string | undefined {
  return args.find((a) => a.startsWith(`${key}=`))?.slice(key.length + 1)
}

function upstreamServer(d: Directive): UpstreamServer {
  const [address = '', ...rest] = d.args
  return {
    address,
    ...splitAddress(address),
    weight: Number(param(rest, 'weight') ?? 1),
    maxFails: Number(param(rest, 'max_fails') ?? 1),
    failTimeout: param(rest, 'fail_timeout') ?? '10s',
    maxConns: param(rest, 'max_conns') === undefined ? null : Number(param(rest, 'max_conns')),
    backup: rest.includes('backup'),
    down: rest.includes('down'),
    params: rest,
    line: d.line,
  }
}

function walk(directives: Directive[], visit: (d: Directive, parents: Directive[]) => void, parents: Directive[] = []): void {
  for (const d of directives) {
    visit(d, parents)
    if (d.block) walk(d.block, visit, [...parents, d])
  }
}

/** Upstreams, server blocks and logs of the effective configuration (every file nginx -T printed). */
export function readConfig(files: { path: string; text: string }[]): NginxConfig {
  const config: NginxConfig = { upstreams: [], servers: [], errorLogs: [], latencyLogs: [], pidPath: null }
  const formats = new Map<string, string>()
  const accessLogs: { path: string; format: string }[] = []
  for (const f of files) {
    walk(parseConfig(f.text, f.path), (d, parents) => {
      if (d.name === 'upstream' && d.block) {
        const method = d.block.find((x) => (METHODS as readonly string[]).includes(x.name))
        const keepalive = d.block.find((x) => x.name === 'keepalive')
        config.upstreams.push({
          name: d.args[0] ?? '',
          file: f.path,
          line: d.line,
          method: (method?.name as BalancingMethod | undefined) ?? 'round-robin',
          methodArgs: method?.args ?? [],
          keepalive: keepalive ? Number(keepalive.args[0]) : null,
          servers: d.block.filter((x) => x.name === 'server').map(upstreamServer),
        })
      } else if (d.name === 'server' && d.block && parents.at(-1)?.name === 'http') {
        const locations: ServerBlock['locations'] = []
        walk(d.block, (x) => {
          if (x.name === 'location' && x.block)
            locations.push({ path: x.args.join(' '), proxyPass: x.block.find((p) => p.name === 'proxy_pass')?.args[0] ?? null })
        })
        config.servers.push({
          file: f.path,
          line: d.line,
          listen: d.block.filter((x) => x.name === 'listen').map((x) => x.args.join(' ')),
          serverNames: d.block.filter((x) => x.name === 'server_name').flatMap((x) => x.args),
          locations,
        })
      } else if (d.name === 'error_log' && d.args[0] && d.args[0] !== 'stderr' && !d.args[0].startsWith('syslog:')) {
        config.errorLogs.push(d.args[0])
      } else if (d.name === 'log_format' && d.args[0]) {
        formats.set(
          d.args[0],
          d.args
            .slice(1)
            .filter((a) => !a.startsWith('escape='))
            .join(''),
        )
      } else if (d.name === 'access_log' && d.args[0] && d.args[0] !== 'off' && d.args[1] && !d.args[0].startsWith('syslog:')) {
        accessLogs.push({ path: d.args[0], format: d.args[1] })
      } else if (d.name === 'pid' && parents.length === 0) config.pidPath = d.args[0] ?? null
    })
  }
  config.latencyLogs = [...new Set(accessLogs.filter((a) => isLatencyFormat(formats.get(a.format) ?? '')).map((a) => a.path))]
  return config
}

function upstreamBlock(text: string, file: string, name: string): Directive {
  let found: Directive | undefined
  walk(parseConfig(text, file), (d) => {
    if (d.name === 'upstream' && d.args[0] === name && d.block) found = d
  })
  if (!found) throw new SwitchyardError('config', `upstream "${name}" is not defined in ${file}`)
  return found
}

/** The span of a directive including its indentation and line break when it stands alone on its line. */
function lineSpan(text: string, d: Directive): [number, number] {
  const lineStart = text.lastIndexOf('\n', d.start - 1) + 1
  const lineEnd = text.indexOf('\n', d.end)
  const before = text.slice(lineStart, d.start)
  const after = text.slice(d.end, lineEnd < 0 ? text.length : lineEnd)
  if (/^\s*$/.test(before) && /^\s*(#.*)?$/.test(after)) return [lineStart, lineEnd < 0 ? text.length : lineEnd + 1]
  return [d.start, d.end]
}

function splice(text: string, edits: { from: number; to: number; insert: string }[]): string {
  let out = text
  for (const e of [...edits].sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.insert + out.slice(e.to)
  return out
}

export interface UpstreamEdit {
  /** Addresses to mark down (true) or bring back (false). */
  setDown?: Record<string, boolean>
  /** Whole `server` directives to append, e.g. "server 10.0.0.7:8000 max_fails=3 fail_timeout=30s;". */
  add?: string[]
  remove?: string[]
}

/** The file's text with one upstream block edited; everything else, comments included, is left as it was. */
export function editUpstream(text: string, file: string, name: string, edit: UpstreamEdit): string {
  const block = upstreamBlock(text, file, name)
  const servers = (block.block ?? []).filter((d) => d.name === 'server')
  const edits: { from: number; to: number; insert: string }[] = []
  const known = new Set(servers.map((s) => s.args[0]))
  for (const address of [...Object.keys(edit.setDown ?? {}), ...(edit.remove ?? [])])
    if (!known.has(address)) throw new SwitchyardError('config', `upstream "${name}" in ${file} has no server ${address}`)
  for (const s of servers) {
    const address = s.args[0]!
    if (edit.remove?.includes(address)) {
      const [from, to] = lineSpan(text, s)
      edits.push({ from, to, insert: '' })
      continue
    }
    const down = edit.setDown?.[address]
    if (down === undefined || down === s.args.includes('down')) continue
    const args = down ? [...s.args, 'down'] : s.args.filter((a) => a !== 'down')
    edits.push({ from: s.start, to: s.end, insert: `server ${args.join(' ')};` })
  }
  if (edit.add?.length) {
    const last = servers.at(-1) ?? block
    const lineStart = text.lastIndexOf('\n', last.start - 1) + 1
    const before = text.slice(lineStart, last.start)
    const indent = servers.length && /^\s*$/.test(before) ? before : '    '
    const close = block.blockClose!
    const closeLineStart = text.lastIndexOf('\n', close - 1) + 1
    const atLineStart = /^\s*$/.test(text.slice(closeLineStart, close))
    const lines = edit.add.map((l) => `${indent}${l}\n`).join('')
    edits.push(atLineStart ? { from: closeLineStart, to: closeLineStart, insert: lines } : { from: close, to: close, insert: `\n${lines}` })
  }
  return splice(text, edits)
}
