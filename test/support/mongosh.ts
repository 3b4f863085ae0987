import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EJSON, type Document } from 'bson'

const require = createRequire(import.meta.url)
const MONGOSH = join(require.resolve('@mongosh/cli-repl/package.json'), '..', 'bin', 'mongosh.js')

/** A home of its own for the shell (logs, history) and a global config that turns telemetry and update checks off. */
function shellHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'switchyard-mongosh-'))
  writeFileSync(join(home, 'mongosh.conf'), 'mongosh:\n  forceDisableTelemetry: true\n  updateURL: ""\n')
  return home
}
let home: string | undefined

/**
 * Runs a script in the official MongoDB shell (mongosh from npm) against `uri` and returns what it
 * printed with print(EJSON.stringify(…)), parsed back: the script ends with `out(value)`.
 */
export function mongosh(uri: string, user: string, password: string, script: string): Promise<Document> {
  home ??= shellHome()
  const body = `const out = (v) => print(EJSON.stringify(v, { relaxed: false }));\n${script}`
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [MONGOSH, uri, '--quiet', '--norc', '-u', user, '-p', password, '--authenticationDatabase', 'admin', '--eval', body],
      {
        timeout: 60_000,
        env: {
          ...process.env,
          HOME: home,
          CI: '1',
          MONGOSH_FORCE_DISABLE_TELEMETRY_FOR_TESTING: '1',
          MONGOSH_GLOBAL_CONFIG_FILE_FOR_TESTING: join(home!, 'mongosh.conf'),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`mongosh failed: ${err.message}\n${stderr}\n${stdout}`))
          return
        }
        const line = stdout.trim().split('\n').pop() ?? ''
        try {
          resolve(EJSON.parse(line, { relaxed: false }) as Document)
        } catch {
          reject(new Error(`mongosh printed no JSON:\n${stdout}\n${stderr}`))
        }
      },
    )
  })
}

/** A number of any BSON numeric class (Int32, Long, Double) or a plain one. */
export const n = (v: unknown): number => Number(v)
