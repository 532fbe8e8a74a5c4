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
