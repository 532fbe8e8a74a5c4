//! Bad input: every file of the corpus in `tests/bad/` and every bad option value exits
//! with status 2, a clear message, and no panic.

use crate::util::{gridrisk, RTS79};
use predicates::str::contains;
use std::path::Path;

#[test]
fn every_corpus_file_gives_its_error_and_exit_2() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());
    let mut checked = 0;
    for file in files {
        let text = std::fs::read(&file).unwrap();
        let Some(expect) = String::from_utf8_lossy(&text)
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .map(str::to_string)
        else {
            continue; // a file another corpus file refers to (e.g. an extends target)
        };
        let out = gridrisk().arg("validate").arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
        assert!(
            stderr.contains(&expect),
            "{}: expected '{expect}' in: {stderr}",
            file.display()
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
        checked += 1;
    }
    assert!(checked >= 20, "{checked} corpus files checked");
}

#[test]
fn bad_option_values_exit_2() {
    for (args, expect) in [
        (vec!["run", RTS79, "--samples", "0"], "--samples"),
        (vec!["run", RTS79, "--threads", "abc"], "--threads"),
        (vec!["run", RTS79, "--format", "xml"], "--format"),
        (
            vec!["run", RTS79, "--target-rel-ci", "1.5"],
            "--target-rel-ci",
        ),
        (vec!["run", RTS79, "--seed=-1"], "--seed"),
        (vec!["run", "no/such/file.toml"], "no/such/file.toml"),
        (vec!["frobnicate"], "frobnicate"),
    ] {
        gridrisk()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains(expect));
    }
}

#[test]
fn analytic_refuses_nothing_it_can_do_and_validate_accepts_rts79() {
    gridrisk()
        .args(["validate", RTS79])
        .assert()
        .success()
        .stdout(contains("32 units").and(contains("3405.0 MW installed")));
}

#[test]
fn an_unwritable_output_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing-dir/r.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--out"])
        .arg(&target)
        .assert()
        .code(2)
        .stderr(contains("cannot write"));
    assert!(!target.exists());
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn every_command_refuses_an_unwritable_output_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let result = dir.path().join("r.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--format", "json", "--out"])
        .arg(&result)
        .assert()
        .success();
    let shard = dir.path().join("s.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--shard", "1/1", "--out"])
        .arg(&shard)
        .assert()
        .success();
    let inside_file = file.join("out.json");
    for args in [
        vec![
            "report".into(),
            result.display().to_string(),
            "--out".into(),
        ],
        vec!["merge".into(), shard.display().to_string(), "--out".into()],
        vec![
            "compare".into(),
            RTS79.into(),
            RTS79.into(),
            "--samples".into(),
            "10".into(),
            "--out".into(),
        ],
    ] {
        gridrisk()
            .args(&args)
            .arg(&inside_file)
            .assert()
            .code(2)
            .stderr(contains("cannot"));
    }
    gridrisk()
        .args(["study", "--samples", "5", "--out-dir"])
        .arg(file.join("dir"))
        .assert()
        .code(2)
        .stderr(contains("cannot"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}
