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
use serde_json::Value;
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
fn parent(path: &Path) -> &Path {
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
fn refuse_non_regular(path: &Path) -> anyhow::Result<()> {
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
fn temporary(dir: &Path, name: &OsStr) -> PathBuf {
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

/// The unit of each index, for tables.
fn unit(index: &str, horizon: &str) -> String {
    match index {
        "lole_h" => format!("h/{horizon}"),
        "lole_d" => format!("d/{horizon}"),
        "lole_d_peak" => format!("d/{horizon}"),
        "lolf" | "lolf_ct" => format!("events/{horizon}"),
        "lold_h" => "h/event".into(),
        "eue_mwh" => format!("MWh/{horizon}"),
        "neue_ppm" => "ppm".into(),
        "p_shortfall" => "probability".into(),
        _ => String::new(),
    }
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 1e5 || x.abs() < 1e-3 {
        format!("{x:.4e}")
    } else {
        let digits = (5 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// The word for one sample in tables: a year for 8,736- or 8,760-hour windows.
pub fn horizon_word(horizon_h: u64) -> &'static str {
    if horizon_h >= 8736 {
        "yr"
    } else {
        "sample"
    }
}

/// A run result as a table.
pub fn run_table(doc: &Value) -> String {
    let horizon = horizon_word(doc["horizon_h"].as_u64().unwrap_or(0));
    let mut s = format!(
        "gridrisk {}: scenario {} ({}), {} samples, seed {}, {} h per sample\n",
        doc["version"].as_str().unwrap_or(""),
        doc["scenario"]["name"].as_str().unwrap_or(""),
        doc["scenario"]["content_hash"].as_str().unwrap_or(""),
        doc["samples"],
        doc["seed"].as_str().unwrap_or(""),
        doc["horizon_h"],
    );
    if let Some(met) = doc["stop"]["met"].as_bool() {
        s += &format!(
            "stopping rule: relative 95% half-width of system lole_h <= {} ({})\n",
            doc["stop"]["target"],
            if met {
                "met"
            } else {
                "NOT met: sample cap reached"
            }
        );
    }
    let mut areas = vec![("system".to_string(), &doc["system"])];
    if let Some(regions) = doc["regions"].as_object() {
        if regions.len() > 1 {
            areas.extend(regions.iter().map(|(k, v)| (format!("region {k}"), v)));
        }
    }
    for (name, area) in areas {
        s += &format!(
            "\n{name:<14}{:>14}{:>12}{:>14}{:>14}  unit\n",
            "mean", "std err", "95% low", "95% high"
        );
        let mut few = None;
        for (k, v) in area.as_object().into_iter().flatten() {
            let cell = |x: &Value| x.as_f64().map(fmt_num).unwrap_or_else(|| "-".into());
            s += &format!(
                "  {k:<12}{:>14}{:>12}{:>14}{:>14}  {}\n",
                cell(&v["mean"]),
                cell(&v["se"]),
                cell(&v["ci95"][0]),
                cell(&v["ci95"][1]),
                unit(k, horizon)
            );
            few = few.or(v["shortfall_samples"].as_u64());
        }
        if let Some(k) = few {
            s += &format!(
                "  note: these estimates rest on {k} sample(s) with a shortfall: the intervals are rough\n"
            );
        }
    }
    for (section, group, key, unit_name) in [
        (
            "import source",
            &doc["imports"],
            "import_mwh",
            format!("MWh/{horizon}"),
        ),
        ("line", &doc["lines"], "binding_h", format!("h/{horizon}")),
    ] {
        for (name, v) in group.as_object().into_iter().flatten() {
            let e = &v[key];
            let cell = |x: &Value| x.as_f64().map(fmt_num).unwrap_or_else(|| "-".into());
            s += &format!(
                "{section} {name}: {key} {} (std err {}, 95% {} to {}) {unit_name}\n",
                cell(&e["mean"]),
                cell(&e["se"]),
                cell(&e["ci95"][0]),
                cell(&e["ci95"][1]),
            );
        }
    }
    let d = &doc["eue_distribution"];
    if d.is_object() {
        s += &format!(
            "\nsystem EUE per sample (MWh): P50 {}  P90 {}  P95 {}  P99 {}  CVaR95 {}\nworst hourly shortfall: {} MW\n",
            fmt_num(d["p50_mwh"].as_f64().unwrap_or(0.0)),
            fmt_num(d["p90_mwh"].as_f64().unwrap_or(0.0)),
            fmt_num(d["p95_mwh"].as_f64().unwrap_or(0.0)),
            fmt_num(d["p99_mwh"].as_f64().unwrap_or(0.0)),
            fmt_num(d["cvar95_mwh"].as_f64().unwrap_or(0.0)),
            fmt_num(d["worst_shortfall_mw"].as_f64().unwrap_or(0.0)),
        );
    }
    s
}

/// An analytic result as a table.
pub fn analytic_table(doc: &Value) -> String {
    let horizon = horizon_word(doc["horizon_h"].as_u64().unwrap_or(0));
    let mut s = format!(
        "gridrisk {}: exact indices of scenario {} ({}), {} h\n\n",
        doc["version"].as_str().unwrap_or(""),
        doc["scenario"]["name"].as_str().unwrap_or(""),
        doc["scenario"]["content_hash"].as_str().unwrap_or(""),
        doc["horizon_h"],
    );
    for (k, v) in doc["system"].as_object().into_iter().flatten() {
        let x = v.as_f64().map(fmt_num).unwrap_or_else(|| "-".into());
        s += &format!("  {k:<12}{x:>16}  {}\n", unit(k, horizon));
    }
    s
}

/// A run result as CSV: `scenario,area,index,mean,se,ci95_lo,ci95_hi`, one row per area
/// and index (area `system`, a region name, an import source's or a line's name).
pub fn run_csv(doc: &Value) -> String {
    let scenario = doc["scenario"]["name"].as_str().unwrap_or("");
    let mut s = String::from("scenario,area,index,mean,se,ci95_lo,ci95_hi\n");
    let mut areas = vec![("system", &doc["system"])];
    for group in ["regions", "imports", "lines"] {
        if let Some(members) = doc[group].as_object() {
            areas.extend(members.iter().map(|(k, v)| (k.as_str(), v)));
        }
    }
    let cell = |x: &Value| x.as_f64().map(|x| x.to_string()).unwrap_or_default();
    for (area, indices) in areas {
        // Estimates only (`null` where undefined); paths by day are not rows.
        let estimates = indices.as_object().into_iter().flatten();
        for (k, v) in estimates.filter(|(_, v)| v.is_object() || v.is_null()) {
            s += &format!(
                "{},{},{k},{},{},{},{}\n",
                csv_field(scenario),
                csv_field(area),
                cell(&v["mean"]),
                cell(&v["se"]),
                cell(&v["ci95"][0]),
                cell(&v["ci95"][1]),
            );
        }
    }
    s
}

/// An analytic result as CSV, in `run`'s columns so that one loader reads both: an exact
/// value is its own mean and interval, with standard error 0.
pub fn analytic_csv(doc: &Value) -> String {
    let scenario = csv_field(doc["scenario"]["name"].as_str().unwrap_or(""));
    let mut s = String::from("scenario,area,index,mean,se,ci95_lo,ci95_hi\n");
    for (k, v) in doc["system"].as_object().into_iter().flatten() {
        s += &match v.as_f64() {
            Some(x) => format!("{scenario},system,{k},{x},0,{x},{x}\n"),
            None => format!("{scenario},system,{k},,,,\n"),
        };
    }
    s
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
    let horizon = horizon_word(doc["horizon_h"].as_u64().unwrap_or(0));
    let horizon = if horizon == "sample" {
        "winter"
    } else {
        horizon
    };
    let mut s = String::new();
    if let Some(name) = doc["study"]["name"].as_str() {
        s += &format!("study {name}\n");
    }
    s += &format!(
        "{} samples per scenario, seed {}, common random numbers (differences are paired)\n",
        doc["samples"],
        doc["seed"].as_str().unwrap_or("")
    );
    let focus = focus_region(&doc["base"]);
    let mut rows: Vec<(String, Option<&str>, &str, String)> = vec![(
        "system lole_h".into(),
        None,
        "lole_h",
        format!("h/{horizon}"),
    )];
    if let Some(f) = &focus {
        rows.push((
            format!("{f} lole_h"),
            Some(f.as_str()),
            "lole_h",
            format!("h/{horizon}"),
        ));
    }
    for (key, unit) in [
        ("eue_mwh", "MWh"),
        ("eue_household_mwh", "MWh"),
        ("eue_illegal_mwh", "MWh"),
        ("p_shortfall", "prob."),
        ("mining_curtailed_mwh", "MWh"),
    ] {
        if doc["base"]["system"][key].is_object() {
            rows.push((format!("system {key}"), None, key, unit.into()));
        }
    }
    let cell = |v: &Value| v.as_f64().map(fmt_num).unwrap_or_else(|| "-".into());
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
            if i == 0 {
                s += &format!(
                    "  {label:<28}{:>12}{:>24}  {unit}\n",
                    cell(&own["mean"]),
                    format!("[{}, {}]", cell(&own["ci95"][0]), cell(&own["ci95"][1])),
                );
            } else {
                let d = match region {
                    Some(r) => &sc["difference"]["regions"][*r][*key],
                    None => &sc["difference"]["system"][*key],
                };
                let sign = if d["mean"].as_f64().unwrap_or(0.0) > 0.0 {
                    "+"
                } else {
                    ""
                };
                s += &format!(
                    "  {label:<28}{:>12}{:>14}{:>26}  {unit}\n",
                    cell(&own["mean"]),
                    format!("{sign}{}", cell(&d["mean"])),
                    format!("[{}, {}]", cell(&d["ci95"][0]), cell(&d["ci95"][1])),
                );
            }
        }
    }
    s
}

/// A comparison as CSV: one row per (scenario, area, index) with the scenario's own estimate
/// and, for variants, the paired difference from the base
/// (`scenario,label,area,index,mean,se,ci95_lo,ci95_hi,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi`).
pub fn compare_csv(doc: &Value) -> String {
    let mut s = String::from(
        "scenario,label,area,index,mean,se,ci95_lo,ci95_hi,diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi\n",
    );
    let cell = |x: &Value| x.as_f64().map(|x| x.to_string()).unwrap_or_default();
    let scenarios =
        std::iter::once(&doc["base"]).chain(doc["variants"].as_array().into_iter().flatten());
    for sc in scenarios {
        let name = csv_field(sc["scenario"]["name"].as_str().unwrap_or(""));
        let label = csv_field(sc["label"].as_str().unwrap_or(""));
        let mut areas = vec![(
            "system".to_string(),
            &sc["system"],
            &sc["difference"]["system"],
        )];
        for (r, v) in sc["regions"].as_object().into_iter().flatten() {
            areas.push((r.clone(), v, &sc["difference"]["regions"][r]));
        }
        for (area, own, diff) in areas {
            for (k, v) in own.as_object().into_iter().flatten() {
                let d = &diff[k];
                s += &format!(
                    "{name},{label},{},{k},{},{},{},{},{},{},{},{}\n",
                    csv_field(&area),
                    cell(&v["mean"]),
                    cell(&v["se"]),
                    cell(&v["ci95"][0]),
                    cell(&v["ci95"][1]),
                    cell(&d["mean"]),
                    cell(&d["se"]),
                    cell(&d["ci95"][0]),
                    cell(&d["ci95"][1]),
                );
            }
        }
    }
    s
}
