//! `gridrisk sweep`: a resumable parameter sweep (see `docs/sweeps.md`).
//!
//! A sweep file names a base scenario and axes (key paths into the scenario with lists of
//! values); each cell is a generated scenario that `extends` the base and sets the cell's
//! keys, read by the normal scenario reader through an in-memory [`cell::Overlay`]. Every
//! cell is checked before any runs; each result is written atomically to
//! `DIR/cells/<id>.json`, where the id hashes everything the result depends on, so a re-run
//! skips finished cells and a changed sweep re-runs only the cells it changes; a cell file
//! is sealed with a digest of its contents and id, and one that does not match is run
//! again. Then `DIR/summary.csv` gets one row per cell. Cells are made, run and summarised
//! one at a time: memory holds only their ids.

mod cell;
mod file;

use crate::cli::args::SweepArgs;
use crate::output::{check_file, clean_stale_temporaries, write_atomic, write_atomic_with};
use crate::{bad, progress};
use anyhow::{anyhow, Context};
use file::{KeyPath, Lit, Sweep};
use gridrisk_core::scenario::{self, Scenario};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::result::{indexed_regions, result_json, TailQuery, SCHEMA};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Where a cell's generated scenario pretends to be: beside the sweep file, so that `base`
/// (relative to the sweep file) is also the right `extends`.
fn overlay_path(sweep_path: &Path) -> PathBuf {
    let stem = sweep_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sweep".into());
    sweep_path.with_file_name(format!("{stem}.cell.toml"))
}

fn load_text(path: &Path, text: &str) -> Result<Scenario, scenario::ScenarioError> {
    scenario::load_with(
        path,
        &cell::Overlay {
            path: path.to_path_buf(),
            text: text.to_string(),
        },
    )
}

/// `k = v, ...` for messages.
fn describe(sweep: &Sweep, values: &[Lit]) -> String {
    let parts: Vec<String> = sweep
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| format!("{} = {}", a.key.text, v.toml()))
        .collect();
    parts.join(", ")
}

/// The text of a cell's generated scenario, from its values.
fn cell_text(sweep: &Sweep, base_name: &str, values: &[Lit]) -> String {
    let set: Vec<(&KeyPath, Option<&Lit>)> = sweep
        .axes
        .iter()
        .zip(values)
        .map(|(a, v)| (&a.key, Some(v)))
        .collect();
    let name = format!("{base_name} [{}]", describe(sweep, values));
    cell::scenario_text(&name, &sweep.base, &set)
}

/// Check that every named element on each axis's key path exists in the base (so that a
/// misspelt name does not silently add an element), then that every cell loads; return the
/// base's name and every cell's id (the cells themselves are made again when they run, so
/// that memory does not grow with the sweep).
fn check(
    sweep_path: &Path,
    sweep: &Sweep,
    checked: &dyn Fn(),
) -> anyhow::Result<(String, Vec<u64>)> {
    let file = sweep_path.display();
    let vpath = overlay_path(sweep_path);
    let base_path = sweep_path
        .parent()
        .unwrap_or(Path::new(""))
        .join(&sweep.base);
    let base = scenario::load(&base_path)
        .map_err(|e| anyhow!("{file}: base {}: cannot be loaded:\n{e}", sweep.base))?;
    check_regions(sweep, &base)?;
    let base_model = format!("{:?}", base.model);
    for axis in &sweep.axes {
        let segs = &axis.key.segments;
        for n in 1..segs.len() {
            let Some(name) = &segs[n - 1].element else {
                continue;
            };
            let prefix = KeyPath {
                text: String::new(),
                segments: segs[..=n].to_vec(),
            };
            let probe = cell::scenario_text(&base.name, &sweep.base, &[(&prefix, None)]);
            let same =
                load_text(&vpath, &probe).is_ok_and(|s| format!("{:?}", s.model) == base_model);
            if !same {
                let mut within: Vec<String> = segs[..n - 1]
                    .iter()
                    .map(|s| match &s.element {
                        Some(e) => format!("{}[{e}]", s.key),
                        None => s.key.clone(),
                    })
                    .collect();
                within.push(segs[n - 1].key.clone());
                return Err(anyhow!(
                    "{file}: unknown key path `{}`: the base scenario {} has no element named \"{name}\" in `{}`",
                    axis.key.text,
                    sweep.base,
                    within.join(".")
                ));
            }
        }
    }
    let mut ids = Vec::with_capacity(sweep.cells() as usize);
    for i in 0..sweep.cells() {
        let values = sweep.cell(i);
        let text = cell_text(sweep, &base.name, &values);
        let sc = load_text(&vpath, &text).map_err(|e| {
            let unknown = e.problems.iter().find_map(|p| {
                let field = p.field.as_deref()?;
                let axis = sweep.axes.iter().find(|a| {
                    a.key.text == field
                        || a.key.text.starts_with(&format!("{field}."))
                        || a.key.text.starts_with(&format!("{field}["))
                })?;
                p.message
                    .starts_with("unknown key")
                    .then(|| axis.key.text.clone())
            });
            match unknown {
                Some(key) => anyhow!("{file}: unknown key path `{key}`:\n{e}"),
                None => anyhow!(
                    "{file}: cell {} ({}) is not a valid scenario:\n{e}",
                    i + 1,
                    describe(sweep, &values)
                ),
            }
        })?;
        ids.push(cell::cell_id(
            &sc.content_hash,
            sweep.samples,
            sweep.seed,
            sweep.block_size,
        ));
        checked();
    }
    Ok((base.name, ids))
}

