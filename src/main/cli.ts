import { runCli } from './app/cli'

export { runCli }

const isEntry = process.argv[1] && /cli\.(js|ts)$/.test(process.argv[1])
if (isEntry) void runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then((code) => process.exit(code))
