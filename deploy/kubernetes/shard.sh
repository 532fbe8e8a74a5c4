#!/usr/bin/env bash
# One shard of a Kubernetes Indexed Job: K = JOB_COMPLETION_INDEX + 1 (indexes start at 0).
set -euo pipefail
: "${GRIDRISK:=target/release/gridrisk}"
: "${SCENARIO:=scenarios/kazakhstan/winter-2021-22.toml}"
: "${SAMPLES:=100000}"
: "${SEED:=1}"
: "${OUT_DIR:=shards}"
index=${JOB_COMPLETION_INDEX:?run in an Indexed Job}
K=$((index + 1))
N=${SHARDS:?set SHARDS to the number of completions of the Job}
mkdir -p "$OUT_DIR"
"$GRIDRISK" run "$SCENARIO" --samples "$SAMPLES" --seed "$SEED" \
    --shard "$K/$N" --out "$OUT_DIR/shard-$K-of-$N.json"
