#!/usr/bin/env bash
# A large Redis Cluster on loopback, beside the lab:
#   npm run lab:big -- --masters 60 --replicas 1     (120 nodes from port 21000)
#   npm run lab:big -- --down
# Writes ${SWITCHYARD_LAB_DIR:-/tmp/switchyard-lab}/big/big.json (seed, ports) for tests and benches.
set -Eeuo pipefail

LAB_T0=$(date +%s.%N)
LAB_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib
# shellcheck source=lib/common.sh
source "$LAB_LIB/common.sh"
check_lab_path
source "$LAB_LIB/redis.sh"
source "$LAB_LIB/big.sh"
trap on_err ERR

masters=60 replicas=1 down=0
while (($#)); do
  case $1 in
    --masters) masters=$2; shift 2 ;;
    --replicas) replicas=$2; shift 2 ;;
    --down) down=1; shift ;;
    *) die "usage: big.sh [--masters N] [--replicas N] | --down (not $1)" ;;
  esac
done
[[ $masters =~ ^[0-9]+$ && $replicas =~ ^[0-9]+$ && $masters -ge 3 ]] || die "--masters takes a number of at least 3, --replicas a number"

if ((down)); then
  lab_big_down
  log "big cluster down"
else
  lab_big_up "$masters" "$replicas"
fi
