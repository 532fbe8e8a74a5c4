//! `gridrisk analytic` on RTS-79 against the exact values of shared/data/rts79/REFERENCE.md.

use crate::util::{gridrisk, json, RTS79};
use predicates::str::contains;

#[test]
fn rts79_exact_values() {
    let doc = json(&["analytic", RTS79, "--format", "json"]);
    assert_eq!(doc["schema"], "gridrisk.analytic/1");
    let sys = &doc["system"];
    for (key, want, tol) in [
        ("lole_h", 9.394175, 1e-5),
        ("eue_mwh", 1176.298, 0.01),
        ("lole_d_peak", 1.368863, 1e-5),
        ("lolf", 1.913131, 1e-4),
        ("lolf_ct", 2.0197, 1e-3),
    ] {
        let got = sys[key].as_f64().unwrap();
        assert!((got - want).abs() <= tol, "{key}: {got} vs {want}");
    }
}

#[test]
fn table_output_names_the_indices() {
    gridrisk()
        .args(["analytic", RTS79])
        .assert()
        .success()
        .stdout(contains("lole_d_peak").and(contains("lolf_ct")));
}

use predicates::prelude::PredicateBooleanExt;

/// The analytic value of `key` in `doc`.
fn exact_value(doc: &serde_json::Value, key: &str) -> Option<f64> {
    doc["system"][key].as_f64()
}

/// Each feature the exact convolution models (deterministic renewables, dated outages,
/// capped blocks, all three together) against the Monte Carlo engine on the same scenario:
/// within 3 standard errors (fixed seed), and the feature changes the exact value (so it was
/// not ignored).
#[test]
fn modelled_features_match_monte_carlo() {
    let dir = "tests/data/analytic";
    let exact = |name: &str| {
        json(&[
            "analytic",
            &format!("{dir}/{name}.toml"),
            "--format",
            "json",
        ])
    };
    let base = exact("base");
    let base_lole = exact_value(&base, "lole_h").unwrap();
    for (name, lole_vs_base) in [
        ("base", 1.0),
        ("renewable", 0.5),
        ("dated", 5.0),
        ("capped", 1.2),
        ("combined", 10.0),
    ] {
        let file = format!("{dir}/{name}.toml");
        let x = exact(name);
        let lole = exact_value(&x, "lole_h").unwrap();
        // Renewables lower the risk; outages and caps raise it.
        if lole_vs_base < 1.0 {
            assert!(
                lole < lole_vs_base * base_lole,
                "{name}: {lole} vs {base_lole}"
            );
        } else if lole_vs_base > 1.0 {
            assert!(
                lole > lole_vs_base * base_lole,
                "{name}: {lole} vs {base_lole}"
            );
        }
        let mc = json(&[
            "run",
            &file,
            "--samples",
            "20000",
            "--seed",
            "7",
            "--format",
            "json",
        ]);
        for key in ["lole_h", "eue_mwh", "lolf"] {
            let want = exact_value(&x, key).unwrap();
            let est = &mc["system"][key];
            let (mean, se) = (est["mean"].as_f64().unwrap(), est["se"].as_f64().unwrap());
            assert!(
                (mean - want).abs() <= 3.0 * se,
                "{name} {key}: Monte Carlo {mean} ± {se}, exact {want}"
            );
        }
    }
}

/// Every feature the exact convolution cannot model is refused by name (exit 2, the file
/// named): the first line of each `refuse-*.toml` says what.
#[test]
fn unmodelled_features_are_refused_by_name() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/analytic");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("refuse-") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let want = text
            .lines()
            .next()
            .unwrap()
            .strip_prefix("# refused: ")
            .unwrap();
        let out = gridrisk().arg("analytic").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(want),
            "{name}: expected '{want}' in {stderr}"
        );
        assert!(
            stderr.contains(&name),
            "{name}: the file is not named in {stderr}"
        );
        assert!(out.stdout.is_empty(), "{name}: printed a value");
        // Monte Carlo runs it.
        gridrisk()
            .arg("run")
            .arg(&path)
            .args(["--samples", "20"])
            .assert()
            .success();
        checked += 1;
    }
    assert_eq!(checked, 10);
}

/// A system whose convolutions would take minutes is refused at once, naming the estimate.
#[test]
fn work_above_the_budget_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    std::fs::write(
        &file,
        "name = \"big\"\n[study]\nhours = 168\n[[regions]]\nname = \"A\"\n\
         [regions.demand]\npeak_mw = 95000\nhourly_shape = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, \
         1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n[[units]]\nname = \"G\"\nregion = \"A\"\n\
         count = 100000\nmw = 1\nmttf_h = 950\nmttr_h = 50\n",
    )
    .unwrap();
    gridrisk()
        .arg("analytic")
        .arg(&file)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stderr(
            contains("big.toml")
                .and(contains("multiply-adds"))
                .and(contains("100000 units")),
        );
}

