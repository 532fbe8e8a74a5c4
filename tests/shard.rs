//! Shards and `merge`: any split of a run into shards merges into exactly the unsharded
//! result (the `"run"` key aside), and mismatched shard sets are refused.

use crate::util::{gridrisk, json, without_run};
use predicates::str::contains;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const SCENARIO: &str = "scenarios/kazakhstan/winter-2021-22.toml";

fn shard(dir: &Path, k: u64, n: u64, seed: &str) -> std::path::PathBuf {
    shard_of(SCENARIO, dir, k, n, seed)
}

fn shard_of(scenario: &str, dir: &Path, k: u64, n: u64, seed: &str) -> std::path::PathBuf {
    let out = dir.join(format!("shard-{seed}-{k}-of-{n}.json"));
    gridrisk()
        .args([
            "run",
            scenario,
            "--samples",
            "140",
            "--block-size",
            "20",
            "--seed",
            seed,
        ])
        .arg("--shard")
        .arg(format!("{k}/{n}"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn one_three_and_seven_shards_merge_into_the_unsharded_result() {
    merge_matches_whole(SCENARIO, &[1, 3, 7]);
}

/// The storage indices merge exactly too (PRAS's test 3: a line and a storage device).
#[test]
fn storage_shards_merge_into_the_unsharded_result() {
    merge_matches_whole("tests/data/storage/test3.toml", &[1, 3]);
}

/// The generator-storage indices (spilled inflow) merge exactly too, with its
/// peak-shaving schedule (the RTS-79 reservoir example, an hourly inflow).
#[test]
fn generator_storage_shards_merge_into_the_unsharded_result() {
    merge_matches_whole("scenarios/benchmarks/ieee-rts79-hydro.toml", &[1, 3]);
}

/// The demand response indices merge exactly too (PRAS's test 5: demand response and
/// storage).
#[test]
fn demand_response_shards_merge_into_the_unsharded_result() {
    merge_matches_whole("tests/data/demand_response/test5.toml", &[1, 3]);
}

fn merge_matches_whole(scenario: &str, splits: &[u64]) {
    // The event-tail thresholds are output only: the shards do not carry them.
    let tails = ["--event-mw", "0,150,1000", "--event-hours", "1,4"];
    let mut args = vec![
        "run",
        scenario,
        "--samples",
        "140",
        "--block-size",
        "20",
        "--seed",
        "5",
        "--format",
        "json",
    ];
    args.extend(tails);
    let full = json(&args);
    let expected = serde_json::to_string(&without_run(full)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for &n in splits {
        let files: Vec<_> = (1..=n)
            .map(|k| shard_of(scenario, dir.path(), k, n, "5"))
            .collect();
        // Merging in any order gives the same result.
        let mut reversed = files.clone();
        reversed.reverse();
        let out = dir.path().join(format!("merged-{n}.json"));
        gridrisk()
            .arg("merge")
            .args(&reversed)
            .args(tails)
            .args(["--format", "json", "--out"])
            .arg(&out)
            .assert()
            .success();
        let merged: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&without_run(merged)).unwrap(),
            expected,
            "{n} shards"
        );
    }
}

#[test]
fn a_shard_without_blocks_is_valid_and_merges_as_empty() {
    // 40 samples in blocks of 20: 2 blocks over 3 shards, so one shard has none.
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<_> = (1..=3)
        .map(|k| {
            let out = dir.path().join(format!("s{k}.json"));
            gridrisk()
                .args(["run", SCENARIO, "--samples", "40", "--block-size", "20"])
                .arg("--shard")
                .arg(format!("{k}/3"))
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    let merged = gridrisk()
        .arg("merge")
        .args(&files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(merged.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&merged.stdout).unwrap();
    assert_eq!(doc["samples"], 40);
}

#[test]
fn mismatched_or_incomplete_shards_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let a1 = shard(dir.path(), 1, 2, "5");
    let a2 = shard(dir.path(), 2, 2, "5");
    let b2 = shard(dir.path(), 2, 2, "6");
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let out = dir.path().join("out.json");
    let (a1_name, a2_name) = (a1.display(), a2.display());
    for (files, expect) in [
        (vec![&a1, &b2], "seed".to_string()),
        (
            vec![&a1],
            format!("exactly once: shard 2 is missing; given: {a1_name} (shard 1)"),
        ),
        (
            vec![&a2],
            format!("shard 1 is missing; given: {a2_name} (shard 2)"),
        ),
        (
            vec![&a1, &a1, &a2],
            format!("shard 1 is given twice, in {a1_name} and {a1_name}"),
        ),
        (
            vec![&a1, &garbage],
            "garbage.json: not a JSON shard file".to_string(),
        ),
    ] {
        gridrisk()
            .arg("merge")
            .args(files)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(expect.as_str()));
        assert!(!out.exists(), "no output on error");
    }
    gridrisk()
        .args([
            "run",
            SCENARIO,
            "--samples",
            "10",
            "--shard",
            "1/18446744073709551615",
        ])
        .assert()
        .code(2)
        .stderr(contains("N <= 1000000"));
    gridrisk()
        .args(["run", SCENARIO, "--samples", "10", "--shard", "4/3"])
        .assert()
        .code(2)
        .stderr(contains("--shard"));
    gridrisk()
        .args(["run", SCENARIO, "--target-rel-ci", "0.1", "--shard", "1/2"])
        .assert()
        .code(2);
}

/// A copy of shard file `from` in `dir`, named `name`, with `edit` applied to its document.
fn edited(dir: &Path, from: &Path, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(from).unwrap()).unwrap();
    edit(&mut doc);
    let out = dir.join(name);
    std::fs::write(&out, doc.to_string()).unwrap();
    out
}

/// `merge` of `files` exits 2 with `expect` on standard error, and writes nothing.
fn refused(dir: &Path, files: &[&PathBuf], expect: &str) {
    let out = dir.join("refused.json");
    gridrisk()
        .arg("merge")
        .args(files)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains(expect));
    assert!(!out.exists(), "no output on error");
}

#[test]
fn edited_copied_relabelled_or_mixed_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let [s1, s2, s3] = [1, 2, 3].map(|k| shard(d, k, 3, "5"));
    let other = shard(d, 2, 3, "6");
    // Shard 1 copied as shard 2: its blocks give it away; with blocks and samples relabelled
    // too, its digest.
    let copy = edited(d, &s1, "copy.json", |v| v["shard"]["k"] = 2.into());
    refused(
        d,
        &[&s1, &copy, &s3],
        "copy.json: shard.blocks: expected [2, 4]",
    );
    let relabelled = edited(d, &s1, "relabelled.json", |v| {
        v["shard"] = json!({"k": 2, "n": 3, "blocks": [2, 4], "samples": 40});
    });
    refused(d, &[&s1, &relabelled, &s3], "relabelled.json: digest:");
    // A scenario that cannot be loaded any more: the shard that names it is blamed too.
    let [m1, m2, m3] = [&s1, &s2, &s3].map(|s| {
        let name = format!("moved-{}", s.file_name().unwrap().to_string_lossy());
        edited(d, s, &name, |v| {
            v["scenario"]["source"] = "scenarios/benchmarks/moved-away.toml".into()
        })
    });
    refused(
        d,
        &[&m1, &m2, &m3],
        "moved-shard-5-1-of-3.json: $.scenario.source: the scenario the shards were run on, \
         `scenarios/benchmarks/moved-away.toml`, cannot be loaded: \
         scenarios/benchmarks/moved-away.toml: cannot read scenario file",
    );
    // Sample counts: in the header (one file, or all files), and in the state.
    let samples = edited(d, &s2, "samples.json", |v| v["samples"] = 160.into());
    refused(
        d,
        &[&s1, &samples, &s3],
        "samples.json: samples is 160, but",
    );
    let all: Vec<PathBuf> = [&s1, &s2, &s3]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            edited(d, s, &format!("all-{i}.json"), |v| {
                v["samples"] = 160.into()
            })
        })
        .collect();
    refused(
        d,
        &[&all[0], &all[1], &all[2]],
        "all-1.json: shard.blocks: expected [2, 5] for shard 2 of 3 (160 samples",
    );
    let shard_samples = edited(d, &s2, "shard-samples.json", |v| {
        v["shard"]["samples"] = 41.into()
    });
    refused(
        d,
        &[&s1, &shard_samples, &s3],
        "shard-samples.json: shard.samples: expected 40",
    );
    let n = edited(d, &s2, "n.json", |v| {
        v["state"]["lole"]["hours_events"][3]["n"] = 41.into()
    });
    refused(
        d,
        &[&s1, &n, &s3],
        "n.json: state.lole.hours_events[3].n: 41 samples, but the shard has 40",
    );
    let heat = edited(d, &s2, "heat.json", |v| {
        v["state"]["heatmap"]["samples"] = 39.into()
    });
    refused(
        d,
        &[&s1, &heat, &s3],
        "heat.json: state.heatmap.samples: 39 samples",
    );
    // A count edited consistently with everything else the shard says: the digest.
    let count = edited(d, &s2, "count.json", |v| {
        let c = &mut v["state"]["heatmap"]["counts"][100];
        *c = (c.as_u64().unwrap() + 1).into();
    });
    refused(d, &[&s1, &count, &s3], "count.json: digest:");
    // Counts near the limits of their types.
    let wraps = edited(d, &s2, "wraps.json", |v| {
        v["state"]["lole"]["hours_events"][0]["n"] = u64::MAX.into();
    });
    refused(
        d,
        &[&s1, &wraps, &s3],
        "wraps.json: state.lole.hours_events[0].n: 18446744073709551615 samples",
    );
    let wide = edited(d, &s2, "wide.json", |v| {
        v["state"]["eue"]["sums"][0]["sxx"] = i128::MAX.to_string().into();
    });
    refused(d, &[&s1, &wide, &s3], "wide.json: digest:");
    let negative = edited(d, &s2, "negative.json", |v| {
        v["state"]["eue"]["sums"][0]["sxx"] = "-1".into();
    });
    refused(
        d,
        &[&s1, &negative, &s3],
        "negative.json: state.eue.sums[0].sxx: a sum of squares cannot be negative",
    );
    // Another run's state (and first block and digest) under this run's header.
    let pasted = edited(d, &s2, "pasted.json", |v| {
        let o: Value = serde_json::from_slice(&std::fs::read(&other).unwrap()).unwrap();
        for key in ["state", "first_block", "digest"] {
            v[key] = o[key].clone();
        }
    });
    refused(d, &[&s1, &pasted, &s3], "pasted.json: digest:");
    // The seed as a JSON number (it used to be read as seed 0).
    let seeds: Vec<PathBuf> = [&s1, &s2, &s3]
        .iter()
        .enumerate()
        .map(|(i, s)| edited(d, s, &format!("seed-{i}.json"), |v| v["seed"] = 5.into()))
        .collect();
    refused(
        d,
        &[&seeds[0], &seeds[1], &seeds[2]],
        "seed-0.json: seed: expected the seed as a string of decimal digits",
    );
    // Shortened arrays, which used to panic (index out of bounds).
    for (key, expect) in [
        (
            "heatmap",
            "state.heatmap.counts: 431 entries, but this scenario has 432",
        ),
        (
            "illegal_path",
            "state.illegal_path.counts: 144239 entries, but this scenario has 144240",
        ),
    ] {
        let short = edited(d, &s2, "short.json", |v| {
            v["state"][key]["counts"].as_array_mut().unwrap().pop();
        });
        refused(d, &[&s1, &short, &s3], &format!("short.json: {expect}"));
    }
    // The corridors' state: shortened, or left out.
    let short = edited(d, &s2, "short.json", |v| {
        v["state"]["corridors"]["sums"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
    refused(
        d,
        &[&s1, &short, &s3],
        "short.json: state.corridors.sums: 0 entries, but this scenario has 1",
    );
    let gone = edited(d, &s2, "gone.json", |v| {
        v["state"].as_object_mut().unwrap().remove("corridors");
    });
    refused(
        d,
        &[&s1, &gone, &s3],
        "gone.json: state: `corridors` is missing",
    );
    // A number of shards that would allocate terabytes if trusted.
    let huge = edited(d, &s1, "huge.json", |v| v["shard"]["n"] = u64::MAX.into());
    refused(
        d,
        &[&huge],
        "huge.json: shard: shard 1/18446744073709551615: at most 1000000 shards",
    );
    // The untouched shards still merge.
    gridrisk()
        .arg("merge")
        .args([&s1, &s2, &s3])
        .assert()
        .success();
}

/// Event-tail histograms that no samples can have are refused, naming the JSON path.
#[test]
fn shards_with_impossible_event_tails_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let [s1, s2] = [1, 2].map(|k| shard(d, k, 2, "5"));
    let fewer = edited(d, &s1, "fewer.json", |v| {
        let area = &mut v["state"]["tails"]["longest_h"][3];
        area.as_array_mut().unwrap().pop();
    });
    refused(d, &[&fewer, &s2], "state.tails.longest_h[3]:");
    let empty_value = edited(d, &s1, "empty.json", |v| {
        let area = v["state"]["tails"]["peak_mw"][0].as_array_mut().unwrap();
        area.push(serde_json::json!([99_999, 0]));
    });
    refused(d, &[&empty_value, &s2], "value 99999 with no sample");
    let bins = edited(d, &s1, "bins.json", |v| {
        v["state"]["tails"]["eue"][2]["zero"] = 0.into();
    });
    refused(d, &[&bins, &s2], "state.tails.eue[2].zero:");
}
