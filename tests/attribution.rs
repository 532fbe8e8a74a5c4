//! Cause attribution on the command line (`run --attribute`): on the Kazakhstan base, the
//! South's EUE splits into national deficit and corridor-limited parts and into the causes'
//! Shapley shares; the same numbers in JSON, CSV, the table and the HTML report; the rest of
//! the result unchanged by the option; bit-identical for any thread count.

use crate::util::{gridrisk, json, without_run};

const KAZAKHSTAN: &str = "scenarios/kazakhstan/winter-2021-22.toml";

fn mean(v: &serde_json::Value) -> f64 {
    v["mean"].as_f64().unwrap()
}

#[test]
fn kazakhstan_south_splits_into_national_deficit_and_corridor_limited() {
    let args = |threads: &'static str| {
        [
            "run",
            KAZAKHSTAN,
            "--samples",
            "200",
            "--threads",
            threads,
            "--attribute",
            "--format",
            "json",
        ]
    };
    let doc = without_run(json(&args("1")));
    assert_eq!(doc, without_run(json(&args("2"))), "1 and 2 threads");
    // The option adds its section and changes nothing else.
    let mut plain = without_run(json(&[
        "run",
        KAZAKHSTAN,
        "--samples",
        "200",
        "--threads",
        "2",
        "--format",
        "json",
    ]));
    let mut rest = doc.clone();
    rest.as_object_mut().unwrap().remove("attribution");
    plain.as_object_mut().unwrap().remove("attribution");
    assert_eq!(rest, plain);

    let a = &doc["attribution"];
    assert_eq!(
        a["causes"],
        serde_json::json!([
            "forced_outages",
            "imports",
            "corridors",
            "weather",
            "illegal_mining"
        ])
    );
    for (name, area) in std::iter::once(("system", &a["system"])).chain(
        a["regions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v)),
    ) {
        let eue = mean(&area["eue_mwh"]);
        let own = if name == "system" {
            &doc["system"]["eue_mwh"]
        } else {
            &doc["regions"][name]["eue_mwh"]
        };
        // The attributed energy is the run's own EUE (the same samples).
        assert!((eue - mean(own)).abs() <= 1e-9 * eue.max(1.0), "{name}");
        let split =
            mean(&area["national_deficit"]["eue_mwh"]) + mean(&area["corridor_limited"]["eue_mwh"]);
        assert!(
            (split - eue).abs() <= 1e-9 * eue.max(1.0),
            "{name}: {split} vs {eue}"
        );
        let parts: f64 = (area["causes"].as_object().unwrap().values())
            .map(|p| mean(&p["eue_mwh"]))
            .sum();
        assert!(
            (parts - eue).abs() <= 1e-9 * eue.max(1.0),
            "{name}: {parts} vs {eue}"
        );
    }
    let south = &a["regions"]["SOUTH"];
    assert!(mean(&south["eue_mwh"]) > 1000.0);
    let national = &south["national_deficit"]["share"];
    let (lo, hi) = (
        national["ci95"][0].as_f64().unwrap(),
        national["ci95"][1].as_f64().unwrap(),
    );
    assert!(0.0 < lo && lo < mean(national) && mean(national) < hi && hi < 1.0);
}

#[test]
fn attribution_is_in_the_csv_the_table_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let base = [
        "run",
        KAZAKHSTAN,
        "--samples",
        "20",
        "--threads",
        "2",
        "--attribute",
    ];
    let doc = json(&[&base[..], &["--format", "json"]].concat());
    let csv = gridrisk()
        .args(base)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let south = mean(&doc["attribution"]["regions"]["SOUTH"]["national_deficit"]["eue_mwh"]);
    let row = csv
        .lines()
        .find(|l| l.contains(",SOUTH,attributed_mwh[national_deficit],"))
        .expect("a CSV row of the South's national deficit");
    let value: f64 = row.split(',').nth(3).unwrap().parse().unwrap();
    assert_eq!(value, south);
    assert!(csv.contains(",system,attributed_share[corridors],"));
    let table = gridrisk()
        .args(base)
        .args(["--format", "table"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("cause attribution of unserved energy"));
    assert!(table.contains("    national deficit"));
    std::fs::write(&result, serde_json::to_string(&doc).unwrap()).unwrap();
    let html = dir.path().join("r.html");
    gridrisk()
        .args(["report"])
        .arg(&result)
        .arg("--out")
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("What causes the unserved energy"));
    assert!(html.contains("corridor-limited"));
}
