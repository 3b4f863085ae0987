# shellcheck shell=bash
# Redis Sentinel: a master (7100) with one replica (7101) watched by 3 sentinels (26379-26381)
# under the master name "lab", quorum 2. A failover from the app swaps the two data nodes; the
# lab is happy either way round.

LAB_SENTINEL_DATA=(7100 7101)
LAB_SENTINEL_PORTS=(26379 26380 26381)
LAB_SENTINEL_MASTER=lab

sentinel_start() { # port kind(data|sentinel) [replicaof-port]
  local port=$1 kind=$2 dir=$LAB/sentinel/$1 conf
  mkdir -p "$dir"
  conf=$dir/$kind.conf
  redis_ping "$port" && return 1
  # Sentinel rewrites its own file with what it learnt: write it only the first time.
  if [[ ! -f $conf ]]; then
    {
      printf 'port %s\nbind %s\nprotected-mode no\ndaemonize yes\ndir %s\npidfile %s/pid\nlogfile %s/log\n' "$port" "$LAB_HOST" "$dir" "$dir" "$dir"
      if [[ $kind == sentinel ]]; then
        printf 'sentinel monitor %s %s %s 2\n' "$LAB_SENTINEL_MASTER" "$LAB_HOST" "${LAB_SENTINEL_DATA[0]}"
        printf 'sentinel down-after-milliseconds %s 3000\nsentinel failover-timeout %s 15000\n' "$LAB_SENTINEL_MASTER" "$LAB_SENTINEL_MASTER"
      else
        printf 'save ""\nappendonly no\n'
        [[ -n ${3:-} ]] && printf 'replicaof %s %s\n' "$LAB_HOST" "$3"
      fi
    } >"$conf"
  fi
  if [[ $kind == sentinel ]]; then
    redis-server "$conf" --sentinel </dev/null >>"$dir/log" 2>&1 || die "sentinel $port failed to start" "$dir/log"
  else
    redis-server "$conf" </dev/null >>"$dir/log" 2>&1 || die "redis $port failed to start" "$dir/log"
  fi
}

sentinel_converged() {
  local port
  for port in "${LAB_SENTINEL_PORTS[@]}"; do
    rcli "$port" sentinel ckquorum "$LAB_SENTINEL_MASTER" 2>/dev/null | grep -q '^OK 3 usable' || return 1
    rcli "$port" sentinel replicas "$LAB_SENTINEL_MASTER" 2>/dev/null | tr -d '\r' | grep -q '^master-link-status$' || return 1
  done
}

lab_sentinel_up() {
  local port started=0
  sentinel_start "${LAB_SENTINEL_DATA[0]}" data && started=$((started + 1))
  sentinel_start "${LAB_SENTINEL_DATA[1]}" data "${LAB_SENTINEL_DATA[0]}" && started=$((started + 1))
  for port in "${LAB_SENTINEL_PORTS[@]}"; do sentinel_start "$port" sentinel && started=$((started + 1)); done
  for port in "${LAB_SENTINEL_DATA[@]}" "${LAB_SENTINEL_PORTS[@]}"; do
    wait_until 10 "sentinel lab node $port to answer PING" redis_ping "$port" || die "node $port does not answer PING" "$LAB/sentinel/$port/log"
  done
  wait_until 40 "3 sentinels to agree on master $LAB_SENTINEL_MASTER" sentinel_converged ||
    die "sentinels did not converge" "$LAB/sentinel/${LAB_SENTINEL_PORTS[0]}/log"
  log "sentinel ok: master '$LAB_SENTINEL_MASTER' on ${LAB_SENTINEL_DATA[*]}, sentinels ${LAB_SENTINEL_PORTS[*]} ($started processes started)"
}

lab_sentinel_down() {
  local port
  for port in "${LAB_SENTINEL_PORTS[@]}" "${LAB_SENTINEL_DATA[@]}"; do
    redis_ping "$port" && { rcli "$port" shutdown nosave >/dev/null 2>&1 || true; }
    [[ -f $LAB/sentinel/$port/pid ]] && kill_pidfile "$LAB/sentinel/$port/pid" 5
  done
  for port in "${LAB_SENTINEL_PORTS[@]}" "${LAB_SENTINEL_DATA[@]}"; do wait_until 5 "$port to stop" port_closed "$port" || true; done
  log "sentinel deployment stopped"
}
