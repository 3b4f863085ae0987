import { runCli, terminalIo } from './app/cli'

export { runCli }

const isEntry = process.argv[1] && /cli\.(js|ts)$/.test(process.argv[1])
if (isEntry) void runCli(process.argv.slice(2), terminalIo()).then((code) => process.exit(code))
