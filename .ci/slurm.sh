#!/usr/bin/env bash
# A real one-node Slurm for the tests, private to one folder.
#
#   .ci/slurm.sh start DIR    install Debian's Slurm and munge if missing, write
#                             DIR/slurm.conf (this machine as the only node,
#                             partition "debug"), start munged, slurmctld and
#                             slurmd, wait until the node is idle, and print
#                             "export SLURM_CONF=DIR/slurm.conf" as the last
#                             line of stdout (progress goes to stderr).
#                             Exit 3: cannot start here (not root, no apt-get,
#                             packages not installable); the reason is printed.
#   .ci/slurm.sh stop DIR     cancel this instance's jobs, then stop exactly the
#                             daemons it started, by the PID files under DIR.
#   .ci/slurm.sh status DIR   exit 0 if those daemons run and the node is
#                             idle, allocated or mixed.
#
# Everything (configuration, munge key and socket, state, spool, logs, PID
# files) lives under DIR, with ports chosen free at start, so an instance does
# not touch the system's Slurm or munge, nor another instance. Slurm commands
# need SLURM_CONF=DIR/slurm.conf in their environment.
set -euo pipefail

usage() { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
case $2 in /*) dir=$2 ;; *) dir=$PWD/$2 ;; esac
dir=${dir%/}
conf=$dir/slurm.conf
export SLURM_CONF=$conf

log() { echo "slurm.sh: $*" >&2; }
cannot() { echo "slurm.sh: cannot start Slurm here: $*" >&2; exit 3; }

# alive NAME: the daemon NAME whose PID file is under DIR is running.
# The process name is checked too, so a reused PID is never taken for it.
pidfile() {
  case $1 in munged) echo "$dir/munge/munged.pid" ;; *) echo "$dir/run/$1.pid" ;; esac
}
alive() {
  local f pid
  f=$(pidfile "$1")
  [ -s "$f" ] || return 1
  pid=$(tr -dc '0-9' 2>/dev/null <"$f" || true)
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] || return 1
  # An exited daemon not yet reaped (a zombie) is not alive.
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

node_name() { sed -n 's/^NodeName=\([^ ]*\).*/\1/p' "$conf" | head -n1; }

# node_state: the node's state as sinfo reports it (idle, allocated, mixed,
# drained, down*, ...), empty when slurmctld does not answer.
node_state() {
  timeout 10 sinfo -h -N -n "$(node_name)" -o %T 2>/dev/null | head -n1 || true
}

status() {
  [ -f "$conf" ] || return 1
  alive munged && alive slurmctld && alive slurmd || return 1
  case $(node_state) in idle | allocated | mixed) return 0 ;; *) return 1 ;; esac
}

# stop_daemon NAME: TERM the daemon, wait up to 20 s, then KILL it.
stop_daemon() {
  local name=$1 f pid i
  f=$(pidfile "$name")
  if alive "$name"; then
    pid=$(tr -dc '0-9' 2>/dev/null <"$f" || true)
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$name" || break; sleep 0.2; done
    if alive "$name"; then
      log "$name ($pid) did not stop on TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 25); do alive "$name" || break; sleep 0.2; done
    fi
  fi
  rm -f "$f"
}

stop() {
  if [ -f "$conf" ] && alive slurmctld; then
    # Jobs still running would outlive slurmd (their slurmstepd is separate).
    local jobs i
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u || true)
    if [ -n "$jobs" ]; then
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null || true
      for i in $(seq 1 50); do
        [ -z "$(timeout 10 squeue -h -o %A 2>/dev/null || true)" ] && break
        sleep 0.2
      done
    fi
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
}

