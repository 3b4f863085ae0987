import type { Document } from 'bson'
import { createServer, type Server, type Socket } from 'node:net'
import { ShardedCluster } from './cluster'
import type { CollectionSeed, PeerTimings } from './cluster-types'
import { CommandSet, type PeerUser, type Session } from './commands'
import { PeerError } from './peer-error'
import type { MemberSpec } from './replica-set'
import { encodeReply, MessageReader, type Request } from './wire'

export interface PeerOptions {
  host?: string
  /** Port of the mongos; 0 for any free port (members too then). */
  mongosPort: number
  /** First port of the members: config set, then each set in order, three each; 0 for free ports. */
  firstMemberPort: number
  version?: string
  timings?: Partial<PeerTimings>
  users?: PeerUser[]
  /** Replica sets in the cluster from the start, then spare sets that addShard can bring in. */
  shards: string[]
  spares?: string[]
  /** Per set name, its members' settings (priority, hidden, lag, …). */
  members?: Record<string, MemberSpec[]>
  collections?: CollectionSeed[]
  /** Run the balancer loop at all (false for benchmarks that want a still cluster). */
  balancer?: boolean
  /** Start with the balancer stopped (sh.stopBalancer()), as a DBA may find a cluster. */
  balancerOff?: boolean
}

export interface MongoPeer {
  cluster: ShardedCluster
  commands: CommandSet
  /** mongodb:// address of the mongos. */
  mongos: string
  /** The next `times` replies to commands that match are cut off halfway and their connections dropped. */
  cutReplies(match: (command: Document) => boolean, times: number): void
  /** Awaitable hellos that allowed exhaust: a driver monitoring this cluster by streaming. */
  helloStreams(): number
  close(): Promise<void>
}

/**
 * A MongoDB wire-protocol peer: a mongos and every replica-set member of a simulated 7.0 sharded
 * cluster, each on its own 127.0.0.1 port, all backed by one ShardedCluster.
 */
export async function startMongoPeer(o: PeerOptions): Promise<MongoPeer> {
  const host = o.host ?? '127.0.0.1'
  const servers: Server[] = []
  const sockets = new Set<Socket>()
  const cuts: { match: (command: Document) => boolean; left: number } = { match: () => false, left: 0 }
  let connectionSeq = 1
  let closing = false
  let streams = 0
  let commands: CommandSet | undefined
  let cluster: ShardedCluster | undefined

  /** Awaitable hellos waiting for a topology change or their maxAwaitTimeMS; close() wakes them. */
  const waiting = new Set<() => void>()

  const answer = (session: Session, command: Document): Promise<Document> =>
    commands!
      .run(session, command)
      .catch((err: unknown) =>
        err instanceof PeerError
          ? { ok: 0, errmsg: err.message, code: err.code, codeName: err.codeName }
          : { ok: 0, errmsg: String(err), code: 1, codeName: 'InternalError' },
      )
      .then((body) => ({ ...body, ...cluster!.clusterTime() }))

  const send = (socket: Socket, request: Pick<Request, 'opCode' | 'requestId'>, command: Document, body: Document, moreToCome = false) => {
    const reply = encodeReply(request, body, moreToCome)
    if (cuts.left > 0 && cuts.match(command)) {
      cuts.left--
      socket.write(reply.bytes.subarray(0, Math.floor(reply.bytes.length / 2)), () => socket.destroy())
      return null
    }
    socket.write(reply.bytes)
    return reply.requestId
  }

  /**
   * An awaitable hello (topologyVersion + maxAwaitTimeMS): answered when the server's topology
   * version moves past the client's or the wait runs out; with exhaustAllowed, answered again and
   * again with moreToCome, which is how drivers stream server monitoring
   * (src/mongo/db/repl/replication_info.cpp; jstests/noPassthrough/awaitable_hello.js).
   */
  const streamHello = async (socket: Socket, session: Session, request: Request) => {
    if (request.exhaustAllowed) streams++
    let answerTo = request.requestId
    let known = request.command.topologyVersion as Document
    const waitMs = Math.min(Number(request.command.maxAwaitTimeMS), 60_000)
    for (;;) {
      if (commands!.topologyCurrent(session, known)) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer)
            stop()
            socket.off('close', wake)
            waiting.delete(wake)
            resolve()
          }
          const timer = setTimeout(wake, waitMs)
          const stop = commands!.onTopologyChange(session, wake)
          socket.once('close', wake)
          waiting.add(wake)
        })
      }
      if (socket.destroyed || closing) return
      const body = await answer(session, request.command)
      const more = request.exhaustAllowed && body.ok === 1
      const id = send(socket, { opCode: request.opCode, requestId: answerTo }, request.command, body, more)
      if (!more || id === null) return
      answerTo = id
      known = body.topologyVersion as Document
    }
  }

  const listen = async (port: number, role: Session['role']): Promise<string> => {
    let address = ''
    const server = createServer((socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => undefined)
      const session: Session = { host: address, role, connectionId: connectionSeq++ }
      commands!.connected(session, socket)
      const reader = new MessageReader()
      socket.on('data', (chunk) => {
        commands!.received(session, chunk.length)
        let requests
        try {
          requests = reader.push(chunk)
        } catch {
          socket.destroy()
          return
        }
        for (const request of requests) {
          const name = (Object.keys(request.command)[0] ?? '').toLowerCase()
          if ((name === 'hello' || name === 'ismaster') && request.command.topologyVersion && request.command.maxAwaitTimeMS !== undefined) {
            void streamHello(socket, session, request)
            continue
          }
          void answer(session, request.command).then((body) => {
            if (!socket.destroyed) send(socket, request, request.command, body)
          })
        }
      })
    })
    servers.push(server)
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => resolve())
    })
    const bound = server.address()
    address = `${host}:${typeof bound === 'object' && bound ? bound.port : port}`
    return address
  }

  try {
    const mongos = await listen(o.mongosPort, 'mongos')
    let next = o.firstMemberPort
    const hostsOfSet = async () => {
      const hosts: string[] = []
      for (let i = 0; i < 3; i++) hosts.push(await listen(next ? next++ : 0, 'member'))
      return hosts
    }
    const timings: PeerTimings = { electionMs: 1500, migrationMs: 800, balancerRoundMs: 1000, ...o.timings }
    cluster = new ShardedCluster(o.version ?? '7.0.14', timings, mongos, { name: 'configRepl', hosts: await hostsOfSet() })
    for (const name of [...o.shards, ...(o.spares ?? [])]) cluster.addSet(name, await hostsOfSet(), false, o.members?.[name])
    for (const name of o.shards) cluster.joinShard(name)
    for (const seed of o.collections ?? []) cluster.seed(seed)
    commands = new CommandSet(cluster, o.users ?? [])
    if (o.balancerOff) cluster.setBalancer(false)
    if (o.balancer !== false) cluster.startBalancer()
    const c = cluster
    return {
      cluster: c,
      commands,
      mongos: `mongodb://${mongos}`,
      helloStreams: () => streams,
      cutReplies: (match, times) => {
        cuts.match = match
        cuts.left = times
      },
      close: async () => {
        closing = true
        for (const wake of waiting) wake()
        c.close()
        for (const s of sockets) s.destroy()
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
      },
    }
  } catch (err) {
    cluster?.close()
    for (const s of servers) s.close()
    throw err
  }
}
