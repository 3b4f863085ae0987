#!/usr/bin/env bash
# Switchyard local cluster lab: stop everything the lab started and remove its state dir.
#   npm run lab:down    (= bash test/lab/down.sh, from the repo root, as root)
# Idempotent: fine when nothing is running or the lab dir does not exist.
set -Eeuo pipefail

LAB_T0=$(date +%s.%N)
LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib
LAB_REPO=$(cd "$LAB_LIB/../../.." && pwd)

# shellcheck source=lib/common.sh
source "$LAB_LIB/common.sh"
check_lab_path
source "$LAB_LIB/redis.sh"
source "$LAB_LIB/sentinel.sh"
source "$LAB_LIB/pg.sh"
source "$LAB_LIB/patroni.sh"
source "$LAB_LIB/pgbouncer.sh"
source "$LAB_LIB/tls.sh"
source "$LAB_LIB/docker.sh"
source "$LAB_LIB/nginx.sh"
source "$LAB_LIB/ssh.sh"
source "$LAB_LIB/mongo.sh"
source "$LAB_LIB/big.sh"

trap on_err ERR

main() {
  require_root
  log "tearing down lab in $LAB"

  # Each step is best-effort so one failure does not leave the rest running.
  local step
  for step in lab_big_down lab_mongo_down lab_nginx_down lab_docker_down lab_redis_down lab_redis_tls_down lab_sentinel_down lab_patroni_down lab_pgbouncer_down lab_pg_down lab_sshd_down; do
    "$step" || warn "$step reported an error, continuing"
  done

  if [[ -d "$LAB" ]]; then
    umount_below "$LAB"
    rm -rf "$LAB" || {
      umount_below "$LAB"
      rm -rf "$LAB"
    }
    log "removed $LAB"
  else
    log "$LAB does not exist, nothing to remove"
  fi

  local port
  local -a busy=()
  for port in "${LAB_ALL_PORTS[@]}"; do
    port_listening "$port" && busy+=("$port")
  done
  if ((${#busy[@]})); then
    warn "still listening after lab:down: ${busy[*]}"
    ss -ltnp 2>/dev/null | grep -E ":($(
      IFS='|'
      echo "${busy[*]}"
    ))\b" >&2 || true
    exit 1
  fi
  log "down in $(elapsed): nothing listens on 7000-7007 (+bus 17000-17007), 7100-7101, 26379-26381, 15432-15434, 8080-8082, 9101-9106, 9201-9206, 2377, 2222, 27100-27115"
}

main "$@"
