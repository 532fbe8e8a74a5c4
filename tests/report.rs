//! `gridrisk report`: the HTML structure of reports of run, compare and study files, and bad
//! input.

use crate::util::gridrisk;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

const KZ: &str = "scenarios/kazakhstan/winter-2021-22.toml";
const RAIDS: &str = "scenarios/kazakhstan/raids-november.toml";
const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area-import.toml";

fn write_json(dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = gridrisk()
        .args(args)
        .args(["--format", "json", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gridrisk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.to_str().unwrap().to_string()
}

/// The `data-chart` kinds of the figures in `html`, in order.
fn chart_kinds(html: &str) -> Vec<String> {
    html.split("<figure class=\"chart\"")
        .skip(1)
        .map(|f| {
            let f = &f[f.find("data-chart=\"").unwrap() + 12..];
            f[..f.find('"').unwrap()].to_string()
        })
        .collect()
}

fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The sections of a report (`<section class="doc"` ... `</section>`).
fn sections(html: &str) -> Vec<&str> {
    html.split("<section class=\"doc\"")
        .skip(1)
        .map(|s| &s[..s.find("</section>").unwrap()])
        .collect()
}

/// The figure of kind `kind` (the first, or panic), from `<figure` to `</figure>`.
fn figure<'a>(html: &'a str, kind: &str) -> &'a str {
    let at = html
        .find(&format!("data-chart=\"{kind}\""))
        .unwrap_or_else(|| panic!("no {kind} chart"));
    let f = &html[at..];
    &f[..f.find("</figure>").unwrap()]
}

/// The text elements of an SVG: (x, y, text).
fn texts(svg: &str) -> Vec<(String, String, String)> {
    let attr = |tag: &str, name: &str| {
        let k = format!(" {name}=\"");
        tag.find(&k).map(|i| {
            let v = &tag[i + k.len()..];
            v[..v.find('"').unwrap()].to_string()
        })
    };
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let tag = &format!(" {}", &t[..t.find('>').unwrap()]);
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            (
                attr(tag, "x").unwrap_or_default(),
                attr(tag, "y").unwrap_or_default(),
                body.trim().to_string(),
            )
        })
        .collect()
}

fn is_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

fn is_date(s: &str) -> bool {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match s.split_once(' ') {
        Some((d, m)) => d.len() <= 2 && d.parse::<u32>().is_ok() && months.contains(&m),
        None => false,
    }
}

/// Runs of tick labels (numbers or dates) in document order that share an x (a vertical
/// axis: `true`) or a y (a horizontal one); any other text ends a run. As
/// scripts/render-report.sh reads them.
fn tick_runs(svg: &str) -> Vec<(bool, Vec<String>)> {
    let mut runs = Vec::new();
    let mut cur: Vec<(String, String, String)> = Vec::new();
    let mut close = |cur: &mut Vec<(String, String, String)>| {
        if cur.len() >= 2 {
            let vertical = cur[0].0 == cur[1].0;
            runs.push((vertical, cur.drain(..).map(|t| t.2).collect()));
        }
        cur.clear();
    };
    for t in texts(svg) {
        if t.2.is_empty() {
            continue;
        }
        if !(is_number(&t.2) || is_date(&t.2)) {
            close(&mut cur);
            continue;
        }
        if cur.len() == 1 && cur[0].0 != t.0 && cur[0].1 != t.1 {
            cur.clear();
        } else if cur.len() > 1 {
            let vertical = cur[0].0 == cur[1].0;
            if (vertical && cur[0].0 != t.0) || (!vertical && cur[0].1 != t.1) {
                close(&mut cur);
            }
        }
        cur.push(t);
    }
    close(&mut cur);
    runs
}

fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn report_of(dir: &Path, docs: &[(&str, &Value)]) -> String {
    let mut args = vec!["report".to_string()];
    for (name, doc) in docs {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string(doc).unwrap()).unwrap();
        args.push(path.to_str().unwrap().to_string());
    }
    let out = dir.join("report.html");
    gridrisk()
        .args(&args)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn report_has_every_chart_and_variant_and_no_external_reference() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", KZ, "--samples", "60"]);
    let three = write_json(
        dir.path(),
        "three.json",
        &["run", THREE, "--samples", "300"],
    );
    let cmp = write_json(
        dir.path(),
        "cmp.json",
        &["compare", KZ, RAIDS, "--samples", "40"],
    );
    // A variant label with markup, to check escaping.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&cmp).unwrap()).unwrap();
    let tricky = "raids <b>from</b> 1 Nov & \"self-limits\" -> South";
    doc["variants"][0]["label"] = tricky.into();
    let cmp2 = dir.path().join("cmp-labels.json");
    std::fs::write(&cmp2, serde_json::to_string(&doc).unwrap()).unwrap();

    let out = dir.path().join("report.html");
    gridrisk()
        .args([
            "report",
            &run,
            &three,
            &cmp,
            cmp2.to_str().unwrap(),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();

    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Self-contained: nothing to fetch, nothing to run.
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(",
    ] {
        assert!(!html.contains(bad), "report contains {bad:?}");
    }
    // Every chart is its own inline SVG, inside its own figure.
    let kinds = chart_kinds(&html);
    assert_eq!(html.matches("<svg ").count(), kinds.len());
    assert_eq!(html.matches("</svg>").count(), kinds.len());
    // Run of Kazakhstan: the headline chart (LOLE and EUE by area), heatmap, exceedance,
    // mining, imports by day and in total, lines.
    let run_kinds = [
        "headline",
        "heatmap",
        "exceedance",
        "mining-path",
        "import-path",
        "imports",
        "lines",
    ];
    assert_eq!(&kinds[..7], &run_kinds);
    // Three-area benchmark: no mining.
    assert_eq!(
        &kinds[7..13],
        &[
            "headline",
            "heatmap",
            "exceedance",
            "import-path",
            "imports",
            "lines"
        ]
    );
    // Each comparison: the headline (the paired differences), the regions in two charts per
    // index (the system and South first, at most four panels each), the mining path, then
    // the base in detail, drawn as a run from the sections the file carries.
    let cmp_kinds = [
        "headline",
        "regions-lole",
        "regions-lole",
        "regions-eue",
        "regions-eue",
        "mining-path",
        "heatmap",
        "exceedance",
        "import-path",
        "imports",
        "lines",
    ];
    assert_eq!(&kinds[13..24], &cmp_kinds);
    assert_eq!(&kinds[24..], &cmp_kinds);
    // Charts have axis labels with units, and titles.
    for text in [
        "lole_h (h/window)",
        "eue_mwh (MWh/window)",
        "hour of day (h, scenario clock)",
        "week starting (1 Nov 2021 - 28 Feb 2022, clock UTC+06:00)",
        "date (1 Nov 2021 - 28 Feb 2022, clock UTC+06:00)",
        "week of the study window",
        "system unserved energy in one sample, x (MWh/window)",
        "illegal mining load (MW)",
        "energy imported (MWh/window)",
        "energy imported (MWh/yr)",
        "SOUTH lole_h (h/window)",
        "system eue_mwh (MWh/window)",
        "Imports per source: total energy over the window (not a time series)",
        "mean import (MW)",
    ] {
        assert!(html.contains(text), "no {text:?} in the report");
    }
    // Every scenario and variant is named, escaped; with a summary sentence per run and per
    // comparison's base, and an effect sentence per variant.
    assert!(html.contains("kazakhstan-winter-2021-22-raids-november"));
    assert!(html.contains("ieee-rts79-three-area-import"));
    assert!(html.contains(&escaped(tricky)));
    assert!(!html.contains("<b>from</b>"));
    assert!(html.contains("SOUTH&#39;s expected hours of shortfall from"));
    assert_eq!(html.matches("<p class=\"summary\">").count(), 2 + 2);
    assert_eq!(html.matches("<li class=\"effect\">").count(), 2);
    // The file names appear as section headings.
    for f in ["run.json", "three.json", "cmp.json", "cmp-labels.json"] {
        assert!(html.contains(f));
    }
    // No scientific notation in the words and tables (outside the charts).
    let words: String = html
        .split("<svg ")
        .map(|p| p.split_once("</svg>").map_or(p, |(_, rest)| rest))
        .collect();
    // The files' paths are the user's text: a temporary directory's random name may hold
    // `1e5`.
    let words = words.replace(dir.path().to_str().unwrap(), "DIR");
    // A scenario's content hash is 16 hex digits: `66e79588...` is not scientific notation.
    let words = words
        .split("<td>")
        .map(|cell| match cell.split_once("</td>") {
            Some((hash, rest))
                if hash.len() == 16 && hash.bytes().all(|c| c.is_ascii_hexdigit()) =>
            {
                format!("HASH</td>{rest}")
            }
            _ => cell.to_string(),
        })
        .collect::<Vec<_>>()
        .join("<td>");
    let b = words.as_bytes();
    for i in 1..b.len().saturating_sub(2) {
        let exp = (b[i] == b'e' || b[i] == b'E')
            && b[i - 1].is_ascii_digit()
            && (b[i + 1].is_ascii_digit()
                || (matches!(b[i + 1], b'-' | b'+') && b[i + 2].is_ascii_digit()));
        assert!(
            !exp,
            "scientific notation: {:?}",
            &words[i.saturating_sub(20)..(i + 20).min(words.len())]
        );
    }
}

#[test]
fn every_section_opens_with_a_headline_and_ends_with_its_settings() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", THREE, "--samples", "200"]);
    let cmp = write_json(
        dir.path(),
        "cmp.json",
        &["compare", KZ, RAIDS, "--samples", "40"],
    );
    let html = report_of(
        dir.path(),
        &[("run.json", &read(&run)), ("cmp.json", &read(&cmp))],
    );
    let secs = sections(&html);
    assert_eq!(secs.len(), 2);
    for s in &secs {
        let headline = s.find("<div class=\"headline\">").expect("a headline");
        let question = s.find("<strong>Question:</strong>").unwrap();
        let summary = s.find("<p class=\"summary\">").unwrap();
        let chart = s.find("<figure").unwrap();
        let headline_end = headline + s[headline..].find("</div>").unwrap();
        // Question, then the risk, then the first chart, all in the headline, before
        // anything else is drawn.
        assert!(headline < question && question < summary && summary < chart);
        assert!(chart < headline_end);
        assert!(s[chart..].contains("data-chart=\"headline\""));
        // The settings come last.
        let last_h3 = s.rfind("<h3").unwrap();
        assert!(s[last_h3..].starts_with("<h3>Settings</h3>"));
        assert!(s[last_h3..].contains("<table class=\"settings\">"));
        assert!(!s[..last_h3].contains("<table class=\"settings\">"));
    }
    // The comparison's headline: the question names the focus region, one effect per
    // variant, and the chart draws the paired differences.
    assert!(secs[1].contains("what does each variant change in SOUTH&#39;s risk"));
    assert!(secs[1].contains("In the base scenario, kazakhstan-winter-2021-22, SOUTH expects"));
    let head = figure(secs[1], "headline");
    assert!(head.contains("SOUTH lole_h (h/window)"));
    assert!(head.contains("system eue_mwh (MWh/window)"));
}

