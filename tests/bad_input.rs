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

const UNCERTAIN_STUDY: &str = "tests/data/uncertain/study.toml";

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
        (
            vec!["compare", RTS79, RTS79, "--omit", "batteries"],
            "--omit",
        ),
        (vec!["study", "--omit", "storages,batteries"], "--omit"),
        // The default run's options: its design needs two winters per point; they are not
        // a command's.
        (vec!["--samples", "1"], "--samples"),
        (
            vec!["--samples", "5", "run", RTS79],
            "the subcommand 'run' cannot be used with '--samples <N>'",
        ),
        // Enormous work is refused without --force, absurd counts with it; exponent forms
        // must be whole.
        (
            vec!["run", RTS79, "--samples", "1e11"],
            "--samples 100000000000: 8.7e14 sample-hours (100000000000 samples of 8736 hours), about 29 days",
        ),
        // At 5-minute steps the work is counted in the steps the engine walks.
        (
            vec!["run", "scenarios/pras/toymodel.pras", "--samples", "1e12"],
            "2.9e14 sample-steps (1000000000000 samples of 288 steps of 5 min), about",
        ),
        (
            vec!["compare", RTS79, RTS79, "--samples", "1e10"],
            "2 scenarios), about 6 days of one core even at the engine's best pace; give fewer samples, or a --target to stop when the estimate is good enough, or --force",
        ),
        (
            vec!["run", RTS79, "--samples", "1e13", "--force"],
            "at most 1000000000000 samples (10^12) can be run, got 10000000000000",
        ),
        (
            vec!["run", RTS79, "--samples", "2.5e0"],
            "expected a whole number of samples >= 1 (e.g. 10000 or 1e4), got '2.5e0'",
        ),
        (
            vec!["study", UNCERTAIN_STUDY, "--target", "diff:lole_h:rel=0.1"],
            "--target: not for 'tests/data/uncertain/study.toml', a study with [[uncertain]] parameters",
        ),
        (
            vec!["study", UNCERTAIN_STUDY, "--events", "e.csv"],
            "--events: not for 'tests/data/uncertain/study.toml'",
        ),
        (
            vec!["study", UNCERTAIN_STUDY, "--per-sample", "p.csv"],
            "--per-sample: not for 'tests/data/uncertain/study.toml'",
        ),
        (vec!["run", "no/such/file.toml"], "no/such/file.toml"),
        (
            vec![
                "run",
                RTS79,
                "--attribute",
                "--shard",
                "1/2",
                "--out",
                "s.json",
            ],
            "--attribute cannot go with --shard",
        ),
        (vec!["run", RTS79, "--attribute=yes"], "--attribute"),
        (
            vec!["run", RTS79, "--worst-day", "day.txt"],
            "--worst-day day.txt: expected a file name ending in .csv or .json",
        ),
        (
            vec!["run", RTS79, "--worst-day", "no/such/dir/day.csv"],
            "no/such/dir/day.csv",
        ),
        (
            vec![
                "run",
                RTS79,
                "--worst-day",
                "day.csv",
                "--shard",
                "1/2",
                "--out",
                "s.json",
            ],
            "--worst-day cannot go with --shard",
        ),
        (vec!["compare", RTS79, RTS79, "--worst-day", "d.csv"], "--worst-day"),
        (vec!["compare", RTS79, RTS79, "--attribute"], "--attribute"),
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

/// `/dev/zero` or `/dev/urandom` grew to gigabytes and a FIFO hung forever wherever a
/// command read a file the user named: every command now refuses them, and a file over its
/// size limit (sparse, so it costs no disk), at once with exit 2 and the file's name.
#[cfg(unix)]
#[test]
fn devices_fifos_and_huge_files_exit_2_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(gridrisk_core::files::JSON.bytes + 1)
        .unwrap();
    let fifo = fifo.to_str().unwrap();
    let huge = huge.to_str().unwrap();
    let html = dir.path().join("r.html");
    let html = html.to_str().unwrap();
    let sweep_out = dir.path().join("sweep");
    let sweep_out = sweep_out.to_str().unwrap();
    let fifo_why = format!("{fifo}: cannot read scenario file: not a regular file (a FIFO)");
    let zero_why = "/dev/zero: cannot read scenario file: not a regular file (a character device)";
    let huge_why = "larger than the 256 MiB limit for a JSON file";
    for (args, expect) in [
        (vec!["validate", fifo], fifo_why.clone()),
        (vec!["run", "/dev/zero"], zero_why.into()),
        (vec!["compare", RTS79, fifo], fifo_why.clone()),
        (vec!["analytic", fifo], fifo_why),
        (
            vec!["study", fifo],
            format!("{fifo}: cannot read study file: not a regular file (a FIFO)"),
        ),
        (
            vec!["sweep", "/dev/urandom", "--out", sweep_out],
            "/dev/urandom: cannot read the sweep file: not a regular file (a character device)"
                .into(),
        ),
        (
            vec!["merge", fifo],
            format!("{fifo}: cannot read the shard file: not a regular file (a FIFO)"),
        ),
        (
            vec!["merge", huge],
            format!("{huge}: cannot read the shard file: {huge_why}"),
        ),
        (
            vec!["report", "/dev/zero", "--out", html],
            "cannot read result file /dev/zero: not a regular file (a character device)".into(),
        ),
        (
            vec!["report", huge, "--out", html],
            format!("cannot read result file {huge}: {huge_why}"),
        ),
    ] {
        gridrisk()
            .args(&args)
            .timeout(std::time::Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(contains(expect));
    }
}
