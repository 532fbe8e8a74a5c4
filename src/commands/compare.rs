//! `gridrisk compare` and `gridrisk study`: paired comparisons of a base and variants on the
//! same random streams; and the default run (the embedded policy study, then its
//! uncertain-parameter design, with one report of both).

use super::{emit, json_text, scenario_id};
use crate::cli::args::{CompareArgs, DefaultArgs, Format, RowArgs, StudyArgs};
use crate::tables::RowFiles;
use crate::{bad, embedded, output, progress};
use gridrisk_core::scenario::Scenario;
use gridrisk_montecarlo::compare::{compare_until, Comparison};
use gridrisk_montecarlo::result::{compare_json, Compared, RunInfo, TailQuery};
use gridrisk_montecarlo::stopping::{self, Target};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use std::path::Path;
use std::time::Instant;

/// `gridrisk compare BASE VARIANT...`.
pub fn run(args: &CompareArgs) -> anyhow::Result<()> {
    output::check_target(args.output.out.as_deref())?;
    let mut scenarios = Vec::new();
    for arg in std::iter::once(&args.base).chain(&args.variants) {
        let s = embedded::load_omit(arg, args.pras.omit()).map_err(bad)?;
        let label = s.name.clone();
        scenarios.push((s, label));
    }
    let stop = if args.targets.is_empty() {
        // The scenarios of a comparison have one step (a comparison refuses two).
        let steps = scenarios
            .iter()
            .map(|(s, _)| s.model.hours())
            .max()
            .unwrap_or(0);
        let step_min = scenarios
            .first()
            .map_or(60, |(s, _)| s.model.calendar().step_min());
        super::check_work(args.samples, (steps, step_min), scenarios.len(), args.force)?;
        StopRule::Samples(args.samples)
    } else {
        StopRule::Targets {
            max_samples: args.max_samples,
        }
    };
    let doc = paired(
        &scenarios,
        stop,
        &args.targets,
        args.seed,
        args.threads,
        args.block_size,
        (&args.tails.query(), &args.rows),
    )?;
    emit(
        &formatted(&doc, args.output.format),
        args.output.out.as_deref(),
    )?;
    super::run::target_outcome(args.require_target, &doc)
}

/// A comparison document as `format`.
fn formatted(doc: &serde_json::Value, format: Format) -> String {
    match format {
        Format::Json => json_text(doc),
        Format::Table => output::compare_table(doc),
        Format::Csv => output::compare_csv(doc),
    }
}

/// `gridrisk study [STUDY]`: every variant against the base; writes `study.json`,
/// `study.csv` (as `compare --format csv`) and `report.html` into the output directory and
/// prints the table.
pub fn study(args: &StudyArgs) -> anyhow::Result<()> {
    run_study(args, Part::Alone).map(drop)
}

/// Whether a study runs alone or as part of the default run.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Alone: it prints as `--format` says and writes its own `report.html`.
    Alone,
    /// In the default run: it prints a summary, and the default run writes one report of
    /// both studies.
    OfDefaultRun,
}

/// The default run: the embedded policy study, then the embedded uncertain-parameter design
/// on the same seeds into `OUT/uncertain/`, each printed as a summary, and one `report.html`
/// of both.
pub fn default_run(args: &DefaultArgs) -> anyhow::Result<()> {
    let design_dir = args.out_dir.join("uncertain");
    let report = args.out_dir.join("report.html");
    // Every directory and the shared report are checked before anything is simulated (each
    // study checks its own files too).
    output::prepare_dir(&args.out_dir)?;
    output::prepare_dir(&design_dir)?;
    output::check_file(&report)?;
    let studies = [
        (embedded::DEFAULT_STUDY, &args.out_dir, "the policy study"),
        (
            embedded::DEFAULT_UNCERTAIN,
            &design_dir,
            "the spread over the unknowns",
        ),
    ];
    let mut docs = Vec::new();
    for (k, (file, dir, what)) in studies.into_iter().enumerate() {
        note!("default run, {} of 2: {what} ({file})", k + 1);
        if k > 0 {
            emit("\n", None)?;
        }
        let doc = run_study(
            &StudyArgs {
                study: Some(file.into()),
                samples: args.samples,
                targets: Vec::new(),
                max_samples: 1_000_000,
                require_target: false,
                seed: args.seed,
                threads: args.threads,
                block_size: gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE,
                out_dir: dir.clone(),
                format: Format::Table,
                tails: Default::default(),
                pras: Default::default(),
                worth_region: None,
                rows: Default::default(),
            },
            Part::OfDefaultRun,
        )?;
        docs.push((dir.join("study.json").display().to_string(), doc));
    }
    let html = super::report::render(&docs)?;
    output::write_atomic(&report, html.as_bytes())?;
    emit(
        &format!(
            "report of both: {}
(every index, month and interval: `gridrisk study {}` and \
             `gridrisk study {}`, or the files)\n",
            report.display(),
            embedded::DEFAULT_STUDY,
            embedded::DEFAULT_UNCERTAIN
        ),
        None,
    )
}

