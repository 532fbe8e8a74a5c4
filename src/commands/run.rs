//! `gridrisk run`: simulate one scenario.

use super::{emit, json_text, scenario_id};
use crate::cli::args::{Format, RunArgs};
use crate::tables::RowFiles;
use crate::{bad, embedded, output, progress, TargetNotMet};
use gridrisk_core::SystemModel;
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::result::{result_json, RunInfo};
use gridrisk_montecarlo::runner::{RunError, RunOutput};
use gridrisk_montecarlo::shard::shard_json;
use gridrisk_montecarlo::stopping::{self, Resolved, Rule, Target};
use gridrisk_montecarlo::{attribution, runner, worst_day, SimulationSpec, StopRule};
use std::sync::OnceLock;
use std::time::Instant;

/// The number of worker threads `--threads T` means (0: one per core).
pub fn resolved_threads(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    }
}

/// Simulate `model` under `spec` with every standard index (the engine of `run` and
/// `sweep`); with convergence targets, stop when every one is met ([`stopping`]).
/// Every block starts from a copy of `empty` (building empty accumulators walks the
/// calendar); `observe` sees every block's accumulators, in block order. With
/// [`Indices::attribution`] set, samples with a shortfall are attributed to their causes
/// ([`attribution`]).
pub fn simulate(
    model: &SystemModel,
    spec: &SimulationSpec,
    targets: &[Resolved],
    threads: usize,
    empty: &Indices,
    progress: &(dyn Fn(u64) + Sync),
    observe: &(dyn Fn(&Indices) + Sync),
) -> anyhow::Result<(RunOutput<Indices>, RunInfo)> {
    let started = Instant::now();
    let converged = |acc: &Indices| stopping::all_met(&stopping::judge_run(targets, acc));
    let out = if empty.attribution.is_some() {
        attribution::run_observed(
            model,
            spec,
            threads,
            || empty.clone(),
            progress,
            converged,
            observe,
        )
    } else {
        runner::run_observed(
            model,
            spec,
            threads,
            || empty.clone(),
            progress,
            converged,
            observe,
        )
    }
    .map_err(|e| match e {
        // Too many samples for the model's sums: the sample count is the user's input.
        RunError::TooManySamples { .. } | RunError::OutOfBounds { .. } => bad(e),
        e => e.into(),
    })?;
    let info = RunInfo {
        threads: resolved_threads(threads),
        wall_s: started.elapsed().as_secs_f64(),
    };
    Ok((out, info))
}

