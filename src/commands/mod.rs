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

/// Sample-hours (samples times the window's hours, over every scenario run; sample-steps at
/// steps shorter than an hour) beyond which a fixed sample count is refused without `--force`: at the best pace measured (RTS-79 on
/// one core, about 3.5 * 10^8 sample-hours a second: 2,000 years of 8,736 hours in 0.05
/// s) more than three days of one core, weeks on a laptop for heavier systems.
pub const FORCE_SAMPLE_HOURS: f64 = 1e14;

/// Refuse (bad input, exit 2) `samples` samples of a window of `steps` steps of `step_min`
/// minutes for `scenarios` scenarios when their work (samples x steps, the engine's cost)
/// exceeds [`FORCE_SAMPLE_HOURS`], unless `force`.
pub fn check_work(
    samples: u64,
    (steps, step_min): (usize, u32),
    scenarios: usize,
    force: bool,
) -> anyhow::Result<()> {
    let work = samples as f64 * steps as f64 * scenarios as f64;
    // Past MAX_SAMPLES the count is refused as such, with or without --force.
    let absurd = samples > gridrisk_montecarlo::spec::MAX_SAMPLES;
    if work <= FORCE_SAMPLE_HOURS || force || absurd {
        return Ok(());
    }
    let days = work / 3.5e8 / 86_400.0;
    // The window is counted in the steps the engine walks.
    let (unit, window) = if step_min == 60 {
        ("sample-hours", format!("{steps} hours"))
    } else {
        ("sample-steps", format!("{steps} steps of {step_min} min"))
    };
    Err(crate::bad(anyhow::anyhow!(
        "--samples {samples}: {work:.1e} {unit} ({samples} samples of {window}{}), \
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

/// Refuse (exit 2) what is computed for hourly steps only, for a scenario whose steps are
/// shorter than an hour: the row files (`--events`, `--per-sample`), whose rows count hours
/// and watt-hours per step (docs/pras.md, "Time step"), and `--attribute`, whose parts are
/// summed per step in MW, not converted to MWh.
pub fn refuse_hourly_outputs_at_short_steps(
    models: &[&gridrisk_core::SystemModel],
    rows: &crate::cli::args::RowArgs,
    attribute: bool,
) -> anyhow::Result<()> {
    let Some(m) = models.iter().find(|m| m.calendar().step_min() != 60) else {
        return Ok(());
    };
    for (given, option, what) in [
        (
            rows.events.is_some(),
            "--events",
            "the row files count hours and are not written",
        ),
        (
            rows.per_sample.is_some(),
            "--per-sample",
            "the row files count hours and are not written",
        ),
        (
            attribute,
            "--attribute",
            "attribution is computed for hourly steps only, not",
        ),
    ] {
        if given {
            return Err(crate::bad(anyhow::anyhow!(
                "{option}: scenario '{}' steps {} min ([study] step_min); {what} for steps \
                 shorter than an hour",
                m.name(),
                m.calendar().step_min()
            )));
        }
    }
    Ok(())
}
