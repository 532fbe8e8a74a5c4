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
    assert_within_4_se(
        sys,
        [("lole_h", lole_h), ("lolf", lolf), ("eue_mwh", eue_mwh)],
    );
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

/// Continuous-time outages at 15-minute steps (`quarter-hour-continuous.toml`): up and down
/// times exponential with means 4 h and 1 h, the state read at the start of each step. A
/// unit's states at successive step starts are a Markov chain with availability A = 0.8
/// and, over d = 0.25 h, P(up -> down) = (1 - A)(1 - e^(-(1/4 + 1/1) d)) and P(down -> up) =
/// A(1 - e^(-(1/4 + 1/1) d)): the exact indices of `quarter-hour.toml` with those per-step
/// probabilities.
#[test]
fn continuous_outages_at_quarter_hour_steps_match_the_exact_indices() {
    let demand_mw = [40.0, 40.0, 60.0, 60.0, 90.0, 90.0, 110.0, 40.0];
    let (mttf_h, mttr_h, step_h) = (4.0_f64, 1.0_f64, 0.25);
    let a = mttf_h / (mttf_h + mttr_h);
    let mixing = 1.0 - (-(1.0 / mttf_h + 1.0 / mttr_h) * step_h).exp();
    let (p, r) = ((1.0 - a) * mixing, a * mixing);
    let (lole_h, lolf, eue_mwh) = exact_quarter_hour(&demand_mw, p, r, step_h);
    let doc = json(&[
        "run",
        "tests/data/subhourly/quarter-hour-continuous.toml",
        "--samples",
        "20000",
        "--seed",
        "4",
        "--format",
        "json",
    ]);
    let sys = &doc["system"];
    assert_within_4_se(
        sys,
        [("lole_h", lole_h), ("lolf", lolf), ("eue_mwh", eue_mwh)],
    );
    // Not the hourly reading of the same means (4 and 1 steps): its LOLF differs by many
    // standard errors.
    let hourly_mixing = 1.0 - (-(1.0 / mttf_h + 1.0 / mttr_h)).exp();
    let (_, lolf_steps, _) = exact_quarter_hour(
        &demand_mw,
        (1.0 - a) * hourly_mixing,
        a * hourly_mixing,
        step_h,
    );
    let se = sys["lolf"]["se"].as_f64().unwrap();
    assert!(
        (lolf_steps - lolf).abs() > 10.0 * se,
        "{lolf_steps} {lolf} {se}"
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
/// hash (the variant file is read too), with and without storage and demand response.
#[test]
fn an_explicit_one_hour_step_is_the_default() {
    let run = |file: &str| {
        let mut doc = without_run(json(&["run", file, "--samples", "50", "--format", "json"]));
        doc["scenario"]["content_hash"] = Value::Null;
        serde_json::to_string(&doc).unwrap()
    };
    for (default, explicit) in [
        (RTS79, "rts79-step-60.toml"),
        (
            "scenarios/benchmarks/ieee-rts79-storage.toml",
            "rts79-storage-step-60.toml",
        ),
        (
            "scenarios/benchmarks/ieee-rts79-dr.toml",
            "rts79-dr-step-60.toml",
        ),
    ] {
        let (default, explicit) = (
            run(default),
            run(&format!("tests/data/subhourly/{explicit}")),
        );
        assert_eq!(default, explicit);
        assert!(!default.contains("step_min"));
    }
}

/// Storage at 15-minute steps, by hand (`quarter-hour-storage.toml`, no outages): 40 MW of
/// surplus charges 40 x 0.25 h x 0.5 = 5 MWh a step, so four steps fill the 20 MWh; the four
/// steps 30 MW short take 7.5 MWh each: two are served, the third gets the 5 MWh left as
/// 20 MW (10 MW short), the fourth nothing (30 MW short). Read as hours, the same inputs
/// would serve 20 MW of the first short step only (LOLE 1 h, EUE 100 MW x 0.25 h).
#[test]
fn storage_moves_power_times_the_step_length() {
    let doc = json(&[
        "run",
        "tests/data/subhourly/quarter-hour-storage.toml",
        "--samples",
        "5",
        "--format",
        "json",
    ]);
    let sys = &doc["system"];
    for (key, exact) in [
        ("lole_h", 2.0 * 0.25),
        ("lolf", 1.0),
        ("eue_mwh", (10.0 + 30.0) * 0.25),
        ("storage_charged_mwh", 4.0 * 40.0 * 0.25),
        ("storage_discharged_mwh", (30.0 + 30.0 + 20.0) * 0.25),
        // At the start of the event (the third short step): 20 - 2 x 7.5 MWh.
        ("storage_at_event_mwh", 5.0),
    ] {
        assert_eq!(sys[key]["mean"].as_f64(), Some(exact), "{key}");
    }
}

/// Storage and demand response at 5-minute steps, by hand (`five-minute-dr.toml`, no
/// outages; 1 MWh is 12 MW-steps), and the same system written as a `.pras` file (5-minute
/// steps, with its storage and demand response) and converted back: the same numbers.
/// Surplus 30 MW for six steps: the storage (30 MW, 1 MWh) fills in the first (12 MW).
/// Steps 7-9 are 30 MW short: step 7 takes the storage's 12 MW and borrows 18 MW (the
/// demand response owes 18 of its 24 MW-steps); step 8 borrows the 6 left and is 24 MW
/// short; step 9 is 30 MW short, and its payback counter (2 steps, started at step 8) runs
/// out: the 24 MW-steps owed are unserved in it too (54 MW). Payback in the surplus steps
/// 10-12 is too late. A window of 2 *hours* would have been repaid.
#[test]
fn storage_and_demand_response_at_five_minutes_run_and_round_trip_through_pras() {
    let dir = tempfile::tempdir().unwrap();
    let pras = dir.path().join("five-minute-dr.pras");
    let toml = "tests/data/subhourly/five-minute-dr.toml";
    let out = gridrisk()
        .args(["convert", toml, "--out", pras.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back = dir.path().join("back");
    let out = gridrisk()
        .args([
            "convert",
            pras.to_str().unwrap(),
            "--out",
            back.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(back.join("five-minute-dr.toml")).unwrap();
    for key in [
        "step_min = 5",
        "payback_window_steps = 2",
        "interest_per_step = 0",
        "energy_mwh = 1",
    ] {
        assert!(text.contains(key), "{key} not in\n{text}");
    }
    let system = |file: &str| {
        let doc = json(&["run", file, "--samples", "5", "--format", "json"]);
        assert_eq!(doc["window"]["step_min"], 5);
        doc["system"].clone()
    };
    let converted = back.join("five-minute-dr.toml");
    let runs = [
        system(toml),
        system(pras.to_str().unwrap()),
        system(converted.to_str().unwrap()),
    ];
    for (key, exact) in [
        ("lole_h", 2.0 / 12.0),
        ("lolf", 1.0),
        ("eue_mwh", (24.0 + 54.0) / 12.0),
        ("storage_charged_mwh", (12.0 + 12.0) / 12.0),
        ("storage_discharged_mwh", 12.0 / 12.0),
        ("dr_borrowed_mwh", (18.0 + 6.0) / 12.0),
        ("dr_paid_back_mwh", 0.0),
        ("dr_unserved_payback_mwh", 24.0 / 12.0),
    ] {
        for sys in &runs {
            let mean = sys[key]["mean"].as_f64().unwrap();
            assert!((mean - exact).abs() < 1e-12, "{key}: {mean}, exact {exact}");
        }
    }
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[1], runs[2]);
}

/// A system at 15-minute steps whose every step is an hour of an hourly system, with the
/// energies (storage, generator-storage and demand response capacities, MWh) divided by
/// the 4 steps an hour and the per-step keys (carry-over, interest, payback window in
/// steps, outage probabilities) the same, is the hourly system on a clock 4 times faster:
/// the engine walks the same states with the same random draws, so its LOLE, EUE and
/// storage and demand response energies are the hourly ones divided by 4 exactly (a power
/// of 2; checked up to the JSON parse), its LOLF, NEUE and P(shortfall) the same, bit for
/// bit. With outages, efficiencies, carry-over and interest, and one storage device (the
/// order of several by time to empty counts hours, which the clock changes).
#[test]
fn a_faster_clock_scales_every_energy_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let demand: String = std::iter::once("step,mw\n".to_string())
        .chain((0..336).map(|h| {
            let hour_of_day = (h % 24) as f64;
            let mw = 330.0 + 70.0 * (std::f64::consts::PI * (hour_of_day - 6.0) / 12.0).sin();
            format!("{},{:.0}\n", h + 1, mw)
        }))
        .collect();
    std::fs::write(dir.path().join("demand.csv"), demand).unwrap();
    let write = |name: &str, study: &str, k: f64, steps: bool, device: &str| {
        let (interest, window) = if steps {
            ("interest_per_step", "payback_window_steps")
        } else {
            ("interest_per_h", "payback_window_h")
        };
        let text = format!(
            "name = \"{name}\"\n[study]\n{study}\n\
             [[regions]]\nname = \"R\"\ndemand = {{ file = \"demand.csv\", column = \"mw\" }}\n\
             [[units]]\nname = \"G\"\nregion = \"R\"\ncount = 8\nmw = 60\n\
             outage_model = \"discrete\"\nfailure_probability = 0.05\nrepair_probability = 0.2\n\
             [[{device}]]\nname = \"S\"\nregion = \"R\"\ncharge_mw = 100\ndischarge_mw = 100\n\
             energy_mwh = {}\ncharge_efficiency = 0.9\ndischarge_efficiency = 0.95\n\
             carryover_efficiency = 0.99\ninitial_soc = 0.5\noutage_model = \"discrete\"\n\
             failure_probability = 0.01\nrepair_probability = 0.1\n{}\
             [[demand_responses]]\nname = \"D\"\nregion = \"R\"\nborrow_mw = 50\npayback_mw = 30\n\
             energy_mwh = {}\n{interest} = 0.01\n{window} = 6\nborrow_efficiency = 0.9\n\
             outage_model = \"discrete\"\nfailure_probability = 0.02\nrepair_probability = 0.3\n",
            400.0 / k,
            if device == "generator_storages" {
                "inflow_mw = 20\ngrid_injection_mw = 100\ngrid_withdrawal_mw = 50\n"
            } else {
                ""
            },
            120.0 / k
        );
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let doc = json(&[
            "run",
            path.to_str().unwrap(),
            "--samples",
            "400",
            "--seed",
            "5",
            "--format",
            "json",
        ]);
        doc["system"].clone()
    };
    for device in ["storages", "generator_storages"] {
        let hourly = write("hourly", "hours = 336", 1.0, false, device);
        let fast = write("fast", "hours = 84\nstep_min = 15", 4.0, true, device);
        assert!(hourly["lole_h"]["mean"].as_f64().unwrap() > 1.0, "{hourly}");
        let mut energies = vec![
            "lole_h",
            "eue_mwh",
            "storage_charged_mwh",
            "storage_discharged_mwh",
            "storage_at_event_mwh",
            "dr_borrowed_mwh",
            "dr_paid_back_mwh",
            "dr_unserved_payback_mwh",
        ];
        if device == "generator_storages" {
            energies.push("storage_spilled_mwh");
        }
        for key in energies {
            for part in ["mean", "se"] {
                let (h, f) = (&hourly[key][part], &fast[key][part]);
                let (h, f) = (h.as_f64().unwrap(), f.as_f64().unwrap());
                // Exact in the engine; serde_json's default parse of the JSON text may be
                // off by an ulp, hence the tolerance of a few.
                assert!(
                    (f * 4.0 - h).abs() <= 4.0 * f64::EPSILON * h.abs(),
                    "{device} {key} {part}: {f} x 4 against {h}"
                );
            }
        }
        assert!(hourly["dr_borrowed_mwh"]["mean"].as_f64().unwrap() > 0.0);
        for key in ["lolf", "neue_ppm", "p_shortfall"] {
            assert_eq!(fast[key], hourly[key], "{device} {key}");
        }
    }
}

/// Each system index of a run's JSON `sys` within 4 of its standard errors (a positive one)
/// of its exact value.
fn assert_within_4_se(sys: &Value, exact: [(&str, f64); 3]) {
    for (key, exact) in exact {
        let (mean, se) = (
            sys[key]["mean"].as_f64().unwrap(),
            sys[key]["se"].as_f64().unwrap(),
        );
        assert!(
            se > 0.0 && (mean - exact).abs() < 4.0 * se,
            "{key}: {mean} ± {se}, exact {exact}"
        );
    }
}