/// Check that every region the summary is to show is a region of the base with indices
/// (demand or units: a hub has none).
fn check_regions(sweep: &Sweep, base: &Scenario) -> anyhow::Result<()> {
    let indexed: Vec<&str> = indexed_regions(&base.model).map(|(_, n)| n).collect();
    for name in &sweep.regions {
        if indexed.contains(&name.as_str()) {
            continue;
        }
        let hub = base.model.regions().iter().any(|r| r.name() == name);
        let what = if hub {
            "a hub (no demand, no units, so no indices)"
        } else {
            "not a region"
        };
        return Err(anyhow!(
            "{}: \"{name}\" is {what} of the base scenario {} (its regions with indices: {})",
            sweep.regions_from,
            sweep.base,
            indexed.join(", ")
        ));
    }
    Ok(())
}

/// What a cell's file holds.
enum Found {
    /// No file.
    Missing,
    /// A file that is not a finished cell of this id: edited, copied, or cut short.
    Invalid,
    /// The cell's result document.
    Finished(Value),
}

/// The cell file `path` of cell `id`: finished if it holds a result document whose digest
/// matches its contents and the cell's inputs.
fn finished(path: &Path, id: u64) -> Found {
    let Ok(bytes) = gridrisk_core::files::read_regular(path, &gridrisk_core::files::JSON) else {
        return if path.exists() {
            Found::Invalid
        } else {
            Found::Missing
        };
    };
    let doc = String::from_utf8(bytes)
        .ok()
        .and_then(|text| cell::unsealed(id, &text))
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .filter(|doc| {
            doc["schema"] == SCHEMA && doc["cell"].is_object() && doc["system"].is_object()
        });
    doc.map_or(Found::Invalid, Found::Finished)
}

/// The summary's index columns: the union of every cell's system indices, each at its first
/// appearance in cell order. `first[key]` = (cell, position) of that appearance, so cells
/// can be seen in any order.
#[derive(Default)]
struct Columns {
    first: std::collections::BTreeMap<String, (u64, usize)>,
}

