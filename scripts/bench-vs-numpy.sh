#!/usr/bin/env bash
# Side-by-side speed of gridrisk and the numpy reference (../shared/bench/numpy_ref.py) on
# IEEE RTS-79, on this machine, in one command. Prints sample-years per second and the ratio.
#
#   bash scripts/bench-vs-numpy.sh [GRIDRISK_SAMPLES] [NUMPY_YEARS]
#
# gridrisk runs end to end (scenario load, every index, JSON out) with --threads 1 and
# --threads 2; the reference runs single-process. A virtualenv with numpy is made in
# .venv-bench on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
samples=${1:-200000}
years=${2:-20000}
bench=../shared/bench/numpy_ref.py
if [ ! -x .venv-bench/bin/python ]; then
    python3 -m venv .venv-bench
    .venv-bench/bin/pip install --quiet numpy
fi
cargo build --release --quiet
rate() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["samples"]/d["run"]["wall_s"])'; }
g1=$(target/release/gridrisk run scenarios/benchmarks/ieee-rts79.toml --samples "$samples" --seed 1 --threads 1 --format json | rate)
g2=$(target/release/gridrisk run scenarios/benchmarks/ieee-rts79.toml --samples "$samples" --seed 1 --threads 2 --format json | rate)
np=$(.venv-bench/bin/python "$bench" --years "$years" --seed 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["years_per_s"])')
python3 - "$g1" "$g2" "$np" "$samples" "$years" <<'PY'
import sys
g1, g2, np_, samples, years = map(float, sys.argv[1:])
print(f"{'engine':<34}{'sample-years/s':>16}{'vs numpy':>10}")
print(f"{'numpy_ref (%d years)' % years:<34}{np_:>16,.0f}{1:>10.1f}")
print(f"{'gridrisk --threads 1 (%d)' % samples:<34}{g1:>16,.0f}{g1/np_:>10.1f}")
print(f"{'gridrisk --threads 2 (%d)' % samples:<34}{g2:>16,.0f}{g2/np_:>10.1f}")
print(f"two threads / one thread: {g2/g1:.2f}")
PY
