#!/usr/bin/env bash
# Distributed training with torchrun.
#   tools/dist_train.sh CONFIG GPUS [train.py args...]
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT, as in OpenMMLab.
# Without CUDA the ranks run on CPU with the gloo backend.
# SCRIPT runs another tool the same way, e.g. the throughput benchmark:
#   SCRIPT=tools/analysis/benchmark_throughput.py tools/dist_train.sh CONFIG 2
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
SCRIPT=${SCRIPT:-"$(dirname "$0")/train.py"}

. "$(dirname "$0")/port_check.sh"  # one line if PORT is taken

# torchrun's stderr passes through as it comes, except the ranks' one-line
# `mmdfkd error:` messages: each distinct one is printed once, last, below
# torchrun's own failure report.
{ PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
    torchrun \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$SCRIPT" \
    "$CONFIG" \
    --launcher pytorch "${@:3}" 2>&1 1>&3 3>&- |
    awk '/^mmdfkd error:/ { if (!seen[$0]++) errors = errors $0 "\n"; next }
         { print > "/dev/stderr"; fflush("/dev/stderr") }
         END { printf "%s", errors > "/dev/stderr" }'
  exit "${PIPESTATUS[0]}"; } 3>&1
