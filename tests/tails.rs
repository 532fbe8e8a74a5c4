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

/// The CSV rows of `csv` by (scenario label or name, area, index): the cells after the index.
fn csv_rows(
    csv: &str,
    paired: bool,
) -> std::collections::HashMap<(String, String, String), Vec<String>> {
    let skip = usize::from(paired);
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<String> = line.split(',').map(str::to_string).collect();
            let key = (
                cells[skip].clone(),
                cells[1 + skip].clone(),
                cells[2 + skip].clone(),
            );
            (key, cells[3 + skip..].to_vec())
        })
        .collect()
}

/// The CSV cells of an estimate: mean, se, ci95 low and high (empty where missing).
fn cells(e: &Value) -> Vec<String> {
    [&e["mean"], &e["se"], &e["ci95"][0], &e["ci95"][1]]
        .map(|x| x.as_f64().map(|x| x.to_string()).unwrap_or_default())
        .to_vec()
}

/// The same cells: both empty, or the same number (the JSON was read back without exact
/// float round-tripping, so to the last bit or so).
fn same(csv: &[String], json: &[String]) -> bool {
    csv.len() == json.len()
        && csv
            .iter()
            .zip(json)
            .all(|(a, b)| match (a.parse::<f64>(), b.parse::<f64>()) {
                (Ok(x), Ok(y)) => (x - y).abs() <= 1e-14 * x.abs().max(y.abs()),
                _ => a == b,
            })
}

/// Every value of `"event_tails"` and `"monthly"` of scenario `sc` (with its paired
/// differences) is in its CSV row; returns the number of rows checked.
fn check_sections(
    rows: &std::collections::HashMap<(String, String, String), Vec<String>>,
    sc: &Value,
    who: &str,
    paired: bool,
) -> usize {
    let mut checked = 0;
    let mut expect =
        |area: &str, index: String, own: Vec<String>, diff: Option<Vec<String>>, unit: &str| {
            let row = rows
                .get(&(who.to_string(), area.to_string(), index.clone()))
                .unwrap_or_else(|| panic!("no CSV row {who} {area} {index}"));
            assert!(
                same(&row[..4], &own),
                "{who} {area} {index}: {row:?} vs {own:?}"
            );
            if paired {
                let diff = diff.unwrap_or_else(|| vec![String::new(); 4]);
                let cells = &row[4..8];
                assert!(
                    same(cells, &diff),
                    "{who} {area} {index}: {cells:?} vs {diff:?}"
                );
            }
            assert_eq!(row.last().unwrap(), unit, "{who} {area} {index}");
            checked += 1;
        };
    let areas = |section: &str| -> Vec<(String, Value, Value)> {
        let (own, diff) = (&sc[section], &sc["difference"][section]);
        std::iter::once((
            "system".to_string(),
            own["system"].clone(),
            diff["system"].clone(),
        ))
        .chain(
            own["regions"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone(), diff["regions"][k].clone())),
        )
        .collect()
    };
    for (area, t, d) in areas("event_tails") {
        for key in ["p_event_above_mw", "p_event_longer_than_h"] {
            let thresholds = t[key].as_array().unwrap();
            assert!(!thresholds.is_empty());
            for (j, x) in thresholds.iter().enumerate() {
                let diff = d[key][j]["p"].is_object().then(|| cells(&d[key][j]["p"]));
                assert_eq!(diff.is_some(), paired && sc["difference"].is_object());
                expect(
                    &area,
                    format!("{key}[{}]", x["above"]),
                    cells(&x["p"]),
                    diff,
                    "probability",
                );
            }
        }
        for (key, unit) in [("worst_peak_mw", "MW"), ("longest_event_h", "h")] {
            let mut own = vec![t[key].as_u64().unwrap().to_string()];
            own.resize(4, String::new());
            expect(&area, key.into(), own, None, unit);
        }
        for key in ["peak_mw_exceedance", "duration_h_exceedance"] {
            for p in t[key].as_array().unwrap() {
                let mut own = vec![p[1].as_f64().unwrap().to_string()];
                own.resize(4, String::new());
                expect(
                    &area,
                    format!("{key}[{}]", p[0].as_f64().unwrap()),
                    own,
                    None,
                    "probability",
                );
            }
        }
    }
    for (area, months, d) in areas("monthly") {
        for (i, m) in months.as_array().unwrap().iter().enumerate() {
            for (key, unit) in [
                ("lole_h", "h/window"),
                ("eue_mwh", "MWh/window"),
                ("lolf", "events/window"),
            ] {
                let diff = d[i][key].is_object().then(|| cells(&d[i][key]));
                assert_eq!(diff.is_some(), paired && sc["difference"].is_object());
                let index = format!("{key}[{}]", m["month"].as_str().unwrap());
                expect(&area, index, cells(&m[key]), diff, unit);
            }
        }
    }
    checked
}

const TAILS: [&str; 4] = ["--event-mw", "1000,0", "--event-hours", "6"];