#[test]
fn colour_bar_and_axis_tick_labels_are_distinct() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", THREE, "--samples", "300"]);
    let mut doc = read(&run);
    // The heatmap of the screenshots: probabilities up to 0.0024, whose colour bar read
    // 0.002, 0.001, 0.001, 0 (three decimals for steps of 0.0005).
    let max = doc["heatmap"]["p"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .fold(0.0, f64::max);
    assert!(max > 0.0);
    for row in doc["heatmap"]["p"].as_array_mut().unwrap() {
        for x in row.as_array_mut().unwrap() {
            *x = (x.as_f64().unwrap() / max * 0.0024).into();
        }
    }
    let html = report_of(dir.path(), &[("run.json", &doc)]);
    let mut runs_seen = 0;
    for kind in chart_kinds(&html) {
        let f = figure(&html, &kind);
        for (_, labels) in tick_runs(f) {
            runs_seen += 1;
            let mut sorted = labels.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(
                sorted.len(),
                labels.len(),
                "{kind}: repeated tick labels {labels:?}"
            );
        }
    }
    assert!(runs_seen >= 6);
    // The colour bar's labels: the last vertical run of the heatmap, 0 to 0.002 by 0.0005.
    let bar = tick_runs(figure(&html, "heatmap"))
        .into_iter()
        .rev()
        .find(|r| r.0)
        .unwrap()
        .1;
    assert!(bar.len() >= 4, "{bar:?}");
    assert!(bar.contains(&"0.0005".to_string()), "{bar:?}");
}

#[test]
fn the_exceedance_curve_has_a_log_probability_axis() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", THREE, "--samples", "500"]);
    let html = report_of(dir.path(), &[("run.json", &read(&run))]);
    let f = figure(&html, "exceedance");
    assert!(f.contains("log scale"));
    let vertical: Vec<Vec<String>> = tick_runs(f)
        .into_iter()
        .filter(|r| r.0)
        .map(|r| r.1)
        .collect();
    assert_eq!(vertical.len(), 1, "{vertical:?}");
    // Decades from 1 down to the decade of one sample in 500.
    assert_eq!(vertical[0], ["0.001", "0.01", "0.1", "1"].map(String::from));
}

