//! Writing output: to standard output or atomically to a file, the checks of output paths
//! made before any work, and the table and CSV forms of result documents.
//!
//! Output files are written whole or not at all: a temporary file `.NAME.tmp-PID` in the
//! same directory, synced, then renamed over `NAME`. Only regular files are written: an
//! existing target that is a symbolic link, a FIFO, a device, a socket or a directory is
//! refused (a rename would replace it, and `/dev/full` or a link to a shared file is never
//! what `--out` was meant for). Every command checks its output paths before it simulates
//! ([`check_file`], [`prepare_dir`]), so a bad path costs nothing; if a write still fails
//! afterwards (a full disk), the output goes to standard output before the error, so no
//! result is lost.

use anyhow::{anyhow, Context};
use serde_json::{json, Value};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Standard output was closed by its reader (`gridrisk ... | head`): the command ends
/// quietly with status 0, as a pipeline expects.
#[derive(Debug)]
pub struct OutputClosed;

impl std::fmt::Display for OutputClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for OutputClosed {}

/// Write `text` to standard output; a closed pipe gives [`OutputClosed`], any other failure
/// (`> /dev/full`) an error of the environment.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(OutputClosed.into()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Write `text` to `path` atomically, or to standard output when `path` is `None`. If the
/// file cannot be written, `text` goes to standard output before the error is returned.
pub fn emit(text: &str, path: Option<&Path>) -> anyhow::Result<()> {
    match path {
        None => print(text),
        Some(path) => write_atomic(path, text.as_bytes()).inspect_err(|_| {
            // Best effort: the write error is what is reported.
            let _ = print(text);
        }),
    }
}

/// The directory `path` is written in.
pub fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// What a non-regular file is, for messages.
fn kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Refuse an existing `path` that is not a regular file (a symbolic link is not followed).
pub fn refuse_non_regular(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_file() => Err(anyhow!(
            "{}: is {}; output is written to regular files only (it would be replaced)",
            path.display(),
            kind(meta.file_type())
        )),
        _ => Ok(()),
    }
}

/// The temporary file of this process for `name` in `dir`.
pub fn temporary(dir: &Path, name: &OsStr) -> PathBuf {
    dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ))
}

/// Check, before any work, that [`write_atomic`] can write `path`: it does not exist or is
/// a regular file, and its directory exists and takes a new file (created and removed).
/// Errors are bad input.
pub fn check_file(path: &Path) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| crate::bad(anyhow!("{}: not a file name", path.display())))?;
    refuse_non_regular(path).map_err(crate::bad)?;
    let dir = parent(path);
    let probe = temporary(dir, name);
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            crate::bad(anyhow!(
                "{}: cannot write in the directory {}: {e}",
                path.display(),
                dir.display()
            ))
        })
}

/// [`check_file`] for `--out FILE`, if given (standard output needs no check).
pub fn check_target(path: Option<&Path>) -> anyhow::Result<()> {
    path.map_or(Ok(()), check_file)
}

/// Check, before any work, that `dir` is a directory that takes new files, creating it (and
/// its parents) if missing. Errors are bad input.
pub fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        crate::bad(anyhow!(
            "{}: cannot be used as the output directory: {e}",
            dir.display()
        ))
    };
    if let Ok(meta) = std::fs::metadata(dir) {
        if !meta.is_dir() {
            return Err(fail(&"it is not a directory"));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let probe = temporary(dir, OsStr::new("write-check"));
    std::fs::File::create(&probe)
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| fail(&e))
}

/// Whether process `pid` is running on this machine (true when that cannot be known).
fn alive(pid: u32) -> bool {
    !Path::new("/proc/self").exists() || Path::new(&format!("/proc/{pid}")).exists()
}

