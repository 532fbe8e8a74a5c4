//! Units from the window and numbers a person can read: one per-sample unit (`yr`,
//! `window`, `sample`) in tables, CSV, JSON and the report; no scientific notation in any
//! table; every table line at most 100 columns.

use crate::util::{gridrisk, json, RTS79};
use serde_json::Value;
use std::path::Path;

const JULY: &str = "tests/data/units/july.toml";
const JANUARY: &str = "tests/data/analytic/base.toml";
const WEEK: &str = "tests/data/units/week.toml";
const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area.toml";
const KZ: &str = "scenarios/kazakhstan/winter-2021-22.toml";
const KZ_VARIANT: &str = "scenarios/kazakhstan/interruptible.toml";

/// Standard output of a successful command.
fn stdout(args: &[&str]) -> String {
    let out = gridrisk().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "gridrisk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The windows of the tests: scenario, unit word, the sample in words, first date.
const WINDOWS: [(&str, &str, &str, Option<&str>); 4] = [
    (
        JULY,
        "window",
        "1 Jul 2021 - 31 Jul 2021 window",
        Some("2021-07-01"),
    ),
    (
        JANUARY,
        "window",
        "4 Jan 2021 - 31 Jan 2021 window",
        Some("2021-01-04"),
    ),
    (RTS79, "yr", "year", None),
    (WEEK, "sample", "168-h sample", None),
];

/// Every `unit` of an index in a table row `  key ... unit` is the one for `per`.
fn check_table_units(table: &str, per: &str, what: &str) {
    let header = format!("\"/{per}\" = per ");
    assert!(table.contains(&header), "{what}: no {header:?} in\n{table}");
    for (key, unit) in [
        ("lole_h", format!("h/{per}")),
        ("eue_mwh", format!("MWh/{per}")),
        ("lolf", format!("events/{per}")),
    ] {
        // `  lole_h ...` in run and analytic tables, `  system lole_h ...` in comparisons.
        let rows: Vec<&str> = table
            .lines()
            .filter(|l| l.split_whitespace().take(2).any(|w| w == key))
            .collect();
        assert!(
            key == "lolf" || !rows.is_empty(),
            "{what}: no {key} row in\n{table}"
        );
        for row in rows {
            assert!(row.ends_with(&format!("  {unit}")), "{what}: {row:?}");
        }
    }
    for other in ["yr", "window", "sample", "winter"] {
        if other != per {
            assert!(
                !table.contains(&format!("h/{other}")),
                "{what}: h/{other} in\n{table}"
            );
        }
    }
}

/// The CSV has a `unit` column last, on every row, and it is `h/<per>` for `lole_h`.
fn check_csv_units(csv: &str, per: &str, what: &str) {
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.ends_with(",unit"), "{what}: {header}");
    let columns = header.split(',').count();
    let mut seen = 0;
    for row in lines {
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(cells.len(), columns, "{what}: {row}");
        let index = cells[header.split(',').position(|c| c == "index").unwrap()];
        let unit = *cells.last().unwrap();
        if index == "lole_h" {
            assert_eq!(unit, format!("h/{per}"), "{what}: {row}");
            seen += 1;
        }
        if index.ends_with("_mwh") {
            assert_eq!(unit, format!("MWh/{per}"), "{what}: {row}");
        }
    }
    assert!(seen > 0, "{what}: no lole_h row");
}

fn check_window_json(doc: &Value, scenario: &str, per: &str, words: &str, start: Option<&str>) {
    let w = &doc["window"];
    assert_eq!(w["unit"], per, "{scenario}");
    assert_eq!(w["per"], words, "{scenario}");
    assert_eq!(w["hours"], doc["horizon_h"], "{scenario}");
    assert_eq!(w["start"].as_str(), start, "{scenario}");
    assert_eq!(
        w["utc_offset"].as_str().map(str::len),
        Some(6),
        "{scenario}"
    );
}

#[test]
fn the_unit_follows_the_window_in_table_csv_json_and_report() {
    let dir = tempfile::tempdir().unwrap();
    for (scenario, per, words, start) in WINDOWS {
        let run = ["run", scenario, "--samples", "40", "--format"];
        let doc = json(&[&run[..], &["json"]].concat());
        check_window_json(&doc, scenario, per, words, start);
        let table = stdout(&[&run[..], &["table"]].concat());
        check_table_units(&table, per, scenario);
        check_csv_units(&stdout(&[&run[..], &["csv"]].concat()), per, scenario);

        let cmp = ["compare", scenario, scenario, "--samples", "20", "--format"];
        let cdoc = json(&[&cmp[..], &["json"]].concat());
        check_window_json(&cdoc, scenario, per, words, start);
        check_table_units(&stdout(&[&cmp[..], &["table"]].concat()), per, scenario);
        check_csv_units(&stdout(&[&cmp[..], &["csv"]].concat()), per, scenario);

        let adoc = json(&["analytic", scenario, "--format", "json"]);
        check_window_json(&adoc, scenario, per, words, start);
        check_table_units(&stdout(&["analytic", scenario]), per, scenario);
        let acsv = stdout(&["analytic", scenario, "--format", "csv"]);
        check_csv_units(&acsv, per, scenario);

        let file = dir.path().join("doc.json");
        std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
        let cfile = dir.path().join("cmp.json");
        std::fs::write(&cfile, serde_json::to_string(&cdoc).unwrap()).unwrap();
        let html = dir.path().join("report.html");
        gridrisk()
            .arg("report")
            .args([&file, &cfile])
            .arg("--out")
            .arg(&html)
            .assert()
            .success();
        let html = std::fs::read_to_string(&html).unwrap();
        assert!(html.contains(&format!("lole_h (h/{per})")), "{scenario}");
        assert!(html.contains(&format!("per {words}")), "{scenario}");
        assert!(!html.contains("winter"), "{scenario}");
    }
}

