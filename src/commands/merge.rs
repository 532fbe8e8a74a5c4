//! `gridrisk merge`: shard files of one run into its result, equal to the unsharded run
//! apart from its `"run"` key, which records the shards' threads and wall times.

use super::{emit, json_text};
use crate::cli::args::{Format, MergeArgs};
use crate::{bad, embedded, output};
use gridrisk_montecarlo::result::{result_json, RunInfo};
use gridrisk_montecarlo::runner::RunOutput;
use gridrisk_montecarlo::shard::{merge_shards, merged_run_json, sharded_run};
use std::time::Instant;

/// Run the command.
pub fn run(args: &MergeArgs) -> anyhow::Result<()> {
    output::check_target(args.output.out.as_deref())?;
    let started = Instant::now();
    let mut shards = Vec::new();
    for path in &args.shards {
        let name = path.display().to_string();
        let text = gridrisk_core::files::read_regular(path, &gridrisk_core::files::JSON)
            .map_err(|e| bad(anyhow::anyhow!("{name}: cannot read the shard file: {e}")))?;
        let doc: serde_json::Value = serde_json::from_slice(&text)
            .map_err(|e| bad(anyhow::anyhow!("{name}: not a JSON shard file: {e}")))?;
        shards.push((name, doc));
    }
    let run = sharded_run(&shards).map_err(bad)?;
    // The scenario must be the one the shards were run on: its model gives the shapes of
    // their states, re-simulates their first blocks, and names regions, lines and sources.
    // Problems with it are the shards' too: name the first shard and its field.
    let first = &shards[0].0;
    let scenario = embedded::load_omit(&run.source, args.pras.omit()).map_err(|e| {
        bad(anyhow::Error::from(e).context(format!(
            "{first}: $.scenario.source: the scenario the shards were run on, `{}`, cannot be loaded",
            run.source
        )))
    })?;
    if scenario.content_hash != run.scenario.content_hash {
        // A .pras system's tables left out by `--omit` change its content hash as well.
        let hint = if gridrisk_pras::is_pras(std::path::Path::new(&run.source)) {
            "; if the shards were run with --omit, give merge the same --omit"
        } else {
            ""
        };
        return Err(bad(anyhow::anyhow!(
            "{first}: $.scenario.content_hash: the scenario's files ({}) changed since the shards were run (content hash {} now, {} in the shards){hint}",
            run.source,
            scenario.content_hash,
            run.scenario.content_hash
        )));
    }
    let acc = merge_shards(&shards, &run, &scenario.model).map_err(bad)?;
    let out = RunOutput {
        samples: acc.samples(),
        acc,
        target_met: None,
    };
    let samples = out.samples;
    let merge_wall_s = started.elapsed().as_secs_f64();
    let info = RunInfo {
        threads: 1,
        wall_s: merge_wall_s,
    };
    let query = args.tails.query();
    let mut doc = result_json(
        &scenario.model,
        &run.scenario,
        &run.spec,
        &out,
        &info,
        &query,
    );
    // The run took what its shards took; the merge's own time is one entry of it.
    doc["run"] = merged_run_json(&shards, samples, merge_wall_s);
    let text = match args.output.format {
        Format::Json => json_text(&doc),
        Format::Table => output::run_table(&doc),
        Format::Csv => output::run_csv(&doc),
    };
    emit(&text, args.output.out.as_deref())
}
