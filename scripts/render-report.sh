#!/usr/bin/env bash
# Render a gridrisk HTML report in headless Chromium, save a full-page screenshot, and fail
# on a console error, an external reference, or a chart that rendered empty.
#
#   scripts/render-report.sh [REPORT.html [SCREENSHOT.png]]
#
# Without arguments it builds gridrisk, makes a demo report (a Kazakhstan run, a three-area
# benchmark run and a two-scenario comparison, small sample counts) in target/report-demo/,
# and checks that. Chromium is installed from the distribution's packages when missing
# (`apt-get install -y chromium`, needs root). Exit status 0 when the report renders cleanly.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ $# -ge 1 ]]; then
    report=$1
    shot=${2:-${report%.html}.png}
else
    demo=target/report-demo
    mkdir -p "$demo"
    cargo build --release --quiet
    bin=target/release/gridrisk
    "$bin" run scenarios/kazakhstan/winter-2021-22.toml --samples 200 --format json --out "$demo/run.json"
    "$bin" run scenarios/benchmarks/ieee-rts79-three-area-import.toml --samples 2000 --format json --out "$demo/three.json"
    "$bin" compare scenarios/kazakhstan/winter-2021-22.toml scenarios/kazakhstan/raids-november.toml \
        --samples 100 --format json --out "$demo/compare.json"
    "$bin" report "$demo/run.json" "$demo/three.json" "$demo/compare.json" --out "$demo/report.html"
    report=$demo/report.html
    shot=$demo/report.png
fi
[[ -r $report ]] || { echo "render-report: cannot read $report" >&2; exit 2; }

browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [[ -z $browser ]]; then
    echo "render-report: installing chromium from the distribution's packages" >&2
    apt-get update && apt-get install -y chromium
    browser=chromium
fi

# Static check: nothing the browser would fetch.
if grep -Eiq 'https?://|<script|<link|<img|<iframe|@import|url\(' "$report"; then
    echo "render-report: FAIL: $report has an external reference or a script:" >&2
    grep -Eio '.{0,40}(https?://|<script|<link|<img|<iframe|@import|url\().{0,40}' "$report" | head -5 >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abs_report=$(realpath "$report")

# A copy of the report with a checking script appended (the report itself has none): every
# figure must hold an <svg> of real size with labels and at least one drawn data mark
# (a bar or cell, a dot, a band, or a line of more than two points). The verdict goes into
# the DOM, and, on failure, to the console.
cat > "$work/check.js" <<'EOF'
<script>
(function () {
  var bad = [], figs = document.querySelectorAll("figure.chart");
  if (figs.length === 0) bad.push("no charts");
  figs.forEach(function (f) {
    var s = f.querySelector("svg");
    if (!s) { bad.push(f.id + ": no svg"); return; }
    var r = s.getBoundingClientRect();
    if (r.width < 100 || r.height < 100) { bad.push(f.id + ": svg of size " + r.width + "x" + r.height); return; }
    var W = s.viewBox.baseVal.width, data = 0;
    s.querySelectorAll("rect,circle,polygon,polyline").forEach(function (e) {
      var b = e.getBBox();
      if (b.width <= 0 && b.height <= 0) return;
      var t = e.tagName.toLowerCase();
      if (t === "rect" && b.width >= 0.9 * W) return;
      if (t === "polyline" && e.points.numberOfItems <= 2) return;
      data++;
    });
    var labels = s.querySelectorAll("text").length;
    if (data < 1 || labels < 3) bad.push(f.id + " (" + f.dataset.chart + "): empty, " + data + " data marks, " + labels + " labels");
  });
  var out = document.createElement("pre");
  out.id = "render-check";
  out.textContent = bad.length ? "RENDER-CHECK FAIL " + bad.join("; ")
    : "RENDER-CHECK OK " + figs.length + " charts height=" + document.documentElement.scrollHeight;
  document.body.appendChild(out);
  if (bad.length) console.error(out.textContent);
})();
</script>
EOF
# (A script after </html> is parsed into the body by every HTML parser.)
cat "$abs_report" "$work/check.js" > "$work/check.html"

flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --user-data-dir="$work/profile" --host-resolver-rules="MAP * ~NOTFOUND"
       --enable-logging=stderr --v=0)

# 1. Console errors and empty charts in the checking copy.
"$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$work/check.html" \
    > "$work/dom.html" 2> "$work/check.log" || true
verdict=$(grep -o '<pre id="render-check">[^<]*' "$work/dom.html" | sed 's/<pre id="render-check">//' || true)
# 2. Console messages of the report itself (it has no script, so any message is an error).
"$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$abs_report" \
    > /dev/null 2> "$work/report.log" || true
console=$(grep -h 'CONSOLE' "$work/check.log" "$work/report.log" || true)

status=0
if [[ -z $verdict ]]; then
    echo "render-report: FAIL: the page did not finish rendering in $browser" >&2
    tail -5 "$work/check.log" >&2
    status=1
elif [[ $verdict != "RENDER-CHECK OK"* ]]; then
    echo "render-report: FAIL: ${verdict#RENDER-CHECK FAIL }" >&2
    status=1
fi
if [[ -n $console ]]; then
    echo "render-report: FAIL: console messages:" >&2
    echo "$console" >&2
    status=1
fi

# 3. The screenshot of the whole page.
height=$(sed -n 's/.*height=\([0-9]*\).*/\1/p' <<< "$verdict")
height=${height:-4000}
(( height > 16000 )) && height=16000
"$browser" "${flags[@]}" --window-size=1100,"$((height + 20))" --screenshot="$work/shot.png" \
    "file://$abs_report" > /dev/null 2> "$work/shot.log" || true
if [[ ! -s $work/shot.png ]]; then
    echo "render-report: FAIL: no screenshot" >&2
    tail -5 "$work/shot.log" >&2
    exit 1
fi
cp "$work/shot.png" "$shot"
echo "render-report: ${verdict:-no verdict}; screenshot $shot (1100x$((height + 20)))"
exit $status
