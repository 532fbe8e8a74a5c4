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
