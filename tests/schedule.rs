//! Scheduled flows on import sources end to end: a schedule from a CSV column, the
//! scheduled energy exactly the column's sums, the parts of the import adding up, and every
//! output (JSON, table, CSV, `validate`'s summary) showing them.

use crate::util::{gridrisk, json};
use serde_json::Value;

const SCHEDULE: &str = "tests/data/schedule/three-area-schedule.toml";
const CSV: &str = "tests/data/schedule/ext.csv";

fn mean(v: &Value) -> f64 {
    v["mean"].as_f64().unwrap()
}

#[test]
fn a_csv_schedule_is_counted_exactly_and_the_parts_add_up() {
    let doc = json(&["run", SCHEDULE, "--samples", "300", "--format", "json"]);
    let ext = &doc["imports"]["EXT"];
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CSV))
        .unwrap();
    let mw: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let import: f64 = mw.iter().map(|x| x.max(0.0)).sum();
    let export: f64 = mw.iter().map(|x| (-x).max(0.0)).sum();
    assert_eq!(mean(&ext["scheduled_import_mwh"]), import);
    assert_eq!(mean(&ext["scheduled_export_mwh"]), export);
    assert_eq!(ext["scheduled_import_mwh"]["se"], 0.0);
    let (gross, beyond) = (mean(&ext["import_mwh"]), mean(&ext["beyond_schedule_mwh"]));
    assert!((gross - (import + beyond)).abs() < 1e-6, "{gross} {beyond}");
    let (served, curtailed) = (
        mean(&ext["export_served_mwh"]),
        mean(&ext["export_curtailed_mwh"]),
    );
    assert!((served + curtailed - export).abs() < 1e-6);
    assert!((mean(&ext["net_import_mwh"]) - (gross - served)).abs() < 1e-6);
    // The import path is the gross import; its scheduled part the column's daily means.
    let path = ext["mean_mw_by_day"].as_array().unwrap();
    let scheduled = ext["scheduled_mw_by_day"].as_array().unwrap();
    let day0: f64 = mw[..24].iter().map(|x| x.max(0.0)).sum::<f64>() / 24.0;
    assert_eq!(scheduled[0].as_f64().unwrap(), day0);
    assert!(path[0].as_f64().unwrap() >= day0);
    assert_eq!(path.len(), 364);

    let out = gridrisk().args(["validate", SCHEDULE]).output().unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("schedules (+ import, - export): EXT -40.0 to 120.0 MW"),
        "{out}"
    );
    for (format, want) in [
        ("table", "  scheduled_import_mwh 524160"),
        ("csv", ",EXT,net_import_mwh,"),
    ] {
        let out = gridrisk()
            .args(["run", SCHEDULE, "--samples", "20", "--format", format])
            .output()
            .unwrap();
        let out = String::from_utf8(out.stdout).unwrap();
        assert!(out.contains(want), "{format}: no {want:?} in\n{out}");
    }
}
