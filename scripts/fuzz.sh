#!/usr/bin/env bash
# The fuzzing harness's long mode, for a release check (tests/fuzz.rs; README "Fuzzing").
# Usage: scripts/fuzz.sh [CASES [SEED]]   (default 6000 cases, seed 9)
# Counts per outcome class go to standard output and target/fuzz-failures/summary-SEED.txt;
# each failing group keeps up to three reproducers in target/fuzz-failures/case-SEED-INDEX/.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRIDRISK_FUZZ_CASES="${1:-6000}"
export GRIDRISK_FUZZ_SEED="${2:-${GRIDRISK_FUZZ_SEED:-9}}"
# Hung cases wait without using a core: a third job keeps both cores busy meanwhile.
export GRIDRISK_FUZZ_JOBS="${GRIDRISK_FUZZ_JOBS:-3}"
exec cargo test --release --test cli fuzz -- --nocapture
