import { readFileSync } from 'node:fs'
import type { Environment, SecretInput } from '../../src/shared/inventory'

/** The lab sshd's host key blob: every lab:up makes a new one, and the lab knows it, so hubs pin it (a first key is otherwise refused). */
export function labHostKey(lab: LabDescription): Buffer {
  return Buffer.from(readFileSync(lab.ssh.hostKeyPath, 'utf8').trim().split(/\s+/)[1] ?? '', 'base64')
}

/** The shape of $SWITCHYARD_LAB_DIR/lab.json that test/lab/up.sh writes. */
export interface LabDescription {
  labDir: string
  ssh: { host: string; port: number; keyPath: string; hostKeyPath: string; passwordUser: string; password: string }
  redis: { seeds: { host: string; port: number }[]; spares: number[]; redisDir: string }
  sentinel: { masterName: string; data: number[]; sentinels: { host: string; port: number }[] }
  postgres: {
    user: string
    password: string
    replicationUser: string
    replicationPassword: string
    database: string
    binDir: string
    nodes: { name: string; host: string; port: number; dataDir: string }[]
  }
  pgbouncer: { host: string; port: number; configPath: string; database: string; logPath: string }
  patroni: { scope: string; etcd: string; configDir: string; members: { name: string; host: string; port: number; restUrl: string; configPath: string }[] }
  nginx: { statusUrl: string; listen: string; swarmListen: string; configPath: string; upstreamPath: string; prefix: string }
  docker: {
    socketPath: string
    image: string
    containers: string[]
    backendPorts: number[]
    compose: { project: string; service: string }
    swarm: { service: string; portBase: number; replicas: number }
  }
  mongo: { mongos: string; user: string; password: string }
  /** The lab CA (PostgreSQL, pgbouncer and the TLS Redis present its certificate), one that signed nothing, and the TLS-only Redis. */
  tls: { caFile: string; wrongCaFile: string; redisSeed: { host: string; port: number } }
}

/** The environment "lab" and its secrets, as a user would enter them. */
export function labEnvironment(lab: LabDescription): { environment: Environment; secrets: SecretInput } {
  const environment: Environment = {
    name: 'lab',
    description: 'Local cluster lab on 127.0.0.1 (npm run lab:up)',
    endpoints: [
      {
        kind: 'ssh',
        id: 'lab-ssh',
        name: 'lab host (root)',
        host: lab.ssh.host,
        port: lab.ssh.port,
        user: 'root',
        auth: { method: 'key', keyPath: lab.ssh.keyPath },
      },
      {
        kind: 'ssh',
        id: 'lab-ssh-postgres',
        name: 'lab host (postgres)',
        host: lab.ssh.host,
        port: lab.ssh.port,
        user: 'postgres',
        auth: { method: 'key', keyPath: lab.ssh.keyPath },
      },
      { kind: 'redis-cluster', id: 'redis', name: 'Redis Cluster', seeds: lab.redis.seeds, tls: false, sshHostId: 'lab-ssh' },
      { kind: 'redis-sentinel', id: 'sentinel', name: 'Redis Sentinel', sentinels: lab.sentinel.sentinels, masterName: lab.sentinel.masterName, tls: false },
      {
        kind: 'postgres',
        id: 'postgres',
        name: 'PostgreSQL',
        user: lab.postgres.user,
        database: lab.postgres.database,
        sslmode: 'verify-full',
        sslrootcert: lab.tls.caFile,
        replicationUser: lab.postgres.replicationUser,
        nodes: lab.postgres.nodes.map((n) => ({
          name: n.name,
          host: n.host,
          port: n.port,
          sshHostId: 'lab-ssh-postgres',
          dataDir: n.dataDir,
          binDir: lab.postgres.binDir,
        })),
      },
      {
        kind: 'pgbouncer',
        id: 'pgbouncer',
        name: 'pgbouncer',
        host: lab.pgbouncer.host,
        port: lab.pgbouncer.port,
        user: lab.postgres.user,
        sslmode: 'verify-full',
        sslrootcert: lab.tls.caFile,
        configPath: lab.pgbouncer.configPath,
        sshHostId: 'lab-ssh-postgres',
      },
      {
        kind: 'postgres',
        id: 'patroni',
        name: `Patroni ${lab.patroni.scope}`,
        user: lab.postgres.user,
        database: 'postgres',
        sslmode: 'disable',
        replicationUser: lab.postgres.replicationUser,
        nodes: lab.patroni.members.map((m) => ({ name: m.name, host: m.host, port: m.port })),
        patroni: { urls: lab.patroni.members.map((m) => m.restUrl) },
      },
      {
        kind: 'nginx',
        id: 'nginx',
        name: 'nginx',
        statusUrl: lab.nginx.statusUrl,
        sshHostId: 'lab-ssh',
        configPath: lab.nginx.configPath,
        prefix: lab.nginx.prefix,
        probePath: '/health',
      },
      { kind: 'mongo', id: 'mongo', name: 'MongoDB', uri: `mongodb://${lab.mongo.user}@${lab.mongo.mongos}/?authSource=admin`, authMechanism: 'DEFAULT' },
      { kind: 'docker', id: 'docker', name: 'app backends', connection: { type: 'socket', path: lab.docker.socketPath }, labelFilter: 'switchyard.lab=1' },
    ],
  }
  return {
    environment,
    secrets: {
      'postgres.password': lab.postgres.password,
      'postgres.replication-password': lab.postgres.replicationPassword,
      'patroni.password': lab.postgres.password,
      'pgbouncer.password': lab.postgres.password,
      'mongo.password': lab.mongo.password,
    },
  }
}