/// Run the command.
pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    if args.shard.is_some() && (!args.targets.is_empty() || args.target_rel_ci.is_some()) {
        // Exactness: a targeted run stops after the first prefix of blocks that meets its
        // targets, and a shard runs its blocks without seeing the ones before it.
        return Err(bad(anyhow::anyhow!(
            "--shard: not with --target or --target-rel-ci: a target stops the run after the \
             first blocks (in block order) that meet it, which a shard cannot see, as the \
             blocks before it run elsewhere; give every shard the same --samples N (or find \
             N with an unsharded targeted run)"
        )));
    }
    if args.shard.is_some() && args.output.out.is_none() {
        // A shard file is raw accumulator state for `merge`: nothing to read on a terminal.
        return Err(bad(anyhow::anyhow!(
            "--shard writes a shard file for `gridrisk merge`: give its path with --out FILE"
        )));
    }
    if args.attribute && args.shard.is_some() {
        // Attribution sums are not in shard files.
        return Err(bad(anyhow::anyhow!(
            "--attribute cannot go with --shard: run the attribution unsharded"
        )));
    }
    if args.worst_day.is_some() && args.shard.is_some() {
        // The worst event of a shard is not the run's.
        return Err(bad(anyhow::anyhow!(
            "--worst-day cannot go with --shard: run it unsharded (or on the merged run's \
             worst sample)"
        )));
    }
    output::check_target(args.output.out.as_deref())?;
    let worst_day_csv = worst_day_format(args.worst_day.as_deref())?;
    let scenario = embedded::load_omit(&args.scenario, args.pras.omit()).map_err(bad)?;
    super::print_warnings(&scenario);
    let targets = run_targets(args);
    let model = &scenario.model;
    if targets.is_empty() {
        super::check_work(
            args.samples,
            (model.hours(), model.calendar().step_min()),
            1,
            args.force,
        )?;
    }
    // Named as the option, as `study` does: the target is shown resolved (`@system` added).
    let targets =
        stopping::resolve(&targets, &[model]).map_err(|e| bad(anyhow::anyhow!("--target: {e}")))?;
    let stop = if targets.is_empty() {
        StopRule::Samples(args.samples)
    } else {
        StopRule::Targets {
            max_samples: args.max_samples,
        }
    };
    let mut spec = SimulationSpec::new(stop, args.seed, args.block_size).map_err(bad)?;
    if let Some((k, n)) = args.shard {
        spec = spec.sharded(k, n).map_err(bad)?;
    }
    let bar = progress::Paced::new(spec.max_samples(), "samples");
    // A shard keeps its first block's state, which `merge` simulates again to check it.
    let first = OnceLock::new();
    let keep_first = |acc: &Indices| {
        if spec.shard().is_some() {
            first.get_or_init(|| acc.clone());
        }
    };
    super::refuse_hourly_outputs_at_short_steps(&[model], &args.rows, args.attribute)?;
    let mut empty = Indices::new(model);
    if args.rows.events.is_some() || args.worst_day.is_some() {
        empty = empty.with_events(model, &scenario.name);
    }
    if args.rows.per_sample.is_some() {
        empty = empty.with_sample_rows(model, &scenario.name);
    }
    if args.attribute {
        empty = empty.with_attribution(model);
    }
    let files = RowFiles::create(
        &args.rows,
        empty.events.as_ref().map(|e| &e.rows),
        empty.sample_rows.as_ref().map(|r| &r.rows),
    )?;
    let observe = |acc: &Indices| {
        keep_first(acc);
        files.append_events(acc.events.as_ref().map(|e| &e.rows));
        files.append_samples(acc.sample_rows.as_ref().map(|r| &r.rows));
    };
    let (out, info) = simulate(
        model,
        &spec,
        &targets,
        args.threads,
        &empty,
        &|n| bar.inc(n),
        &observe,
    )?;
    bar.finish_and_clear();
    files.finish()?;
    if spec.shard().is_some() {
        // Compact: a shard holds raw histograms, read by `merge`, not by people.
        let id = scenario_id(&scenario);
        let doc = shard_json(&args.scenario, &id, &spec, &out, first.get(), &info);
        return emit(&format!("{doc}\n"), args.output.out.as_deref());
    }
    let query = args.tails.query();
    let mut doc = result_json(model, &scenario_id(&scenario), &spec, &out, &info, &query);
    if let Some(path) = &args.worst_day {
        let events = out
            .acc
            .events
            .as_ref()
            .expect("a catalogue with --worst-day");
        // The system's worst event: the area after the regions.
        let worst = events.summary.worst.last().and_then(|w| w.first());
        let day = worst_day::section(model, spec.seed(), worst).map_err(bad)?;
        let text = if worst_day_csv {
            worst_day::csv(&day)
        } else {
            json_text(&day)
        };
        output::write_atomic(path, text.as_bytes())?;
        doc["worst_event_day"] = day;
    }
    if !targets.is_empty() {
        let judged = stopping::judge_run(&targets, &out.acc);
        doc["stop"] = stopping::stop_json(args.max_samples, out.samples, &judged, &[]);
    }
    let text = match args.output.format {
        Format::Json => json_text(&doc),
        Format::Table => output::run_table(&doc),
        Format::Csv => output::run_csv(&doc),
    };
    emit(&text, args.output.out.as_deref())?;
    target_outcome(args.require_target, &doc)
}

/// Whether `--worst-day FILE` is CSV (else JSON), checked before any work: its extension
/// and that it can be written.
fn worst_day_format(path: Option<&std::path::Path>) -> anyhow::Result<bool> {
    let Some(path) = path else {
        return Ok(false);
    };
    let csv = match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => true,
        Some("json") => false,
        _ => {
            return Err(bad(anyhow::anyhow!(
                "--worst-day {}: expected a file name ending in .csv or .json",
                path.display()
            )))
        }
    };
    output::check_target(Some(path))?;
    Ok(csv)
}

/// The targets of `run`: every `--target`, and `--target-rel-ci X` as `lole_h:rel=X`.
fn run_targets(args: &RunArgs) -> Vec<Target> {
    let mut targets = args.targets.clone();
    targets.extend(args.target_rel_ci.map(|x| Target {
        paired: false,
        index: 0,
        area: None,
        rule: Rule::Rel(x),
    }));
    targets
}

/// With `--require-target`, exit status 3 when the document's targets were not all met
/// (after it was written).
pub fn target_outcome(require_target: bool, doc: &serde_json::Value) -> anyhow::Result<()> {
    let stop = &doc["stop"];
    if !require_target || stop["met"].as_bool() != Some(false) {
        return Ok(());
    }
    let unmet: Vec<String> = stop["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["met"] == false)
        .map(|t| match t["variant"].as_str() {
            Some(v) => format!("{} for '{v}'", t["target"].as_str().unwrap_or("")),
            None => t["target"].as_str().unwrap_or("").to_string(),
        })
        .collect();
    Err(TargetNotMet(format!(
        "target {} not met within --max-samples {} (exit status 3; the result was written)",
        unmet.join(", "),
        stop["max_samples"]
    ))
    .into())
}
