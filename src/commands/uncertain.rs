//! `gridrisk study` on a study with `[[uncertain]]` parameters (see `docs/uncertainty.md`):
//! an outer design over the parameters and, at each point and at the central values, a
//! paired comparison of the base and every variant on the same inner random numbers.
//!
//! Every scenario is checked at every parameter's two ends (the others central) before
//! anything runs, so a range outside a key's domain is bad input with the study file's line
//! and the scenario's field. Points run one after another, each a paired comparison spread
//! over the threads; the design and the inner seeds do not depend on the thread count, so
//! neither does the document (apart from `"run"`).

use super::compare::Part;
use super::{emit, json_text};
use crate::cli::args::{Format, StudyArgs};
use crate::embedded::{self, Origin};
use crate::{bad, output, progress};
use anyhow::anyhow;
use gridrisk_core::scenario::{Design, Scenario, Setting, Study, Uncertain};
use gridrisk_montecarlo::compare::compare;
use gridrisk_montecarlo::design::{self, point_results, Outcome, PointResult, INDICES};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

/// The settings of every parameter at `values`.
fn settings(params: &[Uncertain], values: &[f64]) -> Vec<Setting> {
    params
        .iter()
        .zip(values)
        .flat_map(|(u, &v)| u.settings(v))
        .collect()
}

/// Every scenario of the study (the base first) with `values` set.
fn load_all(
    files: &[PathBuf],
    origin: Origin,
    params: &[Uncertain],
    values: &[f64],
) -> Result<Vec<Scenario>, (usize, gridrisk_pras::LoadError)> {
    let set = settings(params, values);
    files
        .iter()
        .enumerate()
        .map(|(k, f)| embedded::load_set(f, origin, &set).map_err(|e| (k, e)))
        .collect()
}

/// `name = value, ...` for messages.
fn describe(params: &[Uncertain], values: &[f64]) -> String {
    let parts: Vec<String> = params
        .iter()
        .zip(values)
        .map(|(u, v)| format!("{} = {v}", u.name))
        .collect();
    parts.join(", ")
}

/// Check every scenario at the central values and at each parameter's two ends.
fn check(study_file: &str, files: &[PathBuf], origin: Origin, study: &Study) -> anyhow::Result<()> {
    let params = &study.uncertain;
    let central: Vec<f64> = params.iter().map(|u| u.law.central()).collect();
    load_all(files, origin, params, &central).map_err(|(k, e)| {
        bad(anyhow!(
            "{study_file}: {} is not valid at the parameters' central values ({}):\n{e}",
            files[k].display(),
            describe(params, &central)
        ))
    })?;
    for (j, u) in params.iter().enumerate() {
        let (low, high) = u.law.range();
        for (end, x) in [("low", low), ("high", high)] {
            let mut v = central.clone();
            v[j] = x;
            load_all(files, origin, params, &v).map_err(|(k, e)| {
                bad(anyhow!(
                    "{study_file}:{}: uncertain[{}]: {} is not valid at the parameter's {end} \
                     end, {x} (the other parameters central):\n{e}",
                    u.line,
                    u.name,
                    files[k].display()
                ))
            })?;
        }
    }
    Ok(())
}

