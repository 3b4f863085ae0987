import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Environment } from '../../src/shared/inventory'
import { KeyFileCipher } from '../../src/main/core/inventory/secret-cipher'
import { ServiceHub } from '../../src/main/core/service-hub'
import { labEnvironment, labHostKey, type LabDescription } from '../lab/lab-environment'

export const LAB_DIR = process.env.SWITCHYARD_LAB_DIR ?? '/tmp/switchyard-lab'

export function labDescription(): LabDescription {
  const path = join(LAB_DIR, 'lab.json')
  if (!existsSync(path)) throw new Error(`the lab is not up (${path} missing): run npm run lab:up`)
  return JSON.parse(readFileSync(path, 'utf8')) as LabDescription
}

/** A fresh data folder and hub holding the environment "lab", as a test's private world. */
export async function labHub(): Promise<{ hub: ServiceHub; env: Environment; lab: LabDescription; dataDir: string }> {
  const lab = labDescription()
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-test-'))
  const hub = new ServiceHub({ dataDir, cipher: new KeyFileCipher(dataDir) })
  const { environment, secrets } = labEnvironment(lab)
  await hub.inventory.save(environment, secrets)
  await hub.knownHosts.pin(lab.ssh.host, lab.ssh.port, labHostKey(lab))
  return { hub, env: environment, lab, dataDir }
}