#[test]
fn day_axes_show_dates_for_a_dated_window_and_day_numbers_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let kz = write_json(dir.path(), "kz.json", &["run", KZ, "--samples", "40"]);
    let three = write_json(
        dir.path(),
        "three.json",
        &["run", THREE, "--samples", "100"],
    );
    let html = report_of(
        dir.path(),
        &[("kz.json", &read(&kz)), ("three.json", &read(&three))],
    );
    let secs = sections(&html);
    // Kazakhstan, 1 Nov 2021 to 28 Feb 2022: weeks start on 8 Nov, 22 Nov, ...; days are dated.
    for kind in ["heatmap", "mining-path", "import-path"] {
        let f = figure(secs[0], kind);
        let dates: Vec<String> = texts(f)
            .into_iter()
            .map(|t| t.2)
            .filter(|t| is_date(t))
            .collect();
        assert!(dates.len() >= 4, "{kind}: {dates:?}");
        assert!(!f.contains("of the study window"), "{kind}");
    }
    let weeks: Vec<String> = texts(figure(secs[0], "heatmap"))
        .into_iter()
        .map(|t| t.2)
        .filter(|t| is_date(t))
        .collect();
    assert_eq!(weeks[..2], ["8 Nov", "22 Nov"].map(String::from));
    let days: Vec<String> = texts(figure(secs[0], "mining-path"))
        .into_iter()
        .map(|t| t.2)
        .filter(|t| is_date(t))
        .collect();
    // Day 20 of the window is 20 Nov; day 40 is 10 Dec.
    assert_eq!(days[..2], ["20 Nov", "10 Dec"].map(String::from));
    // The benchmark's window is 8736 h: day and week numbers.
    let f = figure(secs[1], "heatmap");
    assert!(f.contains("week of the study window (week 1 = its first 7 days)"));
    assert!(!texts(f).iter().any(|t| is_date(&t.2)));
    assert!(figure(secs[1], "import-path").contains("day of the study window"));
}

#[test]
fn a_merged_run_shows_its_shards_threads_and_wall_times() {
    let dir = tempfile::tempdir().unwrap();
    let mut shards = Vec::new();
    for k in 1..=3 {
        let path = dir.path().join(format!("shard-{k}.json"));
        gridrisk()
            .args([
                "run",
                THREE,
                "--samples",
                "900",
                "--threads",
                "2",
                "--shard",
            ])
            .arg(format!("{k}/3"))
            .arg("--out")
            .arg(&path)
            .assert()
            .success();
        shards.push(path);
    }
    let merged = dir.path().join("merged.json");
    gridrisk()
        .arg("merge")
        .args(&shards)
        .args(["--format", "json", "--out"])
        .arg(&merged)
        .assert()
        .success();
    let doc = read(merged.to_str().unwrap());
    let run = &doc["run"];
    let walls: Vec<f64> = shards
        .iter()
        .map(|p| read(p.to_str().unwrap())["run"]["wall_s"].as_f64().unwrap())
        .collect();
    let listed = run["shards"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for (k, (s, w)) in listed.iter().zip(&walls).enumerate() {
        assert_eq!(s["k"], k as u64 + 1);
        assert_eq!(s["threads"], 2);
        assert_eq!(s["wall_s"].as_f64().unwrap(), *w);
    }
    assert_eq!(run["threads"], 6);
    let total: f64 = walls.iter().sum();
    assert!((run["wall_s"].as_f64().unwrap() - total).abs() < 1e-9);
    assert!((run["thread_s"].as_f64().unwrap() - 2.0 * total).abs() < 1e-9);
    assert!(run["merge_wall_s"].as_f64().unwrap() >= 0.0);

    let html = report_of(dir.path(), &[("merged.json", &doc)]);
    assert!(html.contains("<tr><th>shards</th><td>3 shard files merged</td></tr>"));
    assert!(html.contains(
        "<tr><th>threads</th><td>6 in all over the shards (per shard: 2, 2, 2)</td></tr>"
    ));
    let wall_row = &html[html.find("<tr><th>wall time</th>").unwrap()..];
    let wall_row = &wall_row[..wall_row.find("</tr>").unwrap()];
    assert!(wall_row.contains("shards "), "{wall_row}");
    assert!(wall_row.contains("the merge itself"), "{wall_row}");
}

#[test]
fn corridors_are_drawn_with_the_lines_when_the_result_has_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", KZ, "--samples", "40"]);
    let doc = read(&run);
    // The Kazakhstan base declares the corridor into the South.
    assert_eq!(
        doc["corridors"]["SOUTH-corridor"]["lines"],
        serde_json::json!(["NORTH-HUB", "EAST-HUB", "HUB-SOUTH"])
    );
    let mut without = doc.clone();
    without.as_object_mut().unwrap().remove("corridors");
    let without = report_of(dir.path(), &[("run.json", &without)]);
    assert!(!without.contains("corridor"));
    let html = report_of(dir.path(), &[("run.json", &doc)]);
    let f = figure(&html, "lines");
    assert!(f.contains(">\ncorridor SOUTH-corridor\n<") || f.contains(">corridor SOUTH-corridor<"));
    assert!(f.contains("Corridors: SOUTH-corridor = NORTH-HUB + EAST-HUB + HUB-SOUTH."));
    assert!(
        f.contains("corridor (a set of lines)"),
        "a legend line / corridor"
    );
    assert!(html.contains("Transmission lines and corridors"));
    // Every line is still a row.
    for line in doc["lines"].as_object().unwrap().keys() {
        assert!(
            f.contains(&format!(">\n{line}\n<")) || f.contains(&format!(">{line}<")),
            "{line}"
        );
    }
}

