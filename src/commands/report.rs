//! `gridrisk report`: a self-contained HTML report of result files.
//!
//! Each input is a run result (`gridrisk.result/1`) or a comparison or study
//! (`gridrisk.compare/1`); the report shows what each file has. Every chart is its own inline
//! `<svg>` drawn by plotters; the page has no script, stylesheet link, image or any other
//! external reference, so it reads the same offline and without JavaScript.

mod charts;

use crate::cli::args::ReportArgs;
use crate::output::{self, unit};
use anyhow::{bail, Context, Result};
use charts::{Est, RowsChart, Series};
use serde_json::Value;

/// Run the command: read every result file, render, write `--out` atomically.
pub fn run(args: &ReportArgs) -> Result<()> {
    crate::output::check_file(&args.out)?;
    let mut docs = Vec::with_capacity(args.results.len());
    for path in &args.results {
        let name = path.display().to_string();
        let text = gridrisk_core::files::read_text(path, &gridrisk_core::files::JSON)
            .with_context(|| format!("cannot read result file {name}"))
            .map_err(crate::bad)?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{name}: not a JSON result file"))
            .map_err(crate::bad)?;
        check(&name, &doc).map_err(crate::bad)?;
        docs.push((name, doc));
    }
    let html = render(&docs)?;
    crate::output::write_atomic(&args.out, html.as_bytes())?;
    note!(
        "wrote {} ({} result file{})",
        args.out.display(),
        docs.len(),
        if docs.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// What a result document is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Run,
    Compare,
}

/// Check that `doc` is a run, compare or study result; errors name the file.
fn check(name: &str, doc: &Value) -> Result<Kind> {
    let Some(schema) = doc.get("schema").and_then(Value::as_str) else {
        bail!("{name}: not a gridrisk result file (no \"schema\" key; expected a JSON file written by `gridrisk run`, `compare` or `study`)");
    };
    match schema {
        "gridrisk.result/1" => {
            if !doc["system"].is_object() {
                bail!("{name}: a {schema} document without a \"system\" object");
            }
            Ok(Kind::Run)
        }
        "gridrisk.compare/1" => {
            if !doc["base"]["system"].is_object() || !doc["variants"].is_array() {
                bail!("{name}: a {schema} document without \"base\" and \"variants\"");
            }
            Ok(Kind::Compare)
        }
        other => bail!(
            "{name}: schema {other:?} is not a run, compare or study result \
             (expected gridrisk.result/1 or gridrisk.compare/1)"
        ),
    }
}

/// Render result documents (file name, parsed JSON) as one self-contained HTML page.
///
/// Errors when a document is not a run, compare or study result (the message names the
/// file) or a chart cannot be drawn.
pub fn render(docs: &[(String, Value)]) -> Result<String> {
    let kinds = docs
        .iter()
        .map(|(name, doc)| check(name, doc))
        .collect::<Result<Vec<_>>>()?;
    let mut page = Page::default();
    for (i, ((name, doc), kind)) in docs.iter().zip(kinds).enumerate() {
        let title = match kind {
            Kind::Run => format!(
                "Run of scenario {}",
                doc["scenario"]["name"].as_str().unwrap_or("?")
            ),
            Kind::Compare => match doc["study"]["name"].as_str() {
                Some(s) => format!("Study {s}"),
                None => "Comparison with a base scenario".into(),
            },
        };
        page.body += &format!(
            "<section class=\"doc\" id=\"doc-{}\">\n<h2>{} <span class=\"file\">({})</span></h2>\n",
            i + 1,
            esc(&title),
            esc(name)
        );
        page.toc
            .push((format!("doc-{}", i + 1), format!("{title} ({name})")));
        match kind {
            Kind::Run => run_section(&mut page, doc)?,
            Kind::Compare => compare_section(&mut page, doc)?,
        }
        page.body += "</section>\n";
    }
    Ok(page.finish(docs.len()))
}

/// The page being built.
#[derive(Default)]
struct Page {
    body: String,
    toc: Vec<(String, String)>,
    charts: usize,
}

impl Page {
    /// Add a chart: its SVG, an HTML legend (name, colour index) and a note.
    fn figure(&mut self, kind: &str, title: &str, svg: &str, legend: &[String], note: &str) {
        self.charts += 1;
        let svg = svg
            .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
            .replacen(
                "<svg ",
                &format!(
                    "<svg class=\"plot\" role=\"img\" aria-label=\"{}\" ",
                    esc(title)
                ),
                1,
            );
        self.body += &format!(
            "<figure class=\"chart\" id=\"chart-{}\" data-chart=\"{}\">\n{svg}",
            self.charts,
            esc(kind)
        );
        if !legend.is_empty() {
            self.body += "<ul class=\"legend\">";
            for (i, l) in legend.iter().enumerate() {
                self.body += &format!(
                    "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
                    charts::css_color(i),
                    esc(l)
                );
            }
            self.body += "</ul>\n";
        }
        if !note.is_empty() {
            self.body += &format!("<figcaption>{}</figcaption>\n", esc(note));
        }
        self.body += "</figure>\n";
    }

    fn h3(&mut self, text: &str) {
        self.body += &format!("<h3>{}</h3>\n", esc(text));
    }

    fn finish(self, files: usize) -> String {
        let mut s = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>gridrisk report</title>\n<style>\n",
        );
        s += STYLE;
        s += "</style>\n</head>\n<body>\n<header>\n<h1>gridrisk report</h1>\n";
        s += &format!(
            "<p>gridrisk {}: {} result file{}, {} chart{}. Intervals are 95% confidence \
             intervals of the Monte Carlo estimates; differences between scenarios are paired \
             (common random numbers).</p>\n<nav><ul>\n",
            env!("CARGO_PKG_VERSION"),
            files,
            if files == 1 { "" } else { "s" },
            self.charts,
            if self.charts == 1 { "" } else { "s" },
        );
        for (id, t) in &self.toc {
            s += &format!("<li><a href=\"#{id}\">{}</a></li>\n", esc(t));
        }
        s += "</ul></nav>\n</header>\n<main>\n";
        s += &self.body;
        s += "</main>\n</body>\n</html>\n";
        s
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:0 auto;max-width:1000px;padding:0 16px 40px;color:#222;line-height:1.4}
h1{margin-bottom:4px}h2{border-bottom:2px solid #1f77b4;padding-bottom:4px;margin-top:40px}
.file{font-weight:normal;font-size:0.7em;color:#666}
table{border-collapse:collapse;margin:8px 0 16px;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
figure.chart{margin:16px 0 28px;border:1px solid #ddd;padding:4px}
svg.plot{display:block;max-width:100%;height:auto}
figcaption{font-size:0.85em;color:#555;margin:4px 8px}
ul.legend{list-style:none;padding:0 8px;margin:4px 0;font-size:0.85em;columns:2}
ul.legend li{margin:2px 0}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}
p.summary{background:#f6f9fc;border-left:4px solid #1f77b4;padding:6px 10px}
";

/// Escape text for HTML (also safe inside attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number to three significant figures in plain decimals (never scientific notation),
/// with thousands separators; below 10^-9 it is 0.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a < 5e-10 {
        return "0".into();
    }
    let magnitude = a.log10().floor() as i32;
    let digits = (2 - magnitude).clamp(0, 9) as usize;
    // Past three integer digits, the rest are rounded to zeros: 36,651 is 36,700.
    let a = if magnitude > 2 {
        let scale = 10f64.powi(magnitude - 2);
        (a / scale).round() * scale
    } else {
        a
    };
    let s = format!("{a:.digits$}");
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if x < 0.0 { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A signed number (for differences).
fn signed(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", num(x))
    } else {
        num(x)
    }
}

fn est(v: &Value) -> Option<Est> {
    let mean = v.get("mean")?.as_f64()?;
    Some(Est {
        mean,
        lo: v["ci95"][0].as_f64(),
        hi: v["ci95"][1].as_f64(),
    })
}

fn interval(e: &Est) -> String {
    match (e.lo, e.hi) {
        (Some(l), Some(h)) => format!("{} to {}", num(l), num(h)),
        _ => "undefined".into(),
    }
}

/// The word after the slash in units (`yr`, `window`, `sample`; see [`output::per`]).
fn period(doc: &Value) -> String {
    output::per(doc).0
}

/// The window of a result for the settings table: dates, hours, clock and unit.
fn window_text(doc: &Value) -> String {
    let (unit, words) = output::per(doc);
    format!(
        "{}; units per {unit}: per {words}",
        output::window_span(doc)
    )
}

fn obj(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flatten()
}

fn kv_table(rows: &[(&str, String)]) -> String {
    let mut s = String::from("<table class=\"settings\">\n");
    for (k, v) in rows {
        if !v.is_empty() {
            s += &format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), esc(v));
        }
    }
    s + "</table>\n"
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The table of one area's indices (mean, 95% interval, unit).
fn index_table(area: &Value, per: &str) -> String {
    let mut s = String::from(
        "<table class=\"indices\">\n<tr><th>index</th><th>mean</th><th>95% interval</th><th>unit</th></tr>\n",
    );
    for (k, v) in obj(area) {
        let (m, ci) = match est(v) {
            Some(e) => (num(e.mean), interval(&e)),
            None => ("undefined".into(), String::new()),
        };
        s += &format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            esc(k),
            esc(&m),
            esc(&ci),
            esc(&unit(k, per))
        );
    }
    s + "</table>\n"
}

fn run_settings(doc: &Value) -> String {
    let stop = &doc["stop"];
    let stop_text = match stop["rule"].as_str() {
        Some("samples") | None => format!("fixed number of samples ({})", text(&doc["samples"])),
        Some(rule) => format!(
            "{rule}: target {} ({})",
            text(&stop["target"]),
            match stop["met"].as_bool() {
                Some(true) => "met",
                Some(false) => "NOT met: sample cap reached",
                None => "",
            }
        ),
    };
    kv_table(
        &[
            ("scenario", text(&doc["scenario"]["name"])),
            ("content hash", text(&doc["scenario"]["content_hash"])),
            ("samples", text(&doc["samples"])),
            ("seed", text(&doc["seed"])),
            ("window", window_text(doc)),
            ("block size", text(&doc["block_size"])),
            ("stopping rule", stop_text),
        ]
        .into_iter()
        .chain(version_rows(doc))
        .collect::<Vec<_>>(),
    )
}

/// The rows every settings table ends with: version, threads and wall time of the run.
fn version_rows(doc: &Value) -> [(&'static str, String); 3] {
    [
        ("gridrisk version", text(&doc["version"])),
        ("threads", text(&doc["run"]["threads"])),
        (
            "wall time",
            doc["run"]["wall_s"]
                .as_f64()
                .map(|w| format!("{} s", num(w)))
                .unwrap_or_default(),
        ),
    ]
}

fn run_section(page: &mut Page, doc: &Value) -> Result<()> {
    let per = &period(doc);
    page.h3("Scenario and run settings");
    page.body += &run_settings(doc);

    // Summary sentence.
    let regions: Vec<String> = obj(&doc["regions"]).map(|(k, _)| k.clone()).collect();
    if let Some(l) = est(&doc["system"]["lole_h"]) {
        let mut s = format!(
            "Over {} sampled {per}s, the system has an expected {} hours of shortfall per {per} \
             (95% interval {})",
            text(&doc["samples"]),
            num(l.mean),
            interval(&l)
        );
        if let Some(e) = est(&doc["system"]["eue_mwh"]) {
            s += &format!(
                " and {} MWh of expected unserved energy (95% interval {})",
                num(e.mean),
                interval(&e)
            );
        }
        if regions.len() > 1 {
            if let Some((r, e)) = regions
                .iter()
                .filter_map(|r| est(&doc["regions"][r]["lole_h"]).map(|e| (r, e)))
                .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
            {
                s += &format!(
                    "; the region most at risk is {r}, with {} hours per {per}",
                    num(e.mean)
                );
            }
        }
        s += ".";
        page.body += &format!("<p class=\"summary\">{}</p>\n", esc(&s));
    }

    page.h3("System indices");
    page.body += &index_table(&doc["system"], per);

    page.h3("Regions");
    let mut rows = vec!["system".to_string()];
    rows.extend(regions.iter().cloned());
    for (key, kind, what) in [
        (
            "lole_h",
            "regions-lole",
            "LOLE (expected hours of shortfall)",
        ),
        ("eue_mwh", "regions-eue", "EUE (expected unserved energy)"),
    ] {
        let mut values = vec![est(&doc["system"][key])];
        values.extend(regions.iter().map(|r| est(&doc["regions"][r][key])));
        let title = format!("{what} by region, with 95% intervals");
        let x_label = format!("{key} ({})", unit(key, per));
        let svg = charts::rows_chart(&RowsChart {
            title: &title,
            x_label: &x_label,
            rows: rows.clone(),
            series: vec![Series { values }],
            bars: true,
            zero_line: false,
        })?;
        page.figure(
            kind,
            &title,
            &svg,
            &[],
            "Bars: means; whiskers: 95% intervals.",
        );
    }

    let h = &doc["heatmap"];
    if let Some(p) = h["p"].as_array() {
        let grid: Vec<Vec<f64>> = p
            .iter()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(|x| x.as_f64().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        if !grid.is_empty() && grid.iter().any(|r| !r.is_empty()) {
            page.h3("When shortfalls happen");
            let title = "Shortfall probability by hour of day and week of the study window";
            let svg = charts::heatmap(title, &grid)?;
            page.figure(
                "heatmap",
                title,
                &svg,
                &[],
                "Each cell: the probability that an hour of that hour of day, in that week, has a shortfall anywhere in the system (averaged over the week's days and all samples).",
            );
        }
    }

    let d = &doc["eue_distribution"];
    if let Some(ex) = d["exceedance"].as_array() {
        let pts: Vec<(f64, f64)> = ex
            .iter()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
            .collect();
        if !pts.is_empty() {
            page.h3("Distribution of unserved energy");
            let marks: Vec<(String, f64)> = ["p50", "p90", "p95", "p99"]
                .iter()
                .filter_map(|k| Some((k.to_uppercase(), d[format!("{k}_mwh").as_str()].as_f64()?)))
                .collect();
            let title =
                "EUE exceedance curve: probability that a sample's unserved energy exceeds x";
            let svg = charts::exceedance(
                title,
                &format!("system unserved energy in one sample, x (MWh/{per})"),
                &pts,
                &marks,
            )?;
            let mut note = String::from("Grey lines: percentiles of EUE per sample.");
            for (k, label) in [
                ("p50_mwh", "P50"),
                ("p90_mwh", "P90"),
                ("p95_mwh", "P95"),
                ("p99_mwh", "P99"),
                ("cvar95_mwh", "CVaR95"),
            ] {
                if let Some(x) = d[k].as_f64() {
                    note += &format!(" {label} {} MWh;", num(x));
                }
            }
            if let Some(w) = d["worst_shortfall_mw"].as_f64() {
                note += &format!(" worst hourly shortfall {} MW.", num(w));
            }
            page.figure("exceedance", title, &svg, &[], &note);
        }
    }

    if let Some(path) = mining_path(&doc["illegal_mining_path"], "illegal mining", true) {
        page.h3("Illegal mining");
        let title = "Illegal mining load by day: mean and 10-90% band over samples";
        let svg = charts::paths(
            title,
            "day of the study window",
            "illegal mining load (MW)",
            &[path],
        )?;
        page.figure(
            "mining-path",
            title,
            &svg,
            &[],
            "Line: mean over samples; shaded: 10th to 90th percentile.",
        );
    }

    let sources: Vec<String> = obj(&doc["imports"]).map(|(k, _)| k.clone()).collect();
    let import_paths: Vec<charts::Path> = sources
        .iter()
        .filter_map(|s| {
            let mean: Vec<f64> = doc["imports"][s]["mean_mw_by_day"]
                .as_array()?
                .iter()
                .map(|x| x.as_f64().unwrap_or(0.0))
                .collect();
            Some(charts::Path {
                name: s.clone(),
                mean,
                band: None,
            })
        })
        .collect();
    if !sources.is_empty() {
        page.h3("Imports");
        if !import_paths.is_empty() {
            let title = "Imports over the window: mean import of each source by day";
            let svg = charts::paths(
                title,
                "day of the study window",
                "mean import (MW)",
                &import_paths,
            )?;
            let names: Vec<String> = import_paths.iter().map(|p| p.name.clone()).collect();
            page.figure(
                "import-path",
                title,
                &svg,
                &names,
                "Mean over samples of each day's import, the least import that achieves the least shortfall.",
            );
        }
        let title =
            "Imports per source: total energy over the window (not a time series), with 95% intervals";
        let svg = charts::rows_chart(&RowsChart {
            title,
            x_label: &format!("energy imported (MWh/{per})"),
            rows: sources.clone(),
            series: vec![Series {
                values: sources
                    .iter()
                    .map(|s| est(&doc["imports"][s]["import_mwh"]))
                    .collect(),
            }],
            bars: true,
            zero_line: false,
        })?;
        page.figure(
            "imports",
            title,
            &svg,
            &[],
            "Each source's total import over the window; the chart above shows it day by day.",
        );
    }

    let lines: Vec<String> = obj(&doc["lines"]).map(|(k, _)| k.clone()).collect();
    if !lines.is_empty() {
        page.h3("Transmission lines");
        let title = "Hours in which each line's limit binds, with 95% intervals";
        let svg = charts::rows_chart(&RowsChart {
            title,
            x_label: &format!("binding hours (h/{per})"),
            rows: lines.clone(),
            series: vec![Series {
                values: lines
                    .iter()
                    .map(|l| est(&doc["lines"][l]["binding_h"]))
                    .collect(),
            }],
            bars: true,
            zero_line: false,
        })?;
        page.figure(
            "lines",
            title,
            &svg,
            &[],
            "A line binds in an hour when one more MW of its limit would lower the total firm shortfall.",
        );
    }
    Ok(())
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

/// The mining path of a scenario, if it has one.
fn mining_path(v: &Value, name: &str, band: bool) -> Option<charts::Path> {
    let mean = floats(&v["mean_mw"]);
    if mean.is_empty() {
        return None;
    }
    let band = if band {
        let (lo, hi) = (floats(&v["p10_mw"]), floats(&v["p90_mw"]));
        (lo.len() == mean.len() && hi.len() == mean.len()).then_some((lo, hi))
    } else {
        None
    };
    Some(charts::Path {
        name: name.to_string(),
        mean,
        band,
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The plain-language sentence for one variant.
fn summary(
    base: &Value,
    v: &Value,
    region: Option<&str>,
    label: &str,
    per: &str,
) -> Option<String> {
    let (own, diff, where_) = match region {
        Some(r) => (
            &v["regions"][r]["lole_h"],
            &v["difference"]["regions"][r]["lole_h"],
            format!("{r}'s"),
        ),
        None => (
            &v["system"]["lole_h"],
            &v["difference"]["system"]["lole_h"],
            "the system's".to_string(),
        ),
    };
    let b = est(&match region {
        Some(r) => base["regions"][r]["lole_h"].clone(),
        None => base["system"]["lole_h"].clone(),
    })?;
    let y = est(own)?;
    let d = est(diff)?;
    let interval = match (d.lo, d.hi) {
        (Some(l), Some(h)) => format!("{} to {}", signed(l), signed(h)),
        _ => "undefined".into(),
    };
    // A change is named (lowers, raises) only where its interval excludes zero: otherwise
    // the sentence says the run cannot tell it from no change, and nothing else.
    let clear = match (d.lo, d.hi) {
        (Some(l), Some(h)) => l > 0.0 || h < 0.0,
        _ => false,
    };
    let mut s = if clear {
        format!(
            "{} {} {where_} expected hours of shortfall from {} to {} h per {per} (difference {} h, 95% interval {interval})",
            capitalised(label),
            if d.mean < 0.0 { "lowers" } else { "raises" },
            num(b.mean),
            num(y.mean),
            signed(d.mean),
        )
    } else {
        format!(
            "With {label}, {where_} expected hours of shortfall are {} h per {per} against {} in the base: this run cannot tell the difference ({} h, 95% interval {interval}) from no change",
            num(y.mean),
            num(b.mean),
            signed(d.mean),
        )
    };
    if let (Some(eb), Some(ey), Some(ed)) = (
        est(&base["system"]["eue_mwh"]),
        est(&v["system"]["eue_mwh"]),
        est(&v["difference"]["system"]["eue_mwh"]),
    ) {
        s += &format!(
            ". System unserved energy goes from {} to {} MWh (difference {} MWh, 95% interval {})",
            num(eb.mean),
            num(ey.mean),
            signed(ed.mean),
            match (ed.lo, ed.hi) {
                (Some(l), Some(h)) => format!("{} to {}", signed(l), signed(h)),
                _ => "undefined".into(),
            }
        );
    }
    s.push('.');
    Some(s)
}

fn compare_section(page: &mut Page, doc: &Value) -> Result<()> {
    let per = &period(doc);
    let base = &doc["base"];
    let variants: Vec<&Value> = doc["variants"].as_array().into_iter().flatten().collect();
    let label = |v: &Value| {
        v["label"]
            .as_str()
            .or(v["scenario"]["name"].as_str())
            .unwrap_or("?")
            .to_string()
    };

    page.h3("Scenarios and run settings");
    let mut rows: Vec<(&str, String)> = Vec::new();
    if doc["study"].is_object() {
        rows.push(("study", text(&doc["study"]["name"])));
        rows.push(("description", text(&doc["study"]["description"])));
    }
    rows.extend([
        ("samples per scenario", text(&doc["samples"])),
        ("seed", text(&doc["seed"])),
        ("window", window_text(doc)),
        ("block size", text(&doc["block_size"])),
        (
            "random numbers",
            "common to all scenarios (differences are paired)".into(),
        ),
    ]);
    rows.extend(version_rows(doc));
    page.body += &kv_table(&rows);
    page.body += "<table class=\"scenarios\">\n<tr><th></th><th>label</th><th>scenario</th><th>content hash</th><th>system LOLE</th><th>difference from base (95% interval)</th></tr>\n";
    let all: Vec<&Value> = std::iter::once(base)
        .chain(variants.iter().copied())
        .collect();
    for (i, sc) in all.iter().enumerate() {
        let own = est(&sc["system"]["lole_h"])
            .map(|e| format!("{} h/{per}", num(e.mean)))
            .unwrap_or_default();
        let diff = if i == 0 {
            String::new()
        } else {
            est(&sc["difference"]["system"]["lole_h"])
                .map(|d| {
                    format!(
                        "{} [{}, {}]",
                        signed(d.mean),
                        d.lo.map(signed).unwrap_or_default(),
                        d.hi.map(signed).unwrap_or_default()
                    )
                })
                .unwrap_or_default()
        };
        page.body += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
            if i == 0 { "base" } else { "variant" },
            esc(&label(sc)),
            esc(&text(&sc["scenario"]["name"])),
            esc(&text(&sc["scenario"]["content_hash"])),
            esc(&own),
            esc(&diff)
        );
    }
    page.body += "</table>\n";

    let focus = crate::output::focus_region(base);
    if !variants.is_empty() {
        page.h3("What each variant changes");
        for v in &variants {
            if let Some(s) = summary(base, v, focus.as_deref(), &label(v), &output::per(doc).1) {
                page.body += &format!("<p class=\"summary\">{}</p>\n", esc(&s));
            }
        }
        let names: Vec<String> = variants.iter().map(|v| label(v)).collect();
        let mut forests: Vec<(String, Option<&str>, &str)> =
            vec![("system".into(), None, "lole_h")];
        if let Some(f) = &focus {
            forests.push((f.clone(), Some(f.as_str()), "lole_h"));
        }
        forests.push(("system".into(), None, "eue_mwh"));
        for (area, region, key) in forests {
            let values: Vec<Option<Est>> = variants
                .iter()
                .map(|v| match region {
                    Some(r) => est(&v["difference"]["regions"][r][key]),
                    None => est(&v["difference"]["system"][key]),
                })
                .collect();
            if values.iter().all(Option::is_none) {
                continue;
            }
            let what = if key == "lole_h" { "LOLE" } else { "EUE" };
            let title = format!("Difference from the base in {area} {what}, with 95% intervals");
            let svg = charts::rows_chart(&RowsChart {
                title: &title,
                x_label: &format!("variant minus base, {key} ({})", unit(key, per)),
                rows: names.clone(),
                series: vec![Series { values }],
                bars: false,
                zero_line: true,
            })?;
            page.figure(
                "forest",
                &title,
                &svg,
                &[],
                &format!(
                    "Forest plot: each dot is a variant's paired difference from the base ({}); whiskers: 95% intervals; left of the zero line is better.",
                    label(base)
                ),
            );
        }
    }

    page.h3("Regions");
    let regions: Vec<String> = obj(&base["regions"]).map(|(k, _)| k.clone()).collect();
    let names: Vec<String> = all.iter().map(|s| label(s)).collect();
    for (key, kind, what) in [
        (
            "lole_h",
            "regions-lole",
            "LOLE (expected hours of shortfall)",
        ),
        ("eue_mwh", "regions-eue", "EUE (expected unserved energy)"),
    ] {
        // Rows: scenarios; one coloured series per area (system first, then regions).
        let mut series = vec![Series {
            values: all.iter().map(|s| est(&s["system"][key])).collect(),
        }];
        if regions.len() > 1 {
            for r in &regions {
                series.push(Series {
                    values: all.iter().map(|s| est(&s["regions"][r][key])).collect(),
                });
            }
        }
        let title = format!("{what} by scenario and region, with 95% intervals");
        let svg = charts::rows_chart(&RowsChart {
            title: &title,
            x_label: &format!("{key} ({})", unit(key, per)),
            rows: names.clone(),
            series,
            bars: false,
            zero_line: false,
        })?;
        let mut legend = vec!["system".to_string()];
        if regions.len() > 1 {
            legend.extend(regions.iter().cloned());
        }
        page.figure(
            kind,
            &title,
            &svg,
            &legend,
            "Dots: means; whiskers: 95% intervals. The first row is the base.",
        );
    }

    if let Some(mut p) = mining_path(&base["illegal_mining_path"], &label(base), true) {
        p.name = label(base);
        let mut paths = vec![p];
        for v in &variants {
            if let Some(q) = mining_path(&v["illegal_mining_path"], &label(v), false) {
                if q.mean != paths[0].mean {
                    paths.push(q);
                }
            }
        }
        page.h3("Illegal mining");
        let title = "Illegal mining load by day: mean (and the base's 10-90% band)";
        let svg = charts::paths(
            title,
            "day of the study window",
            "illegal mining load (MW)",
            &paths,
        )?;
        let legend: Vec<String> = paths.iter().map(|p| p.name.clone()).collect();
        page.figure(
            "mining-path",
            title,
            &svg,
            &legend,
            "Shaded: the base's 10th to 90th percentile over samples. Variants whose path equals the base's are not drawn.",
        );
    }
    Ok(())
}
