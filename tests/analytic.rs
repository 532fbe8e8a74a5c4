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
