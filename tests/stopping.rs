//! Stopping on what is asked (`--target`): the stop section, thread-count and shard
//! independence, paired targets on `compare`, and bad targets exiting 2.

use crate::util::{gridrisk, json, without_run, RTS79};
use predicates::prelude::*;
use predicates::str::contains;
use serde_json::Value;

const STORAGE: &str = "scenarios/benchmarks/ieee-rts79-storage.toml";
const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area.toml";

fn without(mut doc: Value, keys: &[&str]) -> String {
    for k in keys {
        doc.as_object_mut().unwrap().remove(*k);
    }
    serde_json::to_string(&doc).unwrap()
}

#[test]
fn a_targeted_run_is_the_fixed_run_of_its_samples_for_any_threads_and_shards() {
    let targeted = |threads| {
        json(&[
            "run",
            THREE,
            "--target",
            "eue_mwh@B:rel=0.3",
            "--target",
            "lolf:width=2",
            "--seed",
            "5",
            "--block-size",
            "50",
            "--threads",
            threads,
            "--format",
            "json",
        ])
    };
    let (one, two) = (targeted("1"), targeted("2"));
    assert_eq!(without(one.clone(), &["run"]), without(two, &["run"]));
    let stop = &one["stop"];
    assert_eq!(stop["rule"], "targets");
    assert_eq!(stop["met"], true);
    let n = one["samples"].as_u64().unwrap();
    assert!(n < 1_000_000 && n % 50 == 0, "{n}");
    assert_eq!(
        stop["reason"],
        format!("every target met after {n} samples").as_str()
    );
    let t = &stop["targets"][0];
    assert_eq!(t["target"], "eue_mwh@B:rel=0.3");
    let (mean, half) = (
        t["mean"].as_f64().unwrap(),
        t["half_width"].as_f64().unwrap(),
    );
    assert!(half <= 0.3 * mean && t["nonzero_samples"].as_u64().unwrap() >= 30);
    // The sequence is wider than the fixed-n interval of the same estimate.
    let se = one["regions"]["B"]["eue_mwh"]["se"].as_f64().unwrap();
    assert!((mean - one["regions"]["B"]["eue_mwh"]["mean"].as_f64().unwrap()).abs() < 1e-9);
    assert!(half > 1.96 * se, "{half} vs {se}");
    assert_eq!(stop["targets"][1]["target"], "lolf@system:width=2");
    // A fixed count of n samples gives the same results, and so do its merged shards.
    let n = n.to_string();
    let common = ["--samples", n.as_str(), "--seed", "5", "--block-size", "50"];
    let fixed = json(&[&["run", THREE][..], &common, &["--format", "json"]].concat());
    assert_eq!(
        without(one, &["run", "stop"]),
        without(fixed.clone(), &["run", "stop"])
    );
    let dir = tempfile::tempdir().unwrap();
    let shards: Vec<_> = (1..=3)
        .map(|k| {
            let out = dir.path().join(format!("s{k}.json"));
            gridrisk()
                .args(["run", THREE])
                .args(common)
                .args(["--shard", &format!("{k}/3"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    let merged = dir.path().join("merged.json");
    gridrisk()
        .arg("merge")
        .args(&shards)
        .args(["--format", "json", "--out"])
        .arg(&merged)
        .assert()
        .success();
    let merged: Value = serde_json::from_slice(&std::fs::read(&merged).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_string(&without_run(merged)).unwrap(),
        serde_json::to_string(&without_run(fixed)).unwrap()
    );
}

#[test]
fn a_paired_target_stops_a_comparison_and_reports_its_interval() {
    let compare = |threads| {
        json(&[
            "compare",
            RTS79,
            STORAGE,
            "--target",
            "diff:eue_mwh:excludes-zero",
            "--threads",
            threads,
            "--format",
            "json",
        ])
    };
    let doc = compare("1");
    assert_eq!(without_run(doc.clone()), without_run(compare("2")));
    let stop = &doc["stop"];
    assert_eq!(stop["met"], true);
    let t = &stop["targets"][0];
    assert_eq!(t["variant"], "ieee-rts79-storage");
    let [lo, hi] = [0, 1].map(|i| t["interval"][i].as_f64().unwrap());
    assert!(lo < hi && hi < 0.0, "storage lowers EUE: [{lo}, {hi}]");
    let d = &doc["variants"][0]["difference"]["system"]["eue_mwh"];
    assert_eq!(d["mean"], t["mean"]);
    assert!(doc["samples"].as_u64().unwrap() < 1_000_000);
    // The table says why it stopped.
    gridrisk()
        .args([
            "compare",
            RTS79,
            STORAGE,
            "--target",
            "diff:eue_mwh:excludes-zero",
        ])
        .assert()
        .success()
        .stdout(
            contains("stopping rule: every target met after").and(contains(
                "diff:eue_mwh@system:excludes-zero for ieee-rts79-storage: ",
            )),
        );
    // A fixed-count comparison has no stop section (its document is unchanged).
    let fixed = json(&[
        "compare",
        RTS79,
        STORAGE,
        "--samples",
        "100",
        "--format",
        "json",
    ]);
    assert!(fixed.get("stop").is_none());
}

#[test]
fn an_unmet_target_is_said_and_with_require_target_exits_3() {
    gridrisk()
        .args([
            "run",
            RTS79,
            "--target",
            "eue_mwh:rel=0.001",
            "--max-samples",
            "300",
        ])
        .assert()
        .success()
        .stdout(contains("sample cap reached (300 samples)").and(contains("(NOT met")));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.json");
    gridrisk()
        .args([
            "compare",
            RTS79,
            STORAGE,
            "--target",
            "diff:lole_h:width=0.001",
        ])
        .args([
            "--max-samples",
            "200",
            "--require-target",
            "--format",
            "json",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(contains(
            "diff:lole_h@system:width=0.001 for 'ieee-rts79-storage' not met",
        ));
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        (doc["stop"]["met"].as_bool(), doc["samples"].as_u64()),
        (Some(false), Some(200))
    );
}

#[test]
fn bad_targets_exit_2_naming_what_is_wrong() {
    // `run SCENARIO --target TARGET`, and what its message must say.
    let run = [
        (RTS79, "foo:rel=0.1", "unknown index 'foo'"),
        (RTS79, "lold_h:rel=0.1", "ratios of means"),
        (THREE, "eue_mwh@SOUTH:rel=0.1", "has no region 'SOUTH'"),
        (
            THREE,
            "eue_mwh@A-B:rel=0.1",
            "expected system or one of A, B, C",
        ),
        (
            RTS79,
            "eue_mwh:width=0",
            "width: expected a positive number",
        ),
        (RTS79, "eue_mwh:width=-3", "got '-3'"),
        (RTS79, "eue_mwh:rel=2", "rel: expected a number in (0, 1)"),
        (RTS79, "eue_mwh", "expected [diff:]INDEX[@AREA]:RULE"),
        (
            RTS79,
            "diff:eue_mwh:excludes-zero",
            "needs `gridrisk compare`",
        ),
        (
            RTS79,
            "eue_mwh:excludes-zero",
            "write diff:eue_mwh:excludes-zero",
        ),
        (
            RTS79,
            "eue_illegal_mwh:rel=0.1",
            "no scenario here has mining",
        ),
    ]
    .map(|(scenario, target, expect)| (vec!["run", scenario, "--target", target], expect));
    let other = [
        (
            vec!["compare", RTS79, STORAGE, "--target", "eue_mwh:rel=0.1"],
            "write diff:eue_mwh@system:rel=0.1",
        ),
        (
            vec![
                "run",
                RTS79,
                "--target",
                "lole_h:rel=0.1",
                "--samples",
                "10",
            ],
            "--samples",
        ),
        (
            vec![
                "compare",
                RTS79,
                STORAGE,
                "--target",
                "diff:lole_h:rel=0.1",
                "--samples",
                "10",
            ],
            "--samples",
        ),
        (
            vec!["run", RTS79, "--target", "lole_h:rel=0.1", "--shard", "1/2"],
            "--shard: not with --target or --target-rel-ci: a target stops the run",
        ),
        (
            vec![
                "run",
                RTS79,
                "--target-rel-ci",
                "0.1",
                "--shard",
                "1/2",
                "--out",
                "x.json",
            ],
            "which a shard cannot see",
        ),
        (
            vec!["compare", RTS79, STORAGE, "--require-target"],
            "--target",
        ),
        (
            vec![
                "study",
                "--samples",
                "10",
                "--target",
                "diff:lole_h:rel=0.1",
            ],
            "--samples",
        ),
        (vec!["study", "--require-target"], "--target"),
        (
            vec!["study", "--target", "lole_h:rel=0.1"],
            "write diff:lole_h@system:rel=0.1",
        ),
    ];
    for (args, expect) in run.into_iter().chain(other) {
        let out = gridrisk().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
