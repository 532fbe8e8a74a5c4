//! Multi-region scenarios end to end: the three-area RTS-79 benchmark.

use crate::util::{gridrisk, json, without_run};
use predicates::str::contains;

const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area-import.toml";

#[test]
fn three_area_result_has_regions_imports_and_lines() {
    let doc = json(&[
        "run",
        THREE,
        "--samples",
        "2000",
        "--seed",
        "4",
        "--format",
        "json",
    ]);
    for region in ["A", "B", "C"] {
        assert!(
            doc["regions"][region]["lole_h"]["mean"].is_number(),
            "{region}"
        );
    }
    assert!(
        doc["imports"]["EXT"]["import_mwh"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    for line in ["A-B", "B-C", "A-C"] {
        assert!(
            doc["lines"][line]["binding_h"]["mean"].is_number(),
            "{line}"
        );
    }
    // System LOLE counts hours in which any region is short: at least each region's.
    let sys = doc["system"]["lole_h"]["mean"].as_f64().unwrap();
    for region in ["A", "B", "C"] {
        assert!(doc["regions"][region]["lole_h"]["mean"].as_f64().unwrap() <= sys);
    }
}

#[test]
fn three_area_is_identical_for_any_thread_count() {
    let args = |t| {
        [
            "run",
            THREE,
            "--samples",
            "1500",
            "--seed",
            "9",
            "--threads",
            t,
            "--format",
            "json",
        ]
    };
    assert_eq!(
        serde_json::to_string(&without_run(json(&args("1")))).unwrap(),
        serde_json::to_string(&without_run(json(&args("2")))).unwrap()
    );
}

#[test]
fn analytic_refuses_a_multi_region_scenario_with_exit_2() {
    gridrisk()
        .args(["analytic", THREE])
        .assert()
        .code(2)
        .stderr(contains("3 regions"));
}

/// A variant of the Kazakhstan base (which declares `SOUTH-corridor`) with a one-line
/// corridor per line of the South's hub and the two lines into the hub as a set.
fn kazakhstan_with_corridors(dir: &std::path::Path) -> std::path::PathBuf {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/kazakhstan/winter-2021-22.toml");
    let mut text = format!(
        "name = \"kz-corridors\"\nextends = {:?}\n",
        base.to_str().unwrap()
    );
    for line in ["NORTH-HUB", "EAST-HUB", "HUB-SOUTH", "W-URAL-W-CASPIAN"] {
        text += &format!("[[corridors]]\nname = \"only {line}\"\nlines = [\"{line}\"]\n");
    }
    text += "[[corridors]]\nname = \"into the hub\"\nlines = [\"NORTH-HUB\", \"EAST-HUB\"]\n";
    let file = dir.join("corridors.toml");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn corridors_are_reported_in_json_csv_and_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = kazakhstan_with_corridors(dir.path());
    let file = file.to_str().unwrap();
    let args = |format| {
        [
            "run",
            file,
            "--samples",
            "40",
            "--seed",
            "3",
            "--format",
            format,
        ]
    };
    let doc = json(&args("json"));
    let c = &doc["corridors"];
    let mean = |v: &serde_json::Value| v["binding_h"]["mean"].as_f64().unwrap();
    assert_eq!(
        c["SOUTH-corridor"]["lines"],
        serde_json::json!(["NORTH-HUB", "EAST-HUB", "HUB-SOUTH"])
    );
    // A one-line corridor is that line, exactly (same hours, same samples).
    for line in ["NORTH-HUB", "EAST-HUB", "HUB-SOUTH", "W-URAL-W-CASPIAN"] {
        assert_eq!(
            c[format!("only {line}")]["binding_h"],
            doc["lines"][line]["binding_h"],
            "{line}"
        );
    }
    // The hub's lines in and out are two equal cuts: no line of them binds alone when both
    // are full, the whole corridor does; it binds only in hours with a shortfall.
    let south = mean(&c["SOUTH-corridor"]);
    assert!(
        south > 10.0 * mean(&doc["lines"]["HUB-SOUTH"]).max(0.1),
        "{c}"
    );
    assert!(south >= mean(&c["into the hub"]));
    assert!(south <= doc["system"]["lole_h"]["mean"].as_f64().unwrap());
    // The CSV has a row per corridor, the table a line per corridor with its lines.
    let csv = gridrisk().args(args("csv")).output().unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("kz-corridors,SOUTH-corridor,binding_h,"))
        .unwrap_or_else(|| panic!("no corridor row in\n{csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[3].parse::<f64>().unwrap(), south);
    assert_eq!(cells[7], "h/window");
    let table = gridrisk().args(args("table")).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("\ncorridor SOUTH-corridor: binding_h ")
            && table.contains(" h/window\n  of lines NORTH-HUB, EAST-HUB, HUB-SOUTH\n"),
        "{table}"
    );
}

#[test]
fn a_variant_overrides_a_corridor_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/kazakhstan/winter-2021-22.toml");
    let file = dir.path().join("v.toml");
    std::fs::write(
        &file,
        format!(
            "name = \"v\"\nextends = {:?}\n[[corridors]]\nname = \"SOUTH-corridor\"\n\
             lines = [\"HUB-SOUTH\"]\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    gridrisk()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains("corridors: SOUTH-corridor (HUB-SOUTH)\n"));
}