/// RTS-79 with its units in discrete time (PRAS's convention, p = 1/MTTF and 1/MTTR): the
/// same availability per unit, so the same exact LOLE and EUE; its own hourly frequency (a
/// different correlation from hour to hour), no continuous-time frequency; and the Monte
/// Carlo engine within 3 standard errors of its exact values.
#[test]
fn discrete_time_rts79_keeps_the_exact_lole_and_matches_monte_carlo() {
    const DISCRETE: &str = "scenarios/benchmarks/ieee-rts79-discrete.toml";
    let cont = json(&["analytic", RTS79, "--format", "json"]);
    let disc = json(&["analytic", DISCRETE, "--format", "json"]);
    for key in ["lole_h", "eue_mwh", "lole_d_peak"] {
        let (a, b) = (
            exact_value(&cont, key).unwrap(),
            exact_value(&disc, key).unwrap(),
        );
        assert!((a - b).abs() <= 1e-9 * a, "{key}: {a} vs {b}");
    }
    let (lolf_c, lolf_d) = (
        exact_value(&cont, "lolf").unwrap(),
        exact_value(&disc, "lolf").unwrap(),
    );
    assert!(
        (lolf_c - lolf_d).abs() > 1e-3,
        "the frequencies differ: {lolf_c} vs {lolf_d}"
    );
    assert!(disc["system"]["lolf_ct"].is_null());
    let mc = json(&[
        "run",
        DISCRETE,
        "--samples",
        "20000",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    for key in ["lole_h", "eue_mwh", "lolf"] {
        let want = exact_value(&disc, key).unwrap();
        let est = &mc["system"][key];
        let (mean, se) = (est["mean"].as_f64().unwrap(), est["se"].as_f64().unwrap());
        assert!(
            (mean - want).abs() <= 3.0 * se,
            "{key}: Monte Carlo {mean} ± {se}, exact {want}"
        );
    }
}

/// Hourly failure and repair rates (`rates_file`): rates equal to 1 / MTTF and 1 / MTTR in
/// every hour give RTS-79's results bit for bit; the cold spell raises LOLE; the analytic
/// mode refuses hourly rates, naming the block.
#[test]
fn flat_hourly_rates_give_rts79_and_analytic_refuses_hourly_rates() {
    let run = |file: &str| {
        let doc = json(&["run", file, "--samples", "3000", "--format", "json"]);
        (doc["system"].clone(), doc["regions"].clone())
    };
    let rts = run(RTS79);
    assert_eq!(rts, run("tests/data/hourly/rts79-flat-rates.toml"));
    let cold = run("scenarios/benchmarks/ieee-rts79-cold-rates.toml");
    let lole = |r: &(serde_json::Value, serde_json::Value)| r.0["lole_h"]["mean"].as_f64().unwrap();
    assert!(
        lole(&cold) > lole(&rts),
        "{} <= {}",
        lole(&cold),
        lole(&rts)
    );
    gridrisk()
        .args([
            "analytic",
            "scenarios/benchmarks/ieee-rts79-cold-rates.toml",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "hourly failure and repair rates (units 'U155', rates_file)",
        ));
}

/// Hourly unit capacities (`capacity_file`): a flat profile equal to `mw` gives RTS-79's
/// results bit for bit, in Monte Carlo and in the analytic mode; the summer derate of
/// `ieee-rts79-hourly-capacity.toml` raises the exact LOLE, and the Monte Carlo engine is
/// within 3 standard errors of its exact values.
#[test]
fn hourly_capacities_flat_give_rts79_and_match_the_exact_values() {
    const HOURLY: &str = "scenarios/benchmarks/ieee-rts79-hourly-capacity.toml";
    const FLAT: &str = "tests/data/hourly/rts79-flat-capacity.toml";
    let run = |file: &str| {
        let doc = json(&["run", file, "--samples", "3000", "--format", "json"]);
        (doc["system"].clone(), doc["regions"].clone())
    };
    assert_eq!(run(RTS79), run(FLAT));
    let exact = |file: &str| json(&["analytic", file, "--format", "json"])["system"].clone();
    assert_eq!(exact(RTS79), exact(FLAT));
    let hourly = exact(HOURLY);
    let lole = |x: &serde_json::Value| x["lole_h"].as_f64().unwrap();
    assert!(lole(&hourly) > lole(&exact(RTS79)) + 0.1, "{hourly}");
    let mc = json(&[
        "run",
        HOURLY,
        "--samples",
        "20000",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    for key in ["lole_h", "eue_mwh", "lolf"] {
        let want = hourly[key].as_f64().unwrap();
        let est = &mc["system"][key];
        let (mean, se) = (est["mean"].as_f64().unwrap(), est["se"].as_f64().unwrap());
        assert!(
            (mean - want).abs() <= 3.0 * se,
            "{key}: Monte Carlo {mean} ± {se}, exact {want}"
        );
    }
}
