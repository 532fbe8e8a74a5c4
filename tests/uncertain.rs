//! Uncertain-parameter studies (`gridrisk study` with `[[uncertain]]`): a design whose
//! answer is known in closed form, reproducibility for any thread count, and the bad-input
//! corpus `tests/bad/uncertain/`.

use crate::util::{gridrisk, without_run};
use serde_json::Value;
use std::path::Path;

const STEP: &str = "tests/data/uncertain/study.toml";
const KAZAKHSTAN: &str = "scenarios/kazakhstan/uncertain.toml";

/// Run the study `file` with `args` into a temporary directory; its document.
fn study(file: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = gridrisk()
        .args(["study", file, "--format", "json", "--out-dir"])
        .arg(dir.path())
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{file}: {stderr}");
    for f in ["study.json", "study.csv", "points.csv", "report.html"] {
        assert!(dir.path().join(f).is_file(), "{f} written");
    }
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Uncertain-parameter study") && html.contains("driven most by"));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// The step system: LOLE = 64 - floor(C / 40) in every sample, C uniform on [0, 2560]; a
/// 64-point Sobol design puts one C in each 40 MW stratum, so the design's LOLE values are
/// exactly 1..64, whatever the scrambling.
#[test]
fn a_step_system_gives_its_closed_form_over_the_design() {
    let doc = study(STEP, &[]);
    assert_eq!(doc["schema"], "gridrisk.uncertain/1");
    let mut lole: Vec<f64> = doc["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| f(&p["scenarios"][0]["lole_h"]["mean"]))
        .collect();
    lole.sort_by(f64::total_cmp);
    assert_eq!(lole, (1..=64).map(f64::from).collect::<Vec<_>>());
    let base = &doc["scenarios"][0]["lole_h"];
    // Central C = 1280.0005: floor(C / 40) = 32.
    assert_eq!(f(&base["central"]["mean"]), 32.0);
    let d = &base["design"];
    assert_eq!(f(&d["mean"]), 32.5);
    assert_eq!((f(&d["var_noise"]), f(&d["reliability"])), (0.0, 1.0));
    // Type-7 quantiles of 1..64: 1 + 63 q.
    for (p, q) in [("p10", 7.3), ("p50", 32.5), ("p90", 57.7)] {
        assert!((f(&d["corrected"][p]) - q).abs() < 1e-9, "{p}");
        assert_eq!(d["corrected"][p], d["raw"][p]);
    }
    assert_eq!(base["sensitivity"]["unit-mw"], -1.0);
    assert_eq!(base["driver"], "unit-mw");
    // The 400 MW unit saves min(10, 64 - floor(C / 40)) h: more than 9.5 h at the 55
    // points with floor(C / 40) <= 54.
    let beats = &doc["scenarios"][1]["lole_h"]["beats_base"];
    assert_eq!(f(&beats["threshold"]), 9.5);
    assert_eq!(f(&beats["probability"]), 55.0 / 64.0);
    assert_eq!(f(&beats["central_reduction"]), 10.0);
    assert_eq!(beats["driver"], "unit-mw");
}

/// The CSV files say what the document says.
#[test]
fn the_csv_files_carry_the_document() {
    let dir = tempfile::tempdir().unwrap();
    gridrisk()
        .args(["study", STEP, "--format", "csv", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("study.csv")).unwrap();
    assert!(csv.starts_with("label,index,statistic,value\n"));
    assert!(
        csv.contains("base: step,lole_h,design_mean,32.5\n"),
        "{csv}"
    );
    assert!(csv.contains("plus 400 MW,lole_h,beats_probability,0.859375\n"));
    assert!(csv.contains("base: step,lole_h,driver,unit-mw\n"));
    let points = std::fs::read_to_string(dir.path().join("points.csv")).unwrap();
    let lines: Vec<&str> = points.lines().collect();
    assert_eq!(
        lines[0],
        "point,unit-mw,repair-h,label,lole_h_mean,lole_h_se,lole_h_diff_mean,lole_h_diff_se,\
         eue_mwh_mean,eue_mwh_se,eue_mwh_diff_mean,eue_mwh_diff_se"
    );
    assert_eq!(lines.len(), 1 + 64 * 2);
}

#[test]
fn a_design_is_bit_identical_for_any_thread_count_and_block_size() {
    let args = ["--samples", "2"];
    let one = without_run(study(
        KAZAKHSTAN,
        &[&args[..], &["--threads", "1"]].concat(),
    ));
    let two = without_run(study(
        KAZAKHSTAN,
        &[&args[..], &["--threads", "2", "--block-size", "1"]].concat(),
    ));
    assert_eq!(one, two);
    assert_eq!(one["points"].as_array().unwrap().len(), 64);
    // Common random numbers: the inner seed is the study's at every point.
    assert_eq!(one["seed"], "1");
    // The design is the file's: every point sets every parameter.
    let values = one["points"][0]["values"].as_object().unwrap();
    assert_eq!(values.len(), 3);
}

#[test]
fn every_uncertain_corpus_file_gives_its_error_and_exit_2() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/uncertain");
    let out_dir = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus has {} files", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{}: no expect line", file.display()));
        let out = gridrisk()
            .arg("study")
            .arg(&file)
            .arg("--out-dir")
            .arg(out_dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
        assert!(
            stderr.contains(expect),
            "{}: expected '{expect}' in: {stderr}",
            file.display()
        );
        // The study file and the line of the parameter or key at fault.
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(stderr.contains(&format!("{name}:")), "{stderr}");
        assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    }
}
