#!/usr/bin/env bash
# Render a gridrisk HTML report in headless Chromium, save a full-page screenshot, and fail
# on what a reader would see as wrong (see docs/report.md, "Checking the report"):
#
#   scripts/render-report.sh [REPORT.html [SCREENSHOT.png]]
#   scripts/render-report.sh --self-test [REPORT.html]
#   scripts/render-report.sh --screenshots [DIR]
#
# Without a report it builds gridrisk and makes a demo report in target/report-demo/: a
# Kazakhstan run (dated window), a three-area benchmark run merged from three shards (window
# in hours), and the default study (small sample counts). `--self-test` first checks that
# report (it must pass), then plants each defect in turn in a copy of its DOM and checks
# that the check names it: a report with the defect fails. Chromium is installed from the
# distribution's packages when missing (`apt-get install -y chromium`, needs root).
# `--screenshots` makes the two reports the README shows (the default study with 200 samples
# per scenario, and a Kazakhstan run of 1,000 samples merged from two shards), checks each as
# above, and saves screenshots of their parts in DIR (default docs/img/): the headline,
# the regions, the illegal mining and when shortfalls happen (in the base) of the study;
# the headline, when shortfalls happen, mining and imports, and lines and settings of the
# run. Exit status 0 when the report (or
# every self-test) passes, 1 otherwise, 2 on bad arguments.
set -euo pipefail

cd "$(dirname "$0")/.."

self_test=0
if [[ ${1:-} == --self-test ]]; then
    self_test=1
    shift
elif [[ ${1:-} == --screenshots ]]; then
    dir=${2:-docs/img}
    mkdir -p "$dir"
    cargo build --release --quiet
    bin=target/release/gridrisk demo=target/report-screens kz=scenarios/kazakhstan/winter-2021-22.toml
    mkdir -p "$demo"
    "$bin" study --samples 200 --out-dir "$demo/study" > /dev/null
    for k in 1 2; do
        "$bin" run "$kz" --samples 1000 --shard "$k/2" --out "$demo/shard-$k.json"
    done
    "$bin" merge "$demo"/shard-{1,2}.json --format json --out "$demo/merged-run.json"
    "$bin" report "$demo/merged-run.json" --out "$demo/run.html"
    # Check both reports in full (and keep their full-page screenshots in $demo).
    "$0" "$demo/study/report.html" "$demo/study.png"
    "$0" "$demo/run.html" "$demo/run.png"
    # Each part: a copy of the report that shows only the section heading and the chosen
    # elements, its height measured by the browser, then its screenshot.
    part() {
        local report=$1 out=$2 keep css work
        keep=$(sed 's/\(^\|,\)/\1section.doc>/g' <<< "$3")
        work=$(mktemp -d)
        css="header,footer,section.doc>*{display:none}section.doc>h2,section.doc>p.description,$keep{display:block}"
        { cat "$report"; echo "<style>$css</style>"; } > "$work/part.html"
        { cat "$work/part.html"; echo '<script>document.body.insertAdjacentHTML("beforeend","<pre id=h>"+document.documentElement.scrollHeight+"</pre>")</script>'; } > "$work/measure.html"
        local flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
                     --disable-component-update --disable-sync --no-first-run --hide-scrollbars
                     --user-data-dir="$work/profile")
        local height
        height=$(chromium "${flags[@]}" --window-size=1100,1000 --dump-dom "file://$(realpath "$work/measure.html")" 2>/dev/null \
            | sed -n 's/.*<pre id="h">\([0-9]*\)<.*/\1/p')
        chromium "${flags[@]}" --window-size=1100,"${height:-2000}" --screenshot="$(realpath "$dir")/$out" \
            "file://$(realpath "$work/part.html")" > /dev/null 2>&1
        rm -rf "$work"
        echo "render-report: $dir/$out (1100x${height:-2000}, $(( $(stat -c %s "$dir/$out") / 1024 )) KB)"
    }
    s="$demo/study/report.html" r="$demo/run.html"
    part "$s" study-headline.png ".headline"
    part "$s" study-regions.png "figure[data-chart=regions-lole]"
    part "$s" study-mining.png "figure[data-chart=mining-path]"
    part "$s" study-when.png "h3.base-detail,figure[data-chart=heatmap],figure[data-chart=exceedance]"
    part "$r" run-headline.png ".headline"
    part "$r" run-when.png "figure[data-chart=heatmap],figure[data-chart=exceedance]"
    part "$r" run-days.png "figure[data-chart=mining-path],figure[data-chart=import-path]"
    part "$r" run-lines-settings.png "figure[data-chart=imports],figure[data-chart=lines],table.settings"
    exit 0
