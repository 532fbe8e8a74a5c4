//! `gridrisk analytic`: exact indices of a single-region scenario by convolution.

use super::{emit, json_text};
use crate::cli::args::{AnalyticArgs, Format};
use crate::{bad, embedded, output};
use gridrisk_montecarlo::analytic;
use serde_json::json;
use std::time::Instant;

/// Schema tag of an analytic result.
pub const SCHEMA: &str = "gridrisk.analytic/1";

/// Run the command.
pub fn run(args: &AnalyticArgs) -> anyhow::Result<()> {
    output::check_target(args.output.out.as_deref())?;
    let scenario = embedded::load(&args.scenario).map_err(bad)?;
    super::print_warnings(&scenario);
    let started = Instant::now();
    let x = analytic::exact(&scenario.model)
        .map_err(|e| bad(anyhow::anyhow!("{}: {e}", args.scenario)))?;
    let doc = json!({
        "schema": SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": {"name": scenario.name, "content_hash": scenario.content_hash},
        "horizon_h": scenario.model.hours(),
        "window": gridrisk_montecarlo::result::window_json(&scenario.model),
        "system": {
            "lole_h": x.lole_h,
            "lole_d_peak": x.lole_d_peak,
            "lolf": x.lolf,
            "lolf_ct": x.lolf_ct,
            "lold_h": x.lold_h,
            "eue_mwh": x.eue_mwh,
            "neue_ppm": x.neue_ppm,
        },
        "step_mw": x.step_mw,
        "run": {"wall_s": started.elapsed().as_secs_f64()},
    });
    let text = match args.output.format {
        Format::Json => json_text(&doc),
        Format::Table => output::analytic_table(&doc),
        Format::Csv => output::analytic_csv(&doc),
    };
    emit(&text, args.output.out.as_deref())
}
