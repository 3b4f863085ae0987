#!/usr/bin/env node
// Runs the built CLI when present, else the TypeScript source through tsx (a dev dependency).
import { existsSync } from 'node:fs'

const built = new URL('../out/main/cli.js', import.meta.url)
const { runCli } = existsSync(built) ? await import(built.href) : await (await import('tsx/esm/api')).tsImport('../src/main/cli.ts', import.meta.url)
const io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }
process.exitCode = await runCli(process.argv.slice(2), io)
