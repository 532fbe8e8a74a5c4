//! `gridrisk report`: a self-contained HTML report of result files.
//!
//! Each input is a run result (`gridrisk.result/1`) or a comparison or study
//! (`gridrisk.compare/1`); the report shows what each file has. Each file's section opens
//! with a headline (the question, the base's risk, each policy's effect, one chart), then
//! the detail charts, and ends with the settings. A comparison's base is drawn by the same
//! code as a run, from whichever run sections (heatmap, EUE distribution, imports, lines,
//! corridors, ladder) its file carries. Every chart is its own inline `<svg>` drawn by plotters; the
//! page has no script, stylesheet link, image or any other external reference, so it reads
//! the same offline and without JavaScript.

mod charts;

use crate::cli::args::ReportArgs;
use crate::output::{self, unit};
use anyhow::{bail, Context, Result};
use charts::{DayAxis, Est, Panel, Panels};
use gridrisk_core::calendar::Date;
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
    Uncertain,
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
        "gridrisk.uncertain/1" => {
            if !doc["scenarios"].is_array() || !doc["parameters"].is_array() {
                bail!("{name}: a {schema} document without \"scenarios\" and \"parameters\"");
            }
            Ok(Kind::Uncertain)
        }
        other => bail!(
            "{name}: schema {other:?} is not a run, compare or study result \
             (expected gridrisk.result/1, gridrisk.compare/1 or gridrisk.uncertain/1)"
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
            Kind::Uncertain => format!(
                "Uncertain-parameter study {}",
                doc["study"]["name"].as_str().unwrap_or("?")
            ),
        };
        let window = Window::of(doc);
        page.body += &format!(
            "<section class=\"doc\" id=\"doc-{}\">\n<h2>{} <span class=\"file\">({})</span></h2>\n",
            i + 1,
            esc(&title),
            esc(name)
        );
        page.toc
            .push((format!("doc-{}", i + 1), format!("{title} ({name})")));
        match kind {
            Kind::Run => run_section(&mut page, doc, &window)?,
            Kind::Compare => compare_section(&mut page, doc, &window)?,
            Kind::Uncertain => uncertain_section(&mut page, doc),
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
                let c = charts::css_color(i);
                self.body += &format!(
                    "<li data-color=\"{c}\"><span class=\"swatch\" style=\"background:{c}\"></span>{}</li>",
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

    /// Open the headline of the current section with its question.
    fn headline(&mut self, question: &str) {
        self.body += &format!(
            "<div class=\"headline\">\n<p class=\"question\"><strong>Question:</strong> {}</p>\n",
            esc(question)
        );
    }

    fn finish(self, files: usize) -> String {
        let mut s = String::from(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>gridrisk report</title>\n<style>\n",
        );
        s += STYLE;
        s += "</style>\n</head>\n<body>\n<header>\n<h1>gridrisk report</h1>\n";
        if self.toc.len() > 1 {
            s += "<nav><ul>\n";
            for (id, t) in &self.toc {
                s += &format!("<li><a href=\"#{id}\">{}</a></li>\n", esc(t));
            }
            s += "</ul></nav>\n";
        }
        s += "</header>\n<main>\n";
        s += &self.body;
        s += &format!(
            "</main>\n<footer><p>gridrisk {}: {} result file{}, {} chart{}. Intervals are 95% \
             confidence intervals of the Monte Carlo estimates; differences between scenarios \
             are paired (common random numbers).</p></footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION"),
            files,
            if files == 1 { "" } else { "s" },
            self.charts,
            if self.charts == 1 { "" } else { "s" },
        );
        s
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:0 auto;max-width:1000px;padding:0 16px 40px;color:#222;line-height:1.4}
h1{margin-bottom:4px}h2{border-bottom:2px solid #1f77b4;padding-bottom:4px;margin-top:40px}
.file{font-weight:normal;font-size:0.7em;color:#666}
.headline{border:1px solid #cfdcea;border-left:5px solid #1f77b4;padding:4px 12px;margin:12px 0 24px}
.headline p.question{font-size:1.1em}
ul.effects{padding-left:20px}ul.effects li{margin:4px 0}
table{border-collapse:collapse;margin:8px 0 16px;font-size:0.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
figure.chart{margin:16px 0 28px;border:1px solid #ddd;padding:4px;background:#fff}
svg.plot{display:block;max-width:100%;height:auto}
figcaption{font-size:0.85em;color:#555;margin:4px 8px}
ul.legend{list-style:none;padding:0 8px;margin:4px 0;font-size:0.85em;columns:2}
ul.legend li{margin:2px 0}
.swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:middle}
footer{margin-top:40px;font-size:0.85em;color:#555}
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

/// Thousands separators in a plain decimal (`107273.5` is `107,273.5`).
fn grouped(s: &str) -> String {
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s),
    };
    let (int, frac) = s.split_once('.').map_or((s, ""), |(i, f)| (i, f));
    let mut out = String::from(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A value without a standard error (a percentile, a wall time): as in the tables.
fn num(x: f64) -> String {
    if x.is_finite() {
        grouped(&output::plain(x))
    } else {
        "-".into()
    }
}

/// An estimate in words: mean, interval ends (to the precision of its standard error, as
/// in the tables) and whether its interval excludes zero.
struct Said {
    mean: String,
    lo: String,
    hi: String,
    clear: bool,
    below_zero: bool,
}

fn said(v: &Value) -> Option<Said> {
    let e = est(v)?;
    let [mean, _, lo, hi] = output::estimate_cells(v).map(|c| grouped(&c));
    let clear = matches!((e.lo, e.hi), (Some(l), Some(h)) if l > 0.0 || h < 0.0);
    Some(Said {
        mean,
        lo,
        hi,
        clear,
        below_zero: e.mean < 0.0,
    })
}

impl Said {
    fn interval(&self) -> String {
        format!("95% interval {} to {}", self.lo, self.hi)
    }

    /// A difference with its sign.
    fn signed(&self) -> String {
        signed(&self.mean)
    }

    fn signed_interval(&self) -> String {
        format!("95% interval {} to {}", signed(&self.lo), signed(&self.hi))
    }
}

fn signed(s: &str) -> String {
    if s.starts_with('-') || s == "-" || s.bytes().all(|b| b == b'0' || b == b'.' || b == b',') {
        s.to_string()
    } else {
        format!("+{s}")
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

/// The study window of a result, for sentences and axes.
struct Window {
    /// The word after the slash in units (`yr`, `window`, `sample`; see [`output::per`]).
    unit: String,
    /// One sample in words (`year`, `1 Nov 2021 - 28 Feb 2022 window`).
    words: String,
    /// The first date, for a window given by dates.
    start: Option<Date>,
    /// Its dates and clock in words, for a window given by dates.
    dates: Option<String>,
}

impl Window {
    fn of(doc: &Value) -> Window {
        let (unit, words) = output::per(doc);
        let w = &doc["window"];
        let date = |k: &str| {
            let s = w[k].as_str()?;
            let mut parts = s.splitn(3, '-');
            let y = parts.next()?.parse().ok()?;
            let m = parts.next()?.parse().ok()?;
            let d = parts.next()?.parse().ok()?;
            Date::new(y, m, d)
        };
        let start = date("start");
        let dates = match (start, date("end")) {
            (Some(s), Some(e)) => Some(format!(
                "{} - {}, clock UTC{}",
                s.long(),
                e.long(),
                w["utc_offset"].as_str().unwrap_or("")
            )),
            _ => None,
        };
        Window {
            unit,
            words,
            start,
            dates,
        }
    }

    /// The label of day `d` (1-based): its date (`8 Nov`) or its number.
    fn day(&self, d: usize) -> String {
        match self.start {
            Some(s) => {
                let date = s.plus_days(d as i64 - 1);
                let long = date.long();
                // Day and month; the years are in the axis description.
                long.rsplit_once(' ')
                    .map_or(long.clone(), |(dm, _)| dm.to_string())
            }
            None => d.to_string(),
        }
    }

    /// Axis descriptions of days and weeks.
    fn axis_descs(&self) -> (String, String) {
        match &self.dates {
            Some(d) => (format!("date ({d})"), format!("week starting ({d})")),
            None => (
                "day of the study window (day 1 = its first 24 h)".into(),
                "week of the study window (week 1 = its first 7 days)".into(),
            ),
        }
    }
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

/// The table of one area's indices (mean, 95% interval, unit), numbers as in the tables.
fn index_table(area: &Value, per: &str) -> String {
    let mut s = String::from(
        "<table class=\"indices\">\n<tr><th>index</th><th>mean</th><th>95% interval</th><th>unit</th></tr>\n",
    );
    for (k, v) in obj(area) {
        let (m, ci) = match said(v) {
            Some(e) => (e.mean.clone(), format!("{} to {}", e.lo, e.hi)),
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

/// Regional tails (each area's EUE tail, worst event and the event probabilities asked for)
/// and, for a window with dates, LOLE by month per area: two small tables.
/// The event summary of a run with `--events`: the frequency-duration table, the peak
/// histogram (events per bin of peak MW) and the worst events of each area.
fn events_summary(page: &mut Page, sc: &Value, per: &str) {
    let e = &sc["events"];
    let Some(areas) = e["areas"].as_object() else {
        return;
    };
    page.h3("Shortfall events by duration");
    let mut html = String::from("<table class=\"indices\">\n<tr><th>area</th>");
    for c in e["duration_classes_h"].as_array().into_iter().flatten() {
        html += &format!("<th>{} h</th>", esc(c.as_str().unwrap_or("")));
    }
    html += "<th>all</th></tr>\n";
    let x = |v: &Value| v.as_f64().map(num).unwrap_or_default();
    for (name, a) in areas {
        html += &format!("<tr><td>{}</td>", esc(name));
        for v in a["by_duration"].as_array().into_iter().flatten() {
            html += &format!("<td class=\"n\">{}</td>", x(v));
        }
        html += &format!("<td class=\"n\">{}</td></tr>\n", x(&a["events_per_sample"]));
    }
    html += &format!(
        "</table>\n<p>Events per {}, by duration class (an event: a maximal run of shortfall hours in the area).</p>\n",
        esc(per)
    );
    let bounds: Vec<i64> = (e["peak_bounds_mw"].as_array().into_iter().flatten())
        .filter_map(Value::as_i64)
        .collect();
    html += "<table class=\"indices\">\n<tr><th>area</th>";
    for b in 0..=bounds.len() {
        let lo = if b == 0 { 0 } else { bounds[b - 1] };
        html += &match bounds.get(b) {
            Some(hi) => format!("<th>{lo}-{hi} MW</th>"),
            None => format!("<th>&ge;{lo} MW</th>"),
        };
    }
    html += "</tr>\n";
    for (name, a) in areas {
        html += &format!("<tr><td>{}</td>", esc(name));
        for v in a["peak_counts"].as_array().into_iter().flatten() {
            html += &format!("<td class=\"n\">{}</td>", v.as_u64().unwrap_or(0));
        }
        html += "</tr>\n";
    }
    html += "</table>\n<p>Histogram of event peaks: events of the whole run by their largest hourly shortfall.</p>\n";
    page.body += &html;
    page.h3("Worst events");
    let mut html = String::from(
        "<table class=\"indices\">\n<tr><th>area</th><th>sample</th><th>start</th><th>hours</th><th>peak (MW)</th><th>energy (MWh)</th><th>regions</th></tr>\n",
    );
    for (name, a) in areas {
        for w in a["worst"].as_array().into_iter().flatten() {
            let start = match w["start_date"].as_str() {
                Some(d) => format!("{d} {:02}:00", w["start_hour_of_day"].as_u64().unwrap_or(0)),
                None => format!("hour {}", w["start_hour"]),
            };
            html += &format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
                esc(name),
                w["sample"],
                esc(&start),
                w["duration_h"],
                x(&w["peak_mw"]),
                x(&w["energy_mwh"]),
                esc(w["regions_affected"].as_str().unwrap_or("")),
            );
        }
    }
    page.body += &(html + "</table>\n<p>The five events of each area with the most energy.</p>\n");
}

/// The cause attribution of a run with `--attribute`: per area with unserved energy, each
/// cause's share of its EUE (exact Shapley values on common random numbers) and the residual,
/// then its EUE split into national deficit and corridor-limited shortfall.
fn attribution_summary(page: &mut Page, sc: &Value, per: &str) {
    let a = &sc["attribution"];
    if !a.is_object() {
        return;
    }
    page.h3("What causes the unserved energy");
    let mut html = String::from(
        "<table class=\"indices\">\n<tr><th>area</th><th>part</th><th>MWh per sample</th><th>share of EUE</th><th>95% interval</th></tr>\n",
    );
    let regions = obj(&a["regions"]).map(|(k, v)| (k.as_str(), v));
    for (name, area) in std::iter::once(("system", &a["system"])).chain(regions) {
        if area["eue_mwh"]["mean"].as_f64().unwrap_or(0.0) <= 0.0 {
            continue;
        }
        let parts = obj(&area["causes"])
            .map(|(k, v)| (k.replace('_', " "), v))
            .chain([
                ("national deficit".to_string(), &area["national_deficit"]),
                ("corridor-limited".to_string(), &area["corridor_limited"]),
            ]);
        for (part, v) in parts {
            let share = &v["share"];
            let cell = |x: &Value| x.as_f64().map_or("-".to_string(), |x| format!("{x:.3}"));
            html += &format!(
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td></tr>\n",
                esc(name),
                esc(&part),
                v["eue_mwh"]["mean"].as_f64().map(num).unwrap_or_default(),
                cell(&share["mean"]),
                cell(&share["ci95"][0]),
                cell(&share["ci95"][1]),
            );
        }
    }
    html += &format!(
        "</table>\n<p>Each sample with a shortfall was simulated again on the same draws with every subset of the causes removed ({}); a cause's part is its exact Shapley value, the residual what is left with every cause removed. National deficit: the area's shortfall with corridor limits lifted (the system is short whatever the corridors); corridor-limited: the rest. MWh per {}; shares of the area's EUE with delta-method 95% intervals.</p>\n",
        esc(&(a["causes"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")),
        esc(per)
    );
    page.body += &html;
}

/// The worst event's days of a run with `--worst-day`: per region short in the event,
/// its demand, available generation, curtailment and shortfall hour by hour (the event's
/// hours shaded), then the imports and, with storage, the stored energy.
fn worst_event_day(page: &mut Page, sc: &Value) -> Result<()> {
    let d = &sc["worst_event_day"];
    let e = &d["event"];
    if !e.is_object() {
        return Ok(());
    }
    page.h3("The worst event, hour by hour");
    let hours = d["hour"].as_array().map_or(0, Vec::len);
    let in_event: Vec<bool> = (d["in_event"].as_array().into_iter().flatten())
        .map(|x| x == true)
        .collect();
    let marked = in_event.iter().position(|&x| x).unwrap_or(0)
        ..in_event.iter().rposition(|&x| x).map_or(0, |i| i + 1);
    let of_day = |i: usize| d["hour_of_day"][i].as_u64().unwrap_or(0);
    let label = |i: usize| match d["date"][i].as_str().and_then(|s| {
        let mut p = s.splitn(3, '-').skip(1);
        let m: usize = p.next()?.parse().ok()?;
        let day: u32 = p.next()?.parse().ok()?;
        let month = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ]
        .get(m.checked_sub(1)?)?;
        Some(format!("{day} {month}"))
    }) {
        Some(date) => format!("{date} {:02}:00", of_day(i)),
        None => format!("hour {}", d["hour"][i]),
    };
    let x_desc = if d["date"].is_array() {
        "date and hour (study clock)"
    } else {
        "hour of the study window"
    };
    let mut when = format!("sample {}, ", e["sample"]);
    if let Some(date) = e["start_date"].as_str() {
        when += &format!("{date} ");
    }
    when += &format!(
        "hour {} for {} h: {} MWh, peak {} MW",
        e["start_hour"],
        e["duration_h"],
        e["energy_mwh"].as_f64().map(num).unwrap_or_default(),
        e["peak_mw"].as_f64().map(num).unwrap_or_default()
    );
    let affected: Vec<&str> = e["regions_affected"]
        .as_str()
        .unwrap_or("")
        .split(';')
        .collect();
    let series = |v: &Value| floats(v);
    for region in affected.iter().filter(|r| d["regions"][**r].is_object()) {
        let r = &d["regions"][*region];
        let firm = series(&r["firm_demand_mw"]);
        let total: Vec<f64> = (firm.iter().zip(series(&r["interruptible_demand_mw"])))
            .map(|(f, i)| f + i)
            .collect();
        let mut lines = vec![("firm demand".to_string(), firm)];
        let mut same = Vec::new();
        for (name, v) in [
            ("firm + interruptible demand", total),
            (
                "available generation",
                series(&r["generation_available_mw"]),
            ),
            (
                "illegal mining (in firm demand)",
                series(&r["illegal_mining_mw"]),
            ),
            ("interruptible curtailed", series(&r["curtailed_mw"])),
            ("unserved firm demand", series(&r["shortfall_mw"])),
        ] {
            // A line equal to one drawn already would hide it: named in the caption.
            match lines.iter().find(|(_, w)| *w == v) {
                Some((first, _)) => same.push(format!("{name} = {first}")),
                None => lines.push((name.to_string(), v)),
            }
        }
        let title = format!("{region}: the worst event's days, MW per hour");
        let svg = charts::hours(&title, &label, x_desc, "MW", &lines, marked.clone())?;
        let legend: Vec<String> = lines.iter().map(|(n, _)| n.clone()).collect();
        let mut note = format!(
            "The worst system event ({when}), its sample re-simulated on the same draws; \
             shaded: the event's hours; {hours} hours in all."
        );
        if !same.is_empty() {
            note += &format!(" Equal lines: {}.", same.join("; "));
        }
        page.figure("worst-day", &title, &svg, &legend, &note);
    }
    let imports: Vec<(String, Vec<f64>)> = obj(&d["imports_mw"])
        .map(|(k, v)| (k.clone(), series(v)))
        .collect();
    if imports.iter().any(|(_, v)| v.iter().any(|&x| x != 0.0)) {
        let title = "Imports over the worst event's days, MW per hour";
        let svg = charts::hours(title, &label, x_desc, "MW", &imports, marked.clone())?;
        let legend: Vec<String> = imports.iter().map(|(n, _)| n.clone()).collect();
        page.figure("worst-day", title, &svg, &legend, "Import of each source beyond its schedule (the least import that achieves the least shortfall).");
    }
    let stored: Vec<(String, Vec<f64>)> = obj(&d["regions"])
        .filter(|(_, r)| r["stored_mwh"].is_array())
        .map(|(k, r)| (k.clone(), series(&r["stored_mwh"])))
        .filter(|(_, v)| v.iter().any(|&x| x != 0.0))
        .collect();
    if !stored.is_empty() {
        let title = "Stored energy over the worst event's days, MWh at the start of each hour";
        let svg = charts::hours(title, &label, x_desc, "MWh", &stored, marked)?;
        let legend: Vec<String> = stored.iter().map(|(n, _)| n.clone()).collect();
        page.figure(
            "worst-day",
            title,
            &svg,
            &legend,
            "Energy held by each region's storage.",
        );
    }
    Ok(())
}

fn tails_and_months(page: &mut Page, sc: &Value, per: &str) {
    let t = &sc["event_tails"];
    if !t.is_object() {
        return;
    }
    let areas: Vec<(String, &Value, &Value)> =
        std::iter::once(("system".to_string(), &sc["eue_distribution"], &t["system"]))
            .chain(obj(&t["regions"]).map(|(name, v)| {
                let d = &sc["eue_distribution"]["regions"][name];
                // A single region's distribution is the system's.
                let d = if d.is_object() {
                    d
                } else {
                    &sc["eue_distribution"]
                };
                (name.clone(), d, v)
            }))
            .collect();
    page.h3("Regional tails");
    let mut head = format!(
        "<table class=\"indices\">\n<tr><th>area</th><th>EUE P95 (MWh/{per})</th><th>CVaR95</th><th>E[EUE | EUE &gt; P95]</th><th>worst hour (MW)</th><th>longest event (h)</th>",
        per = esc(per)
    );
    let thresholds = |key: &str, what: &str| -> Vec<String> {
        (t["system"][key].as_array().into_iter().flatten())
            .map(|x| format!("P(an event {what} {})", x["above"]))
            .collect()
    };
    let columns = [thresholds("p_event_above_mw", "above")
        .into_iter()
        .map(|c| c + " MW")]
    .into_iter()
    .flatten()
    .chain(
        thresholds("p_event_longer_than_h", "longer than")
            .into_iter()
            .map(|c| c + " h"),
    );
    for c in columns {
        head += &format!("<th>{}</th>", esc(&c));
    }
    let mut html = head + "</tr>\n";
    for (name, d, tail) in &areas {
        let x = |v: &Value| v.as_f64().map(num).unwrap_or_default();
        html += &format!(
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(name),
            x(&d["p95_mwh"]),
            x(&d["cvar95_mwh"]),
            x(&d["mean_above_var95_mwh"]),
            x(&tail["worst_peak_mw"]),
            x(&tail["longest_event_h"]),
        );
        for key in ["p_event_above_mw", "p_event_longer_than_h"] {
            for p in tail[key].as_array().into_iter().flatten() {
                let cell = said(&p["p"])
                    .map(|e| format!("{} ({} to {})", e.mean, e.lo, e.hi))
                    .unwrap_or_default();
                html += &format!("<td class=\"n\">{}</td>", esc(&cell));
            }
        }
        html += "</tr>\n";
    }
    page.body += &(html + "</table>\n");
    let Some(system) = sc["monthly"]["system"].as_array() else {
        return;
    };
    page.h3("Shortfall hours by month");
    let regions: Vec<(&String, &Value)> = obj(&sc["monthly"]["regions"]).collect();
    let mut html = String::from("<table class=\"indices\">\n<tr><th>month</th><th>system</th>");
    for (name, _) in &regions {
        html += &format!("<th>{}</th>", esc(name));
    }
    html += "</tr>\n";
    for (i, m) in system.iter().enumerate() {
        let cell = |v: &Value| said(&v[i]["lole_h"]).map(|e| e.mean).unwrap_or_default();
        html += &format!(
            "<tr><td>{}</td><td class=\"n\">{}</td>",
            esc(m["month"].as_str().unwrap_or("")),
            esc(&cell(&sc["monthly"]["system"]))
        );
        for (_, r) in &regions {
            html += &format!("<td class=\"n\">{}</td>", esc(&cell(r)));
        }
        html += "</tr>\n";
    }
    html += &format!(
        "</table>\n<p>LOLE, hours per {} in each calendar month (events count in the month of their first hour; the months add up to the window).</p>\n",
        esc(per)
    );
    page.body += &html;
}

fn run_settings(doc: &Value) -> String {
    let stop = &doc["stop"];
    let stop_text = match stop["rule"].as_str() {
        Some("samples") | None => format!("fixed number of samples ({})", text(&doc["samples"])),
        Some(_) => {
            let targets: Vec<String> = stop["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| text(&t["target"]))
                .collect();
            format!("targets {}: {}", targets.join(", "), text(&stop["reason"]))
        }
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

/// Seconds in words.
fn secs(v: &Value) -> Option<String> {
    v.as_f64().map(|w| format!("{} s", num(w)))
}

/// The rows every settings table ends with: version, threads and wall time of the run; for
/// a merged run, those of its shards (and the merge's own time apart).
fn version_rows(doc: &Value) -> Vec<(&'static str, String)> {
    let run = &doc["run"];
    let mut rows = vec![("gridrisk version", text(&doc["version"]))];
    match run["shards"].as_array() {
        Some(shards) => {
            const LISTED: usize = 8;
            let list = |key: &str, f: &dyn Fn(&Value) -> Option<String>| {
                let mut items: Vec<String> = shards
                    .iter()
                    .take(LISTED)
                    .map(|s| f(&s[key]).unwrap_or_else(|| "?".into()))
                    .collect();
                if shards.len() > LISTED {
                    items.push(format!("... ({} more)", shards.len() - LISTED));
                }
                items.join(", ")
            };
            rows.push(("shards", format!("{} shard files merged", shards.len())));
            rows.push((
                "threads",
                format!(
                    "{} in all over the shards (per shard: {})",
                    text(&run["threads"]),
                    list("threads", &|v| v.as_u64().map(|t| t.to_string()))
                ),
            ));
            rows.push((
                "wall time",
                format!(
                    "shards {} in all (per shard: {}; longest {}; {} thread-seconds); the merge itself {}",
                    secs(&run["wall_s"]).unwrap_or_default(),
                    list("wall_s", &secs),
                    secs(&run["shard_wall_s_max"]).unwrap_or_default(),
                    run["thread_s"].as_f64().map(num).unwrap_or_default(),
                    secs(&run["merge_wall_s"]).unwrap_or_default(),
                ),
            ));
        }
        None => {
            rows.push(("threads", text(&run["threads"])));
            rows.push(("wall time", secs(&run["wall_s"]).unwrap_or_default()));
        }
    }
    rows
}

/// The areas of a scenario: the system, then its regions (when there are several).
fn areas(sc: &Value) -> Vec<(String, Option<String>)> {
    let mut out = vec![("system".to_string(), None)];
    let regions: Vec<&String> = obj(&sc["regions"]).map(|(k, _)| k).collect();
    if regions.len() > 1 {
        out.extend(regions.into_iter().map(|r| (r.clone(), Some(r.clone()))));
    }
    out
}

/// An area's index: `sc["system"][key]` or `sc["regions"][r][key]`.
fn area_value<'a>(sc: &'a Value, region: Option<&str>, key: &str) -> &'a Value {
    match region {
        Some(r) => &sc["regions"][r][key],
        None => &sc["system"][key],
    }
}

fn run_section(page: &mut Page, doc: &Value, w: &Window) -> Result<()> {
    let per = &w.unit;
    let name = text(&doc["scenario"]["name"]);
    page.headline(&format!(
        "how much risk of power shortfall does {name} carry over the {}, and where?",
        w.words
    ));
    let regions: Vec<String> = obj(&doc["regions"]).map(|(k, _)| k.clone()).collect();
    if let Some(l) = said(&doc["system"]["lole_h"]) {
        let mut s = format!(
            "Over {} sampled {per}s, the system has an expected {} hours of shortfall per {} \
             ({})",
            text(&doc["samples"]),
            l.mean,
            w.words,
            l.interval()
        );
        if let Some(e) = said(&doc["system"]["eue_mwh"]) {
            s += &format!(
                " and {} MWh of expected unserved energy ({})",
                e.mean,
                e.interval()
            );
        }
        if regions.len() > 1 {
            if let Some((r, e)) = regions
                .iter()
                .filter_map(|r| Some((r, est(&doc["regions"][r]["lole_h"])?)))
                .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean))
            {
                let e = said(&doc["regions"][r]["lole_h"]).map_or(num(e.mean), |s| s.mean);
                s += &format!("; the region most at risk is {r}, with {e} hours per {per}");
            }
        }
        s += ".";
        page.body += &format!("<p class=\"summary\">{}</p>\n", esc(&s));
    }
    // The headline chart: LOLE and EUE of the system and of each region, each on its own
    // scale.
    let areas = areas(doc);
    let title = "LOLE and EUE of the system and of each region, with 95% intervals";
    let svg = charts::panels(&Panels {
        title,
        rows: areas.iter().map(|a| a.0.clone()).collect(),
        row_colors: (0..areas.len()).map(|i| usize::from(i > 0)).collect(),
        panels: ["lole_h", "eue_mwh"]
            .into_iter()
            .map(|key| Panel {
                caption: format!("{key} ({})", unit(key, per)),
                values: areas
                    .iter()
                    .map(|(_, r)| est(area_value(doc, r.as_deref(), key)))
                    .collect(),
                unit: if key == "lole_h" { "h" } else { "MWh" },
            })
            .collect(),
        bars: true,
        zero_line: false,
    })?;
    page.figure(
        "headline",
        title,
        &svg,
        &[],
        "Bars and numbers: expected hours of shortfall (LOLE) and expected unserved energy (EUE) per sample; whiskers: 95% intervals. Each panel has its own scale.",
    );
    page.body += "</div>\n";

    page.h3("System indices");
    page.body += &index_table(&doc["system"], per);
    scenario_charts(page, doc, doc, w, true)?;
    page.h3("Settings");
    page.body += &run_settings(doc);
    Ok(())
}

/// The charts of one scenario's run sections (a run, or a comparison's base): when
/// shortfalls happen, the EUE distribution, illegal mining (when `mining`), imports, lines
/// and corridors. A section the file lacks is left out.
fn scenario_charts(
    page: &mut Page,
    sc: &Value,
    doc: &Value,
    w: &Window,
    mining: bool,
) -> Result<()> {
    let per = &w.unit;
    let (day_desc, week_desc) = w.axis_descs();
    let day = |d: usize| w.day(d);
    let days = DayAxis {
        day_desc: &day_desc,
        week_desc: &week_desc,
        day: &day,
        max_labels: if w.start.is_some() { 10 } else { 12 },
    };

    let grid: Vec<Vec<f64>> = sc["heatmap"]["p"]
        .as_array()
        .into_iter()
        .flatten()
        .map(floats)
        .collect();
    if grid.iter().any(|r| !r.is_empty()) {
        page.h3("When shortfalls happen");
        let title = "Shortfall probability by hour of day and week of the window";
        let svg = charts::heatmap(title, &grid, &days)?;
        page.figure(
            "heatmap",
            title,
            &svg,
            &[],
            "Each cell: the probability that an hour of that hour of day, in that week, has a shortfall anywhere in the system (averaged over the week's days and all samples).",
        );
    }

    let d = &sc["eue_distribution"];
    let pts: Vec<(f64, f64)> = d["exceedance"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
        .collect();
    if !pts.is_empty() {
        page.h3("Distribution of unserved energy");
        let marks: Vec<(String, f64)> = ["p50", "p90", "p95", "p99"]
            .iter()
            .filter_map(|k| Some((k.to_uppercase(), d[format!("{k}_mwh").as_str()].as_f64()?)))
            .collect();
        let title = "EUE exceedance curve: probability that a sample's unserved energy exceeds x";
        let samples = doc["samples"].as_f64().filter(|&n| n >= 1.0).unwrap_or(1e4);
        let svg = charts::exceedance(
            title,
            &format!("system unserved energy in one sample, x (MWh/{per})"),
            &pts,
            &marks,
            1.0 / samples,
        )?;
        let mut note = String::from(
            "Probability on a log scale, so that the rare worst samples show. Grey lines: percentiles of EUE per sample.",
        );
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
        if let Some(x) = d["worst_shortfall_mw"].as_f64() {
            note += &format!(" worst hourly shortfall {} MW.", num(x));
        }
        page.figure("exceedance", title, &svg, &[], &note);
    }
    tails_and_months(page, sc, per);
    events_summary(page, sc, per);
    worst_event_day(page, sc)?;
    attribution_summary(page, sc, per);

    if mining {
        if let Some(path) = mining_path(&sc["illegal_mining_path"], "illegal mining", true) {
            page.h3("Illegal mining");
            let title = "Illegal mining load by day: mean and 10-90% band over samples";
            let svg = charts::paths(title, &days, "illegal mining load (MW)", &[path])?;
            page.figure(
                "mining-path",
                title,
                &svg,
                &[],
                "Line: mean over samples; shaded: 10th to 90th percentile.",
            );
        }
    }

    let sources: Vec<String> = obj(&sc["imports"]).map(|(k, _)| k.clone()).collect();
    if !sources.is_empty() {
        page.h3("Imports");
        let import_paths: Vec<charts::Path> = sources
            .iter()
            .filter_map(|s| {
                let mean = floats(&sc["imports"][s]["mean_mw_by_day"]);
                (!mean.is_empty()).then(|| charts::Path {
                    name: s.clone(),
                    mean,
                    band: None,
                })
            })
            .collect();
        if !import_paths.is_empty() {
            let title = "Imports over the window: mean import of each source by day";
            let svg = charts::paths(title, &days, "mean import (MW)", &import_paths)?;
            let names: Vec<String> = import_paths.iter().map(|p| p.name.clone()).collect();
            page.figure(
                "import-path",
                title,
                &svg,
                &names,
                "Mean over samples of each day's import, the least import that achieves the least shortfall.",
            );
        }
        let values: Vec<Option<Est>> = sources
            .iter()
            .map(|s| est(&sc["imports"][s]["import_mwh"]))
            .collect();
        if values.iter().any(Option::is_some) {
            let title = "Imports per source: total energy over the window (not a time series), with 95% intervals";
            let mut panels = vec![Panel {
                caption: format!("energy imported (MWh/{per})"),
                values,
                unit: "MWh",
            }];
            // Sources with a schedule: the import's scheduled part, the part beyond it, the
            // served scheduled export and the net import, beside the gross import.
            let scheduled = sources
                .iter()
                .any(|s| sc["imports"][s].get("scheduled_import_mwh").is_some());
            if scheduled {
                for (key, caption) in [
                    ("scheduled_import_mwh", "of which scheduled"),
                    ("beyond_schedule_mwh", "of which beyond the schedule"),
                    ("export_served_mwh", "scheduled export served"),
                    ("net_import_mwh", "net import"),
                ] {
                    panels.push(Panel {
                        caption: format!("{caption} (MWh/{per})"),
                        values: sources
                            .iter()
                            .map(|s| est(&sc["imports"][s][key]))
                            .collect(),
                        unit: "MWh",
                    });
                }
            }
            let svg = charts::panels(&Panels {
                title,
                rows: sources.clone(),
                row_colors: Vec::new(),
                panels,
                bars: true,
                zero_line: scheduled,
            })?;
            page.figure(
                "imports",
                title,
                &svg,
                &[],
                "Each source's total import over the window; the chart above shows it day by day.",
            );
        }
    }

    // Lines one by one, then corridors (sets of lines) in the second colour.
    let mut rows = Vec::new();
    let mut values = Vec::new();
    let mut row_colors = Vec::new();
    for (l, v) in obj(&sc["lines"]) {
        rows.push(l.clone());
        values.push(est(&v["binding_h"]));
        row_colors.push(0);
    }
    let lines = rows.len();
    // A corridor's row names it; its lines, which would not fit a row label, go in the note.
    let mut members_of = Vec::new();
    for (c, v) in obj(&sc["corridors"]) {
        let members: Vec<String> = v["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        members_of.push(format!("{c} = {}", members.join(" + ")));
        rows.push(format!("corridor {c}"));
        values.push(est(&v["binding_h"]));
        row_colors.push(1);
    }
    if values.iter().any(Option::is_some) {
        let corridors = rows.len() > lines;
        page.h3(if corridors {
            "Transmission lines and corridors"
        } else {
            "Transmission lines"
        });
        let title = if corridors {
            "Hours in which each line's, and each corridor's, limit binds, with 95% intervals"
        } else {
            "Hours in which each line's limit binds, with 95% intervals"
        };
        let svg = charts::panels(&Panels {
            title,
            rows,
            row_colors,
            panels: vec![Panel {
                caption: format!("binding hours (h/{per})"),
                values,
                unit: "h",
            }],
            bars: true,
            zero_line: false,
        })?;
        let mut note = String::from(
            "A line binds in an hour when one more MW of its limit would lower the total firm shortfall.",
        );
        let legend: Vec<String> = if corridors {
            note += " A corridor binds when one more MW on every line of the set would: two lines into one hub can each have spare room for nothing while together they bind. Corridors: ";
            note += &members_of.join("; ");
            note += ".";
            vec!["line".into(), "corridor (a set of lines)".into()]
        } else {
            Vec::new()
        };
        page.figure("lines", title, &svg, &legend, &note);
    }

    // The ladder of last resorts: how much each rank is called on, cheapest first.
    let ranks: Vec<(&String, &Value)> = obj(&sc["ladder"]).collect();
    if !ranks.is_empty() {
        page.h3("Ladder of last resorts");
        let title = "How often and how much each rank of the ladder is used, with 95% intervals";
        let panel = |key: &str, caption: String, unit: &'static str| Panel {
            caption,
            values: ranks.iter().map(|(_, v)| est(&v[key])).collect(),
            unit,
        };
        let svg = charts::panels(&Panels {
            title,
            rows: ranks.iter().map(|(name, _)| name.to_string()).collect(),
            row_colors: Vec::new(),
            panels: vec![
                panel("used_h", format!("hours used (h/{per})"), "h"),
                panel("used_mwh", format!("energy (MWh/{per})"), "MWh"),
                panel("used_d", format!("days used (d/{per})"), "d"),
            ],
            bars: true,
            zero_line: false,
        })?;
        page.figure(
            "ladder",
            title,
            &svg,
            &[],
            "Ranks from the cheapest (top) to the costliest; firm shedding comes after the last. A rank is used in an hour when any of it is called (imports taken, interruptible load not served, voltage reduced, appeals made); a day counts when it is used in at least one hour, as GE MARS counts days of emergency operating procedures.",
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

/// The sentence of one variant's effect: on the focus area's LOLE (in hours per the named
/// window), then on system EUE. A change is named (lowers, raises) only where its
/// interval excludes zero; otherwise the sentence says the run cannot tell it from no
/// change, and nothing else about it.
fn effect(
    base: &Value,
    v: &Value,
    region: Option<&str>,
    label: &str,
    w: &Window,
) -> Option<String> {
    let where_ = match region {
        Some(r) => format!("{r}'s"),
        None => "the system's".to_string(),
    };
    let h = format!("h per {}", w.words);
    let b = said(area_value(base, region, "lole_h"))?;
    let y = said(area_value(v, region, "lole_h"))?;
    let d = said(area_value(&v["difference"], region, "lole_h"))?;
    let mut s = if d.clear {
        format!(
            "{} {} {where_} expected hours of shortfall from {} to {} {h} ({} h, {})",
            capitalised(label),
            if d.below_zero { "lowers" } else { "raises" },
            b.mean,
            y.mean,
            d.signed(),
            d.signed_interval(),
        )
    } else {
        format!(
            "With {label}, {where_} expected hours of shortfall are {} {h} against {} in the base: this run cannot tell the difference ({} h, {}) from no change",
            y.mean,
            b.mean,
            d.signed(),
            d.signed_interval(),
        )
    };
    if let (Some(eb), Some(ey), Some(ed)) = (
        said(&base["system"]["eue_mwh"]),
        said(&v["system"]["eue_mwh"]),
        said(&v["difference"]["system"]["eue_mwh"]),
    ) {
        s += &if ed.clear {
            format!(
                "; system unserved energy {} from {} to {} MWh ({} MWh, {})",
                if ed.below_zero { "falls" } else { "rises" },
                eb.mean,
                ey.mean,
                ed.signed(),
                ed.signed_interval(),
            )
        } else if d.clear {
            format!(
                "; its change of system unserved energy ({} MWh, {}) cannot be told from no change",
                ed.signed(),
                ed.signed_interval(),
            )
        } else {
            format!(
                ", nor its change of system unserved energy ({} MWh, {})",
                ed.signed(),
                ed.signed_interval(),
            )
        };
    }
    s.push('.');
    s += &worth_sentence(&v["worth"]);
    Some(s)
}

/// A study variant's worth (`study --worth-region`) as a sentence after its effect: its
/// EFC with the interval, or why it has none; empty without one.
fn worth_sentence(worth: &Value) -> String {
    let region = text(&worth["region"]);
    if let Some(why) = worth["error"].as_str() {
        return format!(" Its worth in MW of firm capacity in {region}: none ({why}).");
    }
    let estimate = serde_json::json!({
        "mean": worth["x_mw"],
        "se": worth["se_mw"],
        "ci95": worth["ci95_mw"],
    });
    match said(&estimate) {
        Some(x) => format!(
            " It is worth {} MW of firm capacity in {region} (equivalent firm capacity by \
             system unserved energy, {}).",
            x.mean,
            x.interval()
        ),
        None => String::new(),
    }
}

fn label(v: &Value) -> String {
    v["label"]
        .as_str()
        .or(v["scenario"]["name"].as_str())
        .unwrap_or("?")
        .to_string()
}

fn compare_section(page: &mut Page, doc: &Value, w: &Window) -> Result<()> {
    let per = &w.unit;
    let base = &doc["base"];
    let variants: Vec<&Value> = doc["variants"].as_array().into_iter().flatten().collect();
    let all: Vec<&Value> = std::iter::once(base)
        .chain(variants.iter().copied())
        .collect();
    let focus = output::focus_region(base);
    let area = focus.as_deref().unwrap_or("the system");
    let description = text(&doc["study"]["description"]);
    if !description.is_empty() {
        page.body += &format!("<p class=\"description\">{}</p>\n", esc(&description));
    }

    // Headline: question, the base's risk, one sentence per policy, one chart.
    page.headline(&format!(
        "what does each variant change in {area}'s risk of power shortfall over the {}, against the base scenario {}?",
        w.words,
        text(&base["scenario"]["name"])
    ));
    let mut risk = format!(
        "In the base scenario, {}, ",
        text(&base["scenario"]["name"])
    );
    if let Some(l) = said(area_value(base, focus.as_deref(), "lole_h")) {
        risk += &format!(
            "{area} expects {} hours of shortfall per {} ({})",
            l.mean,
            w.words,
            l.interval()
        );
    }
    // The system: its hours too when the focus is a region, and its unserved energy.
    let system_h = focus
        .as_ref()
        .and_then(|_| said(&base["system"]["lole_h"]))
        .map(|s| format!("{} hours of shortfall and ", s.mean))
        .unwrap_or_default();
    if let Some(e) = said(&base["system"]["eue_mwh"]) {
        risk += &format!(
            "; the system expects {system_h}{} MWh of unserved energy ({})",
            e.mean,
            e.interval()
        );
    }
    risk.push('.');
    page.body += &format!("<p class=\"summary\">{}</p>\n", esc(&risk));
    if !variants.is_empty() {
        page.body += "<ul class=\"effects\">\n";
        for v in &variants {
            if let Some(s) = effect(base, v, focus.as_deref(), &label(v), w) {
                page.body += &format!("<li class=\"effect\">{}</li>\n", esc(&s));
            }
        }
        page.body += "</ul>\n";
        let mut panels: Vec<(String, Option<&str>, &str)> = Vec::new();
        if let Some(f) = &focus {
            panels.push((f.clone(), Some(f.as_str()), "lole_h"));
        }
        panels.push(("system".into(), None, "lole_h"));
        panels.push(("system".into(), None, "eue_mwh"));
        let title = "Each variant's paired difference from the base, with 95% intervals";
        let svg = charts::panels(&Panels {
            title,
            rows: variants.iter().map(|v| label(v)).collect(),
            row_colors: Vec::new(),
            panels: panels
                .iter()
                .map(|(name, region, key)| Panel {
                    caption: format!("{name} {key} ({})", unit(key, per)),
                    values: variants
                        .iter()
                        .map(|v| est(area_value(&v["difference"], *region, key)))
                        .collect(),
                    unit: "",
                })
                .collect(),
            bars: false,
            zero_line: true,
        })?;
        page.figure(
            "headline",
            title,
            &svg,
            &[],
            &format!(
                "Each dot: a variant minus the base ({}), paired by common random numbers; whiskers: 95% intervals; left of the zero line is better. Each panel has its own scale.",
                label(base)
            ),
        );
    }
    page.body += "</div>\n";

    page.h3("Regions");
    // The system and the focus region first; at most four panels a chart, so each stays
    // readable.
    let mut areas = areas(base);
    if let Some(f) = &focus {
        if let Some(i) = areas
            .iter()
            .position(|a| a.1.as_deref() == Some(f.as_str()))
        {
            let a = areas.remove(i);
            areas.insert(1, a);
        }
    }
    let names: Vec<String> = all.iter().map(|s| label(s)).collect();
    for (key, kind, what) in [
        (
            "lole_h",
            "regions-lole",
            "LOLE (expected hours of shortfall)",
        ),
        ("eue_mwh", "regions-eue", "EUE (expected unserved energy)"),
    ] {
        let chunks: Vec<&[(String, Option<String>)]> = areas.chunks(4).collect();
        for (c, chunk) in chunks.iter().enumerate() {
            // Rows: scenarios (the base first, in the second colour); one panel per area.
            let title = if chunks.len() == 1 {
                format!("{what} by scenario, one panel per area, with 95% intervals")
            } else {
                format!(
                    "{what} by scenario, one panel per area ({} of {}), with 95% intervals",
                    c + 1,
                    chunks.len()
                )
            };
            let svg = charts::panels(&Panels {
                title: &title,
                rows: names.clone(),
                row_colors: std::iter::once(1)
                    .chain(variants.iter().map(|_| 0))
                    .collect(),
                panels: chunk
                    .iter()
                    .map(|(name, region)| Panel {
                        caption: format!("{name} ({})", unit(key, per)),
                        values: all
                            .iter()
                            .map(|s| est(area_value(s, region.as_deref(), key)))
                            .collect(),
                        unit: "",
                    })
                    .collect(),
                bars: false,
                zero_line: false,
            })?;
            page.figure(
                kind,
                &title,
                &svg,
                &[],
                "Dots: means; whiskers: 95% intervals; orange: the base. Each panel has its own scale, so a region near zero and one with hundreds can both be read.",
            );
        }
    }

    if let Some(p) = mining_path(&base["illegal_mining_path"], &label(base), true) {
        // Variants with the same path share one line (and one legend entry): drawn one
        // over another, all but the last would be hidden.
        let mut groups: Vec<(Vec<f64>, Vec<String>)> = Vec::new();
        let mut as_base = Vec::new();
        for v in &variants {
            let Some(q) = mining_path(&v["illegal_mining_path"], &label(v), false) else {
                continue;
            };
            if q.mean == p.mean {
                as_base.push(label(v));
            } else if let Some(g) = groups.iter_mut().find(|g| g.0 == q.mean) {
                g.1.push(label(v));
            } else {
                groups.push((q.mean, vec![label(v)]));
            }
        }
        let mut paths = vec![p];
        paths.extend(groups.into_iter().map(|(mean, names)| charts::Path {
            name: names.join("; "),
            mean,
            band: None,
        }));
        page.h3("Illegal mining");
        let title = "Illegal mining load by day: mean (and the base's 10-90% band)";
        let (day_desc, week_desc) = w.axis_descs();
        let day = |d: usize| w.day(d);
        let svg = charts::paths(
            title,
            &DayAxis {
                day_desc: &day_desc,
                week_desc: &week_desc,
                day: &day,
                max_labels: if w.start.is_some() { 10 } else { 12 },
            },
            "illegal mining load (MW)",
            &paths,
        )?;
        let legend: Vec<String> = paths.iter().map(|p| p.name.clone()).collect();
        let mut note = String::from(
            "Shaded: the base's 10th to 90th percentile over samples. Variants with the same path share a line and a legend entry.",
        );
        if !as_base.is_empty() {
            note += &format!(" Same path as the base: {}.", as_base.join("; "));
        }
        page.figure("mining-path", title, &svg, &legend, &note);
    }

    // The base in detail, drawn as a run (from what the file carries).
    let detail = [
        "heatmap",
        "eue_distribution",
        "imports",
        "lines",
        "corridors",
        "ladder",
    ];
    if detail.iter().any(|k| !base[*k].is_null()) {
        page.body += &format!(
            "<h3 class=\"base-detail\">The base scenario, {}, in detail</h3>\n",
            esc(&text(&base["scenario"]["name"]))
        );
        scenario_charts(page, base, doc, w, false)?;
    }

    page.h3("Settings");
    let mut rows: Vec<(&str, String)> = Vec::new();
    if doc["study"].is_object() {
        rows.push(("study", text(&doc["study"]["name"])));
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
    page.body += "<table class=\"scenarios\">\n<tr><th></th><th>label</th><th>scenario</th><th>content hash</th></tr>\n";
    for (i, sc) in all.iter().enumerate() {
        page.body += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            if i == 0 { "base" } else { "variant" },
            esc(&label(sc)),
            esc(&text(&sc["scenario"]["name"])),
            esc(&text(&sc["scenario"]["content_hash"])),
        );
    }
    page.body += "</table>\n";
    Ok(())
}

/// An uncertain-parameter study (`gridrisk.uncertain/1`, docs/uncertainty.md): the
/// question, the parameters, and per index a table of every scenario's answer at the
/// central values, over the design and against the base.
fn uncertain_section(page: &mut Page, doc: &Value) {
    page.headline(
        "How much does each policy's answer depend on the inputs we do not know, apart from \
         the weather's chance?",
    );
    page.body += "</div>\n";
    page.h3("Uncertain parameters");
    page.body += "<table class=\"parameters\">\n<tr><th>parameter</th><th>law</th><th>range</th>\
                  <th>central</th><th>keys</th><th>source</th></tr>\n";
    for p in doc["parameters"].as_array().into_iter().flatten() {
        let keys: Vec<&str> = p["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        page.body += &format!(
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{} to {}</td><td class=\"n\">{}</td>\
             <td>{}</td><td>{}</td></tr>\n",
            esc(&text(&p["name"])),
            esc(&text(&p["law"])),
            esc(&text(&p["low"])),
            esc(&text(&p["high"])),
            esc(&text(&p["central"])),
            esc(&keys.join(", ")),
            esc(&text(&p["source"]))
        );
    }
    page.body += "</table>\n";
    let f = |v: &Value| v.as_f64().map_or_else(String::new, num);
    for key in ["lole_h", "eue_mwh"] {
        page.h3(&format!("System {key}"));
        page.body += "<table class=\"uncertain\">\n<tr><th>scenario</th><th>at the central values</th>\
                      <th>mean over the design</th><th>10% / 50% / 90% over the unknowns (noise out)</th>\
                      <th>noise share</th><th>P(beats the base by more than the threshold)</th>\
                      <th>driven most by</th></tr>\n";
        for s in doc["scenarios"].as_array().into_iter().flatten() {
            let ix = &s[key];
            let d = &ix["design"];
            let q = &d["corrected"];
            let (beats, driver) = match ix.get("beats_base") {
                Some(b) => (
                    format!(
                        "{} (threshold {})",
                        f(&b["probability"]),
                        f(&b["threshold"])
                    ),
                    text(&b["driver"]),
                ),
                None => (String::new(), text(&ix["driver"])),
            };
            let noise = d["reliability"]
                .as_f64()
                .map_or_else(String::new, |r| num(1.0 - r));
            page.body += &format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{} / {} / {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td>{}</td></tr>\n",
                esc(&text(&s["label"])),
                esc(&f(&ix["central"]["mean"])),
                esc(&f(&d["mean"])),
                esc(&f(&q["p10"])),
                esc(&f(&q["p50"])),
                esc(&f(&q["p90"])),
                esc(&noise),
                esc(&beats),
                esc(&driver)
            );
        }
        page.body += "</table>\n";
    }
    page.body += &format!(
        "<p>{} {} points x {} winters each (inner seed {}, the same at every point and for every \
         scenario). Central: every unknown at its central value. Mean: over the unknowns and the \
         weather. The 10/50/90% spread is over the unknowns with the inner Monte Carlo noise \
         removed; noise share is the noise's share of the points' variance. A policy beats the \
         base at a point where it lowers the index by more than the threshold (paired, noise \
         removed). Driven most by: the unknown with the largest rank correlation with the \
         answer (for a policy, with its reduction). Method: docs/uncertainty.md.</p>\n",
        esc(&text(&doc["design"]["method"])),
        esc(&text(&doc["design"]["points"])),
        esc(&text(&doc["samples_per_point"])),
        esc(&text(&doc["seed"]))
    );
}
