//! Shards and `merge`: any split of a run into shards merges into exactly the unsharded
//! result (the `"run"` key aside), and mismatched shard sets are refused.

use crate::util::{gridrisk, json, without_run};
use predicates::str::contains;
use std::path::Path;

const SCENARIO: &str = "scenarios/kazakhstan/winter-2021-22.toml";

fn shard(dir: &Path, k: u64, n: u64, seed: &str) -> std::path::PathBuf {
    let out = dir.join(format!("shard-{seed}-{k}-of-{n}.json"));
    gridrisk()
        .args([
            "run",
            SCENARIO,
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
    let full = json(&[
        "run",
        SCENARIO,
        "--samples",
        "140",
        "--block-size",
        "20",
        "--seed",
        "5",
        "--format",
        "json",
    ]);
    let expected = serde_json::to_string(&without_run(full)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for n in [1, 3, 7] {
        let files: Vec<_> = (1..=n).map(|k| shard(dir.path(), k, n, "5")).collect();
        // Merging in any order gives the same result.
        let mut reversed = files.clone();
        reversed.reverse();
        let out = dir.path().join(format!("merged-{n}.json"));
        gridrisk()
            .arg("merge")
            .args(&reversed)
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
    for (files, expect) in [
        (vec![&a1, &b2], "seed"),
        (vec![&a1], "exactly once"),
        (vec![&a1, &a1, &a2], "exactly once"),
        (vec![&a1, &garbage], "garbage.json: not a JSON shard file"),
    ] {
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