/// Run the design of `study`, write `study.json`, `study.csv` and `points.csv` (and, unless
/// it runs in the default run, `report.html`) and print it; its document.
pub fn run(
    args: &StudyArgs,
    study: &Study,
    design: &Design,
    origin: Origin,
    part: Part,
) -> anyhow::Result<Value> {
    let study_file = args.study.as_deref().unwrap_or(embedded::DEFAULT_STUDY);
    let mut files = vec![study.base.clone()];
    files.extend(study.variants.iter().map(|v| v.file.clone()));
    check(study_file, &files, origin, study)?;
    let params = &study.uncertain;
    let samples = args.samples.unwrap_or(study.samples);
    if samples < 2 {
        return Err(bad(anyhow!(
            "{study_file}: an uncertain-parameter study needs at least 2 inner samples per \
             point (a point's noise is estimated from its samples), got {samples}"
        )));
    }
    let seed = args.seed.unwrap_or(study.seed);
    let spec =
        SimulationSpec::new(StopRule::Samples(samples), seed, args.block_size).map_err(bad)?;

    output::prepare_dir(&args.out_dir)?;
    let json_path = args.out_dir.join("study.json");
    let csv_path = args.out_dir.join("study.csv");
    let points_path = args.out_dir.join("points.csv");
    let report_path = (part == Part::Alone).then(|| args.out_dir.join("report.html"));
    for f in [&json_path, &csv_path, &points_path]
        .into_iter()
        .chain(&report_path)
    {
        output::check_file(f)?;
    }

    let unit = design::unit_points(design.method, design.points, params.len(), design.seed);
    let values: Vec<Vec<f64>> = unit
        .iter()
        .map(|u| {
            params
                .iter()
                .zip(u)
                .map(|(p, &x)| design::value(&p.law, x))
                .collect()
        })
        .collect();
    let central: Vec<f64> = params.iter().map(|u| u.law.central()).collect();
    note!(
        "study {}: {} scenarios x ({} design points + the central values) x {samples} samples, seed {seed}",
        study.name,
        files.len(),
        design.points
    );
    let started = Instant::now();
    let per = files.len() as u64;
    let bar = progress::bar(
        (u64::from(design.points) + 1) * samples * per,
        "scenario-samples",
    );
    let mut labels = Vec::new();
    let mut run_point = |values: &[f64], what: &str| -> anyhow::Result<Vec<PointResult>> {
        let scenarios = load_all(&files, origin, params, values).map_err(|(k, e)| {
            bad(anyhow!(
                "{study_file}: {} is not valid at {what} ({}):\n{e}",
                files[k].display(),
                describe(params, values)
            ))
        })?;
        if labels.is_empty() {
            labels.push(format!("base: {}", scenarios[0].name));
            for (v, s) in study.variants.iter().zip(&scenarios[1..]) {
                labels.push(v.label.clone().unwrap_or_else(|| s.name.clone()));
            }
        }
        let models: Vec<_> = scenarios.iter().map(|s| &s.model).collect();
        let out = compare(&models, &spec, args.threads, &|n| bar.inc(n * per)).map_err(bad)?;
        Ok(point_results(&models, &out.acc))
    };
    let at_central = run_point(&central, "the central values")?;
    let mut results = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        results.push(run_point(v, &format!("design point {}", i + 1))?);
    }
    bar.finish_and_clear();
    let outcome = Outcome {
        name: &study.name,
        description: &study.description,
        parameters: params,
        design,
        labels: &labels,
        seed,
        samples,
        values: &values,
        results: &results,
        central: &at_central,
    };
    let mut doc = outcome.json();
    doc["run"] = json!({
        "threads": super::run::resolved_threads(args.threads),
        "wall_s": started.elapsed().as_secs_f64(),
    });
    let text = match args.format {
        Format::Json => json_text(&doc),
        Format::Table => table(&doc),
        Format::Csv => csv(&doc),
    };
    let written = output::write_atomic(&json_path, json_text(&doc).as_bytes()).and_then(|()| {
        output::write_atomic(&csv_path, csv(&doc).as_bytes())?;
        output::write_atomic(&points_path, points_csv(&doc).as_bytes())?;
        match &report_path {
            Some(report) => {
                let html =
                    super::report::render(&[(json_path.display().to_string(), doc.clone())])?;
                output::write_atomic(report, html.as_bytes())
            }
            None => Ok(()),
        }
    });
    if let Err(e) = written {
        let _ = output::print(&text);
        return Err(e);
    }
    let note = format!(
        "results written to {}: study.json, study.csv, points.csv{}",
        args.out_dir.display(),
        if report_path.is_some() {
            " and report.html"
        } else {
            ""
        }
    );
    if args.format == Format::Table {
        emit(&format!("{text}\n{note}\n"), None)?;
    } else {
        note!("{note}");
        emit(&text, None)?;
    }
    Ok(doc)
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