#[test]
fn a_comparison_draws_its_base_as_a_run_from_the_sections_it_carries() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = write_json(
        dir.path(),
        "cmp.json",
        &["compare", KZ, RAIDS, "--samples", "40"],
    );
    let run = write_json(dir.path(), "run.json", &["run", KZ, "--samples", "40"]);
    let doc = read(&cmp);
    // Without the run sections (a file of an older gridrisk): no detail of the base.
    let mut plain = doc.clone();
    for key in [
        "imports",
        "lines",
        "eue_distribution",
        "heatmap",
        "corridors",
    ] {
        plain["base"].as_object_mut().unwrap().remove(key);
    }
    let plain = report_of(dir.path(), &[("cmp.json", &plain)]);
    assert!(!plain.contains("class=\"base-detail\""));
    assert!(!chart_kinds(&plain).contains(&"heatmap".to_string()));
    // As compare writes it: the base carries every section of a run, drawn as a run's.
    let r = read(&run);
    for key in ["imports", "lines", "eue_distribution", "heatmap"] {
        assert_eq!(
            doc["base"][key].as_object().map(|o| o.len()),
            r[key].as_object().map(|o| o.len()),
            "{key}"
        );
    }
    let html = report_of(dir.path(), &[("cmp.json", &doc)]);
    assert!(html.contains(
        "<h3 class=\"base-detail\">The base scenario, kazakhstan-winter-2021-22, in detail</h3>"
    ));
    let kinds = chart_kinds(&html);
    for kind in ["heatmap", "exceedance", "import-path", "imports", "lines"] {
        assert!(kinds.contains(&kind.to_string()), "no {kind} in {kinds:?}");
    }
    // The base's illegal mining is drawn once, with the variants'.
    assert_eq!(kinds.iter().filter(|k| *k == "mining-path").count(), 1);
}

#[test]
fn a_result_without_its_optional_sections_still_has_a_headline() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", KZ, "--samples", "40"]);
    let mut doc = read(&run);
    let obj = doc.as_object_mut().unwrap();
    for key in [
        "imports",
        "lines",
        "corridors",
        "eue_distribution",
        "heatmap",
        "illegal_mining_path",
        "run",
        "window",
    ] {
        obj.remove(key);
    }
    let html = report_of(dir.path(), &[("run.json", &doc)]);
    assert_eq!(chart_kinds(&html), ["headline"]);
    assert!(html.contains("<strong>Question:</strong>"));
}

#[test]
fn variants_with_the_same_mining_path_share_one_line_and_legend_entry() {
    let dir = tempfile::tempdir().unwrap();
    gridrisk()
        .args(["study", "--samples", "20", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    let f = figure(&html, "mining-path");
    let legend = f.matches("<li data-color=").count();
    // Base; raids from 16 Feb with "as it happened"; raids from 1 Nov with "early action".
    assert_eq!(legend, 3, "{f}");
    assert!(f.contains(
        "raids + self-limits from 1 Nov 2021; early action: interruptible + raids from 1 Nov"
    ));
    // One drawn line per legend entry, none drawn over another.
    let lines: Vec<&str> = f
        .split("<polyline ")
        .skip(1)
        .filter_map(|p| {
            let pts = &p[p.find("points=\"")? + 8..];
            let pts = &pts[..pts.find('"')?];
            (pts.split_whitespace().count() > 2).then_some(pts)
        })
        .collect();
    let mut distinct = lines.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), lines.len());
}

