//! The synthetic systems of `gridrisk_benches::synth` (the large-system benchmark) through the
//! command line: they validate, and one area is RTS-79 exactly.

use crate::util::{gridrisk, json, RTS79};
use gridrisk_benches::synth::{Rule, Synth, Variant};
use predicates::str::contains;

#[test]
fn generated_systems_validate() {
    let dir = tempfile::tempdir().unwrap();
    for (r, variant, rule) in [
        (1, Variant::Loose, Rule::Local),
        (2, Variant::Tight, Rule::Shared),
        (9, Variant::Tight, Rule::Local),
        (13, Variant::Loose, Rule::Shared),
    ] {
        let synth = Synth::new(r, variant, rule);
        let path = synth.write(dir.path()).unwrap();
        let lines = synth.lines().len();
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        gridrisk()
            .arg("validate")
            .arg(&path)
            .assert()
            .success()
            .stdout(contains(format!(
                "{r} region{} (0 hubs), {lines} line{}, 0 import sources, {} units",
                plural(r),
                plural(lines),
                32 * r
            )))
            .stderr(predicates::str::is_empty());
    }
}

/// One loose area has RTS-79's exact indices (`gridrisk analytic`, equal to the shipped
/// scenario's), and a fixed-seed Monte Carlo run of it and of the tight area lies within 3
/// standard errors of their exact values.
#[test]
fn one_area_reproduces_rts79() {
    let dir = tempfile::tempdir().unwrap();
    let path = |variant| {
        Synth::new(1, variant, Rule::Local)
            .write(dir.path())
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let (loose, tight) = (path(Variant::Loose), path(Variant::Tight));
    let analytic = |p: &str| json(&["analytic", p, "--format", "json"])["system"].clone();
    assert_eq!(analytic(&loose), analytic(RTS79));
    let exact_tight = analytic(&tight);
    assert!(exact_tight["lole_h"].as_f64() > analytic(&loose)["lole_h"].as_f64());
    for (p, exact) in [(&loose, analytic(RTS79)), (&tight, exact_tight)] {
        let run = json(&[
            "run",
            p,
            "--samples",
            "4000",
            "--seed",
            "1",
            "--format",
            "json",
        ]);
        for key in ["lole_h", "eue_mwh"] {
            let (mean, se) = (
                run["system"][key]["mean"].as_f64().unwrap(),
                run["system"][key]["se"].as_f64().unwrap(),
            );
            let want = exact[key].as_f64().unwrap();
            assert!(
                (mean - want).abs() <= 3.0 * se,
                "{p} {key}: {mean} +- {se} vs exact {want}"
            );
        }
    }
}
