import { writeFileSync } from 'node:fs'
import { labScenario } from './scenario'
import { startMongoPeer } from './server'

/**
 * The lab's MongoDB: `tsx main.ts <mongosPort> <firstMemberPort> <user> <password> [pidfile]`.
 * Runs until SIGTERM; test/lab/lib/mongo.sh starts and stops it.
 */
const [mongosPort, firstMember, user, password, pidFile] = process.argv.slice(2)
if (!mongosPort || !firstMember || !user || !password) {
  process.stderr.write('usage: main.ts <mongosPort> <firstMemberPort> <user> <password> [pidfile]\n')
  process.exit(2)
}
const peer = await startMongoPeer(
  labScenario({ mongos: Number(mongosPort), firstMember: Number(firstMember) }, [
    { user, password, role: 'root' },
    { user: 'monitor', password, role: 'clusterMonitor' },
  ]),
)
if (pidFile) writeFileSync(pidFile, `${process.pid}\n`)
process.stdout.write(`mongo peer: mongos ${peer.mongos}, members from ${firstMember}\n`)
const stop = () => void peer.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
