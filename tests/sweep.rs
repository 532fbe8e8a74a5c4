//! `gridrisk sweep`: the grid, resumption, invalidation, SIGKILL safety and bad input.

use crate::util::{gridrisk, RTS79};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// A sweep file over RTS-79 (base given by absolute path) in `dir`.
fn sweep_file(dir: &Path, samples: u64, mttr: &[&str], peak: &[&str]) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS79);
    let text = format!(
        "name = \"t\"\nbase = {:?}\nsamples = {samples}\nseed = 7\nblock_size = 10\n\n\
         [[axes]]\nkey = \"units[U400].mttr_h\"\nvalues = [{}]\n\n\
         [[axes]]\nkey = \"regions[RTS].demand.peak_mw\"\nvalues = [{}]\n",
        base.display().to_string(),
        mttr.join(", "),
        peak.join(", ")
    );
    let path = dir.join("sweep.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn sweep(file: &Path, out: &Path) -> std::process::Output {
    gridrisk()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--threads", "2"])
        .output()
        .unwrap()
}

fn ok(out: std::process::Output) {
    assert!(
        out.status.success(),
        "sweep failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file in `dir/cells` with its modification time.
fn cell_files(out: &Path) -> BTreeMap<String, SystemTime> {
    std::fs::read_dir(out.join("cells"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect()
}

#[test]
fn grid_summary_resumption_and_invalidation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let file = sweep_file(tmp.path(), 30, &["150", "300"], &["2850", "2950", "3050.5"]);
    ok(sweep(&file, &out));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().collect();
    assert_eq!(rows.len(), 7, "{summary}");
    let header: Vec<&str> = rows[0].split(',').collect();
    assert_eq!(
        &header[..5],
        &[
            "units[U400].mttr_h",
            "regions[RTS].demand.peak_mw",
            "lole_h_mean",
            "lole_h_lower",
            "lole_h_upper"
        ]
    );
    for index in ["lole_d", "lolf", "eue_mwh", "neue_ppm", "p_shortfall"] {
        for part in ["mean", "lower", "upper"] {
            let col = format!("{index}_{part}");
            assert!(header.contains(&col.as_str()), "no {col} in {header:?}");
        }
    }
    assert_eq!(header.last(), Some(&"cell_file"));
    let cells: Vec<Vec<&str>> = rows[1..].iter().map(|r| r.split(',').collect()).collect();
    let axes: Vec<(&str, &str)> = cells.iter().map(|c| (c[0], c[1])).collect();
    assert_eq!(
        axes,
        [
            ("150", "2850"),
            ("150", "2950"),
            ("150", "3050.5"),
            ("300", "2850"),
            ("300", "2950"),
            ("300", "3050.5")
        ]
    );
    for c in &cells {
        assert_eq!(c.len(), header.len());
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(c.last().unwrap())).unwrap()).unwrap();
        assert_eq!(doc["schema"], "gridrisk.result/1");
        assert_eq!(doc["samples"], 30);
        assert_eq!(doc["cell"]["regions[RTS].demand.peak_mw"].to_string(), c[1]);
        let mean: f64 = c[2].parse().unwrap();
        assert_eq!(doc["system"]["lole_h"]["mean"].as_f64(), Some(mean));
    }
    // More demand or longer repairs: more risk (the same random numbers in every cell).
    let lole = |i: usize| cells[i][2].parse::<f64>().unwrap();
    assert!(lole(0) < lole(2) && lole(3) < lole(5) && lole(0) < lole(3));

    // A re-run skips every cell and writes the same summary.
    let before = cell_files(&out);
    assert_eq!(before.len(), 6);
    std::thread::sleep(Duration::from_millis(20));
    let rerun = sweep(&file, &out);
    assert!(String::from_utf8_lossy(&rerun.stderr).contains("6 finished before, 0 to run"));
    ok(rerun);
    assert_eq!(cell_files(&out), before);
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        summary
    );

    // Changing one value re-runs only the two cells that have it.
    let file = sweep_file(tmp.path(), 30, &["150", "300"], &["2850", "2950", "3100"]);
    let third = sweep(&file, &out);
    assert!(String::from_utf8_lossy(&third.stderr).contains("4 finished before, 2 to run"));
    ok(third);
    let after = cell_files(&out);
    assert_eq!(after.len(), 8);
    for (name, time) in &before {
        assert_eq!(after.get(name), Some(time), "{name} was rewritten");
    }
    let changed = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let changed: Vec<&str> = changed.lines().collect();
    assert_eq!(changed.len(), 7);
    for i in [1, 2, 4, 5] {
        assert_eq!(changed[i], rows[i]);
    }
    assert!(changed[3].starts_with("150,3100,") && changed[6].starts_with("300,3100,"));
}

