//! Steps shorter than an hour (`[study] step_min`, issue 15): indices converted from steps
//! to hours and MWh, checked against exact values computed here, and the default step
//! unchanged. PRAS's 5-minute toy system is in `tests/pras.rs`, the bad values of
//! `step_min` in the bad-input corpus (`tests/bad/step-min-*.toml`).

use crate::util::{gridrisk, json, without_run, RTS79};
use serde_json::Value;

const QUARTER: &str = "tests/data/subhourly/quarter-hour.toml";

/// Exact LOLE (h), LOLF (events) and EUE (MWh) per sample of `quarter-hour.toml`: demand per
/// 15-min step, two 50 MW units, each a two-state chain with failure probability `p` and
/// repair probability `r` per step, starting from its stationary state (so every step's
/// state is stationary; an event starts in a short step after a step that was not short).
fn exact_quarter_hour(demand_mw: &[f64], p: f64, r: f64, step_h: f64) -> (f64, f64, f64) {
    let up = r / (p + r);
    // Per unit: P(state at t-1 = a, state at t = b), 1 = up.
    let stay = |a: usize, b: usize| match (a, b) {
        (1, 1) => 1.0 - p,
        (1, 0) => p,
        (0, 1) => r,
        _ => 1.0 - r,
    };
    let pi = |a: usize| if a == 1 { up } else { 1.0 - up };
    let short_mw = |units_up: usize, d: f64| (d - 50.0 * units_up as f64).max(0.0);
    let (mut lole_steps, mut eue_mw_steps, mut events) = (0.0, 0.0, 0.0);
    for (t, &d) in demand_mw.iter().enumerate() {
        for a1 in 0..2 {
            for a2 in 0..2 {
                let now = pi(a1) * pi(a2);
                let s = short_mw(a1 + a2, d);
                eue_mw_steps += now * s;
                if s > 0.0 {
                    lole_steps += now;
                    if t == 0 {
                        events += now;
                    }
                }
                if t == 0 || s == 0.0 {
                    continue;
                }
                for b1 in 0..2 {
                    for b2 in 0..2 {
                        if short_mw(b1 + b2, demand_mw[t - 1]) == 0.0 {
                            events += pi(b1) * stay(b1, a1) * pi(b2) * stay(b2, a2);
                        }
                    }
                }
            }
        }
    }
    (lole_steps * step_h, events, eue_mw_steps * step_h)
}

#[test]
fn quarter_hour_steps_match_the_exact_indices() {
    let demand_mw = [40.0, 40.0, 60.0, 60.0, 90.0, 90.0, 110.0, 40.0];
    let (lole_h, lolf, eue_mwh) = exact_quarter_hour(&demand_mw, 0.1, 0.4, 0.25);
    // By hand: unavailability 0.2, P(short) 0.04 at 40 MW, 0.36 at 60 and 90 MW, 1 at 110
    // MW: 2.56 steps, 0.64 h; 78.8 MW-steps, 19.7 MWh.
    assert!((lole_h - 0.64).abs() < 1e-12 && (eue_mwh - 19.7).abs() < 1e-12);
    let doc = json(&[
        "run",
        QUARTER,
        "--samples",
        "20000",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(doc["window"]["step_min"], 15);
    assert_eq!(
        (doc["window"]["hours"].as_u64(), doc["horizon_h"].as_u64()),
        (Some(2), Some(2))
    );
    let sys = &doc["system"];
    for (key, exact) in [("lole_h", lole_h), ("lolf", lolf), ("eue_mwh", eue_mwh)] {
        let (mean, se) = (
            sys[key]["mean"].as_f64().unwrap(),
            sys[key]["se"].as_f64().unwrap(),
        );
        assert!(
            se > 0.0 && (mean - exact).abs() < 4.0 * se,
            "{key}: {mean} ± {se}, exact {exact}"
        );
    }
    // The 110 MW step is short in every sample: one shortfall day per sample (a day is 96
    // steps of 15 min).
    assert_eq!(sys["lole_d"]["mean"].as_f64(), Some(1.0));
    assert_eq!(sys["p_shortfall"]["mean"].as_f64(), Some(1.0));
    // NEUE is EUE over the energy demanded, 530 MW x 0.25 h.
    let neue = sys["neue_ppm"]["mean"].as_f64().unwrap();
    let eue = sys["eue_mwh"]["mean"].as_f64().unwrap();
    assert!((neue - eue / 132.5 * 1e6).abs() < 1e-6 * neue, "{neue}");
    // The longest event in hours: at most the 2-hour window, in quarters of an hour.
    let longest = doc["event_tails"]["system"]["longest_event_h"]
        .as_f64()
        .unwrap();
    assert!(
        longest <= 2.0 && (longest * 4.0).fract() == 0.0,
        "{longest}"
    );
}

/// The analytic mode counts hours: it refuses a shorter step, naming it.
#[test]
fn analytic_refuses_steps_shorter_than_an_hour() {
    let out = gridrisk().args(["analytic", QUARTER]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("steps of 15 min ([study] step_min"), "{err}");
}

/// Targets and row files are refused at a shorter step (exit 2, naming the option).
#[test]
fn targets_row_files_and_attribution_are_refused_at_short_steps() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.csv");
    for (args, expect) in [
        (
            vec!["--target", "lole_h:rel=0.1"],
            "steps 15 min ([study] step_min)",
        ),
        (
            vec!["--samples", "10", "--events", events.to_str().unwrap()],
            "--events",
        ),
        (vec!["--samples", "10", "--attribute"], "--attribute"),
    ] {
        let out = gridrisk()
            .args(["run", QUARTER])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expect), "{err}");
    }
}

/// `step_min = 60` given explicitly is the default: the same result apart from the content
/// hash (the variant file is read too).
#[test]
fn an_explicit_one_hour_step_is_the_default() {
    let run = |file: &str| {
        let mut doc = without_run(json(&["run", file, "--samples", "50", "--format", "json"]));
        doc["scenario"]["content_hash"] = Value::Null;
        serde_json::to_string(&doc).unwrap()
    };
    let (default, explicit) = (run(RTS79), run("tests/data/subhourly/rts79-step-60.toml"));
    assert_eq!(default, explicit);
    assert!(!default.contains("step_min"));
}
