#!/usr/bin/env bash
# Side-by-side speed of gridrisk and the numpy reference (../shared/bench/numpy_ref.py) on
# IEEE RTS-79, on this machine, in one command. Prints sample-years per second and the ratio.
#
#   bash scripts/bench-vs-numpy.sh [GRIDRISK_SAMPLES] [NUMPY_YEARS]
#
# gridrisk runs end to end (scenario load, every index, JSON out) with --threads 1, then
# --threads 2, then as two independent --threads 1 processes at once (each on half the
# samples, different seeds): if two threads do not give twice one thread, the two processes
# show whether the machine's cores scale at all. The reference runs single-process, just
# before and just after gridrisk's one-thread run; the ratios are against the mean of the two.
# NUMPY_REF overrides the reference's path (from a git worktree, ../shared is not beside
# the repository). A virtualenv with numpy is made in .venv-bench on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-200000}
years=${2:-20000}
bench=${NUMPY_REF:-../shared/bench/numpy_ref.py}
if [ ! -f "$bench" ]; then
    echo "bench-vs-numpy: no numpy reference at $bench (set NUMPY_REF to its path)" >&2
    exit 1
fi
if [ ! -x .venv-bench/bin/python ]; then
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet numpy
fi
cargo build --release --quiet
rate() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["samples"]/d["run"]["wall_s"])'; }
run() { target/release/gridrisk run scenarios/benchmarks/ieee-rts79.toml --format json "$@"; }
numpy() { .venv-bench/bin/python "$bench" --years "$years" --seed 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["years_per_s"])'; }
# The reference runs before and after gridrisk's one-thread run, and the ratio is taken
# against their mean: the load of a shared machine drifts between runs.
np1=$(numpy)
g1=$(run --samples "$samples" --seed 1 --threads 1 | rate)
np2=$(numpy)
g2=$(run --samples "$samples" --seed 1 --threads 2 | rate)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
half=$((samples / 2))
run --samples "$half" --seed 1 --threads 1 >"$tmp/a.json" &
run --samples "$half" --seed 2 --threads 1 >"$tmp/b.json" &
wait
pa=$(rate <"$tmp/a.json")
pb=$(rate <"$tmp/b.json")
python3 - "$g1" "$g2" "$pa" "$pb" "$np1" "$np2" "$samples" "$years" <<'PY'
import sys
g1, g2, pa, pb, np1, np2, samples, years = map(float, sys.argv[1:])
np_ = (np1 + np2) / 2
print(f"{'engine':<44}{'sample-years/s':>16}{'vs numpy':>10}")
print(f"{'numpy_ref (%d years; %.0f before, %.0f after)' % (years, np1, np2):<44}{np_:>16,.0f}{1:>10.1f}")
print(f"{'gridrisk --threads 1 (%d)' % samples:<44}{g1:>16,.0f}{g1/np_:>10.1f}")
print(f"{'gridrisk --threads 2 (%d)' % samples:<44}{g2:>16,.0f}{g2/np_:>10.1f}")
print(f"{'2 processes --threads 1 at once (%d each)' % (samples // 2):<44}{pa+pb:>16,.0f}{(pa+pb)/np_:>10.1f}")
print(f"two threads / one thread: {g2/g1:.2f}")
print(f"two processes together / one thread alone: {(pa+pb)/g1:.2f} (each {pa/g1:.2f} and {pb/g1:.2f} of one alone)")
PY
