# shellcheck shell=bash
# A private dockerd for the lab (unix socket under $LAB, no bridge, no iptables) and three
# app-backend containers (host network, node from the host's /usr bind-mounted read-only).

DOCKER_SOCK=$LAB/docker.sock
DOCKER_PIDFILE=$LAB/dockerd.pid
DOCKER_LOG=$LAB/dockerd.log
DOCKER_DATA=$LAB/docker-data
DOCKER_EXEC=$LAB/docker-exec
DOCKER_DRIVER_FILE=$LAB/docker-storage-driver

dk() { docker -H "unix://$DOCKER_SOCK" "$@"; }

docker_responsive() { [[ -S "$DOCKER_SOCK" ]] && dk info --format '{{.ServerVersion}}' </dev/null >/dev/null 2>&1; }

# Unmount everything mounted at or below a directory (deepest first).
umount_below() {
  local base=$1 t
  local -a targets=()
  while IFS= read -r t; do
    t=$(printf '%b' "$t")
    if [[ $t == "$base" || $t == "$base"/* ]]; then targets+=("$t"); fi
  done < <(findmnt -rn -o TARGET 2>/dev/null)
  ((${#targets[@]})) || return 0
  local sorted
  sorted=$(printf '%s\n' "${targets[@]}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
  while IFS= read -r t; do
    umount "$t" 2>/dev/null || umount -l "$t" 2>/dev/null || warn "could not unmount $t"
  done <<<"$sorted"
}

# Start dockerd in the background if it is not running (does not wait).
lab_docker_start_bg() {
  if docker_responsive; then
    return 0
  fi
  if pid_alive "$DOCKER_PIDFILE"; then
    return 0 # still starting up; lab_docker_wait handles it
  fi
  log "starting dockerd (unix://$DOCKER_SOCK) in the background"
  rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCK"
  mkdir -p "$DOCKER_DATA" "$DOCKER_EXEC"
  local -a args=(
    --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false
    --host "unix://$DOCKER_SOCK"
    --data-root "$DOCKER_DATA" --exec-root "$DOCKER_EXEC" --pidfile "$DOCKER_PIDFILE"
    --config-file "$LAB/docker-daemon.json"
  )
  # Our own daemon.json so a host /etc/docker/daemon.json cannot interfere. dockerd < 23 would
  # otherwise write its libtrust key to /etc/docker/key.json (the option was removed in 23.0).
  local major
  major=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
  if [[ -n "$major" ]] && ((major < 23)); then
    printf '{ "deprecated-key-path": "%s" }\n' "$LAB/docker-key.json" >"$LAB/docker-daemon.json"
  else
    printf '{}\n' >"$LAB/docker-daemon.json"
  fi
  local driver=""
  [[ -s "$DOCKER_DRIVER_FILE" ]] && driver=$(<"$DOCKER_DRIVER_FILE")
  [[ -n "$driver" ]] && args+=(--storage-driver "$driver")
  printf '=== %s: starting dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$DOCKER_LOG"
  setsid dockerd "${args[@]}" </dev/null >>"$DOCKER_LOG" 2>&1 &
  echo $! >"$LAB/dockerd.launch.pid"
  disown || true
}

# Up, or definitely dead (so a crashing dockerd fails fast instead of hitting the timeout).
docker_up_or_dead() {
  docker_responsive && return 0
  if ! pid_alive "$LAB/dockerd.launch.pid" && ! pid_alive "$DOCKER_PIDFILE"; then
    DOCKER_DEAD=1
    return 0
  fi
  return 1
}

lab_docker_wait() {
  DOCKER_DEAD=0
  wait_until 45 "dockerd on $DOCKER_SOCK" docker_up_or_dead || die "dockerd did not come up" "$DOCKER_LOG"
  ((DOCKER_DEAD == 0)) || die "dockerd exited during startup" "$DOCKER_LOG"
}

lab_docker_stop_daemon() {
  kill_pidfile "$DOCKER_PIDFILE" 30
  # A dockerd still starting up has not written its pidfile yet: use the pid we launched.
  if pid_alive "$LAB/dockerd.launch.pid" &&
    [[ $(ps -o comm= -p "$(pid_of "$LAB/dockerd.launch.pid")" 2>/dev/null) == dockerd ]]; then
    kill_pidfile "$LAB/dockerd.launch.pid" 30
  fi
  # dockerd normally stops its managed containerd; make sure.
  kill_pidfile "$DOCKER_EXEC/containerd/containerd.pid" 10
  rm -f "$DOCKER_PIDFILE" "$DOCKER_SOCK"
}

lab_docker_ensure_image() {
  if dk image inspect "$LAB_DOCKER_IMAGE" </dev/null >/dev/null 2>&1; then
    return 0
  fi
  # Offline "base" image: an (almost) empty rootfs. On merged-/usr hosts (Debian 12) /bin,
  # /sbin, /lib, /lib64 are symlinks into /usr; recreate those symlinks in the image so the
  # read-only /usr bind mount makes them work. Real directories get bind-mounted instead.
  local root=$LAB/docker-rootfs d
  rm -rf "$root"
  mkdir -p "$root/app" "$root/tmp" "$root/etc" "$root/usr"
  for d in bin sbin lib lib32 lib64 libx32; do
    if [[ -L "/$d" ]]; then
      ln -s "$(readlink "/$d")" "$root/$d"
    fi
  done
  tar -C "$root" -cf - . | dk import - "$LAB_DOCKER_IMAGE" >/dev/null ||
    die "docker import of $LAB_DOCKER_IMAGE failed" "$DOCKER_LOG"
  rm -rf "$root"
  log "docker image $LAB_DOCKER_IMAGE imported"
}

docker_container_running() {
  [[ $(dk inspect -f '{{.State.Running}}' "$1" </dev/null 2>/dev/null) == true ]]
}

docker_backend_healthy() { [[ $(http_get "http://$LAB_HOST:$1/health" 2>/dev/null) == ok ]]; }

# The read-only mounts every app container needs: the host's /usr (node), /etc and the backend script.
lab_app_mounts() {
  APP_MOUNTS=(-v /usr:/usr:ro -v /etc:/etc:ro)
  local d
  for d in bin sbin lib lib32 lib64 libx32; do
    if [[ -d "/$d" && ! -L "/$d" ]]; then APP_MOUNTS+=(-v "/$d:/$d:ro"); fi
  done
  APP_MOUNTS+=(-v "$LAB_REPO/test/lab/app-backend.js:/app/app-backend.js:ro")
}

# Returns non-zero (instead of dying) so the caller can fall back to another storage driver.
# The containers carry Compose's labels, as `docker compose up --scale api=3` would make them.
lab_docker_run_containers() {
  lab_app_mounts
  local i name port extra
  # Replicas a test scaled out and did not scale back: the lab is three.
  mapfile -t extra < <(dk ps -a --filter "label=com.docker.compose.project=$LAB_COMPOSE_PROJECT" \
    --filter "label=com.docker.compose.service=$LAB_COMPOSE_SERVICE" --format '{{.Names}}' </dev/null |
    grep -vxF -e "${LAB_APP_CONTAINERS[0]}" -e "${LAB_APP_CONTAINERS[1]}" -e "${LAB_APP_CONTAINERS[2]}" || true)
  if ((${#extra[@]})); then dk rm -f "${extra[@]}" </dev/null >/dev/null; fi
  for i in 0 1 2; do
    name=${LAB_APP_CONTAINERS[$i]}
    port=${LAB_APP_PORTS[$i]}
    if docker_container_running "$name"; then
      continue
    fi
    dk rm -f "$name" </dev/null >/dev/null 2>&1 || true
    if ! dk run -d --name "$name" --network host --restart no \
      --label switchyard.lab=1 --label "com.docker.compose.project=$LAB_COMPOSE_PROJECT" \
      --label "com.docker.compose.service=$LAB_COMPOSE_SERVICE" --label "com.docker.compose.container-number=$((i + 1))" \
      --label com.docker.compose.oneoff=False \
      -e "PORT_BASE=$LAB_APP_PORT_BASE" -e "SLOT=$((i + 1))" \
      "${APP_MOUNTS[@]}" --tmpfs /tmp -w /app \
      "$LAB_DOCKER_IMAGE" /usr/bin/node /app/app-backend.js </dev/null >"$LAB/docker-run-$name.log" 2>&1; then
      cat "$LAB/docker-run-$name.log" >&2
      return 1
    fi
    log "container $name started (port $port)"
  done
  for i in 0 1 2; do
    name=${LAB_APP_CONTAINERS[$i]}
    port=${LAB_APP_PORTS[$i]}
    if ! wait_until 20 "$name to answer on $port" docker_backend_healthy "$port"; then
      dk logs --tail 40 "$name" </dev/null >&2 || true
      dk inspect -f '{{json .State}}' "$name" </dev/null >&2 || true
      return 1
    fi
  done
}

swarm_replicas_answer() {
  local slot
  for ((slot = 1; slot <= LAB_SWARM_REPLICAS; slot++)); do
    docker_backend_healthy $((LAB_SWARM_PORT_BASE + slot)) || return 1
  done
  # and nothing above the lab's replica count
  ! docker_backend_healthy $((LAB_SWARM_PORT_BASE + LAB_SWARM_REPLICAS + 1))
}

# A one-node Swarm on loopback and a host-network service whose tasks listen on PORT_BASE + slot.
lab_swarm_up() {
  if [[ $(dk info --format '{{.Swarm.LocalNodeState}}' </dev/null) != active ]]; then
    dk swarm init --advertise-addr "$LAB_HOST" --listen-addr "$LAB_HOST:2377" </dev/null >"$LAB/swarm-init.log" 2>&1 ||
      die "docker swarm init failed" "$LAB/swarm-init.log" "$DOCKER_LOG"
    log "swarm initialised on $LAB_HOST:2377"
  fi
  lab_app_mounts
  local -a mounts=() m
  for m in "${APP_MOUNTS[@]}"; do
    [[ $m == -v ]] && continue
    IFS=: read -r src dst _ <<<"$m"
    mounts+=(--mount "type=bind,src=$src,dst=$dst,readonly")
  done
  local -a spec=(--network host --no-resolve-image
    --restart-condition any --restart-delay 1s --stop-grace-period 10s
    --label com.docker.stack.namespace=app --container-label switchyard.lab=1
    --env "PORT_BASE=$LAB_SWARM_PORT_BASE" --env 'SLOT={{.Task.Slot}}' --env 'INSTANCE=app_api.{{.Task.Slot}}'
    "${mounts[@]}" --mount type=tmpfs,dst=/tmp --workdir /app)
  # A service made by an older lab script (another spec) is replaced rather than patched.
  local want
  want=$(printf '%s\n' "${spec[@]}" | sha256sum | cut -c1-16)
  if dk service inspect "$LAB_SWARM_SERVICE" </dev/null >/dev/null 2>&1 &&
    [[ $(dk service inspect -f '{{index .Spec.Labels "switchyard.lab.spec"}}' "$LAB_SWARM_SERVICE" </dev/null) != "$want" ]]; then
    dk service rm "$LAB_SWARM_SERVICE" </dev/null >/dev/null
    wait_until 30 "the old $LAB_SWARM_SERVICE tasks to stop" bash -c "! docker -H unix://$DOCKER_SOCK ps -q --filter label=com.docker.swarm.service.name=$LAB_SWARM_SERVICE | grep -q ."
    log "swarm service $LAB_SWARM_SERVICE had another spec: removed"
  fi
  if ! dk service inspect "$LAB_SWARM_SERVICE" </dev/null >/dev/null 2>&1; then
    dk service create --detach --name "$LAB_SWARM_SERVICE" --replicas "$LAB_SWARM_REPLICAS" "${spec[@]}" \
      --label "switchyard.lab.spec=$want" "$LAB_DOCKER_IMAGE" /usr/bin/node /app/app-backend.js </dev/null >"$LAB/swarm-service.log" 2>&1 ||
      die "docker service create $LAB_SWARM_SERVICE failed" "$LAB/swarm-service.log"
    log "swarm service $LAB_SWARM_SERVICE created ($LAB_SWARM_REPLICAS replicas)"
  elif [[ $(dk service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "$LAB_SWARM_SERVICE" </dev/null) != "$LAB_SWARM_REPLICAS" ]]; then
    dk service scale --detach "$LAB_SWARM_SERVICE=$LAB_SWARM_REPLICAS" </dev/null >/dev/null
    log "swarm service $LAB_SWARM_SERVICE scaled back to $LAB_SWARM_REPLICAS"
  fi
  wait_until 60 "$LAB_SWARM_SERVICE tasks on $((LAB_SWARM_PORT_BASE + 1))-$((LAB_SWARM_PORT_BASE + LAB_SWARM_REPLICAS))" swarm_replicas_answer || {
    dk service ps --no-trunc "$LAB_SWARM_SERVICE" </dev/null >&2 || true
    die "swarm service $LAB_SWARM_SERVICE did not come up" "$DOCKER_LOG"
  }
}

lab_docker_up() {
  lab_docker_start_bg
  lab_docker_wait
  lab_docker_ensure_image
  if ! lab_docker_run_containers; then
    local cur
    cur=$(dk info --format '{{.Driver}}' </dev/null 2>/dev/null || true)
    if [[ $cur == vfs ]]; then
      die "app containers failed to start (storage driver vfs)" "$DOCKER_LOG"
    fi
    warn "app containers failed with storage driver '$cur', restarting dockerd with --storage-driver vfs"
    dk rm -f "${LAB_APP_CONTAINERS[@]}" </dev/null >/dev/null 2>&1 || true
    lab_docker_stop_daemon
    umount_below "$DOCKER_DATA"
    umount_below "$DOCKER_EXEC"
    rm -rf "$DOCKER_DATA" "$DOCKER_EXEC"
    echo vfs >"$DOCKER_DRIVER_FILE"
    lab_docker_start_bg
    lab_docker_wait
    lab_docker_ensure_image
    lab_docker_run_containers || die "app containers failed to start (storage driver vfs)" "$DOCKER_LOG"
  fi
  lab_swarm_up
  local driver
  driver=$(dk info --format '{{.Driver}}' </dev/null)
  log "docker ok: ${LAB_APP_CONTAINERS[*]} answering on ${LAB_APP_PORTS[*]}, swarm $LAB_SWARM_SERVICE on $((LAB_SWARM_PORT_BASE + 1))+ (dockerd storage driver $driver)"
}

lab_docker_down() {
  if docker_responsive; then
    if [[ $(dk info --format '{{.Swarm.LocalNodeState}}' </dev/null) == active ]]; then
      dk swarm leave --force </dev/null >/dev/null 2>&1 || warn "docker swarm leave failed"
      log "left the swarm"
    fi
    local -a ids
    mapfile -t ids < <(dk ps -aq --filter label=switchyard.lab=1 </dev/null)
    if ((${#ids[@]})); then
      dk rm -f "${ids[@]}" </dev/null >/dev/null || warn "docker rm -f failed"
    fi
    log "docker containers removed (${#ids[@]})"
  fi
  if pid_alive "$DOCKER_PIDFILE" || pid_alive "$DOCKER_EXEC/containerd/containerd.pid"; then
    lab_docker_stop_daemon
    log "dockerd stopped"
  fi
  # If dockerd/containerd died earlier, containers may still be running (their shims outlive
  # containerd): kill each container's init process and its shim, found via the bundle's init.pid.
  local bundle ipid spid
  for bundle in "$DOCKER_EXEC"/containerd/daemon/io.containerd.runtime.v2.task/*/*; do
    [[ -f "$bundle/init.pid" ]] || continue
    ipid=$(pid_of "$bundle/init.pid")
    [[ -n "$ipid" ]] && kill -0 "$ipid" 2>/dev/null || continue
    spid=$(ps -o ppid= -p "$ipid" 2>/dev/null | tr -dc '0-9')
    warn "killing orphaned container ${bundle##*/} (init pid $ipid, shim pid ${spid:-?})"
    kill -KILL "$ipid" 2>/dev/null || true
    if [[ -n "$spid" && "$spid" != 1 ]] && [[ $(ps -o comm= -p "$spid" 2>/dev/null) == containerd-shim* ]]; then
      kill -TERM "$spid" 2>/dev/null || true
    fi
  done
  local rroot cid
  for rroot in "$DOCKER_EXEC"/runtime-runc/*; do
    [[ -d "$rroot" ]] || continue
    for cid in $(runc --root "$rroot" list -q 2>/dev/null); do
      runc --root "$rroot" kill "$cid" KILL 2>/dev/null || true
      runc --root "$rroot" delete -f "$cid" 2>/dev/null || true
    done
  done
}
