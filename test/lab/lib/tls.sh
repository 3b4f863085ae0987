# shellcheck shell=bash
# A local CA for the lab: one server certificate (127.0.0.1 and localhost) that PostgreSQL,
# pgbouncer and a TLS-only Redis Cluster node present, and a second CA that signed nothing (the
# "wrong CA" of the tests). Clients in the tests verify against $TLS_DIR/ca.crt.

TLS_DIR=$LAB/tls
LAB_REDIS_TLS_PORT=7010
LAB_ALL_PORTS+=(7010 17010)

lab_tls_ca_up() {
  install -d -m 0755 "$TLS_DIR"
  if [[ ! -s $TLS_DIR/server.crt ]]; then
    local cnf=$TLS_DIR/san.cnf
    printf '%s\n' 'subjectAltName = IP:127.0.0.1, DNS:localhost' 'basicConstraints = CA:FALSE' 'keyUsage = digitalSignature, keyEncipherment' 'extendedKeyUsage = serverAuth' >"$cnf"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj '/CN=Switchyard lab CA' \
      -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" >/dev/null 2>&1 || die "openssl: lab CA"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj '/CN=Some other CA' \
      -keyout "$TLS_DIR/wrong-ca.key" -out "$TLS_DIR/wrong-ca.crt" >/dev/null 2>&1 || die "openssl: wrong CA"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=localhost' \
      -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" >/dev/null 2>&1 || die "openssl: server key"
    openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 3650 \
      -extfile "$cnf" -out "$TLS_DIR/server.crt" >/dev/null 2>&1 || die "openssl: server certificate"
  fi
  # PostgreSQL and pgbouncer run as postgres and want a key only they can read
  install -o postgres -g postgres -m 0600 "$TLS_DIR/server.key" "$TLS_DIR/pg-server.key"
  chmod 0600 "$TLS_DIR/server.key" "$TLS_DIR/ca.key" "$TLS_DIR/wrong-ca.key"
  log "tls: lab CA $TLS_DIR/ca.crt (server certificate for 127.0.0.1, localhost)"
}

# A one-node Redis Cluster that speaks TLS only: every slot on it, its certificate from the lab CA.
lab_redis_tls_up() {
  local dir=$LAB/redis/$LAB_REDIS_TLS_PORT
  mkdir -p "$dir"
  redis_node_conf 0 "$dir" "tls-port $LAB_REDIS_TLS_PORT" "tls-cert-file $TLS_DIR/server.crt" "tls-key-file $TLS_DIR/server.key" \
    "tls-ca-cert-file $TLS_DIR/ca.crt" 'tls-auth-clients no' 'tls-cluster yes' 'cluster-node-timeout 2000' |
    write_if_changed "$dir/redis.conf" 0644 || true
  local tcli=(redis-cli --tls --cacert "$TLS_DIR/ca.crt" -h "$LAB_HOST" -p "$LAB_REDIS_TLS_PORT")
  if [[ $("${tcli[@]}" ping 2>/dev/null) != PONG ]]; then
    redis-server "$dir/redis.conf" </dev/null >>"$dir/redis.log" 2>&1 || die "TLS redis-server failed to start" "$dir/redis.log"
    wait_until 10 "TLS redis on $LAB_REDIS_TLS_PORT" bash -c "[[ \$(${tcli[*]} ping 2>/dev/null) == PONG ]]" || die "TLS redis does not answer" "$dir/redis.log"
  fi
  if [[ $("${tcli[@]}" cluster info 2>/dev/null | tr -d '\r' | awk -F: '$1 == "cluster_state" { print $2 }') != ok ]]; then
    "${tcli[@]}" cluster addslotsrange 0 16383 >/dev/null 2>&1 || true
    wait_until 10 "TLS redis cluster ok" bash -c "${tcli[*]} cluster info | grep -q cluster_state:ok" || die "TLS redis cluster not ok" "$dir/redis.log"
  fi
  log "redis TLS ok on $LAB_HOST:$LAB_REDIS_TLS_PORT (one-node cluster, lab CA)"
}

lab_redis_tls_down() {
  local pid
  pid=$(cat "$LAB/redis/$LAB_REDIS_TLS_PORT/redis.pid" 2>/dev/null || true)
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
}
