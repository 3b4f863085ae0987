# shellcheck shell=bash
# Install missing Debian packages (only when something is actually missing).

# binary-or-file -> package
lab_missing_packages() {
  local -a checks=(
    "/usr/bin/redis-server:redis-server"
    "/usr/bin/redis-cli:redis-tools"
    "$LAB_PG_BIN/initdb:postgresql"
    "$LAB_PG_BIN/pg_ctl:postgresql"
    "$LAB_PG_BIN/pg_basebackup:postgresql"
    "/usr/lib/postgresql/15/lib/pg_stat_statements.so:postgresql-contrib"
    "nginx:nginx"
    "/usr/sbin/sshd:openssh-server"
    "ssh:openssh-client"
    "ssh-keygen:openssh-client"
    "patroni:patroni"
    "etcd:etcd-server"
    "pgbouncer:pgbouncer"
    "prometheus:prometheus"
    "promtool:prometheus"
    "prometheus-redis-exporter:prometheus-redis-exporter"
    "prometheus-postgres-exporter:prometheus-postgres-exporter"
    "dockerd:docker.io"
    "docker:docker.io"
  )
  local entry bin pkg
  local -A missing=()
  for entry in "${checks[@]}"; do
    bin=${entry%%:*}
    pkg=${entry##*:}
    if [[ $bin == /* ]]; then
      [[ -x "$bin" || -f "$bin" ]] || missing[$pkg]=1
    else
      command -v "$bin" >/dev/null 2>&1 || missing[$pkg]=1
    fi
  done
  if ((${#missing[@]})); then
    printf '%s\n' "${!missing[@]}" | sort
  fi
}

# Another apt run may be in progress (e.g. provisioning writes /tmp/apt.log and a final
# line starting with "done"). Wait for it, then rely on apt's own lock timeout.
lab_wait_for_other_apt() {
  if [[ -f /tmp/apt.log ]] && ! grep -q '^done' /tmp/apt.log; then
    log "waiting for the background apt run to finish (/tmp/apt.log)"
    local deadline=$((SECONDS + 900))
    until grep -q '^done' /tmp/apt.log; do
      ((SECONDS < deadline)) || die "background apt run did not finish within 15 min" /tmp/apt.log
      sleep 2
    done
  fi
}

lab_ensure_packages() {
  local -a missing
  mapfile -t missing < <(lab_missing_packages)
  if ((${#missing[@]} == 0)); then
    log "packages ok (all binaries present)"
    return 0
  fi
  log "missing packages: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    die "not root: cannot install ${missing[*]}"
  fi
  lab_wait_for_other_apt
  # Re-check: the background install may have provided them.
  mapfile -t missing < <(lab_missing_packages)
  if ((${#missing[@]} == 0)); then
    log "packages ok (installed by the background apt run)"
    return 0
  fi

  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# written by switchyard test/lab/up.sh: do not start daemons from postinst\nexit 101\n' \
      >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local aptlog=$LAB/apt.log rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y \
        --no-install-recommends "${missing[@]}"
  } </dev/null >"$aptlog" 2>&1 || rc=$?
  if ((created_policy)); then
    rm -f /usr/sbin/policy-rc.d
  fi
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)" "$aptlog"
  mapfile -t missing < <(lab_missing_packages)
  ((${#missing[@]} == 0)) || die "still missing after install: ${missing[*]}" "$aptlog"
  log "packages installed"
}