/// Remove the temporary files `.NAME.tmp-PID` in `dir` (of `name` only, or of any name)
/// whose writer was killed between writing and renaming: process `PID` is not running on
/// this machine. A concurrent run's temporary file is never removed (runs on several
/// machines must not share an output directory: their process ids mean nothing here).
pub fn clean_stale_temporaries(dir: &Path, name: Option<&OsStr>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = name.map(|n| format!(".{}", n.to_string_lossy()));
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some((stem, pid)) = file.rsplit_once(".tmp-") else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let ours = match &prefix {
            Some(p) => stem == p,
            None => stem.starts_with('.'),
        };
        if ours && !alive(pid) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Write `bytes` to `path` so that readers see either the old file or the whole new one
/// (see the module documentation); stale temporary files of `path` are removed first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for output made piece by piece: `write` streams it into the temporary
/// file, so it is never held in memory whole.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = parent(path);
    let name = path
        .file_name()
        .with_context(|| format!("{}: not a file name", path.display()))?;
    refuse_non_regular(path)?;
    clean_stale_temporaries(dir, Some(name));
    let tmp = temporary(dir, name);
    let result = std::fs::File::create(&tmp)
        .and_then(|file| {
            let mut out = std::io::BufWriter::new(file);
            write(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// The unit of an index (`h/yr`, `MWh/window`, ...), with `per` the word of one sample
/// (see [`per`]).
pub fn unit(index: &str, per: &str) -> String {
    match index {
        "lole_h" | "binding_h" | "used_h" => format!("h/{per}"),
        "lole_d" | "lole_d_peak" | "used_d" => format!("d/{per}"),
        "lolf" | "lolf_ct" => format!("events/{per}"),
        "lold_h" => "h/event".into(),
        "storage_at_event_mwh" => "MWh/event".into(),
        "neue_ppm" => "ppm".into(),
        "p_shortfall" => "probability".into(),
        k if k.ends_with("_mwh") => format!("MWh/{per}"),
        _ => String::new(),
    }
}

/// What one sample of a result is: the word after the slash in its units (`yr`, `window`,
/// `sample`) and the same in words (`year`, `1 Nov 2021 - 28 Feb 2022 window`,
/// `168-h sample`), from its `"window"` (or its `"horizon_h"` in files written before
/// results recorded the window).
pub fn per(doc: &Value) -> (String, String) {
    let w = &doc["window"];
    match (w["unit"].as_str(), w["per"].as_str()) {
        (Some(u), Some(p)) => (u.into(), p.into()),
        _ => match doc["horizon_h"].as_u64().unwrap_or(0) {
            8736 | 8760 => ("yr".into(), "year".into()),
            h => ("sample".into(), format!("{h}-h sample")),
        },
    }
}

/// The window of a result: `2021-11-01 to 2022-02-28 (2880 h, clock UTC+06:00)`, or
/// `8736 h` for a window given in hours.
pub fn window_span(doc: &Value) -> String {
    let w = &doc["window"];
    match (w["start"].as_str(), w["end"].as_str()) {
        (Some(s), Some(e)) => format!(
            "{s} to {e} ({} h, clock UTC{})",
            doc["horizon_h"],
            w["utc_offset"].as_str().unwrap_or("")
        ),
        _ => format!("{} h", doc["horizon_h"]),
    }
}

/// The line of a table that names the window and its unit: `window: 2021-11-01 to
/// 2022-02-28 (2880 h, clock UTC+06:00); "/window" = per window`, `window: 8736 h; "/yr" =
/// per year`, `window: 168 h; "/sample" = per 168-h sample`.
pub fn window_line(doc: &Value) -> String {
    let (unit, words) = per(doc);
    // The dates are on the line already.
    let words = if unit == "window" {
        unit.clone()
    } else {
        words
    };
    format!("window: {}; \"/{unit}\" = per {words}\n", window_span(doc))
}

/// Most decimals a table shows: smaller values print as 0.
const MAX_DECIMALS: i32 = 9;

/// The decimals that show `sig` significant figures of `x`.
fn decimals(x: f64, sig: i32) -> usize {
    if x == 0.0 || !x.is_finite() {
        return 0;
    }
    (sig - 1 - x.abs().log10().floor() as i32).clamp(0, MAX_DECIMALS) as usize
}

/// `x` in plain decimals (never scientific notation) to `places` decimals; no `-0`.
fn fixed(x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// A value without a standard error: four significant figures in plain decimals.
pub fn plain(x: f64) -> String {
    fixed(x, decimals(x, 4))
}

/// The mean, standard error and 95% interval of an estimate (`"-"` where missing), all to
/// the decimal that two significant figures of the standard error reach: a mean is shown
/// to the precision its interval supports. Without a standard error (or a zero one), plain.
pub fn estimate_cells(v: &Value) -> [String; 4] {
    let places = v["se"]
        .as_f64()
        .filter(|&se| se > 0.0 && se.is_finite())
        .map(|se| decimals(se, 2));
    [&v["mean"], &v["se"], &v["ci95"][0], &v["ci95"][1]].map(|x| match x.as_f64() {
        Some(x) => places.map_or_else(|| plain(x), |p| fixed(x, p)),
        None => "-".into(),
    })
}

/// The stopping rule of a run or comparison with targets: why and when it stopped, and each
/// target's anytime-valid interval; empty for a fixed sample count.
fn stop_lines(stop: &Value) -> String {
    let Some(targets) = stop["targets"].as_array() else {
        return String::new();
    };
    let mut s = format!(
        "stopping rule: {} (cap {}); intervals: {}\n",
        stop["reason"].as_str().unwrap_or(""),
        stop["max_samples"],
        stop["interval"].as_str().unwrap_or("")
    );
    for t in targets {
        let cells = estimate_cells(&json!({
            "mean": t["mean"],
            "se": t["half_width"].as_f64().map(|h| h / 2.0),
            "ci95": t["interval"],
        }));
        let variant = t["variant"]
            .as_str()
            .map(|v| format!(" for {v}"))
            .unwrap_or_default();
        s += &format!(
            "  {}{variant}: {} [{}, {}] ({}, {} non-zero samples)\n",
            t["target"].as_str().unwrap_or(""),
            cells[0],
            cells[2],
            cells[3],
            if t["met"] == true { "met" } else { "NOT met" },
            t["nonzero_samples"]
        );
    }
    s
}

/// A run result as a table.
pub fn run_table(doc: &Value) -> String {
    let (horizon, _) = per(doc);
    let mut s = format!(
        "gridrisk {}: scenario {} ({}), {} samples, seed {}\n",
        doc["version"].as_str().unwrap_or(""),
        doc["scenario"]["name"].as_str().unwrap_or(""),
        doc["scenario"]["content_hash"].as_str().unwrap_or(""),
        doc["samples"],
        doc["seed"].as_str().unwrap_or(""),
    );
    s += &window_line(doc);
    s += &stop_lines(&doc["stop"]);
    let mut areas = vec![("system".to_string(), &doc["system"])];
    if let Some(regions) = doc["regions"].as_object() {
        if regions.len() > 1 {
            areas.extend(regions.iter().map(|(k, v)| (format!("region {k}"), v)));
        }
    }
    for (name, area) in areas {
        s += &format!(
            "\n{name:<22}{:>14}{:>12}{:>14}{:>14}  unit\n",
            "mean", "std err", "95% low", "95% high"
        );
        let mut few = None;
        for (k, v) in area.as_object().into_iter().flatten() {
            let [mean, se, lo, hi] = estimate_cells(v);
            s += &format!(
                "  {k:<20}{mean:>14}{se:>12}{lo:>14}{hi:>14}  {}\n",
                unit(k, &horizon)
            );
            few = few.or(v["shortfall_samples"].as_u64());
        }
        if let Some(k) = few {
            s += &format!(
                "  note: these estimates rest on {k} sample(s) with a shortfall: the intervals are rough\n"
            );
        }
    }
    for (section, group, key) in [
        ("import source", &doc["imports"], "import_mwh"),
        ("line", &doc["lines"], "binding_h"),
        ("corridor", &doc["corridors"], "binding_h"),
    ] {
        for (name, v) in group.as_object().into_iter().flatten() {
            let [mean, se, lo, hi] = estimate_cells(&v[key]);
            s += &format!(
                "{section} {name}: {key} {mean} (std err {se}, 95% {lo} to {hi}) {}\n",
                unit(key, &horizon)
            );
            // A source with a schedule: its parts, exports and net import, one a line.
            for (k, e) in v.as_object().into_iter().flatten() {
                if k != key && k.ends_with("_mwh") {
                    let [mean, se, lo, hi] = estimate_cells(e);
                    s += &format!(
                        "  {k} {mean} (std err {se}, 95% {lo} to {hi}) {}\n",
                        unit(k, &horizon)
                    );
                }
            }
            // A corridor names its lines, on a line of their own (tables fit 100 columns).
            let lines: Vec<&str> = v["lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !lines.is_empty() {
                s += &format!("  of lines {}\n", lines.join(", "));
            }
        }
    }
    for (name, v) in doc["ladder"].as_object().into_iter().flatten() {
        s += &format!("ladder rank {name}:\n");
        for key in ["used_h", "used_mwh", "used_d"] {
            let [mean, se, lo, hi] = estimate_cells(&v[key]);
            s += &format!(
                "  {key} {mean} (std err {se}, 95% {lo} to {hi}) {}\n",
                unit(key, &horizon)
            );
        }
    }
    let d = &doc["eue_distribution"];
    if d.is_object() {
        s += &format!(
            "\nsystem EUE (MWh/{horizon}): P50 {}  P90 {}  P95 {}  P99 {}  CVaR95 {}\nworst hourly shortfall: {} MW\n",
            plain(d["p50_mwh"].as_f64().unwrap_or(0.0)),
            plain(d["p90_mwh"].as_f64().unwrap_or(0.0)),
            plain(d["p95_mwh"].as_f64().unwrap_or(0.0)),
            plain(d["p99_mwh"].as_f64().unwrap_or(0.0)),
            plain(d["cvar95_mwh"].as_f64().unwrap_or(0.0)),
            plain(d["worst_shortfall_mw"].as_f64().unwrap_or(0.0)),
        );
        s += &format!(
            "  mean above P95 (E[EUE | EUE > P95], PRAS's CVaR) {}\n",
            plain(d["mean_above_var95_mwh"].as_f64().unwrap_or(0.0))
        );
    }
    s += &tails_text(doc);
    s += &monthly_text(doc, &horizon);
    s += &events_text(doc, &horizon);
    s += &attribution_text(doc, &horizon);
    s
}

/// The cause attribution (`--attribute`): per area with unserved energy, each cause's
/// Shapley part and the residual, then the split into national deficit and
/// corridor-limited shortfall, each in MWh per sample and as a share of the area's EUE
/// with its 95% interval; empty when attribution was not asked for.
pub fn attribution_text(doc: &Value, horizon: &str) -> String {
    let a = &doc["attribution"];
    if !a.is_object() {
        return String::new();
    }
    let causes: Vec<&str> = (a["causes"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let mut s = format!(
        "\ncause attribution of unserved energy (exact Shapley values over {}; {} sample(s) \
         re-simulated; {} without a shortfall had one with causes removed):\n",
        if causes.is_empty() {
            "no cause".to_string()
        } else {
            causes.join(", ")
        },
        a["resimulated_samples"],
        a["no_shortfall_samples_changed"]
    );
    let regions = a["regions"].as_object().into_iter().flatten();
    let areas =
        std::iter::once(("system", &a["system"])).chain(regions.map(|(k, v)| (k.as_str(), v)));
    for (name, area) in areas {
        let eue = area["eue_mwh"]["mean"].as_f64().unwrap_or(0.0);
        if eue <= 0.0 {
            continue;
        }
        s += &format!(
            "  {name:<22}{:>14}{:>10}{:>22}\n",
            format!("MWh/{horizon}"),
            "share",
            "share 95% interval"
        );
        let mut row = |label: &str, part: &Value| {
            let mwh = plain(part["eue_mwh"]["mean"].as_f64().unwrap_or(0.0));
            let share = &part["share"];
            let cell = |x: &Value| x.as_f64().map_or("-".to_string(), |x| format!("{x:.3}"));
            s += &format!(
                "    {label:<20}{mwh:>14}{:>10}{:>22}\n",
                cell(&share["mean"]),
                format!("{} to {}", cell(&share["ci95"][0]), cell(&share["ci95"][1]))
            );
        };
        for (k, part) in area["causes"].as_object().into_iter().flatten() {
            row(k, part);
        }
        row("national deficit", &area["national_deficit"]);
        row("corridor-limited", &area["corridor_limited"]);
    }
    s
}

/// The event summary (`--events`): per area, events per sample by duration class (the
/// frequency-duration table), the histogram of peak MW, and the worst events; empty when
/// the catalogue was not asked for.
pub fn events_text(sc: &Value, horizon: &str) -> String {
    let e = &sc["events"];
    let Some(areas) = e["areas"].as_object() else {
        return String::new();
    };
    let classes: Vec<&str> = (e["duration_classes_h"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    let mut s = format!(
        "
events per {horizon} by duration (h):
  {:<14}",
        "area"
    );
    for c in &classes {
        s += &format!("{c:>9}");
    }
    s += &format!("{:>9}\n", "all");
    for (name, a) in areas {
        s += &format!("  {name:<14}");
        for x in a["by_duration"].as_array().into_iter().flatten() {
            s += &format!("{:>9}", plain(x.as_f64().unwrap_or(0.0)));
        }
        s += &format!(
            "{:>9}\n",
            plain(a["events_per_sample"].as_f64().unwrap_or(0.0))
        );
    }
    let bounds: Vec<i64> = (e["peak_bounds_mw"].as_array().into_iter().flatten())
        .filter_map(Value::as_i64)
        .collect();
    s += "\nevents by peak shortfall (MW, all samples):\n";
    for (name, a) in areas {
        let counts: Vec<u64> = (a["peak_counts"].as_array().into_iter().flatten())
            .filter_map(Value::as_u64)
            .collect();
        let bins: Vec<String> = (counts.iter().enumerate())
            .filter(|(_, &n)| n > 0)
            .map(|(b, n)| {
                let lo = if b == 0 { 0 } else { bounds[b - 1] };
                match bounds.get(b) {
                    Some(hi) => format!("{lo}-{hi}: {n}"),
                    None => format!(">={lo}: {n}"),
                }
            })
            .collect();
        s += &format!("  {name:<14}{}\n", bins.join("  "));
    }
    s += "\nworst events (by energy):\n";
    for (name, a) in areas {
        for w in a["worst"].as_array().into_iter().flatten() {
            let start = match w["start_date"].as_str() {
                Some(d) => format!("{d} {:02}:00", w["start_hour_of_day"].as_u64().unwrap_or(0)),
                None => format!("hour {}", w["start_hour"]),
            };
            s += &format!(
                "  {name:<14}sample {:<8}{start:<18}{:>4} h  peak {:>9} MW  {:>11} MWh  {}\n",
                w["sample"].as_u64().unwrap_or(0),
                w["duration_h"].as_u64().unwrap_or(0),
                plain(w["peak_mw"].as_f64().unwrap_or(0.0)),
                plain(w["energy_mwh"].as_f64().unwrap_or(0.0)),
                w["regions_affected"].as_str().unwrap_or(""),
            );
        }
    }
    s
}

/// The event-tail probabilities asked for (`--event-mw`, `--event-hours`) of one scenario's
/// results, one line per area and threshold; empty when none was asked for.
pub fn tails_text(sc: &Value) -> String {
    let t = &sc["event_tails"];
    let areas = std::iter::once(("system".to_string(), &t["system"])).chain(
        (t["regions"].as_object().into_iter().flatten()).map(|(k, v)| (format!("region {k}"), v)),
    );
    let diff = &sc["difference"]["event_tails"];
    let mut s = String::new();
    for (name, area) in areas {
        let diff = match name.strip_prefix("region ") {
            Some(r) => &diff["regions"][r],
            None => &diff["system"],
        };
        for (key, what) in [("p_event_above_mw", "MW"), ("p_event_longer_than_h", "h")] {
            for (j, x) in area[key].as_array().into_iter().flatten().enumerate() {
                let [mean, _, lo, hi] = estimate_cells(&x["p"]);
                let above = if what == "MW" { "above" } else { "longer than" };
                s += &format!(
                    "  {name}: P(an event {above} {} {what}) {mean} (95% Wilson {lo} to {hi})",
                    x["above"]
                );
                let d = &diff[key][j]["p"];
                if d.is_object() {
                    let [d, _, dlo, dhi] = estimate_cells(d);
                    s += &format!("; vs base {} (95% paired {dlo} to {dhi})", signed(&d));
                }
                s.push('\n');
            }
        }
    }
    if s.is_empty() {
        s
    } else {
        format!("\nevent tails (per sample):\n{s}")
    }
}

/// The system's LOLE, EUE and events by month, a short table; empty for a window without
/// dates.
pub fn monthly_text(sc: &Value, horizon: &str) -> String {
    let Some(months) = sc["monthly"]["system"].as_array() else {
        return String::new();
    };
    format!("\nsystem by month (LOLE h/{horizon}, EUE MWh/{horizon}, events/{horizon}):\n")
        + &month_rows(months, "  ", |x| x.to_string())
}

/// A variant's paired differences from the base of the system's LOLE, EUE and events by
/// month, a short table; empty without them (a window without dates, other months).
fn monthly_difference_text(sc: &Value, horizon: &str) -> String {
    let Some(months) = sc["difference"]["monthly"]["system"].as_array() else {
        return String::new();
    };
    "  system by month, vs base (paired):\n".to_string()
        + &month_rows(months, "    ", signed)
        + &format!("    (h/{horizon}, MWh/{horizon}, events/{horizon})\n")
}

/// The header and one row per month of LOLE, EUE (each with its interval) and events,
/// indented by `indent`, each mean shown by `mean` (a difference signed, a level as is).
fn month_rows(months: &[Value], indent: &str, mean: impl Fn(&str) -> String) -> String {
    let mut s = format!(
        "{indent}{:<10}{:>10}{:>22}{:>12}{:>22}{:>10}\n",
        "month", "LOLE", "95% interval", "EUE", "95% interval", "events"
    );
    for m in months {
        let [h, _, hlo, hhi] = estimate_cells(&m["lole_h"]);
        let [e, _, elo, ehi] = estimate_cells(&m["eue_mwh"]);
        let [f, ..] = estimate_cells(&m["lolf"]);
        s += &format!(
            "{indent}{:<10}{:>10}{:>22}{:>12}{:>22}{:>10}\n",
            m["month"].as_str().unwrap_or(""),
            mean(&h),
            format!("[{hlo}, {hhi}]"),
            mean(&e),
            format!("[{elo}, {ehi}]"),
            mean(&f),
        );
    }
    s
}

/// A difference as shown: `+` before a positive one.
fn signed(x: &str) -> String {
    if x.starts_with('-') || x.bytes().all(|b| b == b'0' || b == b'.') {
        x.to_string()
    } else {
        format!("+{x}")
    }
}

/// An analytic result as a table.
pub fn analytic_table(doc: &Value) -> String {
    let (horizon, _) = per(doc);
    let mut s = format!(
        "gridrisk {}: exact indices of scenario {} ({})\n",
        doc["version"].as_str().unwrap_or(""),
        doc["scenario"]["name"].as_str().unwrap_or(""),
        doc["scenario"]["content_hash"].as_str().unwrap_or(""),
    );
    s += &window_line(doc);
    s.push('\n');
    for (k, v) in doc["system"].as_object().into_iter().flatten() {
        let x = v.as_f64().map(plain).unwrap_or_else(|| "-".into());
        s += &format!("  {k:<12}{x:>16}  {}\n", unit(k, &horizon));
    }
    s
}

/// The areas of one scenario's results in CSV order: the system, each region, each import
/// source, each line, each corridor and each ladder rank, with the paired differences of each (`"difference"`, only for
/// the system and regions of a comparison's variant; `null` elsewhere).
fn csv_areas(sc: &Value) -> Vec<(&str, &Value, &Value)> {
    let mut areas = vec![("system", &sc["system"], &sc["difference"]["system"])];
    for group in ["regions", "imports", "lines", "corridors", "ladder"] {
        for (name, v) in sc[group].as_object().into_iter().flatten() {
            areas.push((name.as_str(), v, &sc["difference"][group][name]));
        }
    }
    areas
}

/// The one CSV writer of results: one row per (scenario, area, index) of `scenarios`, with
/// columns `scenario,area,index,mean,se,ci95_lo,ci95_hi,unit`; `paired` adds `label` after
/// `scenario` and `diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi` (empty where there is no
/// paired difference) before `unit`, which is always last. Estimates of the areas (`null`
/// ones as empty cells), then the event tails and months ([`section_rows`]); paths by day
/// are not rows.
fn results_csv(scenarios: &[&Value], paired: bool, sample_unit: &str) -> String {
    let mut s = String::from("scenario,");
    if paired {
        s += "label,";
    }
    s += "area,index,mean,se,ci95_lo,ci95_hi,";
    if paired {
        s += "diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,";
    }
    s += "unit\n";
    let cells = |e: &Value| {
        [&e["mean"], &e["se"], &e["ci95"][0], &e["ci95"][1]]
            .map(|x| x.as_f64().map(|x| x.to_string()).unwrap_or_default())
            .join(",")
    };
    for sc in scenarios {
        let name = csv_field(sc["scenario"]["name"].as_str().unwrap_or(""));
        let label = csv_field(sc["label"].as_str().unwrap_or(""));
        let mut row = |area: &str, k: &str, own: &Value, diff: &Value, unit: &str| {
            s += &name;
            if paired {
                s += &format!(",{label}");
            }
            s += &format!(",{},{},{}", csv_field(area), csv_field(k), cells(own));
            if paired {
                s += &format!(",{}", cells(diff));
            }
            s += &format!(",{unit}\n");
        };
        for (area, own, diff) in csv_areas(sc) {
            let estimates = own.as_object().into_iter().flatten();
            for (k, v) in estimates.filter(|(_, v)| v.is_object() || v.is_null()) {
                row(area, k, v, &diff[k], &unit(k, sample_unit));
            }
        }
        for r in section_rows(sc, sample_unit) {
            row(&r.area, &r.index, &r.own, &r.diff, &r.unit);
        }
    }
    s
}

/// A CSV row of a section beyond the areas' indices.
struct SectionRow {
    area: String,
    index: String,
    /// An estimate (`{"mean", "se", "ci95"}`), or `{"mean": x}` for a value without one.
    own: Value,
    /// The paired difference, or `null`.
    diff: Value,
    unit: String,
}

/// The rows of `"event_tails"` and `"monthly"` of one scenario's results, per area (the
/// system, then each region) with the paired differences of a comparison's variant:
/// `p_event_above_mw[X]` and `p_event_longer_than_h[Y]` (the thresholds asked for, with
/// Wilson intervals), `worst_peak_mw`, `longest_event_h`, the exceedance curves'
/// `peak_mw_exceedance[X]` and `duration_h_exceedance[Y]` (probabilities without an
/// interval), per month `lole_h[YYYY-MM]`, `eue_mwh[YYYY-MM]`, `lolf[YYYY-MM]`, and with
/// `--attribute` per cause (and `residual`, `national_deficit`, `corridor_limited`)
/// `attributed_mwh[PART]` and `attributed_share[PART]` (a fraction of the area's EUE).
fn section_rows(sc: &Value, sample_unit: &str) -> Vec<SectionRow> {
    let areas = |section: &str| -> Vec<(String, &Value, &Value)> {
        let (own, diff) = (&sc[section], &sc["difference"][section]);
        if own.is_null() {
            // An analytic result, or a window without months.
            return Vec::new();
        }
        std::iter::once(("system".to_string(), &own["system"], &diff["system"]))
            .chain(
                (own["regions"].as_object().into_iter().flatten())
                    .map(|(k, v)| (k.clone(), v, &diff["regions"][k])),
            )
            .collect()
    };
    let mut rows = Vec::new();
    for (area, own, diff) in areas("event_tails") {
        let mut push = |index: String, own: Value, diff: Value, unit: &str| {
            rows.push(SectionRow {
                area: area.clone(),
                index,
                own,
                diff,
                unit: unit.into(),
            })
        };
        for key in ["p_event_above_mw", "p_event_longer_than_h"] {
            for (j, x) in own[key].as_array().into_iter().flatten().enumerate() {
                let index = format!("{key}[{}]", x["above"]);
                push(
                    index,
                    x["p"].clone(),
                    diff[key][j]["p"].clone(),
                    "probability",
                );
            }
        }
        for (key, unit) in [("worst_peak_mw", "MW"), ("longest_event_h", "h")] {
            push(key.into(), json!({"mean": own[key]}), Value::Null, unit);
        }
        for key in ["peak_mw_exceedance", "duration_h_exceedance"] {
            for point in own[key].as_array().into_iter().flatten() {
                let x = point[0].as_f64().unwrap_or(0.0);
                let index = format!("{key}[{x}]");
                push(index, json!({"mean": point[1]}), Value::Null, "probability");
            }
        }
    }
    let attribution = &sc["attribution"];
    let attributed = std::iter::once(("system".to_string(), &attribution["system"])).chain(
        (attribution["regions"].as_object().into_iter().flatten()).map(|(k, v)| (k.clone(), v)),
    );
    for (area, own) in attributed.filter(|(_, v)| v.is_object()) {
        let parts = (own["causes"].as_object().into_iter().flatten())
            .map(|(k, v)| (k.as_str(), v))
            .chain([
                ("national_deficit", &own["national_deficit"]),
                ("corridor_limited", &own["corridor_limited"]),
            ]);
        for (part, v) in parts {
            for (key, unit) in [
                ("attributed_mwh", unit("eue_mwh", sample_unit)),
                ("attributed_share", "fraction".to_string()),
            ] {
                let value = &v[if key == "attributed_mwh" {
                    "eue_mwh"
                } else {
                    "share"
                }];
                rows.push(SectionRow {
                    area: area.clone(),
                    index: format!("{key}[{part}]"),
                    own: value.clone(),
                    diff: Value::Null,
                    unit,
                });
            }
        }
    }
    for (area, own, diff) in areas("monthly") {
        for (i, m) in own.as_array().into_iter().flatten().enumerate() {
            let month = m["month"].as_str().unwrap_or("");
            for key in ["lole_h", "eue_mwh", "lolf"] {
                rows.push(SectionRow {
                    area: area.clone(),
                    index: format!("{key}[{month}]"),
                    own: m[key].clone(),
                    diff: diff[i][key].clone(),
                    unit: unit(key, sample_unit),
                });
            }
        }
    }
    rows
}

/// A run result as CSV: `scenario,area,index,mean,se,ci95_lo,ci95_hi,unit`, one row per
/// area and index (area `system`, a region name, an import source's, a line's or a
/// corridor's name).
pub fn run_csv(doc: &Value) -> String {
    results_csv(&[doc], false, &per(doc).0)
}

/// An analytic result as CSV, in `run`'s columns so that one loader reads both: an exact
/// value is its own mean and interval, with standard error 0.
pub fn analytic_csv(doc: &Value) -> String {
    let system: serde_json::Map<String, Value> = (doc["system"].as_object().into_iter())
        .flatten()
        .map(|(k, v)| {
            let exact = v
                .as_f64()
                .map(|x| serde_json::json!({"mean": x, "se": 0.0, "ci95": [x, x]}));
            (k.clone(), exact.unwrap_or(Value::Null))
        })
        .collect();
    let exact = serde_json::json!({"scenario": doc["scenario"], "system": system});
    results_csv(&[&exact], false, &per(doc).0)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The region to show beside the system in comparisons: the base's region with the highest
/// `lole_h` (the South, for Kazakhstan), if there are several.
pub fn focus_region(base: &Value) -> Option<String> {
    let regions = base["regions"].as_object()?;
    if regions.len() < 2 {
        return None;
    }
    regions
        .iter()
        .max_by(|a, b| {
            let l = |v: &Value| v["lole_h"]["mean"].as_f64().unwrap_or(0.0);
            l(a.1).total_cmp(&l(b.1))
        })
        .map(|(k, _)| k.clone())
}

/// A comparison (or study) as a table: per scenario, the headline indices, and per variant
/// each one's difference from the base with its 95% interval.
pub fn compare_table(doc: &Value) -> String {
    let (horizon, _) = per(doc);
    let mut s = String::new();
    if let Some(name) = doc["study"]["name"].as_str() {
        s += &format!("study {name}\n");
    }
    s += &format!(
        "{} samples per scenario, seed {}, common random numbers (differences are paired)\n",
        doc["samples"],
        doc["seed"].as_str().unwrap_or("")
    );
    s += &window_line(doc);
    s += &stop_lines(&doc["stop"]);
    let focus = focus_region(&doc["base"]);
    let mut rows: Vec<(String, Option<&str>, &str, String)> = vec![(
        "system lole_h".into(),
        None,
        "lole_h",
        unit("lole_h", &horizon),
    )];
    if let Some(f) = &focus {
        rows.push((
            format!("{f} lole_h"),
            Some(f.as_str()),
            "lole_h",
            unit("lole_h", &horizon),
        ));
    }
    for key in [
        "eue_mwh",
        "eue_household_mwh",
        "eue_illegal_mwh",
        "eue_registered_mwh",
        "p_shortfall",
        "mining_curtailed_mwh",
    ] {
        if doc["base"]["system"][key].is_object() {
            rows.push((format!("system {key}"), None, key, unit(key, &horizon)));
        }
    }
    let pick = |scenario: &Value, region: Option<&str>, key: &str| match region {
        Some(r) => scenario["regions"][r][key].clone(),
        None => scenario["system"][key].clone(),
    };
    let scenarios =
        std::iter::once(&doc["base"]).chain(doc["variants"].as_array().into_iter().flatten());
    for (i, sc) in scenarios.enumerate() {
        s += &format!("\n{}\n", sc["label"].as_str().unwrap_or(""));
        if i == 0 {
            s += &format!(
                "  {:<28}{:>12}{:>24}  unit\n",
                "index", "mean", "95% interval"
            );
        } else {
            s += &format!(
                "  {:<28}{:>12}{:>14}{:>26}  unit\n",
                "index", "mean", "vs base", "95% interval of diff."
            );
        }
        for (label, region, key, unit) in &rows {
            let own = pick(sc, *region, key);
            let [mean, _, lo, hi] = estimate_cells(&own);
            if i == 0 {
                s += &format!(
                    "  {label:<28}{mean:>12}{:>24}  {unit}\n",
                    format!("[{lo}, {hi}]"),
                );
            } else {
                let d = match region {
                    Some(r) => &sc["difference"]["regions"][*r][*key],
                    None => &sc["difference"]["system"][*key],
                };
                let [diff, _, diff_lo, diff_hi] = estimate_cells(d);
                s += &format!(
                    "  {label:<28}{mean:>12}{:>14}{:>26}  {unit}\n",
                    signed(&diff),
                    format!("[{diff_lo}, {diff_hi}]"),
                );
            }
        }
        s += &worth_text(&sc["worth"]);
        s += &tails_text(sc);
        s += &monthly_difference_text(sc, &horizon);
    }
    s += &monthly_text(&doc["base"], &horizon);
    s
}

/// A study in one row per scenario (the default run's summary): system and focus-region
/// LOLE, system EUE, and for a variant the paired differences from the base of system LOLE
/// and EUE with their 95% intervals.
pub fn study_summary(doc: &Value) -> String {
    let (horizon, _) = per(doc);
    let focus = focus_region(&doc["base"]);
    let scenarios: Vec<&Value> = std::iter::once(&doc["base"])
        .chain(doc["variants"].as_array().into_iter().flatten())
        .collect();
    let label = |sc: &Value| sc["label"].as_str().unwrap_or("").to_string();
    let width = scenarios
        .iter()
        .map(|sc| label(sc).len())
        .max()
        .unwrap_or(0)
        + 2;
    let interval = |v: &Value| {
        let [mean, _, lo, hi] = estimate_cells(v);
        format!("{} [{lo}, {hi}]", signed(&mean))
    };
    let mut s = format!(
        "study {}: {} samples per scenario, seed {}, common random numbers (differences are paired)\n",
        doc["study"]["name"].as_str().unwrap_or(""),
        doc["samples"],
        doc["seed"].as_str().unwrap_or("")
    );
    s += &window_line(doc);
    s += &format!(
        "{:<width$}{:>8}{:>8}{:>10}{:>24}{:>30}\n",
        "scenario",
        "LOLE",
        focus.as_deref().unwrap_or("-"),
        "EUE",
        "LOLE vs base [95%]",
        "EUE vs base [95%]"
    );
    for sc in &scenarios {
        let own = |region: Option<&str>, key: &str| {
            let v = region.map_or(&sc["system"][key], |r| &sc["regions"][r][key]);
            estimate_cells(v)[0].clone()
        };
        let d = &sc["difference"]["system"];
        let (d_lole, d_eue) = if d.is_object() {
            (interval(&d["lole_h"]), interval(&d["eue_mwh"]))
        } else {
            Default::default()
        };
        let row = format!(
            "{:<width$}{:>8}{:>8}{:>10}{d_lole:>24}{d_eue:>30}",
            label(sc),
            own(None, "lole_h"),
            focus
                .as_deref()
                .map_or("-".into(), |r| own(Some(r), "lole_h")),
            own(None, "eue_mwh"),
        );
        s += row.trim_end();
        s += "\n";
    }
    let [_, _, lo, hi] = estimate_cells(&doc["base"]["system"]["lole_h"]);
    s += &format!(
        "(LOLE {}, EUE {}; the base's system LOLE 95% interval [{lo}, {hi}])\n",
        unit("lole_h", &horizon),
        unit("eue_mwh", &horizon)
    );
    s
}

/// A study variant's worth (`study --worth-region`) as a line of the table: its EFC with
/// the 95% interval, or why it has none; empty without one.
fn worth_text(worth: &Value) -> String {
    let region = worth["region"].as_str().unwrap_or("");
    if let Some(why) = worth["error"].as_str() {
        return format!("  worth in {region}: none ({why})\n");
    }
    let (Some(x), Some(lo), Some(hi)) = (
        worth["x_mw"].as_f64(),
        worth["ci95_mw"][0].as_f64(),
        worth["ci95_mw"][1].as_f64(),
    ) else {
        return String::new();
    };
    format!(
        "  worth: {x:.1} MW of firm capacity in {region} (EFC by system eue_mwh), 95% \
         interval [{lo:.1}, {hi:.1}] MW\n"
    )
}

/// A study's worth rows of the CSV (`study --worth-region`): per variant with an EFC,
/// `scenario,label,REGION,efc_mw,x,se,ci95_lo,ci95_hi,,,,,MW` (the EFC is itself a paired
/// quantity; the difference columns stay empty).
fn worth_csv(scenarios: &[&Value]) -> String {
    let mut s = String::new();
    for sc in scenarios {
        let w = &sc["worth"];
        let Some(x) = w["x_mw"].as_f64() else {
            continue;
        };
        let num = |v: &Value| v.as_f64().map(|x| x.to_string()).unwrap_or_default();
        s += &format!(
            "{},{},{},efc_mw,{x},{},{},{},,,,,MW\n",
            csv_field(sc["scenario"]["name"].as_str().unwrap_or("")),
            csv_field(sc["label"].as_str().unwrap_or("")),
            csv_field(w["region"].as_str().unwrap_or("")),
            num(&w["se_mw"]),
            num(&w["ci95_mw"][0]),
            num(&w["ci95_mw"][1]),
        );
    }
    s
}

/// A comparison or study as CSV: [`results_csv`] of the base and every variant, paired:
/// `scenario,label,area,index,mean,se,ci95_lo,ci95_hi,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi,unit`.
/// `compare --format csv`, `study --format csv` and the study's `study.csv` are this.
pub fn compare_csv(doc: &Value) -> String {
    let scenarios: Vec<&Value> = std::iter::once(&doc["base"])
        .chain(doc["variants"].as_array().into_iter().flatten())
        .collect();
    results_csv(&scenarios, true, &per(doc).0) + &worth_csv(&scenarios)
}
