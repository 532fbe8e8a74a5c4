//! Physical bounds end to end: the largest accepted values give the hand-computed answers,
//! and a run with more samples than the window's sums can hold is refused with exit 2.

use crate::util::{gridrisk, json};
use predicates::str::contains;

const AT_BOUNDS: &str = "tests/data/bounds/at-bounds.toml";
const WINDOW: &str = "tests/data/bounds/window-at-bound.toml";

#[test]
fn the_largest_accepted_values_give_exact_answers() {
    let doc = json(&["run", AT_BOUNDS, "--samples", "3", "--format", "json"]);
    let mean = |v: &serde_json::Value| v["mean"].as_f64().unwrap();
    let (sys, regions) = (&doc["system"], &doc["regions"]);
    // Region A (3 x 1e8 MW units, 1e8 MW demand) is never short; B (1e8 MW, no units) is
    // short by 1e8 MW every hour; C by 1 MW + 366000 MW/°C x 273.15 °C = 99,972,901 MW.
    assert_eq!(mean(&regions["A"]["lole_h"]), 0.0);
    assert_eq!(mean(&regions["B"]["lole_h"]), 24.0);
    assert_eq!(mean(&regions["B"]["eue_mwh"]), 24.0 * 1e8);
    assert_eq!(mean(&regions["C"]["eue_mwh"]), 24.0 * 99_972_901.0);
    assert_eq!(mean(&sys["lole_h"]), 24.0);
    assert_eq!(mean(&sys["eue_mwh"]), 24.0 * (1e8 + 99_972_901.0));
    let demand = 24.0 * (1e8 + 1e8 + 99_972_901.0);
    let neue = mean(&sys["neue_ppm"]);
    assert!((neue - 1e6 * 24.0 * (1e8 + 99_972_901.0) / demand).abs() < 1e-6);
    assert_eq!(sys["eue_mwh"]["se"].as_f64(), Some(0.0));
}

#[test]
fn a_window_at_its_energy_bound_runs_its_largest_sample_count_exactly() {
    // 1e8 MW unserved for 46,116 hours: 4.6116e18 Wh per sample, 8 samples at most.
    let doc = json(&["run", WINDOW, "--samples", "8", "--format", "json"]);
    let sys = &doc["system"];
    assert_eq!(sys["lole_h"]["mean"].as_f64(), Some(46_116.0));
    assert_eq!(sys["eue_mwh"]["mean"].as_f64(), Some(4_611_600_000_000.0));
    assert_eq!(sys["eue_mwh"]["se"].as_f64(), Some(0.0));
    assert_eq!(sys["neue_ppm"]["mean"].as_f64(), Some(1e6));
    gridrisk()
        .args(["run", WINDOW, "--samples", "9"])
        .assert()
        .code(2)
        .stderr(contains(
            "9 samples of 'window-at-bound' are more than its sums can hold exactly: at most 8",
        ));
}

#[test]
fn a_too_fine_analytic_grid_names_the_file_and_the_cause() {
    let file = "tests/data/bounds/analytic-fine-grid.toml";
    gridrisk()
        .args(["analytic", file])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "{file}: the exact convolution needs 30000001 points for the capacity outage \
             table, more than its limit of 20000000: the units' total capacity of 30000000 W \
             in steps of 1 W"
        )));
}
