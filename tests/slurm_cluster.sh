#!/bin/bash
# slurm_cluster.sh: a private single-node Slurm on this machine, for tests. Source it, then
#   slurm_cluster_start DIR   munged, slurmctld and slurmd with everything (key, socket, config,
#                             state, spool, logs) under DIR, on free ports; exports SLURM_CONF.
#                             Returns 0 when the node is idle, 77 (with SLURM_CLUSTER_WHY set)
#                             when Slurm cannot run here, 1 when it should have but did not.
#   slurm_cluster_stop        cancels every job, stops the daemons and any process they left.
#   slurm_job_wait ID SECS    waits until job ID ends; prints "STATE EXITCODE" (e.g. COMPLETED 0:0)
#                             and returns 0 only for COMPLETED with exit code 0:0.
#   slurm_cluster_logs        the tail of each daemon's log, for a failure message.
# Every process it starts carries C2H_SLURM_CLUSTER=DIR in its environment, and so do the jobs
# (sbatch --export=ALL), or holds a file under DIR open: slurm_cluster_stop ends exactly those,
# even steps slurmd left behind; so does a watchdog when the caller dies without stopping.
# Nothing outside DIR is read or written but /proc and Slurm's own plugin folder.

SLURM_CLUSTER_DIR=
SLURM_CLUSTER_WHY=
SLURM_CLUSTER_WATCHDOG=

# _slurm_free_port: a TCP port on 127.0.0.1 that nobody listens on now.
_slurm_free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# _slurm_marked_pids DIR: the processes whose environment holds C2H_SLURM_CLUSTER=DIR, or that
# hold a file under DIR open (slurmstepd overwrites its environment with its title, but keeps
# slurmd's log open).
_slurm_marked_pids() {
    {
        grep -lzxF -- "C2H_SLURM_CLUSTER=$1" /proc/[0-9]*/environ
        find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 -lname "$1/*"
    } 2>/dev/null | sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -u | grep -vx -e "$$" -e "$BASHPID" || true
}

