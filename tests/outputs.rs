//! Outputs and limits of the command line: output paths checked before any simulation,
//! only regular files written, results printed when a write fails late, stale temporary
//! files cleaned, a closed or full standard output, `--require-target`, and the bounds on
//! threads and samples.

use crate::util::{gridrisk, RTS79};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run that would take hours if it were simulated before its output is checked.
const FOREVER: &str = "1000000000";

#[test]
fn an_unusable_output_path_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for args in [
        vec![
            "run",
            RTS79,
            "--samples",
            FOREVER,
            "--out",
            "/proc/x/y.json",
        ],
        vec![
            "compare",
            RTS79,
            RTS79,
            "--samples",
            FOREVER,
            "--out",
            "/proc/x/y.json",
        ],
        vec!["analytic", RTS79, "--out", "/proc/x/y.json"],
        vec!["study", "--samples", FOREVER, "--out-dir", "/proc/x"],
    ] {
        gridrisk()
            .args(&args)
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(contains("/proc/x"));
    }
    // study.json already there as a directory: refused before the study runs.
    std::fs::create_dir(dir.path().join("study.json")).unwrap();
    gridrisk()
        .args(["study", "--samples", FOREVER, "--out-dir"])
        .arg(dir.path())
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(contains("study.json: is a directory"));
}

#[test]
fn symbolic_links_fifos_and_devices_are_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared.json");
    std::fs::write(&shared, "precious").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&shared, &link).unwrap();
    let fifo = dir.path().join("fifo.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let shard = dir.path().join("s.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--shard", "1/1", "--out"])
        .arg(&shard)
        .assert()
        .success();
    let result = dir.path().join("r.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--format", "json", "--out"])
        .arg(&result)
        .assert()
        .success();
    let (result, shard) = (result.display().to_string(), shard.display().to_string());
    for (target, what) in [
        (link.as_path(), "is a symbolic link"),
        (fifo.as_path(), "is a FIFO"),
        (Path::new("/dev/null"), "is a device"),
        (dir.path(), "is a directory"),
    ] {
        for args in [
            vec!["run", RTS79, "--samples", FOREVER, "--out"],
            vec!["compare", RTS79, RTS79, "--samples", FOREVER, "--out"],
            vec!["analytic", RTS79, "--out"],
            vec!["merge", &shard, "--out"],
            vec!["report", &result, "--out"],
        ] {
            gridrisk()
                .args(&args)
                .arg(target)
                .timeout(Duration::from_secs(60))
                .assert()
                .code(2)
                .stderr(contains(format!("{}: {what}", target.display())));
        }
    }
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&shared).unwrap(), "precious");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    use std::os::unix::fs::FileTypeExt;
    assert!(fifo.symlink_metadata().unwrap().file_type().is_fifo());
}

/// The output directory disappears while the run simulates: the result goes to standard
/// output, then the write error, exit 1.
#[test]
fn a_late_write_failure_prints_the_result_first() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let child = Command::new(assert_cmd::cargo::cargo_bin("gridrisk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            RTS79,
            "--samples",
            "200000",
            "--threads",
            "1",
            "--out",
        ])
        .arg(sub.join("r.txt"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the run has used 0.1 s of processor time its output check is long past.
    let cpu_ticks = || -> u64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        after
            .split_whitespace()
            .nth(11)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0)
    };
    let started = Instant::now();
    while cpu_ticks() < 10 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::remove_dir(&sub).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("r.txt"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("200000 samples") && stdout.contains("lole_h"),
        "{stdout}"
    );
}

#[test]
fn stale_temporary_files_are_removed_and_live_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let pid_max: u64 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let dead = dir.path().join(format!(".r.json.tmp-{}", pid_max + 1));
    let live = dir
        .path()
        .join(format!(".r.json.tmp-{}", std::process::id()));
    let other = dir.path().join(format!(".other.json.tmp-{}", pid_max + 1));
    for f in [&dead, &live, &other] {
        std::fs::write(f, "partial").unwrap();
    }
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--out"])
        .arg(dir.path().join("r.json"))
        .assert()
        .success();
    assert!(
        !dead.exists(),
        "the temporary file of a dead writer is left"
    );
    assert!(live.exists(), "a live writer's temporary file was removed");
    assert!(other.exists(), "another file's temporary was removed");
    assert!(dir.path().join("r.json").exists());
}

#[test]
fn a_full_standard_output_exits_1_with_a_message() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("gridrisk"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", RTS79, "--samples", "10"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `gridrisk ... | head -1`: the reader is gone before anything is written.
#[test]
fn a_closed_standard_output_ends_quietly() {
    for args in [
        vec!["validate", "scenarios/kazakhstan/winter-2021-22.toml"],
        vec!["scenarios"],
        vec!["run", RTS79, "--samples", "10", "--format", "csv"],
        vec!["run", RTS79, "--samples", "10", "--format", "json"],
        vec!["analytic", RTS79],
    ] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("gridrisk"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[test]
fn require_target_exits_3_when_the_target_is_not_met_and_still_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    gridrisk()
        .args([
            "run",
            RTS79,
            "--target-rel-ci",
            "0.01",
            "--max-samples",
            "200",
        ])
        .args(["--require-target", "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(contains("not met"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["stop"]["met"], false);
    assert_eq!(doc["samples"], 200);
    // Met: exit 0. Without --require-target an unmet target still exits 0.
    gridrisk()
        .args([
            "run",
            RTS79,
            "--target-rel-ci",
            "0.5",
            "--max-samples",
            "20000",
        ])
        .arg("--require-target")
        .assert()
        .success()
        .stdout(contains("(met, "));
    gridrisk()
        .args([
            "run",
            RTS79,
            "--target-rel-ci",
            "0.01",
            "--max-samples",
            "200",
        ])
        .assert()
        .success()
        .stdout(contains("NOT met"));
    // Only with a target.
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--require-target"])
        .assert()
        .code(2)
        .stderr(contains("--require-target"));
}

#[test]
fn threads_and_samples_are_bounded_with_a_clear_message() {
    let cores = std::thread::available_parallelism().unwrap().get();
    gridrisk()
        .args(["run", RTS79, "--threads", "100000"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(contains("--threads").and(contains(format!("at most {}", 4 * cores))));
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--threads"])
        .arg((4 * cores).to_string())
        .assert()
        .success();
    for args in [
        vec!["run", RTS79, "--samples", "1000000000000001"],
        vec!["run", RTS79, "--samples", "1000000000000000"],
        vec![
            "run",
            RTS79,
            "--target-rel-ci",
            "0.1",
            "--max-samples",
            "1000000000000001",
        ],
        vec!["compare", RTS79, RTS79, "--samples", "1000000000000001"],
    ] {
        gridrisk()
            .args(&args)
            .timeout(Duration::from_secs(60))
            .assert()
            .code(2)
            .stderr(contains("at most 1000000000000 samples"));
    }
}
