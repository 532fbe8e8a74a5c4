//! `gridrisk compare` end to end.

use crate::util::{gridrisk, json};
use predicates::str::contains;

const BASE: &str = "scenarios/kazakhstan/winter-2021-22.toml";

#[test]
fn comparing_a_scenario_with_itself_gives_zero_differences() {
    let doc = json(&["compare", BASE, BASE, "--samples", "30", "--format", "json"]);
    assert_eq!(doc["schema"], "gridrisk.compare/1");
    let d = &doc["variants"][0]["difference"];
    for key in ["lole_h", "eue_mwh", "eue_illegal_mwh", "p_shortfall"] {
        assert_eq!(d["system"][key]["mean"], 0.0, "{key}");
        assert_eq!(d["system"][key]["se"], 0.0, "{key}");
    }
    assert_eq!(d["regions"]["SOUTH"]["lole_h"]["mean"], 0.0);
}

#[test]
fn interruptible_mining_is_curtailed_instead_of_households() {
    let doc = json(&[
        "compare",
        BASE,
        "scenarios/kazakhstan/interruptible.toml",
        "--samples",
        "100",
        "--format",
        "json",
    ]);
    let d = &doc["variants"][0]["difference"]["system"];
    assert!(
        d["eue_household_mwh"]["ci95"][1].as_f64().unwrap() < 0.0,
        "{d}"
    );
    assert!(
        d["mining_curtailed_mwh"]["ci95"][0].as_f64().unwrap() > 0.0,
        "{d}"
    );
}

#[test]
fn scenarios_that_cannot_be_paired_are_refused_with_exit_2() {
    let rts = "scenarios/benchmarks/ieee-rts79.toml";
    let three = "scenarios/benchmarks/ieee-rts79-three-area.toml";
    for (base, variant, expect) in [
        (three, rts, "has no region 'A'"),
        (BASE, rts, "needs the same window"),
    ] {
        gridrisk()
            .args(["compare", base, variant, "--samples", "10"])
            .assert()
            .code(2)
            .stderr(contains(expect));
    }
}

/// Every scenario of a comparison carries every section of a run of that scenario, with
/// the same names, shapes and (common random numbers: the same seed and samples) values;
/// besides them only its label and, for a variant, its paired differences.
#[test]
fn every_scenario_of_a_comparison_carries_every_section_of_its_run() {
    const VARIANT: &str = "scenarios/kazakhstan/interruptible.toml";
    let samples = ["--samples", "12", "--format", "json"];
    let cmp = json(&[&["compare", BASE, VARIANT][..], &samples].concat());
    // What describes the run as a whole rather than the scenario's results.
    let header = [
        "schema",
        "version",
        "seed",
        "samples",
        "horizon_h",
        "block_size",
        "stop",
        "run",
    ];
    for (scenario, doc) in [(BASE, &cmp["base"]), (VARIANT, &cmp["variants"][0])] {
        let run = json(&[&["run", scenario][..], &samples].concat());
        let run = run.as_object().unwrap();
        let doc = doc.as_object().unwrap();
        for (key, value) in run.iter().filter(|(k, _)| !header.contains(&k.as_str())) {
            assert_eq!(doc.get(key), Some(value), "{scenario}: {key}");
        }
        for key in doc.keys() {
            assert!(
                run.contains_key(key) || key == "label" || key == "difference",
                "{scenario}: {key} is not a key of the run"
            );
        }
        for section in ["imports", "lines", "eue_distribution", "heatmap"] {
            assert!(doc.contains_key(section), "{scenario}: no {section}");
        }
    }
}
