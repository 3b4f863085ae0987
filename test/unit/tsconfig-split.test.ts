import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '../..')

/** Type-check one in-memory file under a config of the repository, as if it sat at `path`. */
function diagnostics(config: string, path: string, code: string): string[] {
  const { config: raw } = ts.readConfigFile(join(root, config), (f) => ts.sys.readFile(f))
  const { options } = ts.parseJsonConfigFileContent(raw, ts.sys, root)
  const file = join(root, path)
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, code, lang) : read(name, lang, ...rest))
  const program = ts.createProgram([file], options, host)
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('one tsconfig per runtime', () => {
  it('the renderer has DOM types and no Node types', () => {
    expect(diagnostics('tsconfig.web.json', 'src/renderer/src/probe.ts', 'export const w: number = window.innerWidth')).toEqual([])
    expect(diagnostics('tsconfig.web.json', 'src/renderer/src/probe.ts', 'export const e = process.env.HOME').join('\n')).toMatch(/Cannot find name 'process'/)
    expect(diagnostics('tsconfig.web.json', 'src/renderer/src/probe.ts', 'export const b = Buffer.from("x")').join('\n')).toMatch(/Cannot find name 'Buffer'/)
  })

  it('main has Node types and no DOM types', () => {
    expect(diagnostics('tsconfig.node.json', 'src/main/core/probe.ts', 'export const e = process.env.HOME')).toEqual([])
    expect(diagnostics('tsconfig.node.json', 'src/main/core/probe.ts', 'export const t = document.title').join('\n')).toMatch(/Cannot find name 'document'/)
    expect(diagnostics('tsconfig.node.json', 'src/main/core/probe.ts', 'export const w = window.innerWidth').join('\n')).toMatch(/Cannot find name 'window'/)
  })
})
