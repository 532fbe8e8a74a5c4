//! Multi-region scenarios end to end: the three-area RTS-79 benchmark.

use crate::util::{gridrisk, json, without_run};
use predicates::str::contains;

const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area-import.toml";

#[test]
fn three_area_result_has_regions_imports_and_lines() {
    let doc = json(&[
        "run",
        THREE,
        "--samples",
        "2000",
        "--seed",
        "4",
        "--format",
        "json",
    ]);
    for region in ["A", "B", "C"] {
        assert!(
            doc["regions"][region]["lole_h"]["mean"].is_number(),
            "{region}"
        );
    }
    assert!(
        doc["imports"]["EXT"]["import_mwh"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    for line in ["A-B", "B-C", "A-C"] {
        assert!(
            doc["lines"][line]["binding_h"]["mean"].is_number(),
            "{line}"
        );
    }
    // System LOLE counts hours in which any region is short: at least each region's.
    let sys = doc["system"]["lole_h"]["mean"].as_f64().unwrap();
    for region in ["A", "B", "C"] {
        assert!(doc["regions"][region]["lole_h"]["mean"].as_f64().unwrap() <= sys);
    }
}

#[test]
fn three_area_is_identical_for_any_thread_count() {
    let args = |t| {
        [
            "run",
            THREE,
            "--samples",
            "1500",
            "--seed",
            "9",
            "--threads",
            t,
            "--format",
            "json",
        ]
    };
    assert_eq!(
        serde_json::to_string(&without_run(json(&args("1")))).unwrap(),
        serde_json::to_string(&without_run(json(&args("2")))).unwrap()
    );
}

#[test]
fn analytic_refuses_a_multi_region_scenario_with_exit_2() {
    gridrisk()
        .args(["analytic", THREE])
        .assert()
        .code(2)
        .stderr(contains("3 regions"));
}
