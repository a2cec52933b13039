# A one-machine Slurm cluster for the farm's end-to-end tests: munged, slurmctld
# and slurmd started on loopback from a temporary slurm.conf, with a gres.conf
# declaring two fake GPUs (/dev/null and /dev/zero: Slurm only needs a device
# file per GPU to set CUDA_VISIBLE_DEVICES). Source it after lib.sh, then call
# `slurm_start`; everything it started is stopped by pid when the test exits.
#
# A test without the Slurm binaries skips (exit 77, the e2e tests'
# SKIP_RETURN_CODE); any other failure to start the cluster fails the test.

SLURM_PIDS=()
SLURM_DIR=""

slurm_stop() {
  local pid i
  # Reverse order: slurmd, slurmctld, munged.
  for ((i = ${#SLURM_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${SLURM_PIDS[$i]}
    kill "$pid" 2>/dev/null
  done
  for pid in "${SLURM_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  SLURM_PIDS=()
}

# A free TCP port on loopback (the kernel's choice, released at once).
slurm_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

slurm_dump_logs() {
  local f
  for f in "$SLURM_DIR"/*.log "$SLURM_DIR"/*.err; do
    [ -f "$f" ] || continue
    echo "--- $f" >&2
    tail -n 30 "$f" >&2
  done
}

# slurm_start — starts the cluster and waits until its node is idle; exports
# SLURM_CONF for srun/salloc/sinfo. Exits 77 when Slurm is not installed.
slurm_start() {
  local b
  for b in munged slurmctld slurmd srun salloc sinfo; do
    if ! command -v "$b" >/dev/null && [ ! -x "/usr/sbin/$b" ]; then
      echo "SKIP: $b not installed (tools/install-deps.sh installs Slurm)" >&2
      exit 77
    fi
  done
  export PATH="$PATH:/usr/sbin"
  SLURM_DIR="$WORK/slurm"
  mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool"
  # slurmd and the job steps run as this user, so the spool is theirs.
  chmod 755 "$SLURM_DIR" "$SLURM_DIR/spool"
  trap 'slurm_stop; rm -rf "$WORK"' EXIT

  head -c 1024 /dev/urandom > "$SLURM_DIR/munge.key"
  chmod 400 "$SLURM_DIR/munge.key"
  munged --force --key-file="$SLURM_DIR/munge.key" --socket="$SLURM_DIR/munge.sock" \
    --pid-file="$SLURM_DIR/munged.pid" --log-file="$SLURM_DIR/munged.log" --seed-file="$SLURM_DIR/munge.seed" \
    --foreground 2>>"$SLURM_DIR/munged.err" &
  SLURM_PIDS+=($!)
  for _ in $(seq 50); do [ -S "$SLURM_DIR/munge.sock" ] && break; sleep 0.1; done
  [ -S "$SLURM_DIR/munge.sock" ] || { slurm_dump_logs; fail "munged did not start"; finish; exit 1; }

  local user cpus ctld_port d_port
  user=$(id -un)
  # Two CPUs at least, so that two one-CPU steps can run beside each other.
  cpus=$(nproc); [ "$cpus" -ge 2 ] || cpus=2
  ctld_port=$(slurm_free_port)
  d_port=$(slurm_free_port)
  cat > "$SLURM_DIR/slurm.conf" <<CONF
ClusterName=foleytest
SlurmctldHost=$(hostname -s)(127.0.0.1)
MailProg=/bin/true
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge.sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/slurmctld.log
SlurmdLogFile=$SLURM_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
ReturnToService=2
SchedulerType=sched/builtin
MessageTimeout=10
KillWait=2
NodeName=foleynode NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 Gres=gpu:2 State=UNKNOWN
PartitionName=farm Nodes=foleynode Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  cat > "$SLURM_DIR/gres.conf" <<CONF
NodeName=foleynode Name=gpu File=/dev/null Count=1
NodeName=foleynode Name=gpu File=/dev/zero Count=1
CONF
  export SLURM_CONF="$SLURM_DIR/slurm.conf"

  slurmctld -D -i -f "$SLURM_CONF" 2>>"$SLURM_DIR/slurmctld.err" &
  SLURM_PIDS+=($!)
  slurmd -D -f "$SLURM_CONF" -N foleynode 2>>"$SLURM_DIR/slurmd.err" &
  SLURM_PIDS+=($!)

  local state=""
  for _ in $(seq 150); do
    state=$(sinfo -h -N -o '%t %G' 2>/dev/null)
    case "$state" in idle*) break ;; esac
    sleep 0.2
  done
  case "$state" in
    idle*"gpu:2"*) ;;
    *) slurm_dump_logs; fail "the Slurm node did not become idle with 2 GPUs (sinfo: '$state')"; finish; exit 1 ;;
  esac
}
