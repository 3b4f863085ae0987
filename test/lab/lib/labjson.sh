# shellcheck shell=bash
# Write $LAB/lab.json, the machine-readable description of the lab.

lab_write_json() {
  local tmp
  tmp=$(mktemp "$LAB/lab.json.XXXXXX")
  LAB="$LAB" \
    LAB_REDIS_PORTS="${LAB_REDIS_PORTS[*]}" LAB_REDIS_SPARES="${LAB_REDIS_SPARES[*]}" \
    LAB_PG_USER="$LAB_PG_USER" LAB_PG_PASS="$LAB_PG_PASS" LAB_REPL_USER="$LAB_REPL_USER" \
    LAB_REPL_PASS="$LAB_REPL_PASS" LAB_PG_DB="$LAB_PG_DB" LAB_PG_BIN="$LAB_PG_BIN" \
    LAB_PG_NODES="$(for n in "${LAB_PG_NODES[@]}"; do printf '%s:%s ' "$n" "${LAB_PG_PORT[$n]}"; done)" \
    LAB_APP_PORTS="${LAB_APP_PORTS[*]}" LAB_APP_CONTAINERS="${LAB_APP_CONTAINERS[*]}" \
    LAB_DOCKER_IMAGE="$LAB_DOCKER_IMAGE" LAB_NGINX_PORT="$LAB_NGINX_PORT" \
    LAB_NGINX_STATUS_PORT="$LAB_NGINX_STATUS_PORT" LAB_NGINX_SWARM_PORT="$LAB_NGINX_SWARM_PORT" \
    LAB_SWARM_SERVICE="$LAB_SWARM_SERVICE" LAB_SWARM_PORT_BASE="$LAB_SWARM_PORT_BASE" LAB_SWARM_REPLICAS="$LAB_SWARM_REPLICAS" \
    LAB_COMPOSE_PROJECT="$LAB_COMPOSE_PROJECT" LAB_COMPOSE_SERVICE="$LAB_COMPOSE_SERVICE" LAB_SSH_PORT="$LAB_SSH_PORT" \
    LAB_SSH_USER="$LAB_SSH_USER" LAB_SSH_PASS="$LAB_SSH_PASS" \
    LAB_MONGOS_PORT="$LAB_MONGOS_PORT" LAB_REDIS_TLS_PORT="$LAB_REDIS_TLS_PORT" LAB_MONGO_USER="$LAB_MONGO_USER" LAB_MONGO_PASS="$LAB_MONGO_PASS" \
    LAB_PGB_PORT="$LAB_PGB_PORT" LAB_ETCD_PORT="$LAB_ETCD_PORT" LAB_PATRONI_SCOPE="$LAB_PATRONI_SCOPE" \
    LAB_PATRONI_MEMBERS="$(for m in "${LAB_PATRONI_MEMBERS[@]}"; do printf '%s:%s:%s ' "$m" "${LAB_PATRONI_PG_PORT[$m]}" "${LAB_PATRONI_REST_PORT[$m]}"; done)" \
    LAB_SENTINEL_DATA="${LAB_SENTINEL_DATA[*]}" LAB_SENTINEL_PORTS="${LAB_SENTINEL_PORTS[*]}" LAB_SENTINEL_MASTER="$LAB_SENTINEL_MASTER" \
    node -e '
      const e = process.env, L = e.LAB, h = "127.0.0.1";
      const nums = (s) => s.trim().split(/\s+/).map(Number);
      const lab = {
        labDir: L,
        ssh: { host: h, port: Number(e.LAB_SSH_PORT), keyPath: `${L}/ssh/id_ed25519`,
               hostKeyPath: `${L}/ssh/ssh_host_ed25519_key.pub`,
               users: ["root", "postgres", e.LAB_SSH_USER],
               passwordUser: e.LAB_SSH_USER, password: e.LAB_SSH_PASS },
        redis: { seeds: nums(e.LAB_REDIS_PORTS).map((port) => ({ host: h, port })),
                 spares: nums(e.LAB_REDIS_SPARES), redisDir: `${L}/redis` },
        postgres: { user: e.LAB_PG_USER, password: e.LAB_PG_PASS,
                    replicationUser: e.LAB_REPL_USER, replicationPassword: e.LAB_REPL_PASS,
                    database: e.LAB_PG_DB, binDir: e.LAB_PG_BIN, socketDir: `${L}/pg/sock`,
                    nodes: e.LAB_PG_NODES.trim().split(/\s+/).map((s) => {
                      const [name, port] = s.split(":");
                      return { name, host: h, port: Number(port), dataDir: `${L}/pg/${name}`,
                               role: name === "pg1" ? "primary" : "standby",
                               logPath: `${L}/pg/${name}.log` };
                    }) },
        pgbouncer: { host: h, port: Number(e.LAB_PGB_PORT), configPath: `${L}/pgbouncer/pgbouncer.ini`,
                     database: e.LAB_PG_DB, logPath: `${L}/pgbouncer/pgbouncer.log` },
        patroni: { scope: e.LAB_PATRONI_SCOPE, etcd: `${h}:${e.LAB_ETCD_PORT}`, configDir: `${L}/patroni`,
                   members: e.LAB_PATRONI_MEMBERS.trim().split(/\s+/).map((s) => {
                     const [name, port, rest] = s.split(":");
                     return { name, host: h, port: Number(port), restUrl: `http://${h}:${rest}`,
                              configPath: `${L}/patroni/${name}.yml` };
                   }) },
        nginx: { statusUrl: `http://${h}:${e.LAB_NGINX_STATUS_PORT}/nginx_status`,
                 listen: `${h}:${e.LAB_NGINX_PORT}`, swarmListen: `${h}:${e.LAB_NGINX_SWARM_PORT}`, configPath: `${L}/nginx/nginx.conf`,
                 upstreamPath: `${L}/nginx/upstream.conf`, prefix: `${L}/nginx/`,
                 pidPath: `${L}/nginx/nginx.pid` },
        sentinel: { masterName: e.LAB_SENTINEL_MASTER, data: nums(e.LAB_SENTINEL_DATA),
                    sentinels: nums(e.LAB_SENTINEL_PORTS).map((port) => ({ host: h, port })) },
        mongo: { mongos: `${h}:${e.LAB_MONGOS_PORT}`, user: e.LAB_MONGO_USER, password: e.LAB_MONGO_PASS },
        tls: { caFile: `${L}/tls/ca.crt`, wrongCaFile: `${L}/tls/wrong-ca.crt`, redisSeed: { host: h, port: Number(e.LAB_REDIS_TLS_PORT) } },
        docker: { socketPath: `${L}/docker.sock`, image: e.LAB_DOCKER_IMAGE,
                  containers: e.LAB_APP_CONTAINERS.trim().split(/\s+/),
                  backendPorts: nums(e.LAB_APP_PORTS),
                  compose: { project: e.LAB_COMPOSE_PROJECT, service: e.LAB_COMPOSE_SERVICE },
                  swarm: { service: e.LAB_SWARM_SERVICE, portBase: Number(e.LAB_SWARM_PORT_BASE),
                           replicas: Number(e.LAB_SWARM_REPLICAS) } },
      };
      process.stdout.write(JSON.stringify(lab, null, 2) + "\n");
    ' >"$tmp"
  if [[ -f "$LAB/lab.json" ]] && cmp -s "$tmp" "$LAB/lab.json"; then
    rm -f "$tmp"
  else
    chmod 0644 "$tmp"
    mv -f "$tmp" "$LAB/lab.json"
  fi
  log "wrote $LAB/lab.json"
}