# port_free PORT: nothing listens on PORT on this machine.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port AVOID...: a free port in 20000-29999 (a fixed start for DIR, so a
# restart usually gets the same ports), not one of AVOID.
pick_port() {
  local p i a skip
  p=$((20000 + $(cksum <<<"$dir" | cut -d' ' -f1) % 10000))
  for i in $(seq 1 200); do
    skip=
    for a in "$@"; do [ "$a" = "$p" ] && skip=1; done
    if [ -z "$skip" ] && port_free "$p"; then echo "$p"; return 0; fi
    p=$((p + 1)); [ "$p" -gt 29999 ] && p=20000
  done
  return 1
}

install_packages() {
  local need=0 c
  for c in slurmctld slurmd sbatch sinfo munged; do
    command -v "$c" >/dev/null 2>&1 || need=1
  done
  [ "$need" = 1 ] || return 0
  command -v apt-get >/dev/null 2>&1 || cannot "Slurm is not installed and apt-get is missing"
  export DEBIAN_FRONTEND=noninteractive
  # No systemd here: keep the packages' postinst scripts from starting the
  # system's munge and Slurm services (invoke-rc.d honours policy-rc.d).
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  local pkgs=(slurmctld slurmd slurm-client munge) t0=$SECONDS ok=0
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  log "installing ${pkgs[*]}"
  if "${apt[@]}" install --no-install-recommends "${pkgs[@]}" >&2; then
    ok=1
  else
    log "install failed; running apt-get update and retrying"
    if "${apt[@]}" update >&2 && "${apt[@]}" install --no-install-recommends "${pkgs[@]}" >&2; then ok=1; fi
  fi
  if [ "$made_policy" = 1 ]; then rm -f "$policy"; trap - EXIT; fi
  [ "$ok" = 1 ] || cannot "apt-get could not install ${pkgs[*]}"
  log "installed in $((SECONDS - t0)) s"
}

write_conf() {
  # What slurmd finds on this machine (CPUs, sockets, cores, threads, memory).
  local hw node cpus mem sockets cores threads cport dport
  hw=$(slurmd -C 2>/dev/null | head -n1 || true)
  node=$(sed -n 's/^NodeName=\([^ ]*\).*/\1/p' <<<"$hw")
  [ -n "$node" ] || node=$(hostname -s)
  cpus=$(grep -o 'CPUs=[0-9]*' <<<"$hw" | cut -d= -f2 || true)
  [ -n "$cpus" ] || cpus=$(nproc)
  sockets=$(grep -o 'SocketsPerBoard=[0-9]*' <<<"$hw" | cut -d= -f2 || true)
  cores=$(grep -o 'CoresPerSocket=[0-9]*' <<<"$hw" | cut -d= -f2 || true)
  threads=$(grep -o 'ThreadsPerCore=[0-9]*' <<<"$hw" | cut -d= -f2 || true)
  mem=$(grep -o 'RealMemory=[0-9]*' <<<"$hw" | cut -d= -f2 || true)
  [ -n "$mem" ] || mem=$(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024))
  mem=$((mem * 9 / 10)) # a bit below the machine's, or slurmd would drain it
  local topo=
  if [ -n "$sockets" ] && [ -n "$cores" ] && [ -n "$threads" ] &&
    [ $((sockets * cores * threads)) = "$cpus" ]; then
    topo=" Sockets=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads"
  fi

  # Keep the ports of an earlier start when they are still free.
  if [ -f "$conf" ]; then
    cport=$(sed -n 's/^SlurmctldPort=//p' "$conf")
    dport=$(sed -n 's/^SlurmdPort=//p' "$conf")
  fi
  if [ -z "${cport:-}" ] || ! port_free "$cport"; then cport=$(pick_port "${dport:-}"); fi
  if [ -z "${dport:-}" ] || [ "$dport" = "$cport" ] || ! port_free "$dport"; then dport=$(pick_port "$cport"); fi

  cat >"$conf" <<EOF
