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

/// The EUE parts (households, illegal and registered mining) of a table: each `eue_mwh`
/// row is followed, in its area, by the three parts, which add up to it (each figure rounded
/// to the precision of its own interval). Returns how many areas were checked.
fn check_eue_parts_in_table(table: &str, what: &str) -> usize {
    let mut checked = 0;
    let mut total = None;
    let mut parts = Vec::new();
    for line in table.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        // `  eue_mwh MEAN ...` in run tables, `  system eue_mwh MEAN ...` in comparisons.
        let Some(at) = words.iter().take(2).position(|w| w.starts_with("eue_")) else {
            continue;
        };
        let mean: f64 = words[at + 1].parse().unwrap();
        if words[at] == "eue_mwh" {
            total = Some(mean);
            parts.clear();
            continue;
        }
        parts.push(mean);
        if parts.len() == 3 {
            let total = total.take().expect("eue_mwh comes first");
            let sum: f64 = parts.iter().sum();
            assert!(
                (sum - total).abs() <= 0.01 * total + 1.0,
                "{what}: parts {parts:?} vs total {total}:\n{table}"
            );
            checked += 1;
        }
    }
    checked
}

/// The fields of a CSV line (quoted fields may hold commas).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// In a results CSV, for every scenario and area, the EUE parts add up to `eue_mwh`, in the
/// means and (where there are some) the paired differences. Returns how many
/// (scenario, area) were checked.
fn check_eue_parts_in_csv(csv: &str, what: &str) -> usize {
    use std::collections::BTreeMap;
    let mut lines = csv.lines();
    let header = csv_fields(lines.next().unwrap());
    let col = |name: &str| header.iter().position(|c| c == name);
    let key = [col("scenario"), col("label"), col("area")];
    let (index, mean, diff) = (
        col("index").unwrap(),
        col("mean").unwrap(),
        col("diff_mean"),
    );
    // (scenario, label, area) -> index -> (mean, diff)
    type Indices = BTreeMap<String, (f64, Option<f64>)>;
    let mut areas: BTreeMap<Vec<String>, Indices> = BTreeMap::new();
    for line in lines {
        let f = csv_fields(line);
        assert_eq!(f.len(), header.len(), "{what}: {line}");
        let area: Vec<String> = key.iter().flatten().map(|&i| f[i].clone()).collect();
        let d = diff.and_then(|i| f[i].parse().ok());
        let m = f[mean].parse().unwrap_or(f64::NAN);
        areas
            .entry(area)
            .or_default()
            .insert(f[index].clone(), (m, d));
    }
    let mut checked = 0;
    for (area, indices) in &areas {
        let Some(&(total, total_diff)) = indices.get("eue_mwh") else {
            continue;
        };
        let parts: Vec<(f64, Option<f64>)> =
            ["eue_household_mwh", "eue_illegal_mwh", "eue_registered_mwh"]
                .iter()
                .map(|p| indices[*p])
                .collect();
        let sum: f64 = parts.iter().map(|p| p.0).sum();
        assert!(
            (sum - total).abs() <= 1e-9 * total.max(1.0),
            "{what} {area:?}: parts {parts:?} vs total {total}"
        );
        if let Some(total_diff) = total_diff {
            let sum: f64 = parts.iter().map(|p| p.1.unwrap()).sum();
            assert!(
                (sum - total_diff).abs() <= 1e-9 * total.max(1.0),
                "{what} {area:?}: differences {parts:?} vs {total_diff}"
            );
        }
        checked += 1;
    }
    checked
}

/// In every table and CSV with the EUE parts (households, illegal and registered mining),
/// they are all shown and add up to the total: run, compare and study, for the system and
/// (in runs and CSV) every region; study.csv is what `study --format csv` prints.
#[test]
fn the_eue_parts_add_up_in_every_table_and_csv() {
    let run = ["run", KZ, "--samples", "20"];
    // The system and six regions with demand.
    assert_eq!(check_eue_parts_in_table(&stdout(&run), "run table"), 7);
    let run_csv = stdout(&[&run[..], &["--format", "csv"]].concat());
    assert_eq!(check_eue_parts_in_csv(&run_csv, "run csv"), 7);
    let cmp = ["compare", KZ, KZ_VARIANT, "--samples", "20"];
    assert_eq!(check_eue_parts_in_table(&stdout(&cmp), "compare table"), 2);
    let cmp_csv = stdout(&[&cmp[..], &["--format", "csv"]].concat());
    assert_eq!(check_eue_parts_in_csv(&cmp_csv, "compare csv"), 14);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let study = ["study", "--samples", "3", "--out-dir", out];
    let table = stdout(&study);
    // The base, the calibrated winter and 14 variants.
    assert_eq!(check_eue_parts_in_table(&table, "study table"), 16);
    let study_csv = std::fs::read_to_string(dir.path().join("study.csv")).unwrap();
    assert_eq!(check_eue_parts_in_csv(&study_csv, "study.csv"), 16 * 7);
    let printed = stdout(&[&study[..], &["--format", "csv"]].concat());
    assert_eq!(printed, study_csv, "study --format csv prints study.csv");
}
