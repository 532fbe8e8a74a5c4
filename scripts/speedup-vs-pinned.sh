#!/usr/bin/env bash
# Wall time of the default study (the embedded Kazakhstan winter 2021/22 study, `gridrisk
# study`) with this tree's binary against the binary of a pinned commit, built from git.
#
#   bash scripts/speedup-vs-pinned.sh [--samples N] [--runs K] [--commit REV]
#
#   --samples N   samples per scenario (default: the study's own, 2,000); a small N is a quick check
#   --runs K      runs of each binary (default 5)
#   --commit REV  the pinned commit (default 5cab149, main before issue 11)
#
# The pinned commit is exported with `git archive` into target/pinned-<commit>/src (no
# worktree is registered) and built there with its own target directory; both are reused by
# later calls. The two binaries run alternately (pinned, current, pinned, current, ...), each
# run in a fresh, empty output directory, so no result of an earlier run is reused. Prints
# every run's wall time, each binary's median and the ratio pinned / current of the medians
# and the median of the per-pair ratios (> 1: the current tree is faster).
#
# Wall time on a shared machine is only as good as the machine is quiet: run it when nothing
# else is building, and read the spread of the runs before the ratio. The study is each
# binary's own: since the calibrated variant joined it, the current one has 16 scenarios
# against the pinned commit's 15, so the ratio understates the speed-up by 16/15.
set -euo pipefail
cd "$(dirname "$0")/.."
samples=""
runs=5
commit=5cab149
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) samples=${2:?--samples needs a number}; shift 2 ;;
        --runs) runs=${2:?--runs needs a number}; shift 2 ;;
        --commit) commit=${2:?--commit needs a revision}; shift 2 ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "speedup-vs-pinned.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case "$runs" in ''|*[!0-9]*|0) echo "speedup-vs-pinned.sh: --runs must be a positive integer, got '$runs'" >&2; exit 2 ;; esac
case "$samples" in *[!0-9]*) echo "speedup-vs-pinned.sh: --samples must be a positive integer, got '$samples'" >&2; exit 2 ;; esac
full=$(git rev-parse --verify "$commit^{commit}") || {
    echo "speedup-vs-pinned.sh: '$commit' is not a commit of this repository" >&2; exit 2; }

root=$PWD
pinned=$root/target/pinned-${full:0:12}
if [ ! -x "$pinned/target/release/gridrisk" ]; then
    echo "building ${full:0:12} in $pinned ..." >&2
    rm -rf "$pinned/src"
    mkdir -p "$pinned/src"
    git archive "$full" | tar -x -C "$pinned/src"
    (cd "$pinned/src" && CARGO_TARGET_DIR="$pinned/target" cargo build --release --quiet --bin gridrisk)
fi
cargo build --release --quiet --bin gridrisk
old=$pinned/target/release/gridrisk
new=$root/target/release/gridrisk

extra=()
[ -n "$samples" ] && extra=(--samples "$samples")
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gridrisk-speedup.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

# One run in a fresh directory; prints its wall time in seconds.
timed() {
    local bin=$1 out
    out=$(mktemp -d "$scratch/out.XXXXXX")
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" study --out-dir "$out" "${extra[@]}" >/dev/null 2>"$out.stderr" || {
        echo "speedup-vs-pinned.sh: $bin failed:" >&2; cat "$out.stderr" >&2; exit 1; }
    t1=$(date +%s.%N)
    rm -rf "$out" "$out.stderr"
    python3 -c "print(f'{$t1 - $t0:.3f}')"
}

echo "default study${samples:+ with --samples $samples}; pinned ${full:0:12} vs current $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo '+changes')"
old_s=()
new_s=()
for i in $(seq 1 "$runs"); do
    o=$(timed "$old")
    n=$(timed "$new")
    old_s+=("$o")
    new_s+=("$n")
    printf 'run %d: pinned %8.3f s   current %8.3f s   ratio %6.2f\n' "$i" "$o" "$n" \
        "$(python3 -c "print($o / $n)")"
done
python3 - "${old_s[*]}" "${new_s[*]}" <<'PY'
import statistics, sys
old = [float(x) for x in sys.argv[1].split()]
new = [float(x) for x in sys.argv[2].split()]
print(f"median: pinned {statistics.median(old):.3f} s, current {statistics.median(new):.3f} s")
print(f"ratio of the medians (pinned / current): {statistics.median(old) / statistics.median(new):.2f}")
print(f"median of the per-run ratios:            {statistics.median(o / n for o, n in zip(old, new)):.2f}")
PY