/// Run the study of `args`, write its files and print it; its document.
fn run_study(args: &StudyArgs, part: Part) -> anyhow::Result<serde_json::Value> {
    let (study, in_binary) =
        embedded::load_study(args.study.as_deref().unwrap_or(embedded::DEFAULT_STUDY))
            .map_err(bad)?;
    let origin = embedded::Origin {
        in_binary,
        omit: args.pras.omit(),
    };
    if let Some(design) = &study.design {
        let file = args.study.as_deref().unwrap_or(embedded::DEFAULT_STUDY);
        let refused = [
            (
                args.worth_region.is_some(),
                "--worth-region",
                "value a variant with `gridrisk worth BASE VARIANT --region R`",
            ),
            (
                !args.targets.is_empty(),
                "--target",
                "its design points run --samples winters each",
            ),
            (
                args.rows.events.is_some(),
                "--events",
                "write a point's events with `gridrisk compare --events`",
            ),
            (
                args.rows.per_sample.is_some(),
                "--per-sample",
                "write a point's samples with `gridrisk compare --per-sample`",
            ),
        ];
        if let Some((_, option, instead)) = refused.iter().find(|r| r.0) {
            return Err(bad(anyhow::anyhow!(
                "{option}: not for '{file}', a study with [[uncertain]] parameters ({instead})"
            )));
        }
        return super::uncertain::run(args, &study, design, origin, part);
    }
    let mut scenarios = Vec::new();
    let base = embedded::load_path(&study.base, origin).map_err(bad)?;
    let base_label = format!("base: {}", base.name);
    scenarios.push((base, base_label));
    for v in &study.variants {
        let s = embedded::load_path(&v.file, origin).map_err(bad)?;
        let label = v.label.clone().unwrap_or_else(|| s.name.clone());
        scenarios.push((s, label));
    }
    // Checked before anything is simulated or written.
    let models: Vec<_> = scenarios.iter().map(|(s, _)| &s.model).collect();
    (stopping::resolve(&args.targets, &models))
        .map_err(|e| bad(anyhow::anyhow!("--target: {e}")))?;
    let base_file = study.base.display().to_string();
    let worth_region = (args.worth_region.as_deref())
        .map(|r| super::worth::region_of(&base_file, &scenarios[0].0.model, r, "--worth-region"))
        .transpose()?;
    let samples = args.samples.unwrap_or(study.samples);
    let seed = args.seed.unwrap_or(study.seed);
    // Every output is checked before anything is simulated.
    output::prepare_dir(&args.out_dir)?;
    let path = Path::new(&args.out_dir).join("study.json");
    let csv = Path::new(&args.out_dir).join("study.csv");
    let report = (part == Part::Alone).then(|| Path::new(&args.out_dir).join("report.html"));
    for file in [&path, &csv].into_iter().chain(&report) {
        output::check_file(file)?;
    }
    let query = args.tails.query();
    let stop = if args.targets.is_empty() {
        StopRule::Samples(samples)
    } else {
        StopRule::Targets {
            max_samples: args.max_samples,
        }
    };
    let mut doc = paired(
        &scenarios,
        stop,
        &args.targets,
        seed,
        args.threads,
        args.block_size,
        (&query, &args.rows),
    )?;
    doc["study"] = serde_json::json!({"name": study.name, "description": study.description});
    if let Some(region) = worth_region {
        // On the samples the comparison ran (with --target, as many as it took).
        let ran = doc["samples"]
            .as_u64()
            .expect("a comparison counts its samples");
        let spec =
            SimulationSpec::new(StopRule::Samples(ran), seed, args.block_size).map_err(bad)?;
        for (i, (variant, _)) in scenarios.iter().enumerate().skip(1) {
            note!("worth of {} in MW of firm capacity", variant.name);
            doc["variants"][i - 1]["worth"] = super::worth::study_worth(
                &scenarios[0].0.model,
                &variant.model,
                region,
                &spec,
                args.threads,
            )?;
        }
    }
    let text = match part {
        Part::Alone => formatted(&doc, args.format),
        Part::OfDefaultRun => output::study_summary(&doc),
    };
    let written = output::write_atomic(&path, json_text(&doc).as_bytes()).and_then(|()| {
        output::write_atomic(&csv, output::compare_csv(&doc).as_bytes())?;
        match &report {
            Some(report) => {
                let html = super::report::render(&[(path.display().to_string(), doc.clone())])?;
                output::write_atomic(report, html.as_bytes())
            }
            None => Ok(()),
        }
    });
    if let Err(e) = written {
        // The output at least is not lost; the write error is what is reported.
        let _ = output::print(&text);
        return Err(e);
    }
    let files = format!(
        "results written to {}: study.json, study.csv{}",
        args.out_dir.display(),
        if report.is_some() {
            " and report.html"
        } else {
            ""
        }
    );
    if args.format == Format::Table {
        emit(&format!("{text}\n{files}\n"), None)?;
    } else {
        // Standard output holds the document alone, for a program to read.
        note!("{files}");
        emit(&text, None)?;
    }
    super::run::target_outcome(args.require_target, &doc)?;
    Ok(doc)
}

