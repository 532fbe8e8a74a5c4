#!/usr/bin/env bash
# How the cost of a sample-year grows with the size of the system: synthetic systems of R
# IEEE RTS-79 areas (ring plus chords, 300 MW lines, half of them failing; built by
# `gridrisk_benches::synth`, whose module doc gives the construction), loose (the RTS-79 load)
# and tight (load x 1.1), `gridrisk run --threads 1`.
#
#   bash scripts/scale.sh [--sizes 1,2,3,...] [--variants loose,tight] [--rules local,shared]
#                         [--runs K] [--budget B] [--callgrind-max R] [--csv FILE] [--quick]
#
#   --sizes          numbers of areas (default 1,2,3,4,6,8,9,12,24,48,96,192,384)
#   --variants       default loose,tight
#   --rules          default local (add shared to measure the `shared` rule too)
#   --runs K         wall-time runs per size, the median is shown (default 5; 0 = none)
#   --budget B       region-sample-years per measurement: a run has max(2, ceil(B / R))
#                    samples (default 960)
#   --callgrind-max  instructions by `valgrind --tool=callgrind` for R up to this (default
#                    96; 0 = none): (I(N) - I(1)) / (N - 1) instructions per sample-year, where
#                    I(N) counts the whole process with N samples, so start-up and scenario
#                    loading cancel out
#   --csv FILE       also write the table as CSV
#   --quick          sizes 1,3,8,9,12,24, one wall run, budget 96
#
# Per size it prints the samples run, the median wall time (`run.wall_s`: the simulation,
# not the scenario load) per sample-year and per region-sample-year, the peak RSS of the
# largest run, and the instructions per sample-year and per region-sample-year. Then, for each
# series, the growth exponent of the cost per region-sample-year fitted by least squares on
# log-log over R = 12..384 (those of the sizes run; the cost per sample-year grows as
# R^(1 + exponent)), and the largest step between consecutive sizes against that trend:
# (y[i+1] / y[i]) / (R[i+1] / R[i])^exponent.
#
# Instruction counts are exact and unaffected by other processes; wall times are only as good
# as the machine is quiet (on a shared machine they vary by up to 2x).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin gridrisk -p gridrisk
cargo build --release --quiet --bin synth -p gridrisk-benches
exec python3 - "$@" <<'PY'
import math, os, re, statistics, subprocess, sys, tempfile, json

def bad(message):
    """Bad arguments: the message and exit status 2, as the project's tools."""
    print(f"scale.sh: {message}", file=sys.stderr)
    sys.exit(2)

args = sys.argv[1:]
opt = {"sizes": "1,2,3,4,6,8,9,12,24,48,96,192,384", "variants": "loose,tight",
       "rules": "local", "runs": "5", "budget": "960", "callgrind-max": "96", "csv": ""}
i = 0
while i < len(args):
    a = args[i]
    if a == "--quick":
        opt.update(sizes="1,3,8,9,12,24", runs="1", budget="96")
        i += 1
    elif a in ("-h", "--help"):
        for line in open("scripts/scale.sh").read().splitlines()[1:]:
            if not line.startswith("#"):
                break
            print(line[2:])
        sys.exit(0)
    elif a.startswith("--") and a[2:] in opt and i + 1 < len(args):
        opt[a[2:]] = args[i + 1]
        i += 2
    else:
        bad(f"unknown or incomplete argument '{a}' (see --help)")

def ints(key):
    try:
        v = [int(x) for x in opt[key].split(",")]
    except ValueError:
        bad(f"--{key} must be comma-separated integers, got '{opt[key]}'")
    if any(x < 0 for x in v):
        bad(f"--{key} must not be negative")
    return v

sizes = sorted(set(ints("sizes")))
if 0 in sizes:
    bad("--sizes must be at least 1")
runs, budget, cg_max = ints("runs")[0], ints("budget")[0], ints("callgrind-max")[0]
variants = opt["variants"].split(",")
rules = opt["rules"].split(",")
for v in variants:
    if v not in ("loose", "tight"):
        bad(f"--variants: 'loose' or 'tight', got '{v}'")
