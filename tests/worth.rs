//! `gridrisk worth`: the PRAS capacity-credit check through the CLI, its document, and bad
//! values (exit 2, naming what is wrong). The estimator's own tests are in
//! crates/montecarlo/tests/worth.rs.

use crate::util::{gridrisk, json};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

const SINGLE: &str = "tests/data/worth/singlenode-a.toml";
const SINGLE_GEN4: &str = "tests/data/worth/singlenode-a-gen4.toml";
const THREE: &str = "tests/data/worth/threenode.toml";
const THREE_GEN1: &str = "tests/data/worth/threenode-gen1-15.toml";

#[test]
fn worth_reports_efc_and_elcc_with_intervals() {
    let doc = json(&[
        "worth",
        SINGLE,
        SINGLE_GEN4,
        "--samples",
        "20000",
        "--format",
        "json",
    ]);
    assert_eq!(doc["schema"], "gridrisk.worth/1");
    let help = String::from_utf8(
        gridrisk()
            .args(["worth", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(help.contains("gridrisk.worth/1 from `worth`"), "{help}");
    assert_eq!(doc["region"], "Region");
    assert_eq!(doc["metric"], "eue_mwh");
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    // PRAS's brackets and exact values (enumerated): EFC 8.2376, ELCC 7.3738 MW.
    for (w, name, exact) in [(&results[0], "efc", 8.2376), (&results[1], "elcc", 7.3738)] {
        assert_eq!(w["measure"], name);
        let x = w["x_mw"].as_f64().unwrap();
        let se = w["se_mw"].as_f64().unwrap();
        assert!((x - exact).abs() <= 3.0 * se, "{name}: {x} +/- {se}");
        let ci = &w["ci95_mw"];
        assert!(ci[0].as_f64().unwrap() <= x && x <= ci[1].as_f64().unwrap());
        assert_eq!(
            w["steps"].as_u64().unwrap() + 1,
            w["evaluations"].as_array().unwrap().len() as u64
        );
    }
    gridrisk()
        .args(["worth", SINGLE, SINGLE_GEN4, "--samples", "500", "--elcc"])
        .assert()
        .success()
        .stdout(contains("ELCC").and(contains("EFC ").not()));
}

fn refused(args: &[&str], expected: &[&str]) {
    let out = gridrisk().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for e in expected {
        assert!(stderr.contains(e), "{args:?}: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn worth_bad_values_exit_2() {
    refused(
        &[
            "worth",
            THREE,
            THREE_GEN1,
            "--region",
            "D",
            "--samples",
            "10",
        ],
        &["has no region 'D'", "its regions: A, B, C"],
    );
    refused(
        &["worth", THREE, THREE_GEN1, "--samples", "10"],
        &["--region is required", "3 regions"],
    );
    // A variant equal to the base cannot change the metric.
    refused(
        &["worth", SINGLE, SINGLE, "--samples", "100"],
        &[SINGLE, "does not change eue_mwh", "worth 0 MW"],
    );
    // A worse variant would need a negative target.
    refused(
        &[
            "worth",
            SINGLE_GEN4,
            SINGLE,
            "--samples",
            "100",
            "--metric",
            "lole",
        ],
        &["raises lole_h", "negative", "swap BASE and VARIANT"],
    );
    refused(
        &["worth", SINGLE, SINGLE_GEN4, "--metric", "lolp"],
        &["invalid value 'lolp' for '--metric", "eue, lole"],
    );
    refused(
        &["worth", SINGLE, SINGLE_GEN4, "--efc", "--elcc"],
        &["cannot be used with"],
    );
}
