//! The event catalogue and per-sample output (`--events`, `--per-sample`): their agreement
//! with the run's indices, sample by sample; identical files for any thread count, block
//! split and shard split; Parquet that reads back as the CSV; bad paths.

use crate::util::{gridrisk, json, without_run, RTS79};
use std::collections::HashMap;
use std::path::Path;

const KAZAKHSTAN: &str = "scenarios/kazakhstan/winter-2021-22.toml";

/// A CSV file written by gridrisk (no field holds a comma): header, rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// MWh as written back to whole watt-hours (exact: each value is a whole number of Wh
/// divided by 10^6, correctly rounded).
fn wh(mwh: &str) -> i64 {
    (mwh.parse::<f64>().unwrap() * 1e6).round() as i64
}

/// Run `args` with `--events` and `--per-sample` into `dir` (as `ext`), return the result.
fn run_with_rows(dir: &Path, ext: &str, args: &[&str]) -> serde_json::Value {
    let events = dir.join(format!("events.{ext}"));
    let samples = dir.join(format!("samples.{ext}"));
    let mut all = args.to_vec();
    all.extend([
        "--events",
        events.to_str().unwrap(),
        "--per-sample",
        samples.to_str().unwrap(),
        "--format",
        "json",
    ]);
    json(&all)
}

#[test]
fn events_are_lolf_and_their_energy_is_eue_sample_by_sample() {
    let dir = tempfile::tempdir().unwrap();
    let doc = run_with_rows(
        dir.path(),
        "csv",
        &["run", RTS79, "--samples", "3000", "--seed", "7"],
    );
    let (eh, events) = read_csv(&dir.path().join("events.csv"));
    let (sh, samples) = read_csv(&dir.path().join("samples.csv"));
    let (e_sample, e_area, e_energy) = (
        column(&eh, "sample"),
        column(&eh, "area"),
        column(&eh, "energy_mwh"),
    );
    let (duration, start, peak_hour) = (
        column(&eh, "duration_h"),
        column(&eh, "start_hour"),
        column(&eh, "peak_hour"),
    );
    // Per (sample, area): events and energy from the catalogue.
    let mut from_events: HashMap<(String, String), (i64, i64, i64)> = HashMap::new();
    for e in &events {
        let d: i64 = e[duration].parse().unwrap();
        let (s, p): (i64, i64) = (e[start].parse().unwrap(), e[peak_hour].parse().unwrap());
        assert!(
            d >= 1 && s <= p && p < s + d,
            "peak inside the event: {e:?}"
        );
        let x = from_events
            .entry((e[e_sample].clone(), e[e_area].clone()))
            .or_default();
        x.0 += 1;
        x.1 += wh(&e[e_energy]);
        x.2 += d;
    }
    let (s_sample, s_area, lolf, eue, lole) = (
        column(&sh, "sample"),
        column(&sh, "area"),
        column(&sh, "lolf"),
        column(&sh, "eue_mwh"),
        column(&sh, "lole_h"),
    );
    assert_eq!(samples.len(), 2 * 3000, "one row per sample and area");
    let mut sums = HashMap::<String, (i64, i64, i64)>::new();
    let mut short_samples = 0;
    for r in &samples {
        let got = from_events
            .remove(&(r[s_sample].clone(), r[s_area].clone()))
            .unwrap_or_default();
        let want = (
            r[lolf].parse::<i64>().unwrap(),
            wh(&r[eue]),
            r[lole].parse::<i64>().unwrap(),
        );
        assert_eq!(got, want, "sample {} area {}", r[s_sample], r[s_area]);
        short_samples += i64::from(want.0 > 0);
        let t = sums.entry(r[s_area].clone()).or_default();
        t.0 += want.0;
        t.1 += want.1;
        t.2 += want.2;
    }
    assert!(
        from_events.is_empty(),
        "events of no sample row: {from_events:?}"
    );
    assert!(short_samples > 100, "the check saw shortfalls");
    // Per-sample rows sum to the run's totals.
    let n = 3000.0;
    let sys = &doc["system"];
    let (events, energy, hours) = sums["system"];
    assert_eq!(events as f64 / n, sys["lolf"]["mean"].as_f64().unwrap());
    assert_eq!(hours as f64 / n, sys["lole_h"]["mean"].as_f64().unwrap());
    let eue_mwh = sys["eue_mwh"]["mean"].as_f64().unwrap();
    assert!((energy as f64 / 1e6 / n - eue_mwh).abs() <= 1e-9 * eue_mwh);
    // The summary counts the same events.
    let summary = &doc["events"]["areas"]["system"];
    assert_eq!(summary["events"].as_i64().unwrap(), events);
    let by_duration: u64 = (summary["by_duration_count"].as_array().unwrap().iter())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_duration as i64, events);
    let peaks: u64 = (summary["peak_counts"].as_array().unwrap().iter())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(peaks as i64, events);
    let worst = summary["worst"].as_array().unwrap();
    assert_eq!(worst.len(), 5);
    assert!(worst
        .windows(2)
        .all(|w| w[0]["energy_mwh"].as_f64() >= w[1]["energy_mwh"].as_f64()));
}

