#!/usr/bin/env bash
# Switchyard local cluster lab: bring everything up (idempotent).
#   npm run lab:up      (= bash test/lab/up.sh, from the repo root, as root)
# State lives in ${SWITCHYARD_LAB_DIR:-/tmp/switchyard-lab}; everything listens on 127.0.0.1 only.
set -Eeuo pipefail

LAB_T0=$(date +%s.%N)
LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib
LAB_REPO=$(cd "$LAB_LIB/../../.." && pwd)

# shellcheck source=lib/common.sh
source "$LAB_LIB/common.sh"
check_lab_path # normalises $LAB before the other helpers derive paths from it
source "$LAB_LIB/packages.sh"
source "$LAB_LIB/redis.sh"
source "$LAB_LIB/sentinel.sh"
source "$LAB_LIB/pg.sh"
source "$LAB_LIB/patroni.sh"
source "$LAB_LIB/pgbouncer.sh"
source "$LAB_LIB/docker.sh"
source "$LAB_LIB/nginx.sh"
source "$LAB_LIB/ssh.sh"
source "$LAB_LIB/mongo.sh"
source "$LAB_LIB/tls.sh"
source "$LAB_LIB/labjson.sh"

trap on_err ERR

main() {
  require_root
  mkdir -p "$LAB"
  chmod 0755 "$LAB"
  log "lab dir $LAB (repo $LAB_REPO)"

  lab_ensure_packages

  # dockerd takes a few seconds to initialise: start it now, use it later.
  lab_docker_start_bg

  lab_tls_ca_up
  lab_redis_up
  lab_redis_tls_up
  lab_sentinel_up
  lab_pg_up
  lab_pgbouncer_up
  lab_patroni_up
  lab_docker_up
  lab_nginx_up
  lab_sshd_up
  lab_mongo_up

  lab_write_json
  if [[ -f "$LAB_REPO/test/lab/write-inventory.ts" ]]; then
    log "registering environment 'lab' (test/lab/write-inventory.ts)"
    (cd "$LAB_REPO" && npx --no-install tsx test/lab/write-inventory.ts "$LAB/lab.json" </dev/null) ||
      die "test/lab/write-inventory.ts failed"
  fi

  log "---------------------------------------------------------------"
  log "lab is up in $(elapsed) — inventory: $LAB/lab.json"
  log "  redis     127.0.0.1:7000-7005 (cluster), spares 7006 7007"
  log "  sentinel  master 'lab' on 7100 (+replica 7101), sentinels 26379-26381"
  log "  postgres  pg1 127.0.0.1:15432 (primary), pg2 :15433, pg3 :15434 (streaming); user $LAB_PG_USER / db $LAB_PG_DB"
  log "  pgbouncer 127.0.0.1:$LAB_PGB_PORT -> pg1 (transaction pooling), admin user $LAB_PG_USER"
  log "  patroni   scope $LAB_PATRONI_SCOPE: ha1..ha3 on 15442-15444, REST 18008-18010, etcd 127.0.0.1:$LAB_ETCD_PORT"
  log "  docker    unix://$DOCKER_SOCK  containers ${LAB_APP_CONTAINERS[*]} on ${LAB_APP_PORTS[*]}"
  log "  nginx     http://127.0.0.1:$LAB_NGINX_PORT/ , status http://127.0.0.1:$LAB_NGINX_STATUS_PORT/nginx_status"
  log "  mongo     mongos 127.0.0.1:$LAB_MONGOS_PORT (wire-protocol peer), user $LAB_MONGO_USER"
  log "  ssh       127.0.0.1:$LAB_SSH_PORT  key $SSH_KEY (root, postgres, $LAB_SSH_USER), password user $LAB_SSH_USER"
  log "---------------------------------------------------------------"
}

main "$@"