#[test]
fn sigkill_then_rerun_equals_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let mttr = ["100", "150", "200", "300"];
    let peak = ["2750", "2850", "2950"];
    let file = sweep_file(tmp.path(), 2000, &mttr, &peak);
    let whole = tmp.path().join("whole");
    ok(sweep(&file, &whole));
    let expected = std::fs::read(whole.join("summary.csv")).unwrap();

    let out = tmp.path().join("killed");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("gridrisk"))
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--threads", "2"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let finished = |out: &Path| {
        std::fs::read_dir(out.join("cells")).map_or(0, |d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".json"))
            })
            .count()
        })
    };
    while finished(&out) < 2 && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let done = finished(&out);
    assert!(
        (2..12).contains(&done),
        "{done} cells at the kill: the test needs a slower sweep"
    );
    assert!(!out.join("summary.csv").exists());
    // Every cell file is whole; only temporaries (`.NAME.tmp-PID`) may be left over.
    for e in std::fs::read_dir(out.join("cells")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            assert_eq!(doc["schema"], "gridrisk.result/1");
        } else {
            assert!(name.starts_with('.') && name.contains(".tmp-"), "{name}");
        }
    }
    let rerun = sweep(&file, &out);
    assert!(String::from_utf8_lossy(&rerun.stderr)
        .contains(&format!("{done} finished before, {} to run", 12 - done)));
    ok(rerun);
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), expected);
    for e in std::fs::read_dir(out.join("cells")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name.ends_with(".json") && !name.starts_with('.'), "{name}");
    }
    assert_eq!(finished(&out), 12);
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    for (file, want) in [
        ("unknown-key.toml", "unknown key path `units[U400].mtr_h`"),
        (
            "unknown-element.toml",
            "unknown key path `units[U999].mttr_h`: the base scenario",
        ),
        (
            "unknown-table.toml",
            "unknown key path `regions[RTS].demand.nope.peak_mw`",
        ),
        ("empty-axis.toml", "values: must list at least one value"),
        (
            "bad-value.toml",
            "units[U400].mttr_h: must be a mean duration >= 1 hour",
        ),
        ("no-such-file.toml", "cannot read the sweep file"),
        (
            "unknown-region.toml",
            "unknown-region.toml:3: regions: \"D\" is not a region of the base scenario",
        ),
        (
            "hub-region.toml",
            "regions: \"SOUTH-HUB\" is a hub (no demand, no units, so no indices)",
        ),
        (
            "regions-not-names.toml",
            "regions-not-names.toml:3: regions: expected an array of names, got a string",
        ),
        (
            "too-many-cells.toml",
            "the grid has 1000 x 1001 cells, more than 1000000",
        ),
    ] {
        let out = tmp.path().join(file);
        let run = sweep(&Path::new("tests/data/sweep").join(file), &out);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(want), "{file}: {stderr}");
        assert!(!out.exists(), "{file}: output written");
    }
    // `--regions`: every name must be a region of the base with indices, once.
    for (regions, want) in [
        (
            "A,SOUTH",
            "--regions: \"SOUTH\" is not a region of the base scenario ../../../scenarios/benchmarks/ieee-rts79-three-area.toml (its regions with indices: A, B, C)",
        ),
        ("B,B", "--regions: \"B\" is listed twice"),
        ("A,", "--regions: an empty name"),
    ] {
        let out = tmp.path().join("regions");
        let run = gridrisk()
            .args(["sweep", "tests/data/sweep/unknown-region.toml", "--regions", regions])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{regions}: {stderr}");
        assert!(stderr.contains(want), "{regions}: {stderr}");
        assert!(!out.exists(), "{regions}: output written");
    }
    // An output directory that cannot be created (under a regular file).
    let plain = tmp.path().join("plain");
    std::fs::write(&plain, "x").unwrap();
    let run = sweep(Path::new("tests/data/sweep/rts.toml"), &plain.join("out"));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot create the output directory"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "x");
}

#[test]
fn listed_points() {
    let tmp = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS79);
    let file = tmp.path().join("points.toml");
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nsamples = 20\ngrid = false\n\
             [[axes]]\nkey = \"units[U400].mttr_h\"\nvalues = [150]\n\
             [[axes]]\nkey = \"units[U350].mw\"\nvalues = [350]\n\
             [[points]]\nvalues = [150, 350]\n[[points]]\nvalues = [300, 300.5]\n",
            base.display().to_string()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    ok(sweep(&file, &out));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let firsts: Vec<String> = summary
        .lines()
        .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(
        firsts,
        ["units[U400].mttr_h,units[U350].mw", "150,350", "300,300.5"]
    );
}