#[test]
fn files_do_not_depend_on_threads_blocks_or_shards() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["run", KAZAKHSTAN, "--samples", "60", "--seed", "3"];
    let write = |name: &str, extra: &[&str]| {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        let mut doc = serde_json::Value::Null;
        for ext in ["csv", "parquet"] {
            let mut args = base.to_vec();
            args.extend(extra);
            doc = run_with_rows(&sub, ext, &args);
        }
        std::fs::write(sub.join("result.json"), doc.to_string()).unwrap();
        sub
    };
    let one = write("one", &["--threads", "1", "--block-size", "7"]);
    let three = write("three", &["--threads", "3", "--block-size", "7"]);
    for file in [
        "events.csv",
        "samples.csv",
        "events.parquet",
        "samples.parquet",
    ] {
        let a = std::fs::read(one.join(file)).unwrap();
        assert_eq!(a, std::fs::read(three.join(file)).unwrap(), "{file}");
    }
    // Another block size and shards: the same rows in the same order (CSV concatenated).
    let other = write("other", &["--threads", "2", "--block-size", "13"]);
    for file in ["events.csv", "samples.csv"] {
        let a = std::fs::read(one.join(file)).unwrap();
        assert_eq!(a, std::fs::read(other.join(file)).unwrap(), "{file}");
    }
    let mut rows = (Vec::new(), Vec::new());
    let mut shards = Vec::new();
    for k in 1..=3 {
        let sub = dir.path().join(format!("shard{k}"));
        std::fs::create_dir(&sub).unwrap();
        let shard = format!("{k}/3");
        let out = sub.join("shard.json");
        let mut args = base.to_vec();
        args.extend(["--block-size", "7", "--shard", &shard, "--out"]);
        args.push(out.to_str().unwrap());
        let events = sub.join("events.csv");
        let samples = sub.join("samples.csv");
        args.extend(["--events", events.to_str().unwrap()]);
        args.extend(["--per-sample", samples.to_str().unwrap()]);
        gridrisk().args(&args).assert().success();
        shards.push(out.to_str().unwrap().to_string());
        rows.0.extend(read_csv(&events).1);
        rows.1.extend(read_csv(&samples).1);
    }
    assert_eq!(rows.0, read_csv(&one.join("events.csv")).1);
    assert_eq!(rows.1, read_csv(&one.join("samples.csv")).1);
    assert!(!rows.0.is_empty());
    // The shards' event summaries merge into the unsharded run's (as does the rest).
    let mut merge = vec!["merge"];
    merge.extend(shards.iter().rev().map(String::as_str));
    merge.extend(["--format", "json"]);
    let merged = without_run(json(&merge));
    let text = std::fs::read_to_string(one.join("result.json")).unwrap();
    let whole = without_run(serde_json::from_str(&text).unwrap());
    assert!(whole["events"]["areas"]["system"]["events"].as_u64() > Some(0));
    assert_eq!(merged, whole);
}

#[test]
fn parquet_reads_back_as_the_csv() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let dir = tempfile::tempdir().unwrap();
    let args = ["run", KAZAKHSTAN, "--samples", "20", "--seed", "5"];
    run_with_rows(dir.path(), "csv", &args);
    run_with_rows(dir.path(), "parquet", &args);
    for name in ["events", "samples"] {
        let (header, csv) = read_csv(&dir.path().join(format!("{name}.csv")));
        let file = std::fs::File::open(dir.path().join(format!("{name}.parquet"))).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), csv.len(), "{name}");
        assert!(!rows.is_empty());
        for (row, want) in rows.iter().zip(&csv) {
            let fields: Vec<_> = row.get_column_iter().collect();
            assert_eq!(fields.len(), header.len());
            for ((col, field), want) in fields.iter().zip(want) {
                assert_eq!(
                    col,
                    &&header[fields.iter().position(|f| f.0 == *col).unwrap()]
                );
                match field {
                    Field::Long(v) => assert_eq!(&v.to_string(), want, "{name}: column {col}"),
                    Field::Double(v) if v.is_nan() => assert_eq!(want, "", "{name}: {col}"),
                    // The CSV's shortest text reads back as the same number, bit for bit.
                    Field::Double(v) => assert_eq!(
                        want.parse::<f64>().map(f64::to_bits),
                        Ok(v.to_bits()),
                        "{name}: column {col}: {want} vs {v}"
                    ),
                    Field::Str(v) => assert_eq!(v, want, "{name}: column {col}"),
                    other => panic!("unexpected field {other:?}"),
                }
            }
        }
    }
}

#[test]
fn compare_writes_paired_differences_per_sample() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("paired.csv");
    let events = dir.path().join("events.csv");
    let doc = json(&[
        "compare",
        KAZAKHSTAN,
        "scenarios/kazakhstan/interruptible.toml",
        "--samples",
        "40",
        "--per-sample",
        samples.to_str().unwrap(),
        "--events",
        events.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let (header, rows) = read_csv(&samples);
    let (scenario, sample, area, eue) = (
        column(&header, "scenario"),
        column(&header, "sample"),
        column(&header, "area"),
        column(&header, "eue_mwh"),
    );
    let mut by: HashMap<(String, String), Vec<(String, i64)>> = HashMap::new();
    for r in &rows {
        by.entry((r[sample].clone(), r[area].clone()))
            .or_default()
            .push((r[scenario].clone(), wh(&r[eue])));
    }
    assert_eq!(by.len(), 40 * 8, "40 samples x 7 regions and the system");
    let mut diff_sum = 0;
    for v in by.values() {
        assert_eq!(v.len(), 3, "base, variant, difference: {v:?}");
        assert!(v[2].0.ends_with(&format!(" - {}", v[0].0)));
        assert_eq!(v[2].1, v[1].1 - v[0].1, "the difference is variant - base");
    }
    for ((_, a), v) in &by {
        if a == "system" {
            diff_sum += v[2].1;
        }
    }
    let d = doc["variants"][0]["difference"]["system"]["eue_mwh"]["mean"]
        .as_f64()
        .unwrap();
    assert!(d < 0.0, "interruptible mining lowers EUE");
    assert!((diff_sum as f64 / 1e6 / 40.0 - d).abs() <= 1e-9 * d.abs());
    let (eh, ev) = read_csv(&events);
    let labels: std::collections::BTreeSet<_> = ev
        .iter()
        .map(|r| r[column(&eh, "scenario")].clone())
        .collect();
    assert_eq!(labels.len(), 2, "the events of both scenarios: {labels:?}");
}

#[test]
fn bad_row_files_exit_2_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "--events",
            dir.path().join("events.txt"),
            "unknown extension 'txt': expected .parquet or .csv",
        ),
        (
            "--per-sample",
            dir.path().join("rows"),
            "unknown extension '': expected .parquet or .csv",
        ),
        (
            "--events",
            dir.path().join("missing/events.csv"),
            "cannot write in the directory",
        ),
    ];
    for (option, path, message) in cases {
        let p = path.to_str().unwrap();
        let out = gridrisk()
            .args(["run", RTS79, "--samples", "10", option, p])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{option} {p}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // A directory as the file is refused.
    std::fs::create_dir(dir.path().join("d.csv")).unwrap();
    let out = gridrisk()
        .args(["run", RTS79, "--samples", "10", "--events"])
        .arg(dir.path().join("d.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A run that ends well leaves its file and no temporary one.
    let good = tempfile::tempdir().unwrap();
    gridrisk()
        .args(["run", RTS79, "--samples", "10", "--events"])
        .arg(good.path().join("e.parquet"))
        .assert()
        .success();
    let left: Vec<_> = (std::fs::read_dir(good.path()).unwrap())
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("e.parquet")]);
}

