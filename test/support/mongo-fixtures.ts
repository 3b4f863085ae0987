import type { MongoMember } from '../../src/shared/systems/mongo'

/** A healthy, caught-up, voting secondary, as the reader builds members, changed where a test says. */
export const mongoMember = (host: string, over: Partial<MongoMember> = {}): MongoMember => ({
  host,
  id: 0,
  state: 'SECONDARY',
  healthy: true,
  initialSync: null,
  lagSeconds: 0,
  optimeAt: 0,
  priority: 1,
  votes: 1,
  hidden: false,
  delaySecs: 0,
  arbiter: false,
  oplog: null,
  disk: null,
  ...over,
})
