import { readFileSync } from 'node:fs'
import { defaultDataDir } from '../../src/main/core/app-paths'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { labEnvironment, labHostKey, type LabDescription } from './lab-environment'

/** Registers (or refreshes) the environment "lab" in the app's inventory, as a user would. */
const path = process.argv[2]
if (!path) throw new Error('usage: write-inventory.ts <lab.json>')
const lab = JSON.parse(readFileSync(path, 'utf8')) as LabDescription
const dataDir = defaultDataDir()
const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
const { environment, secrets } = labEnvironment(lab)
const exists = await hub.inventory.exists('lab')
await hub.inventory.save(environment, secrets, exists ? 'lab' : undefined)
const pinned = await hub.knownHosts.pin(lab.ssh.host, lab.ssh.port, labHostKey(lab))
process.stdout.write(`lab: environment "lab" written to ${dataDir}; sshd key ${pinned.fingerprint} pinned\n`)