/// `study --events/--per-sample --target`: one file each for the whole study, labelled by the
/// study; a variant that does not change anything never meets a paired target, so the study
/// runs to --max-samples; the event rows are those of `compare` on the same samples.
#[test]
fn study_writes_one_file_per_kind_and_stops_on_paired_targets() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let study = "tests/data/worth/study.toml";
    gridrisk()
        .args(["study", study, "--target", "diff:eue_mwh:width=1000"])
        .args(["--max-samples", "400", "--threads", "2", "--format", "json"])
        .args([
            "--events",
            &path("events.csv"),
            "--per-sample",
            &path("samples.csv"),
        ])
        .args(["--out-dir", &path("out")])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("out/study.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["samples"].as_u64(), Some(400));
    assert_eq!(doc["stop"]["met"].as_bool(), Some(false));
    let (eh, ev) = read_csv(&dir.path().join("events.csv"));
    let scenario = column(&eh, "scenario");
    let labels: std::collections::BTreeSet<_> = ev.iter().map(|r| r[scenario].clone()).collect();
    let want = ["Gen1 15 MW", "base: pras-threenode", "unchanged"];
    assert_eq!(labels.iter().map(String::as_str).collect::<Vec<_>>(), want);
    let (_, rows) = read_csv(&dir.path().join("samples.csv"));
    assert_eq!(
        rows.len(),
        400 * 4 * 5,
        "samples x 4 areas x (3 scenarios, 2 differences)"
    );
    // compare of the same scenarios, 400 samples: the same events, labelled by name.
    let data = "tests/data/worth";
    gridrisk()
        .args(["compare", &format!("{data}/threenode.toml")])
        .args([
            &format!("{data}/threenode-gen1-15.toml"),
            &format!("{data}/threenode.toml"),
        ])
        .args(["--samples", "400", "--seed", "4", "--format", "json"])
        .args(["--events", &path("compare.csv")])
        .assert()
        .success();
    // The rows after their first field (the variant's name holds a comma: quoted).
    let unlabelled = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        text.lines()
            .map(|l| match l.strip_prefix('"') {
                Some(rest) => rest.split_once("\",").unwrap().1.to_string(),
                None => l.split_once(',').unwrap().1.to_string(),
            })
            .collect()
    };
    assert_eq!(unlabelled("compare.csv"), unlabelled("events.csv"));
    assert!(!ev.is_empty());
}

/// Watts of a MW value written in a result (whole watts / 10^6).
fn watts(v: &serde_json::Value) -> i64 {
    (v.as_f64().unwrap() * 1e6).round() as i64
}

