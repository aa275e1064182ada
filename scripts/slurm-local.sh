#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (slurmctld + slurmd on localhost, munge auth), for
# running curate's `executor: {type: slurm, slurm: {partition: debug}}` pipelines and their tests.
#
#   scripts/slurm-local.sh          install slurm-wlm + munge if missing, start the daemons
#                                   (idempotent), wait until `sinfo` shows the node idle
#   scripts/slurm-local.sh stop     stop slurmctld, slurmd and the munged this script started
#   scripts/slurm-local.sh status   print sinfo / squeue
#
# Needs root (Debian/Ubuntu, apt). Works without systemd and without cgroups: proctrack/linuxproc,
# task/none, no accounting. State, spool, logs and pid files live in $CURATE_SLURM_DIR
# (default /tmp/curate-slurm); the config is written to /etc/slurm/slurm.conf (the path sbatch,
# srun and sinfo read), but only when that file is absent or was written by this script.
# Environment: CURATE_SLURM_DIR, CURATE_SLURM_TIMEOUT (seconds to wait for the node, default 60).
set -euo pipefail

DIR=${CURATE_SLURM_DIR:-/tmp/curate-slurm}
TIMEOUT=${CURATE_SLURM_TIMEOUT:-60}
CONF=/etc/slurm/slurm.conf
MARK="# written by curate scripts/slurm-local.sh"
NODE=localhost

log() { echo "slurm-local: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# the daemon NAME runs: its pid file names a live (not zombie) process called NAME
alive() {
  local pid stat
  [[ -f $DIR/$1.pid ]] || return 1
  pid=$(cat "$DIR/$1.pid")
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$1" ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != Z* ]]
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null &&
    command -v munged >/dev/null; then
    return
  fi
  command -v apt-get >/dev/null || die "slurm-wlm/munge are missing and there is no apt-get to install them"
  log "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

start_munge() {
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    return
  fi
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged --force
  touch "$DIR/munged.started-here"
  for _ in $(seq 50); do
    munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && return
    sleep 0.1
  done
  die "munged does not answer (see /var/log/munge/munged.log)"
}

write_config() {
  if [[ -f $CONF ]] && ! grep -qF "$MARK" "$CONF"; then
    die "$CONF exists and was not written by this script; refusing to replace it"
  fi
  local cpus mem
  cpus=$(nproc)
  # memory is not a consumable resource here (CR_CPU); RealMemory only has to cover a job's request
  mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 256))
  ((mem >= 1024)) || mem=1024
  mkdir -p "$(dirname "$CONF")"
  cat >"$CONF.tmp" <<EOF
$MARK
ClusterName=curate
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
KillWait=10
MinJobAge=300
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  if ! cmp -s "$CONF.tmp" "$CONF" 2>/dev/null; then
    mv "$CONF.tmp" "$CONF"
    echo changed
  else
    rm -f "$CONF.tmp"
  fi
}

node_state() { sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -1; }

start() {
  [[ $(id -u) == 0 ]] || die "run as root (the daemons run as root with SlurmUser=root)"
  install_packages
  mkdir -p "$DIR/state" "$DIR/spool"
  start_munge
  local changed
  changed=$(write_config)
  if [[ -n $changed ]] && { alive slurmctld || alive slurmd; }; then
    log "configuration changed, restarting the daemons"
    stop_slurm
  fi
  if ! alive slurmctld; then
    log "starting slurmctld (log: $DIR/slurmctld.log)"
    slurmctld -i || die "slurmctld failed to start: $(tail -n 3 "$DIR/slurmctld.log" 2>/dev/null)"
  fi
  if ! alive slurmd; then
    log "starting slurmd (log: $DIR/slurmd.log)"
    slurmd -N "$NODE" || die "slurmd failed to start: $(tail -n 3 "$DIR/slurmd.log" 2>/dev/null)"
  fi
  local deadline=$((SECONDS + TIMEOUT)) state=""
  while ((SECONDS < deadline)); do
    state=$(node_state || true)
    case $state in
      idle | mixed | allocated | completing) break ;;
      down* | drain*) scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 1
  done
  case $state in
    idle | mixed | allocated | completing) log "node $NODE is $state (partition debug)" ;;
    *)
      log "node $NODE did not become idle within ${TIMEOUT}s (state: ${state:-no answer from slurmctld})"
      tail -n 5 "$DIR/slurmctld.log" "$DIR/slurmd.log" >&2 2>/dev/null || true
      exit 1
      ;;
  esac
}

stop_slurm() {
  local pid
  for name in slurmd slurmctld; do
    if alive "$name"; then
      pid=$(cat "$DIR/$name.pid")
      kill "$pid"
      for _ in $(seq 100); do
        alive "$name" || break
        sleep 0.1
      done
      if alive "$name"; then kill -9 "$pid"; fi
      log "stopped $name"
    fi
    rm -f "$DIR/$name.pid"
  done
}

stop() {
  stop_slurm
  if [[ -f $DIR/munged.started-here ]]; then
    runuser -u munge -- /usr/sbin/munged --stop >/dev/null 2>&1 || true
    rm -f "$DIR/munged.started-here"
    log "stopped munged"
  fi
}

case ${1:-start} in
  start) start ;;
  stop) stop ;;
  status)
    sinfo
    squeue
    ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac
