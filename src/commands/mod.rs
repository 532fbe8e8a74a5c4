//! One module per command; each turns validated arguments into output.

pub mod analytic;
pub mod compare;
pub mod convert;
pub mod merge;
pub mod report;
pub mod run;
pub mod sweep;
pub mod uncertain;
pub mod validate;
pub mod worth;

use crate::output;
use gridrisk_core::scenario::Scenario;
use gridrisk_montecarlo::result::ScenarioId;

/// The identity a result file records for `scenario`.
pub fn scenario_id(scenario: &Scenario) -> ScenarioId {
    ScenarioId {
        name: scenario.name.clone(),
        content_hash: scenario.content_hash.clone(),
    }
}

/// Print the scenario's warnings (input accepted but probably not meant) on standard error.
pub fn print_warnings(scenario: &Scenario) {
    for w in &scenario.warnings {
        note!("warning: {w}");
    }
}

/// Write a JSON document pretty-printed with a final newline.
pub fn json_text(doc: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(doc).expect("a JSON value always serialises");
    s.push('\n');
    s
}

pub use output::emit;

/// Sample-hours (samples times the window's hours, over every scenario run) beyond which a
/// fixed sample count is refused without `--force`: at the best pace measured (RTS-79 on
/// one core, about 3.5 * 10^8 sample-hours a second: 2,000 years of 8,736 hours in 0.05
/// s) more than three days of one core, weeks on a laptop for heavier systems.
pub const FORCE_SAMPLE_HOURS: f64 = 1e14;

/// Refuse (bad input, exit 2) `samples` samples of a `hours`-hour window for `scenarios`
/// scenarios when their work exceeds [`FORCE_SAMPLE_HOURS`], unless `force`.
pub fn check_work(samples: u64, hours: usize, scenarios: usize, force: bool) -> anyhow::Result<()> {
    let work = samples as f64 * hours as f64 * scenarios as f64;
    // Past MAX_SAMPLES the count is refused as such, with or without --force.
    let absurd = samples > gridrisk_montecarlo::spec::MAX_SAMPLES;
    if work <= FORCE_SAMPLE_HOURS || force || absurd {
        return Ok(());
    }
    let days = work / 3.5e8 / 86_400.0;
    Err(crate::bad(anyhow::anyhow!(
        "--samples {samples}: {work:.1e} sample-hours ({samples} samples of {hours} hours{}), \
         about {days:.0} days of one core even at the engine's best pace; give fewer \
         samples, or a --target to stop when the estimate is good enough, or --force to run \
         it anyway",
        if scenarios > 1 {
            format!(", {scenarios} scenarios")
        } else {
            String::new()
        }
    )))
}

/// Refuse (exit 2) the row files (`--events`, `--per-sample`) for a scenario whose steps are
/// shorter than an hour: their rows count hours and watt-hours per step (docs/pras.md,
/// "Time step").
pub fn refuse_rows_at_short_steps(
    models: &[&gridrisk_core::SystemModel],
    rows: &crate::cli::args::RowArgs,
) -> anyhow::Result<()> {
    let Some(m) = models.iter().find(|m| m.calendar().step_min() != 60) else {
        return Ok(());
    };
    for (given, option) in [
        (rows.events.is_some(), "--events"),
        (rows.per_sample.is_some(), "--per-sample"),
    ] {
        if given {
            return Err(crate::bad(anyhow::anyhow!(
                "{option}: scenario '{}' steps {} min ([study] step_min); the row files count \
                 hours and are not written for steps shorter than an hour",
                m.name(),
                m.calendar().step_min()
            )));
        }
    }
    Ok(())
}
