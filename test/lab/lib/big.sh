# shellcheck shell=bash
# A large Redis Cluster on loopback (default 60 masters + 60 replicas) for scale tests and benches:
# ports from LAB_BIG_BASE (bus ports +10000, below the kernel's ephemeral range), state in $LAB/big.

LAB_BIG_BASE=21000
LAB_BIG=$LAB/big

big_ports() { # count -> ports
  local i
  for ((i = 0; i < $1; i++)); do printf '%s\n' $((LAB_BIG_BASE + i)); done
}

# All nodes in one session whose scheduling group runs at nice 10. The kernel's autogroups give
# every session an equal share of the CPU, and a redis-server that daemonizes starts a session of
# its own: 120 of them would each weigh as much as the app that watches them. On loopback the
# cluster stands in for hosts of its own; it gets the CPU the app leaves.
big_start_nodes() { # ports...
  local port
  local -a dirs=()
  for port; do
    dirs+=("$LAB_BIG/$port")
    mkdir -p "$LAB_BIG/$port"
    redis_node_conf "$port" "$LAB_BIG/$port" 'cluster-node-timeout 15000' >"$LAB_BIG/$port/redis.conf"
  done
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c '
    echo 10 >/proc/self/autogroup 2>/dev/null || true
    for dir; do nice -n 10 redis-server "$dir/redis.conf" --daemonize no </dev/null >>"$dir/redis.log" 2>&1 & done
  ' big-nodes "${dirs[@]}"
}

big_converged() { # first-port count replicas
  redis-cli -h "$LAB_HOST" -p "$1" --cluster check "$LAB_HOST:$1" </dev/null 2>/dev/null | grep -q "All $((16384)) slots covered" || return 1
  [[ $(rcli "$1" cluster info | tr -d '\r' | awk -F: '$1 == "cluster_known_nodes" { print $2 }') == "$2" ]] || return 1
  [[ $(rcli "$1" cluster nodes | grep -c ' slave ') == "$3" ]]
}

# A replica redis-cli could not attach (it did not yet know its master under load) stays an empty
# master: give each one to a master that lacks a replica.
big_attach_replicas() { # first-port replicas-per-master
  local nodes empty needy id
  nodes=$(rcli "$1" cluster nodes)
  mapfile -t empty < <(awk '$3 ~ /master/ && NF == 8 { split($2, a, "@"); print a[1] }' <<<"$nodes")
  mapfile -t needy < <(awk -v want="$2" '$3 ~ /slave/ { n[$4]++ } $3 ~ /master/ && NF > 8 { m[$1] = 1 } END { for (id in m) for (i = n[id]; i < want; i++) print id }' <<<"$nodes")
  local i
  for ((i = 0; i < ${#empty[@]} && i < ${#needy[@]}; i++)); do
    id=${needy[$i]}
    redis-cli -h "${empty[$i]%:*}" -p "${empty[$i]##*:}" cluster replicate "$id" >/dev/null 2>&1 || true
  done
}

lab_big_up() { # masters replicas-per-master
  local masters=$1 replicas=$2 total port
  total=$((masters * (1 + replicas)))
  ((total <= 180)) || die "at most 180 nodes (ports $LAB_BIG_BASE-$((LAB_BIG_BASE + 179)))"
  if [[ -f $LAB_BIG/big.json ]] && grep -q "\"nodes\": $total," "$LAB_BIG/big.json" && big_converged "$LAB_BIG_BASE" "$total" $((masters * replicas)); then
    log "big cluster already up: $total nodes from $LAB_BIG_BASE"
    return 0
  fi
  lab_big_down
  mkdir -p "$LAB_BIG"
  local -a ports addrs=()
  mapfile -t ports < <(big_ports "$total")
  big_start_nodes "${ports[@]}"
  for port in "${ports[@]}"; do
    wait_until 10 "redis $port to answer PING" redis_ping "$port" || die "big node $port does not answer PING" "$LAB_BIG/$port/redis.log"
    addrs+=("$LAB_HOST:$port")
  done
  log "creating a $masters-master cluster with $replicas replica(s) each on ${ports[0]}-${ports[-1]}"
  redis-cli --cluster create "${addrs[@]}" --cluster-replicas "$replicas" --cluster-yes </dev/null >"$LAB_BIG/cluster-create.log" 2>&1 ||
    die "redis-cli --cluster create failed" "$LAB_BIG/cluster-create.log"
  if ! wait_until 30 "the big cluster to converge" big_converged "${ports[0]}" "$total" $((masters * replicas)); then
    big_attach_replicas "${ports[0]}" "$replicas"
    wait_until 90 "the big cluster to converge" big_converged "${ports[0]}" "$total" $((masters * replicas)) ||
      die "the big cluster did not converge" "$LAB_BIG/cluster-create.log"
  fi
  # fewer pings between 120 nodes on a 2-core machine: the bus otherwise keeps most of a core busy
  for port in "${ports[@]}"; do rcli "$port" config set hz 2 >/dev/null; done
  printf '{ "nodes": %s, "masters": %s, "replicas": %s, "seed": "%s:%s", "ports": [%s] }\n' \
    "$total" "$masters" "$replicas" "$LAB_HOST" "${ports[0]}" "$(IFS=,; echo "${ports[*]}")" >"$LAB_BIG/big.json"
  log "big cluster ok: $total nodes on ${ports[0]}-${ports[-1]} ($(elapsed))"
}

lab_big_down() {
  [[ -d $LAB_BIG ]] || return 0
  # nothing of the big cluster is kept: kill every node at once rather than wait for 120 shutdowns
  local pidfile pid
  local -a pids=()
  for pidfile in "$LAB_BIG"/*/redis.pid; do
    [[ -f $pidfile ]] || continue
    pid=$(pid_of "$pidfile")
    [[ -n $pid ]] && pids+=("$pid")
  done
  if ((${#pids[@]})); then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    local p
    for p in "${pids[@]}"; do wait_until 5 "big node pid $p to exit" bash -c "! kill -0 $p 2>/dev/null" || true; done
  fi
  rm -rf "$LAB_BIG"
}
