//! `gridrisk merge`: shard files of one run into its result, equal to the unsharded run.

use super::{emit, json_text};
use crate::cli::args::{Format, MergeArgs};
use crate::{bad, embedded, output};
use gridrisk_montecarlo::result::{merge_shards, result_json, RunInfo};
use gridrisk_montecarlo::runner::RunOutput;
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use std::time::Instant;

/// Run the command.
pub fn run(args: &MergeArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut shards = Vec::new();
    for path in &args.shards {
        let name = path.display().to_string();
        let text = std::fs::read(path)
            .map_err(|e| bad(anyhow::anyhow!("{name}: cannot read the shard file: {e}")))?;
        let doc: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| bad(anyhow::anyhow!("{name}: not a JSON shard file: {e}")))?;
        shards.push((name, doc));
    }
    let merged = merge_shards(&shards).map_err(bad)?;
    // The result needs the model (region, line and source names); the scenario must be the
    // one the shards were run on.
    let scenario = embedded::load(&merged.source).map_err(bad)?;
    if scenario.content_hash != merged.scenario.content_hash {
        return Err(bad(anyhow::anyhow!(
            "{}: the scenario's files changed since the shards were run (content hash {} now, {} in the shards)",
            merged.source,
            scenario.content_hash,
            merged.scenario.content_hash
        )));
    }
    let spec = SimulationSpec::new(
        StopRule::Samples(merged.samples),
        merged.seed,
        merged.block_size,
    )
    .map_err(bad)?;
    let out = RunOutput {
        samples: merged.acc.samples(),
        acc: merged.acc,
        target_met: None,
    };
    let info = RunInfo {
        threads: 1,
        wall_s: started.elapsed().as_secs_f64(),
    };
    let doc = result_json(&scenario.model, &merged.scenario, &spec, &out, &info);
    let text = match args.output.format {
        Format::Json => json_text(&doc),
        Format::Table => output::run_table(&doc),
        Format::Csv => output::run_csv(&doc),
    };
    emit(&text, args.output.out.as_deref())
}
