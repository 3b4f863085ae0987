# shellcheck shell=bash
# MongoDB: no mongod can be installed here, so the lab runs its wire-protocol peer
# (test/lab/mongo-peer) simulating a 7.0 sharded cluster: mongos on 27100, the config replica set
# and shard sets shardA-C plus the spare set shardD (for add-shard) on 27101-27115.

LAB_MONGOS_PORT=27100
LAB_MONGO_FIRST_MEMBER=27101
LAB_MONGO_USER=switchyard
LAB_MONGO_PASS=lab-mongo-pass
LAB_ALL_PORTS+=($(seq 27100 27115))

lab_mongo_up() {
  local dir=$LAB/mongo
  mkdir -p "$dir"
  if pid_alive "$dir/pid" && port_listening "$LAB_MONGOS_PORT"; then
    log "mongo peer already running (mongos $LAB_HOST:$LAB_MONGOS_PORT)"
    return 0
  fi
  # Detached, and holding none of this script's file descriptors: callers that pipe lab:up's output
  # (CI, tests) must see it end.
  (
    cd "$LAB_REPO" || exit 1
    exec setsid node --import tsx test/lab/mongo-peer/main.ts \
      "$LAB_MONGOS_PORT" "$LAB_MONGO_FIRST_MEMBER" "$LAB_MONGO_USER" "$LAB_MONGO_PASS" "$dir/pid"
  ) </dev/null >>"$dir/log" 2>&1 &
  wait_until 30 "the mongo peer to listen on $LAB_MONGOS_PORT" port_listening "$LAB_MONGOS_PORT" ||
    die "mongo peer did not start" "$dir/log"
  log "mongo ok: mongos $LAB_HOST:$LAB_MONGOS_PORT (lab peer, MongoDB 7.0 shapes), members $LAB_MONGO_FIRST_MEMBER-27115"
}

lab_mongo_down() {
  [[ -f $LAB/mongo/pid ]] && kill_pidfile "$LAB/mongo/pid" 5
  wait_until 5 "mongos port to close" port_closed "$LAB_MONGOS_PORT" || true
  log "mongo peer stopped"
}
