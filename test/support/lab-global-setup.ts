import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/** Integration and e2e tests need the lab; bring it up when it is not (idempotent, and left running). */
export default function setup(): void {
  const labDir = process.env.SWITCHYARD_LAB_DIR ?? '/tmp/switchyard-lab'
  if (existsSync(join(labDir, 'lab.json'))) return
  execFileSync('bash', [join(__dirname, '../lab/up.sh')], { stdio: 'inherit' })
}
