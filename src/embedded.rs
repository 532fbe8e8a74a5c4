//! Scenarios compiled into the binary, so the default run works from any directory.

use gridrisk_core::scenario::{self, Embedded, Scenario, ScenarioError};
use std::path::Path;

/// Every embedded file, by its path under `scenarios/`.
const FILES: &[(&str, &[u8])] = &[
    (
        "benchmarks/ieee-rts79.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79.toml"),
    ),
    (
        "benchmarks/ieee-rts79-three-area.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79-three-area.toml"),
    ),
    (
        "benchmarks/ieee-rts79-three-area-import.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79-three-area-import.toml"),
    ),
    (
        "benchmarks/ieee-rts79/weekly_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/weekly_peak_pct.csv"),
    ),
    (
        "benchmarks/ieee-rts79/daily_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/daily_peak_pct.csv"),
    ),
    (
        "benchmarks/ieee-rts79/hourly_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/hourly_peak_pct.csv"),
    ),
];

/// The embedded scenario `gridrisk` runs with no arguments.
pub const DEFAULT: &str = "benchmarks/ieee-rts79.toml";

/// The embedded scenario files (TOML only), with a one-line description each.
pub fn list() -> Vec<(&'static str, String)> {
    FILES
        .iter()
        .filter(|(p, _)| p.ends_with(".toml"))
        .map(|&(p, _)| {
            let description = load_embedded(p)
                .map(|s| s.description)
                .unwrap_or_else(|e| format!("(invalid: {e})"));
            (p, description)
        })
        .collect()
}

fn load_embedded(path: &str) -> Result<Scenario, ScenarioError> {
    scenario::load_with(Path::new(path), &Embedded::new(FILES))
}

/// The embedded scenario that `name` refers to: its path under `scenarios/`, with or without
/// the group and the `.toml` ending (`ieee-rts79`, `benchmarks/ieee-rts79.toml`).
fn find(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches(".toml");
    FILES.iter().map(|(p, _)| *p).find(|p| {
        p.ends_with(".toml") && {
            let stem = p.trim_end_matches(".toml");
            stem == name || stem.rsplit('/').next() == Some(name)
        }
    })
}

/// Load `arg`: a scenario file if one exists at that path, else an embedded scenario of
/// that name, else the file system's error for the path.
pub fn load(arg: &str) -> Result<Scenario, ScenarioError> {
    let path = Path::new(arg);
    match find(arg) {
        Some(embedded) if !path.exists() => load_embedded(embedded),
        _ => scenario::load(path),
    }
}