/// Run the paired comparison of `scenarios` (the base first) and build its document; with
/// `targets` (and a [`StopRule::Targets`]), until every variant meets them, and with their
/// intervals under `"stop"`; the tails `query` shown and the row files asked for.
fn paired(
    scenarios: &[(Scenario, String)],
    stop: StopRule,
    targets: &[Target],
    seed: u64,
    threads: usize,
    block_size: u64,
    (query, rows): (&TailQuery, &RowArgs),
) -> anyhow::Result<serde_json::Value> {
    for (s, _) in scenarios {
        super::print_warnings(s);
    }
    let spec = SimulationSpec::new(stop, seed, block_size).map_err(bad)?;
    let models: Vec<_> = scenarios.iter().map(|(s, _)| &s.model).collect();
    let targets = stopping::resolve(targets, &models).map_err(bad)?;
    super::refuse_hourly_outputs_at_short_steps(&models, rows, false)?;
    let per = scenarios.len() as u64;
    let bar = progress::Paced::new(spec.max_samples().saturating_mul(per), "scenario-samples");
    let started = Instant::now();
    let labels: Vec<String> = scenarios.iter().map(|(_, label)| label.clone()).collect();
    let empty = Comparison::new(&models)
        .map_err(bad)?
        .with_rows(
            &models,
            &labels,
            rows.events.is_some(),
            rows.per_sample.is_some(),
        )
        .with_tails(&query.event_mw, &query.event_hours);
    let files = RowFiles::create(
        rows,
        empty.indices[0].events.as_ref().map(|e| &e.rows),
        empty.sample_rows.as_ref().map(|r| &r.rows),
    )?;
    // One event file for every scenario (its `scenario` column tells them apart): each
    // block's rows scenario by scenario.
    let observe = |c: &Comparison| {
        for scenario in &c.indices {
            files.append_events(scenario.events.as_ref().map(|e| &e.rows));
        }
        files.append_samples(c.sample_rows.as_ref().map(|r| &r.rows));
    };
    let out = compare_until(
        &models,
        &spec,
        threads,
        &empty,
        &|n| bar.inc(n * per),
        &observe,
        |acc| stopping::all_met(&stopping::judge_comparison(&targets, acc)),
    )
    .map_err(bad)?;
    bar.finish_and_clear();
    files.finish()?;
    let compared: Vec<Compared> = scenarios
        .iter()
        .map(|(s, label)| Compared {
            model: &s.model,
            id: scenario_id(s),
            label: label.clone(),
        })
        .collect();
    let info = RunInfo {
        threads: super::run::resolved_threads(threads),
        wall_s: started.elapsed().as_secs_f64(),
    };
    let mut doc = compare_json(&compared, &spec, &out, &info, query);
    if !targets.is_empty() {
        let judged = stopping::judge_comparison(&targets, &out.acc);
        let labels: Vec<String> = scenarios.iter().map(|(_, l)| l.clone()).collect();
        doc["stop"] = stopping::stop_json(spec.max_samples(), out.samples, &judged, &labels);
    }
    Ok(doc)
}
