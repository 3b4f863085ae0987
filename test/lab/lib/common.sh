# shellcheck shell=bash
# Shared helpers for the Switchyard local cluster lab (sourced by up.sh / down.sh).
# Everything in the lab binds to and talks to 127.0.0.1 only.

LAB=${SWITCHYARD_LAB_DIR:-/tmp/switchyard-lab}
LAB_HOST=127.0.0.1

LAB_REDIS_PORTS=(7000 7001 7002 7003 7004 7005)
LAB_REDIS_SPARES=(7006 7007)
LAB_PG_BIN=/usr/lib/postgresql/15/bin
LAB_PG_NODES=(pg1 pg2 pg3)
declare -A LAB_PG_PORT=([pg1]=15432 [pg2]=15433 [pg3]=15434)
LAB_PG_USER=switchyard
LAB_PG_PASS=lab-pg-pass
LAB_REPL_USER=replicator
LAB_REPL_PASS=lab-repl-pass
LAB_PG_DB=app
LAB_APP_PORTS=(9101 9102 9103)
LAB_APP_CONTAINERS=(lab-api-1 lab-api-2 lab-api-3)
LAB_COMPOSE_PROJECT=lab
LAB_COMPOSE_SERVICE=api
LAB_APP_PORT_BASE=9100
LAB_SWARM_SERVICE=app_api
LAB_SWARM_PORT_BASE=9200
LAB_SWARM_REPLICAS=2
LAB_DOCKER_IMAGE=switchyard-lab/base:1
LAB_NGINX_PORT=8080
LAB_NGINX_STATUS_PORT=8081
LAB_NGINX_SWARM_PORT=8082
LAB_SSH_PORT=2222
LAB_SSH_USER=sylab
LAB_SSH_PASS=lab-ssh-pass

# Every TCP port the lab may listen on (used by down.sh's final check).
LAB_ALL_PORTS=(7000 7001 7002 7003 7004 7005 7006 7007 15432 15433 15434 8080 8081 8082 9101 9102 9103 9104 9105 9106 9201 9202 9203 9204 9205 9206 2377 2222 7100 7101 26379 26380 26381
  17000 17001 17002 17003 17004 17005 17006 17007) # last row: redis cluster bus ports

LAB_T0=${LAB_T0:-$(date +%s.%N)}

log() { printf 'lab: %s\n' "$*"; }
warn() { printf 'lab: WARNING: %s\n' "$*" >&2; }

elapsed() { awk -v a="$LAB_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }

# tail_logs FILE... : print the tail of each existing log file to stderr.
tail_logs() {
  local f
  for f in "$@"; do
    [[ -n "$f" ]] || continue
    if [[ -f "$f" ]]; then
      printf -- '----- last lines of %s -----\n' "$f" >&2
      tail -n 40 "$f" >&2 || true
      printf -- '----- end of %s -----\n' "$f" >&2
    else
      printf -- '(log %s does not exist)\n' "$f" >&2
    fi
  done
}

# die MESSAGE [LOGFILE...]
die() {
  local msg=$1
  shift
  printf 'lab: ERROR: %s\n' "$msg" >&2
  tail_logs "$@"
  exit 1
}

on_err() {
  local rc=$? line=${BASH_LINENO[0]} src=${BASH_SOURCE[1]:-?}
  printf 'lab: ERROR: command failed (exit %s) at %s:%s: %s\n' "$rc" "$src" "$line" "$BASH_COMMAND" >&2
}

# wait_until TIMEOUT_SECONDS DESCRIPTION CMD... : poll CMD every 0.2s until it succeeds.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  while true; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      printf 'lab: timed out after %ss waiting for %s\n' "$timeout" "$what" >&2
      return 1
    fi
    sleep 0.2
  done
}

# write_if_changed PATH MODE : write stdin to PATH if different. Returns 0 if changed, 1 if not.
write_if_changed() {
  local path=$1 mode=$2 tmp
  tmp=$(mktemp "${path}.tmp.XXXXXX")
  cat >"$tmp"
  if [[ -f "$path" ]] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
    chmod "$mode" "$path"
    return 1
  fi
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  return 0
}

# pid_alive PIDFILE : true if the pidfile names a live process.
pid_alive() {
  local pidfile=$1 pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

pid_of() { head -n1 "$1" 2>/dev/null | tr -dc '0-9'; }

# kill_pidfile PIDFILE TIMEOUT : TERM the process, wait, then KILL.
kill_pidfile() {
  local pidfile=$1 timeout=${2:-10} pid
  pid_alive "$pidfile" || return 0
  pid=$(pid_of "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      warn "pid $pid ($pidfile) did not exit after ${timeout}s, sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.3
      break
    fi
    sleep 0.2
  done
}

# port_listening PORT : true if something listens on 127.0.0.1:PORT (or on a wildcard address).
port_listening() {
  local port=$1
  ss -Hltn "sport = :$port" 2>/dev/null | grep -q .
}

port_closed() { ! port_listening "$1"; }

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_get URL : print body of an HTTP GET (curl if present, else node).
http_get() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 "$1"
  else
    node -e '
      const http = require("node:http");
      const req = http.get(process.argv[1], { timeout: 3000 }, (res) => {
        let b = ""; res.on("data", (c) => (b += c));
        res.on("end", () => { process.stdout.write(b); process.exit(res.statusCode === 200 ? 0 : 1); });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => process.exit(1));' "$1"
  fi
}

require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    die "the lab must be run as root (it starts PostgreSQL as the postgres user, sshd, dockerd)"
  fi
}

# Refuse to operate on a suspicious LAB path (we rm -rf it in down.sh).
check_lab_path() {
  case "$LAB" in
    /*) ;;
    *) die "SWITCHYARD_LAB_DIR must be an absolute path (got '$LAB')" ;;
  esac
  local norm
  norm=$(realpath -m -- "$LAB")
  case "$norm" in
    / | /tmp | /root | /home | /usr | /etc | /var | /opt | /work | /bin | /lib | /sbin | /boot | /proc | /sys | /dev | /run)
      die "refusing to use '$LAB' as the lab directory" ;;
  esac
  LAB=$norm
}