#[test]
fn bad_result_files_exit_2_name_the_file_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let not_json = dir.path().join("scenario.toml");
    std::fs::write(&not_json, "name = \"x\"\n").unwrap();
    let not_result = dir.path().join("other.json");
    std::fs::write(&not_result, "{\"a\": 1}").unwrap();
    let analytic = dir.path().join("analytic.json");
    std::fs::write(
        &analytic,
        "{\"schema\": \"gridrisk.analytic/1\", \"system\": {}}",
    )
    .unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, "{\"schema\": \"gridrisk.result/1\", \"syst").unwrap();
    let missing = dir.path().join("missing.json");
    for (file, message) in [
        (&missing, "cannot read result file"),
        (&not_json, "not a JSON result file"),
        (&not_result, "not a gridrisk result file"),
        (&analytic, "is not a run, compare or study result"),
        (&truncated, "not a JSON result file"),
    ] {
        gridrisk()
            .arg("report")
            .arg(file)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(file.file_name().unwrap().to_str().unwrap()))
            .stderr(contains(message));
        assert!(!out.exists(), "a report was written for {}", file.display());
    }
    // A bad file after a good one: the existing output is left as it was.
    std::fs::write(&out, "old").unwrap();
    let good = write_json(dir.path(), "good.json", &["run", THREE, "--samples", "50"]);
    gridrisk()
        .args(["report", &good])
        .arg(&not_result)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_sentence_names_a_change_only_where_its_interval_excludes_zero() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = write_json(
        dir.path(),
        "cmp.json",
        &["compare", KZ, RAIDS, "--samples", "40"],
    );
    let mut doc = read(&cmp);
    let effect = |html: &str| {
        let e = &html[html.find("<li class=\"effect\">").unwrap()..];
        e[..e.find("</li>").unwrap()].to_string()
    };
    // As run: raids from 1 Nov lower the South's shortfall, clearly.
    let clear = effect(&report_of(dir.path(), &[("cmp.json", &doc)]));
    assert!(
        clear.contains(" lowers SOUTH&#39;s expected hours of shortfall from "),
        "{clear}"
    );
    assert!(!clear.contains("cannot tell"), "{clear}");
    // The same means with intervals that include zero: no "lowers", no "falls".
    for path in [("regions", Some("SOUTH")), ("system", None)] {
        let d = match path.1 {
            Some(r) => &mut doc["variants"][0]["difference"]["regions"][r]["lole_h"],
            None => &mut doc["variants"][0]["difference"]["system"]["eue_mwh"],
        };
        let m = d["mean"].as_f64().unwrap();
        d["ci95"] = serde_json::json!([m - 2.0 * m.abs(), m + 2.0 * m.abs()]);
    }
    let unclear = effect(&report_of(dir.path(), &[("cmp.json", &doc)]));
    assert!(
        unclear.contains("this run cannot tell the difference"),
        "{unclear}"
    );
    assert!(
        unclear.contains(", nor its change of system unserved energy"),
        "{unclear}"
    );
    for word in ["lowers", "raises", "falls", "rises"] {
        assert!(!unclear.contains(word), "{word}: {unclear}");
    }
}

#[test]
fn a_ladder_is_drawn_rank_by_rank_and_only_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let ladder = "scenarios/benchmarks/ieee-rts79-three-area-ladder.toml";
    let run = write_json(dir.path(), "run.json", &["run", ladder, "--samples", "50"]);
    let doc = read(&run);
    let ranks: Vec<&String> = doc["ladder"].as_object().unwrap().keys().collect();
    assert!(ranks.len() >= 2, "{ranks:?}");
    let html = report_of(dir.path(), &[("run.json", &doc)]);
    let f = figure(&html, "ladder");
    for rank in &ranks {
        assert!(
            f.contains(&format!(">\n{rank}\n<")) || f.contains(&format!(">{rank}<")),
            "{rank}"
        );
    }
    for caption in ["hours used (h/yr)", "energy (MWh/yr)", "days used (d/yr)"] {
        assert!(f.contains(caption), "{caption}");
    }
    let mut without = doc.clone();
    without.as_object_mut().unwrap().remove("ladder");
    let plain = report_of(dir.path(), &[("run.json", &without)]);
    assert!(!chart_kinds(&plain).contains(&"ladder".to_string()));
}
