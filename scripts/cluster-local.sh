#!/usr/bin/env bash
# Check the cluster examples locally: run the Slurm array tasks and the Kubernetes indexed
# pods as they would run (the same scripts, with the environment the schedulers set), merge
# each set, and compare both with a single-machine run (byte for byte, the "run" key aside).
#
#   bash scripts/cluster-local.sh [SHARDS] [SAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
shards=${1:-4}
samples=${2:-400}
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GRIDRISK=target/release/gridrisk SCENARIO=scenarios/kazakhstan/winter-2021-22.toml
export SAMPLES=$samples SEED=7
"$GRIDRISK" run "$SCENARIO" --samples "$SAMPLES" --seed "$SEED" --format json --out "$work/single.json"
for k in $(seq 1 "$shards"); do
    SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_COUNT=$shards OUT_DIR=$work/slurm \
        bash deploy/slurm/gridrisk-shards.sbatch
    JOB_COMPLETION_INDEX=$((k - 1)) SHARDS=$shards OUT_DIR=$work/k8s \
        bash deploy/kubernetes/shard.sh
done
OUT_DIR=$work/slurm RESULT=$work/slurm.json bash deploy/slurm/gridrisk-merge.sbatch
OUT_DIR=$work/k8s RESULT=$work/k8s.json bash deploy/kubernetes/merge.sh
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def load(name):
    d = json.load(open(f"{work}/{name}.json"))
    d.pop("run")
    return json.dumps(d)
single = load("single")
for name in ("slurm", "k8s"):
    same = load(name) == single
    print(f"{name}: merged {name} shards {'==' if same else '!='} single-machine run")
    if not same:
        sys.exit(1)
print("cluster examples check out")
PY