fi

demo_report() {
    local demo=target/report-demo bin=target/release/gridrisk three=scenarios/benchmarks/ieee-rts79-three-area-import.toml
    mkdir -p "$demo"
    cargo build --release --quiet
    "$bin" run scenarios/kazakhstan/winter-2021-22.toml --samples 200 --format json --out "$demo/run.json"
    for k in 1 2 3; do
        "$bin" run "$three" --samples 3000 --shard "$k/3" --out "$demo/shard-$k.json"
    done
    "$bin" merge "$demo"/shard-{1,2,3}.json --format json --out "$demo/merged.json"
    "$bin" study --samples 100 --out-dir "$demo/study" > /dev/null
    "$bin" report "$demo/run.json" "$demo/merged.json" "$demo/study/study.json" --out "$demo/report.html"
    echo "$demo/report.html"
}

if [[ $# -ge 1 ]]; then
    report=$1
    shot=${2:-${report%.html}.png}
else
    report=$(demo_report)
    shot=${report%.html}.png
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

# A copy of the report with a checking script appended (the report itself has none). Each
# failure is tagged, so that the self-test can tell which check fired:
#   EMPTY     a figure without an <svg> of real size, three labels and one drawn data mark
#   HEADLINE  a section that does not open with a headline (question, summary, chart) or
#             does not end with its settings
#   TICKS     two equal tick labels on one axis (a run of tick labels sharing x or y)
#   LEGEND    a legend entry whose colour no mark of the chart has, or a line drawn exactly
#             over another (a series listed but hidden)
#   LOG-AXIS  an exceedance chart whose vertical tick labels are not decades (1, 0.1, ...)
#   DATES     a section with a dated window whose charts say "of the study window" or whose
#             day and week axes carry no date
#   MERGED    a merged run (its file name has "merged") whose settings do not show the
#             shards' threads and wall time
#   OVERLAP   two dots of one chart drawn over each other
# With ?defect=NAME in the URL, the script first plants that defect (the self-test).
cat > "$work/check.js" <<'EOF'
<script>
(function () {
  var bad = [];
  function fail(tag, what) { bad.push(tag + ": " + what); }
  function txt(e) { return e ? e.textContent.trim() : ""; }
  var NUM = /^-?[0-9][0-9,]*(\.[0-9]+)?$/, DATE = /^[0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$/;
  function isTick(s) { return NUM.test(s) || DATE.test(s); }
  // Runs of tick labels in document order sharing an x (a vertical axis) or a y (a
  // horizontal one); any other text ends a run.
  function tickRuns(svg) {
    var runs = [], cur = [], key = null;
    function close() { if (cur.length >= 2) runs.push({vertical: key === "x", labels: cur}); cur = []; key = null; }
    svg.querySelectorAll("text").forEach(function (t) {
      var s = txt(t);
      if (s === "") return;
      if (!isTick(s)) { close(); return; }
      var x = t.getAttribute("x"), y = t.getAttribute("y");
      if (cur.length === 1) {
        var p = cur[0];
        key = p.x === x ? "x" : p.y === y ? "y" : null;
        if (key === null) { cur = []; }
      } else if (cur.length > 1 && !((key === "x" && cur[0].x === x) || (key === "y" && cur[0].y === y))) {
        close();
      }
      cur.push({el: t, s: s, x: x, y: y});
    });
    close();
    return runs;
  }
  function colorOf(e, attr) { return (e.getAttribute(attr) || "").toLowerCase(); }

  var defect = (location.search.match(/defect=([a-z-]+)/) || [])[1];
  if (defect) plant(defect);

  var sections = document.querySelectorAll("section.doc");
  var figs = document.querySelectorAll("figure.chart");
  if (figs.length === 0) fail("EMPTY", "no charts");
  figs.forEach(function (f) {
    var s = f.querySelector("svg");
    if (!s) { fail("EMPTY", f.id + ": no svg"); return; }
    var r = s.getBoundingClientRect();
    if (r.width < 100 || r.height < 100) { fail("EMPTY", f.id + ": svg of size " + r.width + "x" + r.height); return; }
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
    if (data < 1 || labels < 3) fail("EMPTY", f.id + " (" + f.dataset.chart + "): " + data + " data marks, " + labels + " labels");

    tickRuns(s).forEach(function (run) {
      var seen = {};
      run.labels.forEach(function (l) {
        if (seen[l.s]) fail("TICKS", f.id + " (" + f.dataset.chart + "): tick label " + l.s + " twice on one axis");
        seen[l.s] = true;
      });
    });

    var lines = {};
    s.querySelectorAll("polyline").forEach(function (p) {
      if (p.points.numberOfItems < 3) return;
      var k = p.getAttribute("points");
      if (lines[k]) fail("LEGEND", f.id + " (" + f.dataset.chart + "): a line drawn exactly over another");
      lines[k] = true;
    });
    var colors = {};
    s.querySelectorAll("*").forEach(function (e) { colors[colorOf(e, "stroke")] = 1; colors[colorOf(e, "fill")] = 1; });
    f.querySelectorAll("ul.legend li").forEach(function (li) {
      var c = (li.dataset.color || "").toLowerCase();
      if (!colors[c]) fail("LEGEND", f.id + " (" + f.dataset.chart + "): legend entry \"" + txt(li) + "\" has no drawn series");
    });

    if (f.dataset.chart === "exceedance") {
      var log = tickRuns(s).some(function (run) {
        if (!run.vertical || run.labels.length < 3) return false;
        return run.labels.every(function (l) {
          var v = parseFloat(l.s.replace(/,/g, ""));
          return v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
        });
      });
      if (!log) fail("LOG-AXIS", f.id + ": the probability axis is not logarithmic (no run of decade labels 1, 0.1, 0.01)");
    }

    var dots = Array.prototype.map.call(s.querySelectorAll("circle"), function (c) {
      return [c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value];
    });
    for (var i = 0; i < dots.length; i++) for (var j = i + 1; j < dots.length; j++) {
      var d = Math.hypot(dots[i][0] - dots[j][0], dots[i][1] - dots[j][1]);
      if (d < dots[i][2] + dots[j][2] - 0.5) { fail("OVERLAP", f.id + " (" + f.dataset.chart + "): dots drawn over each other"); i = j = dots.length; }
    }
  });

  // A section is of a dated window when its settings say so (2021-11-01 to 2022-02-28).
  function dated(sec) {
    return Array.prototype.some.call(sec.querySelectorAll("table.settings tr"), function (tr) {
      return /^window$/.test(txt(tr.querySelector("th"))) && /^[0-9]{4}-[0-9]{2}-[0-9]{2} to /.test(txt(tr.querySelector("td")));
    });
  }
  sections.forEach(function (sec) {
    var name = sec.id + " (" + txt(sec.querySelector("h2")) + ")";
    var h = sec.querySelector(".headline"), first = sec.querySelector("figure.chart");
    if (!h || !h.querySelector(".question") || !h.querySelector(".summary") || !h.querySelector("figure.chart") || !h.contains(first))
      fail("HEADLINE", name + ": does not open with a headline (question, summary and the first chart)");
    var h3s = sec.querySelectorAll("h3");
    if (h3s.length === 0 || txt(h3s[h3s.length - 1]) !== "Settings") fail("HEADLINE", name + ": the settings are not at the end");

    if (dated(sec)) {
      sec.querySelectorAll("svg text").forEach(function (t) {
        if (/of the study window/.test(txt(t))) fail("DATES", name + ": axis \"" + txt(t) + "\" on a dated window");
      });
      sec.querySelectorAll("figure.chart").forEach(function (f) {
        if (!/^(heatmap|mining-path|import-path)$/.test(f.dataset.chart)) return;
        var dated = Array.prototype.some.call(f.querySelectorAll("svg text"), function (t) { return DATE.test(txt(t)); });
        if (!dated) fail("DATES", f.id + " (" + f.dataset.chart + "): no date on the day axis of a dated window");
      });
    }

    var file = sec.querySelector("h2 .file");
    if (file && /merged/.test(txt(file))) {
      var rows = {};
      sec.querySelectorAll("table.settings tr").forEach(function (tr) {
        var th = tr.querySelector("th"), td = tr.querySelector("td");
        if (th && td) rows[txt(th)] = txt(td);
      });
      if (!rows["shards"] || !/shard/.test(rows["wall time"] || "") || !/shard/.test(rows["threads"] || ""))
        fail("MERGED", name + ": a merged run without its shards' threads and wall time (wall time: " + (rows["wall time"] || "none") + ")");
    }
  });

  // The defects of the self-test, each as the report had it before it was fixed.
  function plant(what) {
    var f, s, runs;
    if (what === "headline") {
      document.querySelectorAll(".headline").forEach(function (h) { h.replaceWith.apply(h, Array.prototype.slice.call(h.childNodes)); });
    } else if (what === "ticks") {
      f = document.querySelector("figure[data-chart=heatmap] svg");
      runs = tickRuns(f);
      var bar = runs[runs.length - 1].labels;
      bar[1].el.textContent = bar[2].el.textContent;
    } else if (what === "legend") {
      f = document.querySelector("figure[data-chart=mining-path] ul.legend").closest("figure");
      var ls = Array.prototype.filter.call(f.querySelectorAll("svg polyline"), function (p) { return p.points.numberOfItems > 2; });
      ls[ls.length - 1].setAttribute("points", ls[ls.length - 2].getAttribute("points"));
    } else if (what === "log-axis") {
      f = document.querySelector("figure[data-chart=exceedance] svg");
      tickRuns(f).forEach(function (run) {
        if (run.vertical) run.labels.forEach(function (l, i) { l.el.textContent = (1 - 0.2 * i).toFixed(1); });
      });
    } else if (what === "dates") {
      f = Array.prototype.filter.call(document.querySelectorAll("section.doc"), dated)[0].querySelector("figure[data-chart=mining-path] svg");
      f.querySelectorAll("text").forEach(function (t) {
        if (DATE.test(txt(t))) t.textContent = "10";
        if (/^date \(/.test(txt(t))) t.textContent = "day of the study window (day 1 = its first 24 h)";
      });
    } else if (what === "merged") {
      document.querySelectorAll("section.doc").forEach(function (sec) {
        if (!/merged/.test(txt(sec.querySelector("h2 .file")))) return;
        sec.querySelectorAll("table.settings tr").forEach(function (tr) {
          var th = txt(tr.querySelector("th"));
          if (th === "shards") tr.remove();
          if (th === "threads") tr.querySelector("td").textContent = "1";
          if (th === "wall time") tr.querySelector("td").textContent = "0.25 s";
        });
      });
    } else if (what === "overlap") {
      var c = document.querySelector("figure.chart svg circle");
      var d = c.cloneNode();
      d.setAttribute("cx", c.cx.baseVal.value + 2);
      c.after(d);
    }
  }

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

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
       --disable-component-update --disable-sync --no-first-run --hide-scrollbars
       --user-data-dir="$work/profile" --host-resolver-rules="MAP * ~NOTFOUND"
       --enable-logging=stderr --v=0)

# The verdict of the checking copy, with `$1` the query string (a planted defect or none).
verdict_of() {
    "$browser" "${flags[@]}" --window-size=1100,1000 --virtual-time-budget=5000 --dump-dom "file://$work/check.html$1" \
        > "$work/dom.html" 2> "$work/check.log" || true
    grep -o '<pre id="render-check">[^<]*' "$work/dom.html" | sed 's/<pre id="render-check">//' \
        | sed 's/&quot;/"/g; s/&amp;/\&/g' || true
}

status=0
verdict=$(verdict_of "")
if [[ -z $verdict ]]; then
    echo "render-report: FAIL: the page did not finish rendering in $browser" >&2
    tail -5 "$work/check.log" >&2
    status=1
elif [[ $verdict != "RENDER-CHECK OK"* ]]; then
    echo "render-report: FAIL: ${verdict#RENDER-CHECK FAIL }" >&2
    status=1
fi

if (( self_test )); then
    for defect in headline ticks legend log-axis dates merged overlap; do
        tag=$(tr a-z A-Z <<< "$defect")
        v=$(verdict_of "?defect=$defect")
        if [[ $v == "RENDER-CHECK FAIL"*"$tag:"* ]]; then
            echo "render-report: self-test: planted $defect defect: caught ($(grep -o "$tag: [^;]*" <<< "$v" | head -1))"
        else
            echo "render-report: self-test: FAIL: planted $defect defect not caught as $tag: ${v:-no verdict}" >&2
            status=1
        fi
    done
    echo "render-report: self-test: clean report: ${verdict:-no verdict}"
    exit $status
fi

# Console messages of the report itself (it has no script, so any message is an error).
"$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$abs_report" \
    > /dev/null 2> "$work/report.log" || true
console=$(grep -h 'CONSOLE' "$work/report.log" || true)
if [[ -n $console ]]; then
    echo "render-report: FAIL: console messages:" >&2
    echo "$console" >&2
    status=1
fi

# The screenshot of the whole page.
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
