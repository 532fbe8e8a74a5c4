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

#[test]
fn a_study_states_each_variant_worth_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let study = "tests/data/worth/study.toml";
    let doc = json(&[
        "study",
        study,
        "--worth-region",
        "A",
        "--out-dir",
        out,
        "--format",
        "json",
    ]);
    // The study's samples and seed: the same EFC as `worth --efc` gives.
    let alone = json(&[
        "worth",
        THREE,
        THREE_GEN1,
        "--region",
        "A",
        "--efc",
        "--samples",
        "2000",
        "--seed",
        "4",
        "--format",
        "json",
    ]);
    let (w, efc) = (&doc["variants"][0]["worth"], &alone["results"][0]);
    assert_eq!(w["region"], "A");
    assert_eq!(w["metric"], "eue_mwh");
    for key in ["measure", "x_mw", "se_mw", "ci95_mw", "steps", "monotone"] {
        assert_eq!(w[key], efc[key], "{key}");
    }
    let x = w["x_mw"].as_f64().unwrap();
    assert!(
        (x - 3.343).abs() <= 3.0 * w["se_mw"].as_f64().unwrap(),
        "{w}"
    );
    // The unchanged variant has none, and says why.
    let none = &doc["variants"][1]["worth"];
    assert!(
        none["error"]
            .as_str()
            .unwrap()
            .contains("does not change eue_mwh"),
        "{none}"
    );
    assert!(none.get("x_mw").is_none());
    // The CSV, the table and the report state it with its interval.
    let csv = std::fs::read_to_string(dir.path().join("study.csv")).unwrap();
    let row = csv.lines().find(|l| l.contains(",efc_mw,")).unwrap();
    let start = format!("\"pras-threenode, Gen1 15 MW\",Gen1 15 MW,A,efc_mw,{x},");
    assert!(row.starts_with(&start), "{row}");
    assert_eq!(csv.matches(",efc_mw,").count(), 1, "{csv}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("MW of firm capacity in A (equivalent firm capacity"),
        "{html}"
    );
    gridrisk()
        .args([
            "study",
            study,
            "--worth-region",
            "A",
            "--samples",
            "500",
            "--out-dir",
            out,
        ])
        .assert()
        .success()
        .stdout(contains(
            "MW of firm capacity in A (EFC by system eue_mwh), 95% interval",
        ));
    // Without the flag, nothing is valued.
    let plain = json(&[
        "study",
        study,
        "--samples",
        "100",
        "--out-dir",
        out,
        "--format",
        "json",
    ]);
    assert!(plain["variants"][0].get("worth").is_none());
}

#[test]
fn study_worth_bad_values_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    refused(
        &[
            "study",
            "tests/data/worth/study.toml",
            "--worth-region",
            "D",
            "--out-dir",
            out,
        ],
        &[
            "--worth-region",
            "has no region 'D'",
            "its regions: A, B, C",
        ],
    );
    refused(
        &[
            "study",
            "tests/data/uncertain/study.toml",
            "--worth-region",
            "A",
            "--out-dir",
            out,
        ],
        &[
            "--worth-region",
            "tests/data/uncertain/study.toml",
            "[[uncertain]]",
        ],
    );
}