#[test]
fn the_worst_event_resimulated_is_the_catalogue_s_to_the_watt() {
    // A network with a ladder-free dispatch (Kazakhstan), one isolated region (RTS-79: the
    // fast path that passes served hours), and storage (whose skipped blocks are walked).
    for (scenario, samples) in [
        (KAZAKHSTAN, "20"),
        (RTS79, "300"),
        ("scenarios/benchmarks/ieee-rts79-storage.toml", "300"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let run = |threads: &str, ext: &str| {
            let day = dir.path().join(format!("day-{threads}.{ext}"));
            let doc = json(&[
                "run",
                scenario,
                "--samples",
                samples,
                "--seed",
                "3",
                "--threads",
                threads,
                "--worst-day",
                day.to_str().unwrap(),
                "--format",
                "json",
            ]);
            (doc, std::fs::read_to_string(day).unwrap())
        };
        let (doc, file) = run("1", "json");
        let (doc2, file2) = run("2", "json");
        assert_eq!(file, file2, "{scenario}: 1 and 2 threads");
        assert_eq!(without_run(doc.clone()), without_run(doc2));
        let day: serde_json::Value = serde_json::from_str(&file).unwrap();
        assert_eq!(
            day, doc["worst_event_day"],
            "{scenario}: the file is the section"
        );
        // The event is the summary's worst system event.
        let worst = &doc["events"]["areas"]["system"]["worst"][0];
        let e = &day["event"];
        for k in [
            "sample",
            "start_hour",
            "duration_h",
            "energy_mwh",
            "peak_mw",
        ] {
            assert_eq!(e[k], worst[k], "{scenario}: {k}");
        }
        // Re-simulated, its shortfall is the event's, hour by hour to the watt: energy,
        // peak, and no shortfall just before or after it (a maximal run).
        let hours: Vec<usize> = (day["hour"].as_array().unwrap().iter())
            .map(|h| h.as_u64().unwrap() as usize)
            .collect();
        let first = hours[0];
        assert!(hours.windows(2).all(|w| w[1] == w[0] + 1), "{scenario}");
        assert_eq!(hours.len() % 24, 0, "{scenario}: whole days");
        let system_w = |h: usize| -> i64 {
            (day["regions"].as_object().unwrap().values())
                .map(|r| watts(&r["shortfall_mw"][h - first]))
                .sum()
        };
        let (start, duration) = (
            e["start_hour"].as_u64().unwrap() as usize,
            e["duration_h"].as_u64().unwrap() as usize,
        );
        let event = start..start + duration;
        let energy: i64 = event.clone().map(system_w).sum();
        assert_eq!(energy, watts(&e["energy_mwh"]), "{scenario}: energy");
        let peak = event.clone().map(system_w).max().unwrap();
        assert_eq!(peak, watts(&e["peak_mw"]), "{scenario}: peak");
        assert!(event.clone().all(|h| system_w(h) > 0), "{scenario}");
        for h in [start.wrapping_sub(1), start + duration] {
            if (first..first + hours.len()).contains(&h) {
                assert_eq!(system_w(h), 0, "{scenario}: hour {h} is not in the event");
            }
        }
        let marked: Vec<bool> = (day["in_event"].as_array().unwrap().iter())
            .map(|x| x.as_bool().unwrap())
            .collect();
        assert_eq!(
            marked,
            hours.iter().map(|h| event.contains(h)).collect::<Vec<_>>()
        );
        // The CSV holds the same hours.
        let (_, csv) = run("2", "csv");
        assert_eq!(
            csv.lines().count(),
            hours.len() + 1,
            "{scenario}: header and hours"
        );
    }
}

#[test]
fn the_report_draws_the_event_summary_and_the_worst_event_s_days() {
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let day = dir.path().join("day.csv");
    gridrisk()
        .args([
            "run",
            KAZAKHSTAN,
            "--samples",
            "20",
            "--threads",
            "2",
            "--format",
            "json",
        ])
        .arg("--worst-day")
        .arg(&day)
        .arg("--out")
        .arg(&result)
        .assert()
        .success();
    let html = dir.path().join("r.html");
    gridrisk()
        .arg("report")
        .arg(&result)
        .arg("--out")
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    for heading in [
        "Shortfall events by duration",
        "Histogram of event peaks",
        "Worst events",
        "The worst event, hour by hour",
    ] {
        assert!(html.contains(heading), "{heading}");
    }
    // One chart per region short in the worst event (the South), with its legend.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let affected = doc["worst_event_day"]["event"]["regions_affected"]
        .as_str()
        .unwrap();
    for region in affected.split(';') {
        let title = format!("{region}: the worst event&#39;s days, MW per hour");
        assert!(html.contains(&title), "{title}");
    }
    assert!(html.contains("unserved firm demand"));
    assert!(html.contains("available generation"));
}

/// With storage, the worst event's days carry the stored energy of each hour (issue 12: a
/// typical day of the worst event shows load, generation, storage and imports), within the
/// plant's limits from one hour to the next, and the report draws it; without storage the
/// column is absent.
#[test]
fn the_worst_event_s_days_show_the_stored_energy_and_the_report_draws_it() {
    // scenarios/benchmarks/ieee-rts79-storage.toml: one device of 300 MW both ways, 1,200
    // MWh, efficiencies 0.9, carry-over 0.999.
    const ENERGY_MWH: f64 = 1200.0;
    const MOST_UP_MWH: f64 = 300.0 * 0.9; // a full hour of charge, stored
    const MOST_DOWN_MWH: f64 = 300.0 / 0.9 + ENERGY_MWH * 0.001; // discharge and carry-over
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("r.json");
    let day = dir.path().join("day.json");
    gridrisk()
        .args([
            "run",
            "scenarios/benchmarks/ieee-rts79-storage.toml",
            "--samples",
            "300",
            "--seed",
            "3",
            "--format",
            "json",
        ])
        .arg("--worst-day")
        .arg(&day)
        .arg("--out")
        .arg(&result)
        .assert()
        .success();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    let d = &doc["worst_event_day"];
    let hours = d["hour"].as_array().unwrap().len();
    let region = &d["regions"]["RTS"];
    for key in [
        "firm_demand_mw",
        "generation_available_mw",
        "shortfall_mw",
        "stored_mwh",
    ] {
        assert_eq!(region[key].as_array().unwrap().len(), hours, "{key}");
    }
    let stored: Vec<f64> = (region["stored_mwh"].as_array().unwrap().iter())
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(
        stored.iter().all(|&s| (0.0..=ENERGY_MWH).contains(&s)),
        "{stored:?}"
    );
    for w in stored.windows(2) {
        let change = w[1] - w[0];
        assert!(
            (-MOST_DOWN_MWH - 1e-6..=MOST_UP_MWH + 1e-6).contains(&change),
            "{} -> {}",
            w[0],
            w[1]
        );
    }
    assert!(
        stored.iter().any(|&s| s > 0.0),
        "the plant holds energy on some hour"
    );
    let html = dir.path().join("r.html");
    gridrisk()
        .arg("report")
        .arg(&result)
        .arg("--out")
        .arg(&html)
        .assert()
        .success();
    let html = std::fs::read_to_string(html).unwrap();
    assert!(html.contains("Stored energy over the worst event"));
    // Plain RTS-79 has no storage column.
    let plain = json(&[
        "run",
        RTS79,
        "--samples",
        "300",
        "--seed",
        "3",
        "--worst-day",
        dir.path().join("plain.json").to_str().unwrap(),
        "--format",
        "json",
    ]);
    let regions = plain["worst_event_day"]["regions"].as_object().unwrap();
    assert!(regions.values().all(|r| r.get("stored_mwh").is_none()));
}
