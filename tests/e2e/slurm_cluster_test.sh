#!/usr/bin/env bash
# The one-machine Slurm cluster the farm's tests use (slurm_lib.sh): the node
# comes up idle with two fake GPUs, two job steps of one allocation run side by
# side with a GPU each, a third waits for one, and stopping leaves no daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slurm_lib.sh"
slurm_start

out=$(salloc -n2 --gres=gpu:2 bash -c '
  for i in 1 2 3; do
    srun --exact -n1 --gres=gpu:1 --quiet bash -c "echo gpu=\$CUDA_VISIBLE_DEVICES start=\$(date +%s.%N); sleep 0.5; echo end=\$(date +%s.%N)" &
  done; wait' 2>/dev/null)
expect_eq "three steps ran" 3 "$(count_lines 'start=' "$out")"
expect_eq "GPU 0 served a step" 1 "$( [ "$(count_lines 'gpu=0 ' "$out")" -ge 1 ] && echo 1 || echo 0)"
expect_eq "GPU 1 served a step" 1 "$( [ "$(count_lines 'gpu=1 ' "$out")" -ge 1 ] && echo 1 || echo 0)"

pids=("${SLURM_PIDS[@]}")
expect_eq "three daemons" 3 "${#pids[@]}"
slurm_stop
left=0
for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
expect_eq "no daemon left running" 0 "$left"
finish
