//! Regional tails and monthly results end to end: event-tail probabilities against the
//! indices they must agree with, months adding up to the window, thread independence, and
//! bad thresholds refused with exit 2.

use crate::util::{gridrisk, json, without_run, RTS79};
use predicates::str::contains;
use serde_json::Value;

const KAZ: &str = "scenarios/kazakhstan/winter-2021-22.toml";

fn kaz(threads: &str) -> Value {
    json(&[
        "run",
        KAZ,
        "--samples",
        "200",
        "--seed",
        "7",
        "--threads",
        threads,
        "--event-mw",
        "1000,0",
        "--event-mw",
        "250",
        "--event-hours",
        "1,6",
        "--format",
        "json",
    ])
}

fn mean(v: &Value) -> f64 {
    v["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("no mean in {v}"))
}

#[test]
fn tails_agree_with_the_indices_and_months_add_up() {
    let doc = kaz("1");
    let tails = &doc["event_tails"];
    let areas = std::iter::once(("system", &doc["system"], &tails["system"]))
        .chain(
            (doc["regions"].as_object().unwrap().iter())
                .map(|(name, r)| (name.as_str(), r, &tails["regions"][name])),
        )
        .collect::<Vec<_>>();
    assert_eq!(areas.len(), 7);
    for (name, indices, t) in areas {
        // Thresholds sorted; at 0 MW and 1 h they are P(shortfall) and P(an event of 2+ h).
        let mw: Vec<u64> = (t["p_event_above_mw"].as_array().unwrap().iter())
            .map(|x| x["above"].as_u64().unwrap())
            .collect();
        assert_eq!(mw, [0, 250, 1000], "{name}");
        let at_zero = &t["p_event_above_mw"][0]["p"];
        assert_eq!(
            at_zero, &indices["p_shortfall"],
            "{name}: peak > 0 MW is a shortfall"
        );
        let ps: Vec<f64> = (t["p_event_above_mw"].as_array().unwrap().iter())
            .map(|x| mean(&x["p"]))
            .collect();
        assert!(ps.windows(2).all(|w| w[0] >= w[1]), "{name}: {ps:?}");
        // Exceedance curves start at P(shortfall) and end at 0 at the worst value.
        for (curve, worst) in [
            ("peak_mw_exceedance", "worst_peak_mw"),
            ("duration_h_exceedance", "longest_event_h"),
        ] {
            let c = t[curve].as_array().unwrap();
            assert!(c.len() <= 40, "{name} {curve}");
            assert_eq!(c[0][1].as_f64().unwrap(), mean(&indices["p_shortfall"]));
            if t[worst].as_u64().unwrap() > 0 {
                assert_eq!(c.last().unwrap()[0], t[worst].as_f64().unwrap() * 1.0);
                assert_eq!(c.last().unwrap()[1], 0.0);
            }
        }
        // Wilson intervals hold their estimate and stay in [0, 1].
        for x in t["p_event_longer_than_h"].as_array().unwrap() {
            let [lo, hi] = [0, 1].map(|i| x["p"]["ci95"][i].as_f64().unwrap());
            assert!(0.0 <= lo && lo <= mean(&x["p"]) && mean(&x["p"]) <= hi && hi <= 1.0);
        }
        // Months: Nov to Feb, adding up to the window's totals (to rounding of the means).
        let months = doc["monthly"]["system"].as_array().unwrap();
        let months = if name == "system" {
            months
        } else {
            doc["monthly"]["regions"][name].as_array().unwrap()
        };
        let names: Vec<&str> = months
            .iter()
            .map(|m| m["month"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["2021-11", "2021-12", "2022-01", "2022-02"]);
        for key in ["lole_h", "eue_mwh", "lolf"] {
            let sum: f64 = months.iter().map(|m| mean(&m[key])).sum();
            let total = mean(&indices[key]);
            assert!(
                (sum - total).abs() <= 1e-9 * total.max(1.0),
                "{name} {key}: months {sum}, window {total}"
            );
        }
    }
    // Regional EUE distributions; the mean of the samples above the VaR is not below it.
    let d = &doc["eue_distribution"]["regions"]["SOUTH"];
    assert!(mean_of(d, "mean_above_var95_mwh") >= mean_of(d, "p95_mwh"));
    assert!(doc["eue_distribution"]["mean_above_var95_mwh"].is_number());
    // Thread independence.
    assert_eq!(
        serde_json::to_string(&without_run(doc)).unwrap(),
        serde_json::to_string(&without_run(kaz("2"))).unwrap()
    );
}

fn mean_of(d: &Value, key: &str) -> f64 {
    d[key].as_f64().unwrap()
}

#[test]
fn a_window_in_hours_has_no_months_and_one_region_is_the_system() {
    let doc = json(&["run", RTS79, "--samples", "300", "--format", "json"]);
    assert!(doc.get("monthly").is_none());
    assert!(doc["eue_distribution"].get("regions").is_none());
    let t = &doc["event_tails"];
    let region = t["regions"].as_object().unwrap().values().next().unwrap();
    assert_eq!(region, &t["system"]);
    assert_eq!(t["system"]["p_event_above_mw"], serde_json::json!([]));
}

#[test]
fn bad_thresholds_exit_2_naming_the_option() {
    for (option, value, expect) in [
        ("--event-mw", "-5", "expected a whole number of MW >= 0"),
        ("--event-mw", "1.5", "expected a whole number of MW >= 0"),
        (
            "--event-hours",
            "0",
            "expected a whole number of hours >= 1",
        ),
        (
            "--event-hours",
            "-1",
            "expected a whole number of hours >= 1",
        ),
    ] {
        for command in [&["run", RTS79][..], &["compare", RTS79, RTS79], &["study"]] {
            gridrisk()
                .args(command)
                .args([option, value])
                .assert()
                .code(2)
                .stderr(contains(option))
                .stderr(contains(expect));
        }
    }
    gridrisk()
        .args(["merge", "nothing.json", "--event-hours", "0"])
        .assert()
        .code(2)
        .stderr(contains("--event-hours"));
}