for r in rules:
    if r not in ("local", "shared"):
        bad(f"--rules: 'local' or 'shared', got '{r}'")

gridrisk = os.path.abspath("target/release/gridrisk")
synth = os.path.abspath("target/release/synth")
work = tempfile.mkdtemp(prefix="gridrisk-scale.")

def samples_for(r):
    return max(2, -(-budget // r))

def scenario(r, variant, rule):
    out = subprocess.run([synth, "--regions", str(r), "--variant", variant, "--rule", rule,
                          "--out", work], check=True, capture_output=True, text=True)
    return out.stdout.strip()

def run_args(path, n):
    return [gridrisk, "run", path, "--samples", str(n), "--threads", "1", "--seed", "1",
            "--format", "json"]

def wall(path, n):
    """Median wall time of the simulation over `runs` runs, and the largest peak RSS (KiB)."""
    times, rss = [], 0
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + run_args(path, n),
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"scale.sh: gridrisk run {path} failed:\n{p.stderr}")
        times.append(json.loads(p.stdout)["run"]["wall_s"])
        rss = max(rss, int(p.stderr.strip().splitlines()[-1]))
    return statistics.median(times), rss

def instructions(path, n):
    out = os.path.join(work, "callgrind.out")
    p = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
                       + run_args(path, n), capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"scale.sh: valgrind on {path} failed:\n{p.stderr[-2000:]}")
    m = re.findall(r"Collected : (\d+)", p.stderr)
    return int(m[-1])

def fit(points):
    """Least-squares slope of log y on log R over R = 12..384."""
    pts = [(math.log(r), math.log(y)) for r, y in points if 12 <= r <= 384 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx

def steps(points, b):
    """The largest (y[i+1] / y[i]) / (R[i+1] / R[i])^b over consecutive sizes."""
    worst = None
    for (r0, y0), (r1, y1) in zip(points, points[1:]):
        s = (y1 / y0) / (r1 / r0) ** b
        if worst is None or s > worst[0]:
            worst = (s, r0, r1)
    return worst

rows = []
for rule in rules:
    for variant in variants:
        print(f"\n{variant}, {rule} rule (gridrisk run --threads 1 --seed 1)")
        print(f"{'R':>5} {'samples':>7} {'wall s/yr':>10} {'us/region-yr':>13} {'RSS MiB':>8}"
              f" {'instr/yr':>14} {'instr/region-yr':>16}")
        series_t, series_i = [], []
        for r in sizes:
            path = scenario(r, variant, rule)
            n = samples_for(r)
            t = rss = ins = None
            if runs > 0:
                t, rss = wall(path, n)
                t /= n
                series_t.append((r, t / r))
            if r <= cg_max:
                ins = (instructions(path, n) - instructions(path, 1)) / (n - 1)
                series_i.append((r, ins / r))
            rows.append((variant, rule, r, n, t, rss, ins))
            f = lambda x, w, fmt: format(x, f"{w}{fmt}") if x is not None else "-".rjust(w)
            print(f"{r:>5} {n:>7} {f(t, 10, '.5f')} {f(t and t / r * 1e6, 13, '.1f')}"
                  f" {f(rss and rss / 1024, 8, '.1f')} {f(ins, 14, ',.0f')}"
                  f" {f(ins and ins / r, 16, ',.0f')}", flush=True)
        for what, series in (("wall time", series_t), ("instructions", series_i)):
            b = fit(series)
            if b is None:
                continue
            s, r0, r1 = steps(series, b)
            fitted = [r for r, _ in series if 12 <= r <= 384]
            print(f"  {what} per region-sample-year ~ R^{b:.2f} over R = {fitted[0]}..{fitted[-1]} "
                  f"(per sample-year ~ R^{1 + b:.2f}); largest step vs trend: {s:.2f}x "
                  f"from R = {r0} to {r1}")

if opt["csv"]:
    with open(opt["csv"], "w") as fh:
        fh.write("variant,rule,regions,samples,wall_s_per_sample_year,peak_rss_kib,"
                 "instructions_per_sample_year\n")
        for row in rows:
            fh.write(",".join("" if x is None else str(x) for x in row) + "\n")
subprocess.run(["rm", "-rf", work])
PY
