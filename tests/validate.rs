//! `gridrisk validate` says what `run` would warn about, from the same list (the
//! scenario's warnings), and lists the scenario's conditions.

use crate::util::{gridrisk, RTS79};
use std::path::Path;

/// The `warning:` lines of a command's standard error, and its exit status.
fn warnings(args: &[&str]) -> (Vec<String>, Option<i32>) {
    let out = gridrisk().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(str::to_string)
        .collect();
    (lines, out.status.code())
}

/// A dated outage outside the window passed `validate` silently though `run` warned, and a
/// 150,000 MW unit in a 520 MW system passed with no warning at all.
#[test]
fn validate_prints_the_warnings_run_prints() {
    for (file, expect) in [
        (
            "tests/data/warnings/implausible-sizes.toml",
            vec![
                "warning: tests/data/warnings/implausible-sizes.toml: the installed capacity \
                 (150600 MW with renewables) is more than 20 times the peak demand (520 MW); \
                 is a unit or the demand mistyped?",
                "warning: tests/data/warnings/implausible-sizes.toml:27: units[BIG].mw: one \
                 unit of 150000 MW is more than 10 times the system's peak demand of 520 MW; \
                 is it a typo?",
                "warning: tests/data/warnings/implausible-sizes.toml:36: lines[A-B].backward_mw: \
                 a limit of 2000000 MW is more than 10 times all the system's supply (150600 MW \
                 with renewables and imports), so it never binds; is it a typo?",
            ],
        ),
        (
            "tests/data/warnings/short-supply.toml",
            vec![
                "warning: tests/data/warnings/short-supply.toml: all units, renewables and \
                 imports together (510 MW) are less than the peak demand (520 MW): the peak \
                 hours are short even with nothing out",
                "warning: tests/data/warnings/short-supply.toml:22: \
                 units[G].dated_outages[0].to: the dates 2022-03-01 to 2022-03-05 are outside \
                 the study window (2022-01-01 to 2022-01-02); this never applies",
            ],
        ),
    ] {
        let (validated, code) = warnings(&["validate", file]);
        assert_eq!(code, Some(0), "{file}");
        assert_eq!(validated, expect, "{file}");
        let (ran, code) = warnings(&["run", file, "--samples", "10"]);
        assert_eq!(code, Some(0), "{file}");
        assert_eq!(ran, validated, "{file}");
    }
    gridrisk()
        .args(["validate", "tests/data/warnings/short-supply.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "  renewables: 1 plant, 30.0 MW: WIND 30.0 MW in A\n  units: dated outages of 1 \
             unit\n  2 warnings (on standard error)\n",
        ));
}

/// Every shipped scenario validates without a warning: the thresholds do not fire on real
/// systems.
#[test]
fn shipped_scenarios_have_no_warnings() {
    let mut files = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    let mut validated = 0;
    for file in files {
        let out = gridrisk().arg("validate").arg(&file).output().unwrap();
        if out.status.success() {
            validated += 1;
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.is_empty(), "{}: {stderr}", file.display());
        }
    }
    assert!(validated >= 20, "{validated} scenarios validated");
}

/// `validate` lists renewables, weather, mining, exchanges, disturbances and unit
/// conditions, and nothing of the kind for a scenario without them.
#[test]
fn validate_lists_the_conditions() {
    let out = gridrisk()
        .args(["validate", "scenarios/kazakhstan/repair-backlog.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for expect in [
        "\n  renewables: 5 plants, 1362.0 MW: NORTH-wind 150.0 MW in NORTH, ",
        "\n  weather: 3 zones (north, south, west), heating demand in 6 regions, ",
        "\n  mining: 601.0 MW registered in 4 regions, illegal 340.0 to 1200.0 MW (mode 700.0 MW)\n",
        "\n  exchanges: CENTRAL-ASIA (100.0 MW scheduled export from SOUTH)\n",
        "\n  disturbances: central-asia-trip (2 lines)\n",
        "\n  units: dated outages of 4 units, cold-dependent failures of 80 units, 1 block cap\n",
    ] {
        assert!(stdout.contains(expect), "{expect:?} not in:\n{stdout}");
    }
    let out = gridrisk().args(["validate", RTS79]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    for kind in [
        "renewables:",
        "weather:",
        "mining:",
        "exchanges:",
        "units:",
        "warning",
    ] {
        assert!(!stdout.contains(kind), "{kind} in:\n{stdout}");
    }
}

/// "1 regions": every count in the summary agrees with its number.
#[test]
fn validate_counts_in_the_singular_and_plural() {
    let out = gridrisk().args(["validate", RTS79]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("8736 h, 1 region (0 hubs), 0 lines, 0 import sources, 32 units,"),
        "{text}"
    );
    assert!(text.contains("region RTS: 32 units,"), "{text}");
    let out = gridrisk()
        .args(["validate", "scenarios/kazakhstan/winter-2021-22.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("7 regions (1 hub), 6 lines, 3 import sources, 114 units,"),
        "{text}"
    );
}
