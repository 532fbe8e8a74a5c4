//! CLI consistency across commands: the help names the schema each command writes, one
//! block-size default, a shard needs `--out`, the same CSV columns, `study --format` and
//! `sweep --samples`.

use crate::util::{gridrisk, json, without_run, RTS79};
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn help(command: &str) -> String {
    let out = gridrisk().args([command, "--help"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn each_commands_help_names_the_schema_it_writes() {
    let run = json(&["run", RTS79, "--samples", "10", "--format", "json"]);
    let compare = json(&[
        "compare",
        RTS79,
        RTS79,
        "--samples",
        "10",
        "--format",
        "json",
    ]);
    let analytic = json(&["analytic", RTS79, "--format", "json"]);
    for (command, doc) in [("run", run), ("compare", compare), ("analytic", analytic)] {
        let schema = doc["schema"].as_str().unwrap();
        assert!(
            help(command).contains(&format!("{schema} from `{command}`")),
            "`{command} --help` does not name {schema}"
        );
    }
}

#[test]
fn every_command_has_the_same_block_size_default() {
    let run = json(&["run", RTS79, "--samples", "250", "--format", "json"]);
    let compare = json(&[
        "compare",
        RTS79,
        RTS79,
        "--samples",
        "10",
        "--format",
        "json",
    ]);
    let dir = tempfile::tempdir().unwrap();
    gridrisk()
        .args(["study", "--samples", "4", "--threads", "1", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let study: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("study.json")).unwrap())
            .unwrap();
    assert_eq!(run["block_size"], 100);
    assert_eq!(compare["block_size"], run["block_size"]);
    assert_eq!(study["block_size"], run["block_size"]);
    for command in ["run", "compare", "study"] {
        let text = help(command);
        let option = &text[text.find("--block-size").unwrap()..];
        let default = &option[option.find("[default: ").unwrap()..];
        assert!(
            default.starts_with("[default: 100]"),
            "`{command} --help`: {option}"
        );
    }
    // With a fixed sample count the block size is recorded but changes no result.
    let mut other = json(&[
        "run",
        RTS79,
        "--samples",
        "250",
        "--block-size",
        "500",
        "--format",
        "json",
    ]);
    assert_eq!(other["block_size"], 500);
    other["block_size"] = run["block_size"].clone();
    assert_eq!(without_run(other), without_run(run));
}

#[test]
fn a_shard_needs_out_and_prints_nothing_without_it() {
    let out = gridrisk()
        .args(["run", RTS79, "--samples", "10", "--shard", "1/3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--shard") && stderr.contains("--out FILE"),
        "{stderr}"
    );
    // With --out the shard file is written, and `merge` reads it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shard-1-of-1.json");
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--shard", "1/1", "--out"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    gridrisk()
        .arg("merge")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("lole_h"));
}

#[test]
fn analytic_csv_has_runs_columns_with_an_exact_interval() {
    let csv = |args: &[&str]| {
        let out = gridrisk().args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let run = csv(&["run", RTS79, "--samples", "10", "--format", "csv"]);
    let analytic = csv(&["analytic", RTS79, "--format", "csv"]);
    let header = |s: &str| s.lines().next().unwrap().to_string();
    assert_eq!(header(&analytic), header(&run));
    let doc = json(&["analytic", RTS79, "--format", "json"]);
    let system = doc["system"].as_object().unwrap();
    let rows: Vec<&str> = analytic.lines().skip(1).collect();
    assert_eq!(rows.len(), system.len());
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells[..2], ["ieee-rts79", "system"], "{row}");
        let exact = system[cells[2]].as_f64().unwrap();
        let mean: f64 = cells[3].parse().unwrap();
        assert_eq!(mean, exact, "{row}");
        assert_eq!(cells[4], "0", "{row}");
        assert_eq!(cells[5..7], [cells[3], cells[3]], "{row}");
    }
}

/// A study of RTS-79 against itself in `dir`.
fn small_study(dir: &Path) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS79);
    let path = dir.join("study.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"s\"\nbase = {:?}\nsamples = 20\nseed = 3\n\n[[variants]]\nfile = {:?}\nlabel = \"same\"\n",
            base.display().to_string(),
            base.display().to_string()
        ),
    )
    .unwrap();
    path
}

#[test]
fn study_prints_the_chosen_format_and_always_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let study = small_study(dir.path());
    let stdout = |format: &str, out_dir: &str| {
        let out = gridrisk()
            .arg("study")
            .arg(&study)
            .args(["--format", format, "--out-dir"])
            .arg(dir.path().join(out_dir))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stderr = String::from_utf8(out.stderr).unwrap();
        (String::from_utf8(out.stdout).unwrap(), stderr)
    };
    let written = |out_dir: &str| {
        assert!(dir.path().join(out_dir).join("report.html").is_file());
        std::fs::read_to_string(dir.path().join(out_dir).join("study.json")).unwrap()
    };
    let (table, _) = stdout("table", "t");
    assert!(table.contains("results written to"), "{table}");
    // json: the study document alone on standard output, equal to study.json.
    let (doc, stderr) = stdout("json", "j");
    assert!(stderr.contains("results written to"), "{stderr}");
    assert_eq!(doc, written("j"));
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["schema"], "gridrisk.compare/1");
    // csv: compare's CSV of the same document.
    let (csv, stderr) = stdout("csv", "c");
    assert!(stderr.contains("results written to"), "{stderr}");
    written("c");
    let compare = gridrisk()
        .args([
            "compare",
            RTS79,
            RTS79,
            "--samples",
            "20",
            "--seed",
            "3",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let compare = String::from_utf8(compare.stdout).unwrap();
    // The same rows (the labels aside: a study names its variants).
    assert_eq!(csv.lines().next(), compare.lines().next());
    assert_eq!(csv.lines().count(), compare.lines().count());
    assert!(csv.lines().count() > 2, "{csv}");
}

#[test]
fn sweep_samples_overrides_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS79);
    let file = |samples: u64| {
        let path = dir.path().join(format!("sweep-{samples}.toml"));
        let text = format!(
            "name = \"t\"\nbase = {:?}\nsamples = {samples}\nseed = 7\nblock_size = 10\n\n\
             [[axes]]\nkey = \"units[U400].mttr_h\"\nvalues = [150, 300]\n",
            base.display().to_string()
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let sweep = |file: &Path, out: &str, samples: Option<&str>| {
        let out = dir.path().join(out);
        let mut cmd = gridrisk();
        cmd.arg("sweep").arg(file).arg("--out").arg(&out);
        if let Some(n) = samples {
            cmd.args(["--samples", n]);
        }
        cmd.assert().success();
        std::fs::read_to_string(out.join("summary.csv")).unwrap()
    };
    let overridden = sweep(&file(50), "a", Some("30"));
    // The same cells (named by their inputs, samples included) as a file that says 30.
    assert_eq!(overridden, sweep(&file(30), "b", None));
    assert_ne!(overridden, sweep(&file(50), "c", None));
    let cell = std::fs::read_dir(dir.path().join("a/cells"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cell).unwrap()).unwrap();
    assert_eq!(doc["samples"], 30);
    gridrisk()
        .arg("sweep")
        .arg(file(50))
        .arg("--out")
        .arg(dir.path().join("d"))
        .args(["--samples", "0"])
        .assert()
        .code(2)
        .stderr(contains("--samples"));
}