/// The tokens of `text` that read as numbers in scientific notation (`1.0727e5`).
fn scientific(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "[](),;:=".contains(c))
        .filter(|t| t.contains(['e', 'E']) && t.parse::<f64>().is_ok())
        .map(String::from)
        .collect()
}

/// No table has scientific notation or a line over 100 columns.
fn check_readable(table: &str, what: &str) {
    assert!(table.lines().count() > 3, "{what}: {table}");
    assert!(
        scientific(table).is_empty(),
        "{what}: {:?} in\n{table}",
        scientific(table)
    );
    for line in table.lines() {
        assert!(line.chars().count() <= 100, "{what}: {line:?}");
    }
}

#[test]
fn scientific_notation_is_caught() {
    assert_eq!(
        scientific("mean 1.0727e5 [-3.8556e-4, 0.002386]"),
        ["1.0727e5", "-3.8556e-4"]
    );
    assert!(scientific("ieee-rts79 (fa1e12d47b6b5b48) 107270 h/yr").is_empty());
}

#[test]
fn tables_have_plain_numbers_and_fit_100_columns() {
    for scenario in [RTS79, THREE, KZ, WEEK] {
        let table = stdout(&["run", scenario, "--samples", "30"]);
        check_readable(&table, scenario);
    }
    check_readable(&stdout(&["analytic", RTS79]), "analytic");
    for (base, variant, samples) in [(KZ, KZ_VARIANT, "8"), (THREE, THREE, "50")] {
        let table = stdout(&["compare", base, variant, "--samples", samples]);
        check_readable(&table, base);
    }
    let dir = tempfile::tempdir().unwrap();
    let shards: Vec<_> = (1..=2)
        .map(|k| {
            let out = dir.path().join(format!("s{k}.json"));
            gridrisk()
                .args(["run", THREE, "--samples", "40", "--block-size", "20"])
                .arg("--shard")
                .arg(format!("{k}/2"))
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    let merged = gridrisk().arg("merge").args(&shards).output().unwrap();
    assert!(merged.status.success());
    check_readable(&String::from_utf8(merged.stdout).unwrap(), "merge");
    let study_dir = dir.path().join("study");
    let study = stdout(&[
        "study",
        "--samples",
        "4",
        "--out-dir",
        study_dir.to_str().unwrap(),
    ]);
    check_readable(&study, "study");
    assert!(Path::new(&study_dir).join("study.json").exists());
}

/// The report's sentence of each variant: it names a change (lowers, raises) only when the
/// interval of the difference excludes zero, never with "cannot tell"; numbers are plain.
#[test]
fn report_sentences_never_name_a_change_they_cannot_tell() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = dir.path().join("cmp.json");
    gridrisk()
        .args(["compare", KZ, KZ_VARIANT, KZ, "--samples", "12"])
        .args(["--format", "json", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    let html = dir.path().join("report.html");
    gridrisk()
        .arg("report")
        .arg(&cmp)
        .arg("--out")
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html).unwrap();
    let sentences: Vec<&str> = html
        .split(['<', '>'])
        .filter(|t| t.contains("expected hours of shortfall") && t.contains(" h per "))
        .collect();
    assert_eq!(sentences.len(), 2, "{sentences:?}");
    // The interruptible variant lowers the South's LOLE clearly; the base against itself
    // changes nothing.
    assert!(sentences[0].contains(" lowers "), "{}", sentences[0]);
    assert!(sentences[1].contains("cannot tell"), "{}", sentences[1]);
    for s in sentences {
        let names_change = s.contains(" lowers ") || s.contains(" raises ");
        assert!(names_change != s.contains("cannot tell"), "{s}");
        assert!(scientific(s).is_empty(), "{s}");
        assert!(s.contains("per 1 Nov 2021 - 28 Feb 2022 window"), "{s}");
    }
}

/// In the comparison table, the EUE parts (households, illegal and registered mining) are
/// all shown and add up to the total, for the base and for each variant.
#[test]
fn compare_tables_show_every_eue_part_and_they_add_up() {
    let table = stdout(&["compare", KZ, KZ_VARIANT, "--samples", "20"]);
    let mut blocks = 0;
    let mut total = None;
    let mut parts = Vec::new();
    let mean = |line: &str| -> f64 { line.split_whitespace().nth(2).unwrap().parse().unwrap() };
    for line in table.lines() {
        let t = line.trim_start();
        if t.starts_with("system eue_mwh") {
            total = Some(mean(t));
            parts.clear();
        } else if t.starts_with("system eue_") {
            parts.push(mean(t));
            if parts.len() == 3 {
                let total = total.expect("eue_mwh comes first");
                let sum: f64 = parts.iter().sum();
                // Each figure is rounded to the precision of its own interval.
                assert!(
                    (sum - total).abs() <= 0.01 * total + 1.0,
                    "parts {parts:?} vs total {total}:\n{table}"
                );
                blocks += 1;
            }
        }
    }
    assert_eq!(
        blocks, 2,
        "base and variant each show three parts:\n{table}"
    );
}
