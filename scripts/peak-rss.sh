#!/usr/bin/env bash
# Peak resident memory of `gridrisk run` on RTS-79 at 1,000 and 100,000 samples: the
# accumulators stream, so memory must not grow with the number of samples.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
for n in 1000 100000; do
    kb=$( { /usr/bin/time -f '%M' target/release/gridrisk run scenarios/benchmarks/ieee-rts79.toml \
        --samples "$n" --threads 2 --format json >/dev/null; } 2>&1 | tail -n 1)
    echo "samples $n: peak RSS $kb KiB"
done
