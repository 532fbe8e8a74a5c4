//! `gridrisk run`: simulate one scenario.

use super::{emit, json_text, scenario_id};
use crate::cli::args::{Format, RunArgs};
use crate::{bad, embedded, output, progress};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::result::{result_json, RunInfo};
use gridrisk_montecarlo::{runner, SimulationSpec, StopRule};
use std::time::Instant;

/// The number of worker threads `--threads T` means (0: one per core).
pub fn resolved_threads(threads: usize) -> usize {
    match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        t => t,
    }
}

/// Run the command.
pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = embedded::load(&args.scenario).map_err(bad)?;
    for w in &scenario.warnings {
        eprintln!("warning: {w}");
    }
    let stop = match args.target_rel_ci {
        Some(target) => StopRule::TargetRelCi {
            target,
            max_samples: args.max_samples,
        },
        None => StopRule::Samples(args.samples),
    };
    let spec = SimulationSpec::new(stop, args.seed, args.block_size).map_err(bad)?;
    let model = &scenario.model;
    let bar = progress::bar(spec.max_samples(), "samples");
    let started = Instant::now();
    let out = runner::run(
        model,
        &spec,
        args.threads,
        || Indices::new(model),
        &|n| bar.inc(n),
        |acc: &Indices| {
            let target = match spec.stop() {
                StopRule::TargetRelCi { target, .. } => target,
                StopRule::Samples(_) => return false,
            };
            acc.system_lole_h().rel_half_width() <= target
        },
    )?;
    bar.finish_and_clear();
    let info = RunInfo {
        threads: resolved_threads(args.threads),
        wall_s: started.elapsed().as_secs_f64(),
    };
    let doc = result_json(model, &scenario_id(&scenario), &spec, &out, &info);
    let text = match args.output.format {
        Format::Json => json_text(&doc),
        Format::Table => output::run_table(&doc),
        Format::Csv => output::run_csv(&doc),
    };
    emit(&text, args.output.out.as_deref())
}
