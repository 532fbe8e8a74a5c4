//! `gridrisk run` and the default run.

use crate::util::{gridrisk, json, without_run, RTS79};
use predicates::str::contains;

#[test]
fn one_and_two_threads_give_identical_json() {
    let args = |t| {
        [
            "run",
            RTS79,
            "--samples",
            "3000",
            "--seed",
            "11",
            "--threads",
            t,
            "--format",
            "json",
        ]
    };
    let one = json(&args("1"));
    let two = json(&args("2"));
    assert_eq!(one["schema"], "gridrisk.result/1");
    assert_eq!(one["seed"], "11");
    assert_eq!(one["samples"], 3000);
    assert_eq!(
        serde_json::to_string(&without_run(one)).unwrap(),
        serde_json::to_string(&without_run(two)).unwrap()
    );
}

#[test]
fn convergence_target_gives_identical_json_for_any_thread_count() {
    let args = |t| {
        [
            "run",
            RTS79,
            "--target-rel-ci",
            "0.1",
            "--max-samples",
            "100000",
            "--seed",
            "3",
            "--threads",
            t,
            "--format",
            "json",
        ]
    };
    let one = json(&args("1"));
    let two = json(&args("2"));
    assert_eq!(one["stop"]["met"], true);
    let lole = &one["system"]["lole_h"];
    let rel = 1.959964 * lole["se"].as_f64().unwrap() / lole["mean"].as_f64().unwrap();
    assert!(rel <= 0.1, "relative half-width {rel}");
    assert!(one["samples"].as_u64().unwrap() < 100_000);
    assert_eq!(
        serde_json::to_string(&without_run(one)).unwrap(),
        serde_json::to_string(&without_run(two)).unwrap()
    );
}

#[test]
fn result_has_every_index_for_system_and_regions() {
    let doc = json(&["run", RTS79, "--samples", "500", "--format", "json"]);
    for area in [&doc["system"], &doc["regions"]["RTS"]] {
        for key in [
            "lole_h",
            "lole_d",
            "lolf",
            "lold_h",
            "eue_mwh",
            "neue_ppm",
            "p_shortfall",
        ] {
            let e = &area[key];
            assert!(e["mean"].is_number(), "{key}: {e}");
            assert!(e["se"].is_number(), "{key}: {e}");
            assert_eq!(e["ci95"].as_array().map(Vec::len), Some(2), "{key}");
        }
    }
    assert_eq!(doc["horizon_h"], 8736);
    assert_eq!(doc["heatmap"]["p"].as_array().unwrap().len(), 24);
    assert!(doc["eue_distribution"]["p99_mwh"].is_number());
    assert!(doc["run"]["wall_s"].is_number());
}

#[test]
fn table_and_csv_formats() {
    gridrisk()
        .args(["run", RTS79, "--samples", "200"])
        .assert()
        .success()
        .stdout(contains("lole_h").and(contains("h/yr")));
    let out = gridrisk()
        .args(["run", RTS79, "--samples", "200", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("scenario,area,index,mean,se,ci95_lo,ci95_hi,unit\n"));
    assert!(text.contains("ieee-rts79,system,lole_h,"));
    assert!(text.contains("ieee-rts79,RTS,eue_mwh,"));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn the_embedded_study_runs_from_any_directory_and_writes_its_results() {
    let dir = tempfile::tempdir().unwrap();
    // The default run is this study at its own sample count; fewer samples keep the test short.
    gridrisk()
        .current_dir(dir.path())
        .args(["study", "--samples", "20"])
        .assert()
        .success()
        .stdout(contains("registered mining interruptible").and(contains("SOUTH lole_h")));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("gridrisk-out/study.json")).unwrap())
            .unwrap();
    assert_eq!(doc["schema"], "gridrisk.compare/1");
    assert_eq!(doc["samples"], 20);
    let html = std::fs::read_to_string(dir.path().join("gridrisk-out/report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("registered mining interruptible"));
    assert!(doc["variants"].as_array().unwrap().len() >= 14);
    let d = &doc["variants"][0]["difference"]["system"]["lole_h"];
    assert!(d["mean"].is_number() && d["ci95"][1].is_number(), "{d}");
}

#[test]
fn the_default_run_is_the_policy_study_then_its_spread_over_the_unknowns_with_one_report() {
    let dir = tempfile::tempdir().unwrap();
    let read = |rel: &str| {
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(dir.path().join(rel)).unwrap())
            .unwrap()
    };
    // The default run at its own sample counts takes minutes; 3 winters per scenario (and per
    // design point) keep the test short.
    let out = gridrisk()
        .current_dir(dir.path())
        .args(["--samples", "3", "--threads", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    // Both summaries, the policy study's one row per scenario.
    for text in [
        "study kazakhstan-2021-22: 3 samples per scenario",
        "calibrated: as it happened + November repair backlog (fitted)",
        "study kazakhstan-2021-22-uncertain: sobol 64 points x 3 samples",
        "10% / 50% / 90% (noise out)",
        "report of both: gridrisk-out/report.html",
    ] {
        assert!(stdout.contains(text), "{text}: {stdout}");
    }
    assert!(
        stdout.lines().count() < 60,
        "a summary, not every index: {stdout}"
    );
    assert!(stderr.contains("default run, 1 of 2") && stderr.contains("default run, 2 of 2"));
    let study = read("gridrisk-out/study.json");
    assert_eq!(study["schema"], "gridrisk.compare/1");
    assert_eq!(study["samples"], 3);
    assert_eq!(
        study["variants"][0]["label"],
        "calibrated: as it happened + November repair backlog (fitted)"
    );
    let design = read("gridrisk-out/uncertain/study.json");
    assert_eq!(design["schema"], "gridrisk.uncertain/1");
    assert_eq!(design["samples_per_point"], 3);
    assert_eq!(design["design"]["points"], 64);
    assert!(dir
        .path()
        .join("gridrisk-out/uncertain/points.csv")
        .is_file());
    // One report of both studies, none of its own in the design's directory.
    let html = std::fs::read_to_string(dir.path().join("gridrisk-out/report.html")).unwrap();
    assert!(
        html.contains("Study kazakhstan-2021-22 "),
        "the policy study's section"
    );
    assert!(html.contains("Uncertain-parameter study kazakhstan-2021-22-uncertain"));
    assert!(!dir
        .path()
        .join("gridrisk-out/uncertain/report.html")
        .exists());
    // Each part is the study `gridrisk study` runs alone (apart from the run's wall time).
    for (file, part) in [
        ("kazakhstan/study.toml", "gridrisk-out/study.json"),
        (
            "kazakhstan/uncertain.toml",
            "gridrisk-out/uncertain/study.json",
        ),
    ] {
        gridrisk()
            .current_dir(dir.path())
            .args(["study", file, "--samples", "3", "--threads", "1"])
            .args(["--out-dir", "alone"])
            .assert()
            .success();
        assert_eq!(
            without_run(read("alone/study.json")),
            without_run(read(part)),
            "{file}"
        );
    }
}

#[test]
fn out_writes_the_file_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    gridrisk()
        .args([
            "run",
            RTS79,
            "--samples",
            "100",
            "--format",
            "json",
            "--out",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout("");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(doc["samples"], 100);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn every_embedded_file_is_a_valid_scenario_or_study() {
    let out = gridrisk().arg("scenarios").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(text.contains("kazakhstan/study.toml") && text.contains("study: 15 variants"));
    assert!(text.contains("benchmarks/ieee-rts79.toml"));
    assert!(!text.contains("(invalid"), "{text}");
}