#[test]
fn sharded_sweeps_fill_the_cells_and_a_final_run_writes_the_same_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = sweep_file(dir.path(), 20, &["100", "150"], &["2850", "2900", "2950"]);
    let (whole, sharded) = (dir.path().join("whole"), dir.path().join("sharded"));
    ok(sweep(&file, &whole));
    for k in 1..=3 {
        let out = gridrisk()
            .args([
                "sweep",
                file.to_str().unwrap(),
                "--out",
                sharded.to_str().unwrap(),
            ])
            .arg("--shard")
            .arg(format!("{k}/3"))
            .output()
            .unwrap();
        ok(out);
        assert!(
            !sharded.join("summary.csv").exists(),
            "a shard writes no summary"
        );
    }
    assert_eq!(
        cell_files(&sharded).len(),
        6,
        "the shards ran every cell between them"
    );
    let before = cell_files(&sharded);
    ok(sweep(&file, &sharded));
    assert_eq!(cell_files(&sharded), before, "the final run runs nothing");
    assert_eq!(
        std::fs::read(whole.join("summary.csv")).unwrap(),
        std::fs::read(sharded.join("summary.csv")).unwrap()
    );
}

#[test]
fn edited_or_copied_cell_files_are_run_again() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), 30, &["150", "300"], &["2850", "2950"]);
    let fresh = tmp.path().join("fresh");
    ok(sweep(&file, &fresh));
    let expected = std::fs::read_to_string(fresh.join("summary.csv")).unwrap();
    let out = tmp.path().join("out");
    ok(sweep(&file, &out));
    let names: Vec<String> = cell_files(&out).into_keys().collect();
    // One cell's LOLE edited (still valid JSON), and another cell's file copied over a third.
    let edited = out.join("cells").join(&names[0]);
    let text = std::fs::read_to_string(&edited).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mean = doc["system"]["lole_h"]["mean"].to_string();
    let text = text.replacen(&format!("\"mean\": {mean}"), "\"mean\": 0.0", 1);
    std::fs::write(&edited, text).unwrap();
    std::fs::copy(
        out.join("cells").join(&names[1]),
        out.join("cells").join(&names[2]),
    )
    .unwrap();
    let rerun = sweep(&file, &out);
    let stderr = String::from_utf8_lossy(&rerun.stderr).into_owned();
    ok(rerun);
    assert!(stderr.contains("2 finished before, 2 to run"), "{stderr}");
    for name in [&names[0], &names[2]] {
        assert!(
            stderr.contains(&format!("{name}: not the finished cell")),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        expected
    );
}

/// `regions` in the sweep file (or `--regions`) adds each region's columns to the summary,
/// equal to the cell files' region estimates; every row records its window; the EUE parts
/// add up to the total for the system and each region.
#[test]
fn the_summary_shows_the_chosen_regions_and_the_window() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(sweep(Path::new("tests/data/sweep/kz-regions.toml"), &out));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut rows = summary.lines().map(|l| l.split(',').collect::<Vec<_>>());
    let header = rows.next().unwrap();
    let col = |name: &str| {
        header
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    let rows: Vec<Vec<&str>> = rows.collect();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join(row[col("cell_file")])).unwrap())
                .unwrap();
        for (prefix, area) in [
            ("", &doc["system"]),
            ("SOUTH.", &doc["regions"]["SOUTH"]),
            ("W-CASPIAN.", &doc["regions"]["W-CASPIAN"]),
        ] {
            let value = |index: &str, part: &str| -> f64 {
                row[col(&format!("{prefix}{index}_{part}"))]
                    .parse()
                    .unwrap()
            };
            for index in ["lole_h", "eue_mwh", "p_shortfall", "eue_illegal_mwh"] {
                assert_eq!(
                    Some(value(index, "mean")),
                    area[index]["mean"].as_f64(),
                    "{prefix}{index}"
                );
                assert_eq!(Some(value(index, "upper")), area[index]["ci95"][1].as_f64());
            }
            let parts: f64 = ["eue_household_mwh", "eue_illegal_mwh", "eue_registered_mwh"]
                .iter()
                .map(|p| value(p, "mean"))
                .sum();
            let total = value("eue_mwh", "mean");
            assert!(
                (parts - total).abs() <= 1e-9 * total.max(1.0),
                "{prefix}: parts {parts} vs total {total}"
            );
        }
        // The regions differ, so a column read from the wrong area would be caught.
        assert_ne!(
            doc["regions"]["SOUTH"]["lole_h"],
            doc["regions"]["W-CASPIAN"]["lole_h"]
        );
        for (column, want) in [
            ("window_start", "2021-11-01"),
            ("window_end", "2022-02-28"),
            ("window_hours", "2880"),
            ("window_utc_offset", "+06:00"),
            ("window_unit", "window"),
        ] {
            assert_eq!(row[col(column)], want, "{column}");
        }
    }
    // `--regions` replaces the file's list and re-runs no cell (it is not part of a cell's
    // identity).
    let before = cell_files(&out);
    let run = gridrisk()
        .args([
            "sweep",
            "tests/data/sweep/kz-regions.toml",
            "--regions",
            "NORTH",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    ok(run);
    assert_eq!(cell_files(&out), before);
    let header = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(header.contains(",NORTH.lole_h_mean,"), "{header}");
    assert!(!header.contains("SOUTH."), "{header}");
}
