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

/// Read a CSV written by gridrisk (no field holds a comma): header, rows.
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    (
        header,
        lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect(),
    )
}

/// MWh as written, back in whole watt-hours (each value is whole Wh / 10^6).
fn wh(mwh: &str) -> i64 {
    (mwh.parse::<f64>().unwrap() * 1e6).round() as i64
}

#[test]
fn each_event_is_attributed_exactly_and_alike_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &str| {
        let file = dir.path().join(format!("events-{threads}.csv"));
        let doc = json(&[
            "run",
            KAZAKHSTAN,
            "--samples",
            "30",
            "--threads",
            threads,
            "--attribute",
            "--events",
            file.to_str().unwrap(),
            "--format",
            "json",
        ]);
        (doc, std::fs::read(&file).unwrap())
    };
    let (doc, one) = run("1");
    let (_, two) = run("2");
    assert_eq!(one, two, "the catalogue with 1 and 2 threads");
    // Weather is a cause: every sample was re-simulated (samples without a shortfall too).
    assert_eq!(doc["attribution"]["resimulated_samples"], 30);
    let (header, rows) = read_csv(&dir.path().join("events-1.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let parts: Vec<usize> = (header.iter().enumerate())
        .filter(|(_, h)| h.starts_with("attributed_mwh."))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(parts.len(), 6, "five causes and the residual: {header:?}");
    assert!(rows.len() > 30);
    let (mut corridors, mut weather) = (0, 0);
    for row in &rows {
        let energy = wh(&row[col("energy_mwh")]);
        let sum: i64 = parts.iter().map(|&i| wh(&row[i])).sum();
        assert_eq!(sum, energy, "the parts of {row:?}");
        let split = wh(&row[col("national_deficit_mwh")]) + wh(&row[col("corridor_limited_mwh")]);
        assert_eq!(split, energy, "national + corridor-limited of {row:?}");
        corridors += wh(&row[col("attributed_mwh.corridors")]);
        weather += wh(&row[col("attributed_mwh.weather")]).abs();
    }
    assert!(
        corridors > 0 && weather > 0,
        "the causes act on some events"
    );
}

#[test]
fn one_cause_alone_gets_all_of_each_event() {
    // Region B is short 50 MW in every hour because the line from A carries only 50 MW;
    // A's small units fail, but A always has 900 MW to spare.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.csv");
    let doc = json(&[
        "run",
        "tests/data/attribution/corridor-only.toml",
        "--samples",
        "20",
        "--attribute",
        "--events",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        doc["attribution"]["causes"],
        serde_json::json!(["forced_outages", "corridors"])
    );
    let (header, rows) = read_csv(&file);
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(
        rows.len(),
        40,
        "one event of B and one of the system per sample"
    );
    for row in &rows {
        let energy = wh(&row[col("energy_mwh")]);
        assert_eq!(energy, 48 * 50_000_000, "50 MW for 48 h");
        assert_eq!(wh(&row[col("attributed_mwh.corridors")]), energy);
        assert_eq!(wh(&row[col("attributed_mwh.forced_outages")]), 0);
        assert_eq!(wh(&row[col("attributed_mwh.residual")]), 0);
        assert_eq!(wh(&row[col("corridor_limited_mwh")]), energy);
    }
    let share = &doc["attribution"]["regions"]["B"]["causes"]["corridors"]["share"]["mean"];
    assert_eq!(share.as_f64(), Some(1.0));
    // No weather, storage or demand response: samples without a shortfall need no re-run
    // (here every sample has one).
    assert_eq!(doc["attribution"]["resimulated_samples"], 20);
    assert_eq!(doc["attribution"]["no_shortfall_samples_changed"], 0);
}