# One-node Slurm for biornn's tests, written by .ci/slurm.sh; everything under
# $dir. Use it with SLURM_CONF=$conf.
ClusterName=biornn
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
SlurmctldPidFile=$(pidfile slurmctld)
SlurmdPidFile=$(pidfile slurmd)
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# Finished jobs stay visible to squeue/scontrol for a while.
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus$topo RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munged() {
  alive munged && return 0
  id munge >/dev/null 2>&1 || { log "the munge user is missing (is the munge package broken?)"; return 1; }
  # munged runs as user munge: it must reach DIR, and wants its socket folder
  # mode 755 and its key readable by itself only.
  chmod 755 "$dir"
  mkdir -p "$dir/munge"
  chown munge:munge "$dir/munge"
  chmod 755 "$dir/munge"
  local key=$dir/munge/munge.key
  if [ ! -s "$key" ]; then
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$key" --force >&2
    else
      dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
    fi
  fi
  chown munge:munge "$key"
  chmod 400 "$key"
  : >"$(pidfile munged)"
  chown munge:munge "$(pidfile munged)"
  launch munged setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --key-file="$key" --socket="$dir/munge/munge.socket.2" \
    --pid-file="$(pidfile munged)" --log-file="$dir/munge/munged.log" \
    --seed-file="$dir/munge/munged.seed" || return 1
  local i
  for i in $(seq 1 50); do alive munged && [ -S "$dir/munge/munge.socket.2" ] && return 0; sleep 0.1; done
  log "munged did not start"; tail -n 20 "$dir/munge/munged.log" >&2 2>/dev/null || true
  return 1
}

# launch NAME COMMAND...: start a daemon in the foreground of its own session,
# in the background of this script, and record its PID at once (not only when
# the daemon writes its own PID file, which it may never reach on failure).
launch() {
  local name=$1
  shift
  setsid "$@" </dev/null >>"$dir/log/$name.out" 2>&1 &
  echo $! >"$(pidfile "$name")"
  local i
  for i in $(seq 1 50); do alive "$name" && return 0; sleep 0.1; done
  log "$name did not start"
  return 1
}

fail_start() {
  log "start failed: $*"
  local f
  for f in "$dir"/munge/munged.log "$dir"/log/*; do
    [ -f "$f" ] || continue
    echo "--- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done
  stop
  exit 1
}

start() {
  [ "$(id -u)" = 0 ] || cannot "needs root (the daemons run as root; the packages come from apt-get)"
  if status; then
    log "already running"
    echo "export SLURM_CONF=$conf"
    return 0
  fi
  install_packages
  local t0=$SECONDS
  stop # leftovers of an earlier, half-finished start in DIR
  mkdir -p "$dir" "$dir/run" "$dir/log" "$dir/state" "$dir/spool"
  write_conf
  start_munged || fail_start "munged"
  launch slurmctld slurmctld -D -f "$conf" || fail_start "slurmctld"
  launch slurmd slurmd -D -f "$conf" || fail_start "slurmd"
  # Wait for the node to register idle; a node left drained or down by saved
  # state (an earlier failed start) is resumed.
  local i st node resumed=0
  node=$(node_name)
  for i in $(seq 1 120); do
    alive slurmctld || fail_start "slurmctld exited"
    alive slurmd || fail_start "slurmd exited"
    st=$(node_state)
    case $st in
      idle | allocated | mixed) break ;;
      *drain* | down | fail*)
        if [ "$resumed" -lt 3 ]; then
          log "node $node is $st; resuming it"
          timeout 10 scontrol update NodeName="$node" State=RESUME >&2 || true
          resumed=$((resumed + 1))
        fi
        ;;
    esac
    sleep 0.5
  done
  case $st in idle | allocated | mixed) ;; *) fail_start "node $node is '${st:-not reported}' after 60 s" ;; esac
  log "node $node is $st ($((SECONDS - t0)) s to start)"
  echo "export SLURM_CONF=$conf"
}

case $cmd in
  start) start ;;
  stop) [ -d "$dir" ] && stop; exit 0 ;;
  status) status ;;
  *) usage ;;
esac