impl Columns {
    fn see(&mut self, cell: u64, doc: &Value) {
        for (pos, key) in doc["system"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
            .enumerate()
        {
            let at = self.first.entry(key.clone()).or_insert((cell, pos));
            *at = (*at).min((cell, pos));
        }
    }

    fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<(&(u64, usize), &str)> =
            self.first.iter().map(|(k, at)| (at, k.as_str())).collect();
        keys.sort();
        keys.into_iter().map(|(_, k)| k).collect()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The summary's window columns and the keys of `"window"` they show: a sweep may vary the
/// window itself, so every row says which window its per-sample units count.
const WINDOW_COLUMNS: [(&str, &str); 5] = [
    ("window_start", "start"),
    ("window_end", "end"),
    ("window_hours", "hours"),
    ("window_utc_offset", "utc_offset"),
    ("window_unit", "unit"),
];

/// The summary: one row per cell, in cell order; one column per axis, then
/// `<index>_mean,<index>_lower,<index>_upper` per system index (the union over cells, in
/// order of first appearance), then the same indices of each chosen region as
/// `<REGION>.<index>_mean,...` (empty where a cell has no such index), then the cell's
/// window ([`WINDOW_COLUMNS`]: its dates, if given by dates, hours, clock and the unit
/// word of every `/` in its units), then `cell_file`.
/// Streamed into `out` one cell file at a time.
fn summary(
    out: &mut dyn std::io::Write,
    sweep: &Sweep,
    ids: &[u64],
    cells_dir: &Path,
    columns: &Columns,
) -> std::io::Result<()> {
    let indices = columns.keys();
    let mut header: Vec<String> = sweep.axes.iter().map(|a| csv_field(&a.key.text)).collect();
    let areas: Vec<(String, Option<&str>)> = std::iter::once((String::new(), None))
        .chain(
            sweep
                .regions
                .iter()
                .map(|r| (format!("{r}."), Some(r.as_str()))),
        )
        .collect();
    for (prefix, _) in &areas {
        for k in &indices {
            for part in ["mean", "lower", "upper"] {
                header.push(csv_field(&format!("{prefix}{k}_{part}")));
            }
        }
    }
    header.extend(WINDOW_COLUMNS.map(|(column, _)| column.to_string()));
    header.push("cell_file".into());
    writeln!(out, "{}", header.join(","))?;
    let num = |v: &Value| v.as_f64().map(|x| x.to_string()).unwrap_or_default();
    for (i, &id) in (0..).zip(ids) {
        let file = cell::cell_file(id);
        let Found::Finished(doc) = finished(&cells_dir.join(&file), id) else {
            return Err(std::io::Error::other(format!(
                "cells/{file} changed while the sweep ran"
            )));
        };
        let mut row: Vec<String> = (sweep.cell(i).iter())
            .map(|v| csv_field(&v.text()))
            .collect();
        for (_, region) in &areas {
            let area = match region {
                Some(r) => &doc["regions"][r],
                None => &doc["system"],
            };
            for k in &indices {
                let e = &area[k];
                row.extend([num(&e["mean"]), num(&e["ci95"][0]), num(&e["ci95"][1])]);
            }
        }
        row.extend(WINDOW_COLUMNS.map(|(_, key)| match &doc["window"][key] {
            Value::String(s) => csv_field(s),
            Value::Null => String::new(),
            other => other.to_string(),
        }));
        row.push(csv_field(&format!("cells/{file}")));
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

/// Run the command.
pub fn run(args: &SweepArgs) -> anyhow::Result<()> {
    let path = &args.sweep;
    let text = gridrisk_core::files::read_text(path, &gridrisk_core::files::TOML).map_err(|e| {
        bad(anyhow!(
            "{}: cannot read the sweep file: {e}",
            path.display()
        ))
    })?;
    let mut sweep = file::read(path, &text).map_err(|m| bad(anyhow!(m)))?;
    if let Some(regions) = &args.regions {
        let list = file::Lit::Array(regions.iter().cloned().map(file::Lit::Str).collect());
        sweep.regions = file::names("--regions", &list).map_err(|m| bad(anyhow!(m)))?;
        sweep.regions_from = "--regions".into();
    }
    // The origin of the sample count, for a refused spec.
    let mut samples_from = path.display().to_string();
    if let Some(samples) = args.samples {
        sweep.samples = samples;
        samples_from = "--samples".into();
    }
    let spec = SimulationSpec::new(
        StopRule::Samples(sweep.samples),
        sweep.seed,
        sweep.block_size,
    )
    .map_err(|e| bad(anyhow!("{samples_from}: {e}")))?;
    note!("sweep {}: checking {} cells", sweep.name, sweep.cells());
    let check_bar = progress::bar(sweep.cells(), "cells checked");
    let (base_name, ids) = check(path, &sweep, &|| check_bar.inc(1)).map_err(bad)?;
    check_bar.finish_and_clear();

    // The output directory, checked writable before any cell runs.
    let cells_dir = args.out.join("cells");
    std::fs::create_dir_all(&cells_dir).map_err(|e| {
        bad(anyhow!(
            "cannot create the output directory {}: {e}",
            cells_dir.display()
        ))
    })?;
    clean_stale_temporaries(&cells_dir, None);
    clean_stale_temporaries(&args.out, None);
    check_file(&args.out.join("summary.csv"))?;
    let probe = cells_dir.join(".write-check");
    write_atomic(&probe, b"")
        .and_then(|()| std::fs::remove_file(&probe).context("cannot remove a file"))
        .map_err(|e| {
            bad(anyhow!(
                "the output directory {} cannot be written: {e:#}",
                cells_dir.display()
            ))
        })?;

    // Which cells are finished: a file whose digest does not match is run again.
    let mut columns = Columns::default();
    let mine = |i: u64| args.shard.is_none_or(|(k, n)| i % n == k - 1);
    let mut pending = Vec::new();
    for (i, &id) in (0..).zip(&ids) {
        let file = cells_dir.join(cell::cell_file(id));
        match finished(&file, id) {
            Found::Finished(doc) => columns.see(i, &doc),
            found => {
                if let Found::Invalid = found {
                    note!(
                        "warning: {}: not the finished cell {} (edited, copied from another cell, or cut short): running it again",
                        file.display(),
                        i + 1
                    );
                }
                if mine(i) {
                    pending.push(i);
                }
            }
        }
    }
    let done_before = ids.len() - pending.len();
    note!(
        "sweep {}: {} cells ({} finished before, {} to run), {} samples each, seed {}",
        sweep.name,
        ids.len(),
        done_before,
        pending.len(),
        sweep.samples,
        sweep.seed
    );
    let multi = indicatif::MultiProgress::new();
    let cell_bar = multi.add(progress::bar(pending.len() as u64, "cells"));
    let sample_bar = multi.add(progress::bar(
        (pending.len() as u64).saturating_mul(sweep.samples),
        "samples",
    ));
    let vpath = overlay_path(path);
    for (done, &i) in pending.iter().enumerate() {
        let values = sweep.cell(i);
        let sc = load_text(&vpath, &cell_text(&sweep, &base_name, &values)).map_err(|e| {
            bad(anyhow!(
                "{}: cell {} changed while the sweep ran:\n{e}",
                path.display(),
                i + 1
            ))
        })?;
        for w in &sc.warnings {
            multi.suspend(|| note!("warning: cell {}: {w}", i + 1));
        }
        let model = &sc.model;
        let (out, info) = super::run::simulate(
            model,
            &spec,
            &[],
            args.threads,
            &Indices::new(model),
            &|n| sample_bar.inc(n),
            &|_| {},
        )?;
        let query = TailQuery::default();
        let mut doc = result_json(model, &super::scenario_id(&sc), &spec, &out, &info, &query);
        let cell_keys: serde_json::Map<String, Value> = sweep
            .axes
            .iter()
            .zip(&values)
            .map(|(a, v)| (a.key.text.clone(), v.json()))
            .collect();
        if let Some(map) = doc.as_object_mut() {
            map.insert("cell".into(), Value::Object(cell_keys));
        }
        let id = ids[i as usize];
        let target = cells_dir.join(cell::cell_file(id));
        let text = super::json_text(&doc);
        write_atomic(&target, cell::sealed(id, &text).as_bytes()).map_err(bad)?;
        columns.see(i, &doc);
        cell_bar.inc(1);
        if cell_bar.is_hidden() {
            note!(
                "cell {} done ({} of {} to run): {}",
                i + 1,
                done + 1,
                pending.len(),
                target.display()
            );
        }
    }
    cell_bar.finish_and_clear();
    sample_bar.finish_and_clear();
    if let Some((k, n)) = args.shard {
        note!(
            "shard {k}/{n} done; run without --shard (or merge the cells/ directories of every \
             shard into one) to write the summary"
        );
        return Ok(());
    }
    let summary_path = args.out.join("summary.csv");
    write_atomic_with(&summary_path, |out| {
        summary(out, &sweep, &ids, &cells_dir, &columns)
    })
    .map_err(bad)?;
    note!("wrote {}", summary_path.display());
    Ok(())
}