fn output(args: &[&str]) -> String {
    let out = gridrisk().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn csv_has_every_value_of_the_tails_and_months() {
    let run = [&["run", KAZ, "--samples", "100", "--seed", "3"][..], &TAILS].concat();
    let doc = json(&[&run[..], &["--format", "json"]].concat());
    let csv = output(&[&run[..], &["--format", "csv"]].concat());
    let name = doc["scenario"]["name"].as_str().unwrap();
    let checked = check_sections(&csv_rows(&csv, false), &doc, name, false);
    // 7 areas x (3 thresholds + 2 worst values + curve points) + 7 areas x 4 months x 3.
    assert!(checked > 7 * 5 + 7 * 4 * 3, "{checked}");
    let cmp = [
        &[
            "compare",
            KAZ,
            "scenarios/kazakhstan/interruptible.toml",
            "--samples",
            "100",
            "--seed",
            "3",
        ][..],
        &TAILS,
    ]
    .concat();
    let doc = json(&[&cmp[..], &["--format", "json"]].concat());
    let rows = csv_rows(&output(&[&cmp[..], &["--format", "csv"]].concat()), true);
    let scenarios = std::iter::once(&doc["base"]).chain(doc["variants"].as_array().unwrap());
    for sc in scenarios {
        check_sections(&rows, sc, sc["label"].as_str().unwrap(), true);
    }
}

#[test]
fn paired_tail_and_month_differences_are_differences_of_means_and_narrower() {
    let doc = json(
        &[
            &[
                "compare",
                KAZ,
                "scenarios/kazakhstan/interruptible.toml",
                "--samples",
                "200",
                "--seed",
                "5",
            ][..],
            &TAILS,
            &["--format", "json"],
        ]
        .concat(),
    );
    let (base, variant) = (&doc["base"], &doc["variants"][0]);
    let diff = &variant["difference"];
    let close = |d: f64, x: f64| (d - x).abs() <= 1e-9 * x.abs().max(1.0);
    let mut narrower = 0;
    let mut check = |d: &Value, b: &Value, v: &Value, what: String| {
        assert!(
            close(mean(d), mean(v) - mean(b)),
            "{what}: {d} vs {v} - {b}"
        );
        let unpaired =
            (b["se"].as_f64().unwrap().powi(2) + v["se"].as_f64().unwrap().powi(2)).sqrt();
        let se = d["se"].as_f64().unwrap();
        assert!(
            se <= unpaired + 1e-12,
            "{what}: paired se {se} above unpaired {unpaired}"
        );
        narrower += usize::from(se < 0.9 * unpaired);
    };
    for area in ["system", "SOUTH"] {
        let pick = |sc: &Value, section: &str| match area {
            "system" => sc[section]["system"].clone(),
            r => sc[section]["regions"][r].clone(),
        };
        let (b, v, d) = (
            pick(base, "event_tails"),
            pick(variant, "event_tails"),
            pick(diff, "event_tails"),
        );
        for key in ["p_event_above_mw", "p_event_longer_than_h"] {
            for j in 0..b[key].as_array().unwrap().len() {
                check(
                    &d[key][j]["p"],
                    &b[key][j]["p"],
                    &v[key][j]["p"],
                    format!("{area} {key} {j}"),
                );
            }
        }
        let (b, v, d) = (
            pick(base, "monthly"),
            pick(variant, "monthly"),
            pick(diff, "monthly"),
        );
        for i in 0..4 {
            assert_eq!(d[i]["month"], b[i]["month"]);
            for key in ["lole_h", "eue_mwh", "lolf"] {
                check(
                    &d[i][key],
                    &b[i][key],
                    &v[i][key],
                    format!("{area} {key} month {i}"),
                );
            }
        }
    }
    // Interruptible load acts on the same cold hours as the base's shortfalls: the
    // differences are positively correlated and most paired intervals far narrower.
    assert!(
        narrower >= 20,
        "{narrower} of 30 paired intervals below 0.9 of the unpaired"
    );
}

#[test]
fn pras_test1_tail_means() {
    // PRAS's test1 enumerated (tests/data/tails/test1.toml): system EUE 0 (p 0.81), 2 MWh
    // (0.162), 8 (0.009), 9 (0.009), 17 (0.01). EUE 0.647, LOLE 0.19, CVaR95 7.34 MWh.
    let doc = crate::util::json(&[
        "run",
        "tests/data/tails/test1.toml",
        "--samples",
        "400000",
        "--format",
        "json",
    ]);
    for (key, exact) in [("eue_mwh", 0.647), ("lole_h", 0.19)] {
        let e = &doc["system"][key];
        let (m, se) = (mean(e), e["se"].as_f64().unwrap());
        assert!(
            (m - exact).abs() < 3.0 * se,
            "{key}: {m} vs {exact} (se {se})"
        );
    }
    let d = &doc["eue_distribution"];
    assert_eq!(d["p95_mwh"].as_f64(), Some(2.0));
    assert_eq!(d["p99_mwh"].as_f64(), Some(17.0));
    // The worst 5% of 400,000 samples are 20,000: their mean's sampling sd is about 0.055 MWh
    // (the counts of 17s, 9s and 8s among them are binomial); bins add at most 0.5%.
    let cvar = d["cvar95_mwh"].as_f64().unwrap();
    assert!((cvar - 7.34).abs() < 0.25, "CVaR95 {cvar} vs 7.34");
    // PRAS's E[X | X > VaR95] (`_cvar`, PRASCore.jl/src/Results/utils.jl): the samples
    // strictly above 2 MWh, exactly 0.323 / 0.028 = 11.536 MWh. About 0.028 n = 11,200
    // samples are above, with sd 4.09 MWh (17, 9 and 8 in shares 0.36, 0.32, 0.32): se
    // 0.039 MWh. Each value has its own bin, so the estimate is the plain sample mean.
    let above = d["mean_above_var95_mwh"].as_f64().unwrap();
    let exact = 0.323 / 0.028;
    assert!(
        (above - exact).abs() < 3.0 * 0.039,
        "E[X | X > VaR95] {above} vs PRAS's {exact}"
    );
    // The two tail means differ: ties at the VaR enter the CVaR, not PRAS's measure.
    assert!(above - cvar > 4.0, "{above} vs {cvar}");
}