/// The table: per index, one row per scenario.
pub fn table(doc: &Value) -> String {
    let mut out = format!(
        "study {}: {} {} points x {} samples (seed {}); spread over the unknowns with the inner noise removed\n",
        doc["study"]["name"].as_str().unwrap_or(""),
        doc["design"]["method"].as_str().unwrap_or(""),
        doc["design"]["points"],
        doc["samples_per_point"],
        doc["seed"].as_str().unwrap_or("")
    );
    out += "parameters:\n";
    for p in doc["parameters"].as_array().into_iter().flatten() {
        out += &format!(
            "  {} ({}, central {}) {}: {}\n",
            p["name"].as_str().unwrap_or(""),
            p["law"].as_str().unwrap_or(""),
            p["central"],
            p["source"].as_str().unwrap_or(""),
            p["keys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for key in INDICES {
        out += &format!(
            "\n{key}: {:<48} {:>9} {:>9} {:>28} {:>11} {:>18} {}\n",
            "scenario",
            "central",
            "mean",
            "10% / 50% / 90% (noise out)",
            "noise share",
            "P(beats base by>x)",
            "driven most by"
        );
        for s in doc["scenarios"].as_array().into_iter().flatten() {
            let ix = &s[key];
            let d = &ix["design"];
            let q = &d["corrected"];
            let beats = match ix.get("beats_base") {
                Some(b) => format!("{:.2} (x={})", num(&b["probability"]), b["threshold"]),
                None => "-".into(),
            };
            let driver = ix
                .get("beats_base")
                .map_or(&ix["driver"], |b| &b["driver"])
                .as_str()
                .unwrap_or("-");
            out += &format!(
                "{:<56} {:>9.2} {:>9.2} {:>28} {:>11.2} {:>18} {}\n",
                s["label"].as_str().unwrap_or(""),
                num(&ix["central"]["mean"]),
                num(&d["mean"]),
                format!(
                    "{:.1} / {:.1} / {:.1}",
                    num(&q["p10"]),
                    num(&q["p50"]),
                    num(&q["p90"])
                ),
                1.0 - num(&d["reliability"]),
                beats,
                driver
            );
        }
    }
    out += "\ncentral: at the parameters' central values; mean: over the design (unknowns and weather); \
            noise share: the inner Monte Carlo noise's share of the points' variance; \
            P(beats base by>x): share of the unknowns where the policy lowers the index by more than x (paired, noise out); \
            driven most by: the largest rank correlation with the index (for a policy: with its reduction)\n";
    out
}

fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The rows of a spread (`design` or `reduction` of the document), named `{prefix}{field}`.
fn spread_rows(prefix: &str, d: &Value) -> Vec<(String, Value)> {
    let mut rows: Vec<(String, Value)> = [
        "mean",
        "mean_se",
        "var_total",
        "var_noise",
        "var_between",
        "reliability",
    ]
    .iter()
    .map(|f| (format!("{prefix}{f}"), d[f].clone()))
    .collect();
    for (part, name) in [("corrected", ""), ("raw", "_raw")] {
        for p in ["p10", "p50", "p90"] {
            rows.push((format!("{prefix}{p}{name}"), d[part][p].clone()));
        }
    }
    rows
}

/// The summary CSV: `label,index,statistic,value`, one row per reported number.
pub fn csv(doc: &Value) -> String {
    let mut out = String::from("label,index,statistic,value\n");
    for s in doc["scenarios"].as_array().into_iter().flatten() {
        let label = s["label"].as_str().unwrap_or("");
        for key in INDICES {
            let ix = &s[key];
            let mut rows = vec![
                ("central_mean".to_string(), ix["central"]["mean"].clone()),
                ("central_se".to_string(), ix["central"]["se"].clone()),
            ];
            rows.extend(spread_rows("design_", &ix["design"]));
            rows.push(("driver".into(), ix["driver"].clone()));
            for (p, r) in ix["sensitivity"].as_object().into_iter().flatten() {
                rows.push((format!("spearman:{p}"), r.clone()));
            }
            if let Some(b) = ix.get("beats_base") {
                for f in [
                    "threshold",
                    "probability",
                    "probability_raw",
                    "central_reduction",
                ] {
                    rows.push((format!("beats_{f}"), b[f].clone()));
                }
                rows.extend(spread_rows("reduction_", &b["reduction"]));
                rows.push(("reduction_driver".into(), b["driver"].clone()));
                for (p, r) in b["sensitivity"].as_object().into_iter().flatten() {
                    rows.push((format!("reduction_spearman:{p}"), r.clone()));
                }
            }
            for (stat, v) in rows {
                let v = match v {
                    Value::String(s) => csv_text(&s),
                    Value::Null => String::new(),
                    v => v.to_string(),
                };
                out += &format!("{},{key},{},{v}\n", csv_text(label), csv_text(&stat));
            }
        }
    }
    out
}

/// The points CSV: one row per (point, scenario), the parameters' values then each index's
/// estimate and, for a variant, its paired difference from the base.
pub fn points_csv(doc: &Value) -> String {
    let names: Vec<&str> = doc["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut out = String::from("point");
    for n in &names {
        out += &format!(",{}", csv_text(n));
    }
    out += ",label";
    for key in INDICES {
        out += &format!(",{key}_mean,{key}_se,{key}_diff_mean,{key}_diff_se");
    }
    out += "\n";
    let labels: Vec<&str> = doc["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["label"].as_str().unwrap_or(""))
        .collect();
    for (i, p) in doc["points"].as_array().into_iter().flatten().enumerate() {
        for (k, s) in p["scenarios"].as_array().into_iter().flatten().enumerate() {
            out += &format!("{}", i + 1);
            for n in &names {
                out += &format!(",{}", p["values"][n]);
            }
            out += &format!(",{}", csv_text(labels.get(k).copied().unwrap_or("")));
            for key in INDICES {
                let e = &s[key];
                let d = &s["difference"][key];
                let f = |v: &Value| {
                    if v.is_null() {
                        String::new()
                    } else {
                        v.to_string()
                    }
                };
                out += &format!(
                    ",{},{},{},{}",
                    f(&e["mean"]),
                    f(&e["se"]),
                    f(&d["mean"]),
                    f(&d["se"])
                );
            }
            out += "\n";
        }
    }
    out
}