slurm_cluster_logs() {
    local f
    for f in "$SLURM_CLUSTER_DIR"/log/*.log; do
        [[ -f $f ]] || continue
        echo "    --- $(basename "$f") (last lines)"
        tail -15 "$f" | sed 's/^/    | /'
    done
}

slurm_cluster_start() {
    local dir=$1
    SLURM_CLUSTER_DIR=$dir
    if [[ $(id -u) != 0 ]]; then
        SLURM_CLUSTER_WHY="not root: slurmd must run as root to start jobs"
        return 77
    fi
    local t
    for t in munged slurmctld slurmd sbatch scontrol srun; do
        if ! command -v "$t" >/dev/null && [[ ! -x /usr/sbin/$t ]]; then
            SLURM_CLUSTER_WHY="no $t (Debian packages slurm-wlm and munge; ./setup.sh installs them)"
            return 77
        fi
    done
    export PATH=$PATH:/usr/sbin
    export C2H_SLURM_CLUSTER=$dir
    mkdir -p "$dir"/{munge,state,spool,log,run,tmp}
    chmod 755 "$dir/munge" # munged wants its socket folder searchable; the key stays 0400
    # If the caller dies without slurm_cluster_stop (killed by a test timeout), this ends what
    # it started: it polls the caller's pid and then stops every process carrying the mark.
    (
        trap - EXIT
        # (a dead caller may linger as a zombie, which kill -0 still finds: read its state)
        while [[ -d $dir ]] && state=$(sed 's/.*) //' "/proc/$$/stat" 2>/dev/null) &&
            [[ ${state:0:1} != [ZX] ]]; do sleep 2; done
        for _ in 1 2 3; do
            pids=$(_slurm_marked_pids "$dir")
            # shellcheck disable=SC2086
            [[ -z $pids ]] || kill -9 $pids 2>/dev/null
            sleep 1
        done
    ) </dev/null >/dev/null 2>&1 &
    SLURM_CLUSTER_WATCHDOG=$!

    # munge: a key of our own and a daemon on a socket of our own; the system's are left alone.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
        --seed-file="$dir/munge/munged.seed" </dev/null >>"$dir/log/munged.log" 2>&1 || {
        echo "munged did not start"
        slurm_cluster_logs
        return 1
    }
    if ! munge --socket="$dir/munge/munge.socket" -n 2>/dev/null |
        unmunge --socket="$dir/munge/munge.socket" >/dev/null 2>&1; then
        echo "munge round trip through $dir/munge/munge.socket failed"
        slurm_cluster_logs
        return 1
    fi

    local host ctld_port slurmd_port cpus mem_mib
    host=$(hostname -s)
    ctld_port=$(_slurm_free_port)
    slurmd_port=$(_slurm_free_port)
    while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(_slurm_free_port); done
    cpus=$(nproc)
    mem_mib=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
    cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm_cluster.sh for one test run: one node, this machine.
ClusterName=c2htest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
# Scratch of steps (the PMIx plugin's spmix_appdir_*) stays in DIR too.
TmpFS=$dir/tmp
# No cgroups: the sandbox may not have them.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=60
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    : >"$dir/plugstack.conf"
    export SLURM_CONF=$dir/slurm.conf
    # Client commands must not pick up the environment of a job they run in.
    unset SLURM_JOB_ID SLURM_JOBID

    slurmctld -D -c -i -f "$SLURM_CONF" </dev/null >>"$dir/log/slurmctld.out" 2>&1 &
    local i
    for ((i = 0; i < 100; i++)); do
        scontrol ping 2>/dev/null | grep -q 'is UP' && break
        sleep 0.2
    done
    if ! scontrol ping 2>/dev/null | grep -q 'is UP'; then
        echo "slurmctld did not answer on port $ctld_port within 20 s"
        slurm_cluster_logs
        tail -5 "$dir/log/slurmctld.out" | sed 's/^/    | /'
        return 1
    fi
    slurmd -D -f "$SLURM_CONF" -N "$host" </dev/null >>"$dir/log/slurmd.out" 2>&1 &
    local state=
    for ((i = 0; i < 150; i++)); do
        state=$(sinfo -h -n "$host" -o %T 2>/dev/null)
        [[ $state == idle ]] && break
        sleep 0.2
    done
    if [[ $state != idle ]]; then
        echo "node $host is '${state:-unknown}', not idle, after 30 s"
        scontrol show node "$host" 2>&1 | sed 's/^/    | /'
        slurm_cluster_logs
        tail -5 "$dir/log/slurmd.out" | sed 's/^/    | /'
        return 1
    fi
    return 0
}

slurm_job_wait() {
    local id=$1 secs=$2 line state=UNKNOWN code="?" start=$SECONDS
    while ((SECONDS - start < secs)); do
        line=$(scontrol show job -o "$id" 2>/dev/null) || line=
        state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
        code=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")
        case $state in
        COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) break ;;
        esac
        sleep 0.5
    done
    case $state in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | PREEMPTED | BOOT_FAIL | DEADLINE) ;;
    *) state="STILL_${state:-UNKNOWN}_after_${secs}s" ;;
    esac
    echo "$state ${code:-?}"
    [[ $state == COMPLETED && $code == 0:0 ]]
}

slurm_cluster_stop() {
    local dir=$SLURM_CLUSTER_DIR i f pids
    [[ -n $dir && -d $dir ]] || return 0
    unset C2H_SLURM_CLUSTER # what runs from here on is not ours to stop
    if [[ -f $dir/slurm.conf ]]; then
        scancel --full --quiet --user=root 2>/dev/null || true
        for ((i = 0; i < 20; i++)); do
            [[ -z $(squeue -h 2>/dev/null) ]] && break
            sleep 0.25
        done
    fi
    [[ -n $SLURM_CLUSTER_WATCHDOG ]] && kill "$SLURM_CLUSTER_WATCHDOG" 2>/dev/null
    # slurmd, slurmctld and munged, then whatever still carries the mark (steps, stray ranks).
    for f in slurmd slurmctld; do
        [[ -f $dir/run/$f.pid ]] && kill "$(cat "$dir/run/$f.pid")" 2>/dev/null
    done
    [[ -f $dir/munge/munged.pid ]] && kill "$(cat "$dir/munge/munged.pid")" 2>/dev/null
    for ((i = 0; i < 20; i++)); do
        pids=$(_slurm_marked_pids "$dir")
        [[ -z $pids ]] && break
        sleep 0.25
    done
    pids=$(_slurm_marked_pids "$dir")
    if [[ -n $pids ]]; then
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null
    fi
    wait 2>/dev/null
    return 0
}
