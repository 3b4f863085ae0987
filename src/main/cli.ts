import { runCli } from './app/cli'
import { terminalSafe } from './core/terminal-text'

export { runCli }

const isEntry = process.argv[1] && /cli\.(js|ts)$/.test(process.argv[1])
if (isEntry)
  void runCli(process.argv.slice(2), { out: (s) => process.stdout.write(terminalSafe(s)), err: (s) => process.stderr.write(terminalSafe(s)) }).then((code) =>
    process.exit(code),
  )
