//! Statistical tests: Monte Carlo estimates against exact values, with fixed seeds.
//!
//! Run in release mode (`cargo test --release`): the RTS-79 test draws 1,000,000 sample-years.

mod common;

use common::{discrete_unit, small_system, small_system_of, unit};
use gridrisk_core::SystemModel;
use gridrisk_montecarlo::accumulators::{Accumulator, Indices};
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::{analytic, runner, Sampler, SimulationSpec, StopRule};
use rayon::prelude::*;
use std::path::Path;

fn within(name: &str, e: Estimate, exact: f64, z: f64) {
    assert!(
        (e.mean - exact).abs() <= z * e.se,
        "{name}: mean {} se {} exact {exact}: |z| = {:.2} > {z}",
        e.mean,
        e.se,
        (e.mean - exact).abs() / e.se
    );
}

fn run(model: &SystemModel, samples: u64, seed: u64, threads: usize) -> Indices {
    let spec = SimulationSpec::new(StopRule::Samples(samples), seed, 500).unwrap();
    runner::run(
        model,
        &spec,
        threads,
        || Indices::new(model),
        &|_| {},
        |_| false,
    )
    .unwrap()
    .acc
}

#[test]
fn small_system_brackets_the_exact_values() {
    let model = small_system(None);
    let exact = analytic::exact(&model).unwrap();
    let acc = run(&model, 100_000, 3, 0);
    within("lole_h", acc.lole.finish(1).lole_h, exact.lole_h, 3.0);
    within("lolf", acc.lole.finish(1).lolf, exact.lolf.unwrap(), 3.0);
    within("eue_mwh", acc.eue.finish(1).eue_mwh, exact.eue_mwh, 3.0);
}

#[test]
fn discrete_time_units_bracket_the_exact_values() {
    // PRAS's convention: independent from hour to hour (0.1 + 0.9 = 1), slow (0.02 + 0.1),
    // and anti-correlated (0.6 + 0.7 > 1), beside a continuous-time unit. LOLF tests the
    // law of the states one hour apart, LOLE and EUE the availability of every hour.
    let model = small_system_of(vec![
        discrete_unit("a", 0, 10, 0.1, 0.9),
        discrete_unit("b", 0, 20, 0.02, 0.1),
        discrete_unit("d", 0, 15, 0.6, 0.7),
        unit("c", 0, 30, 200.0, 20.0),
    ]);
    let exact = analytic::exact(&model).unwrap();
    assert_eq!(exact.lolf_ct, None);
    let acc = run(&model, 100_000, 5, 0);
    within("lole_h", acc.lole.finish(1).lole_h, exact.lole_h, 3.0);
    within("lolf", acc.lole.finish(1).lolf, exact.lolf.unwrap(), 3.0);
    within("eue_mwh", acc.eue.finish(1).eue_mwh, exact.eue_mwh, 3.0);
}

#[test]
fn thread_count_does_not_change_the_result() {
    let model = small_system(None);
    let one = run(&model, 5_000, 11, 1);
    let three = run(&model, 5_000, 11, 3);
    for a in 0..2 {
        assert_eq!(
            format!("{:?}", one.lole.finish(a)),
            format!("{:?}", three.lole.finish(a))
        );
        assert_eq!(
            format!("{:?}", one.eue.finish(a)),
            format!("{:?}", three.eue.finish(a))
        );
    }
    assert_eq!(
        format!("{:?}", one.eue_distribution.finish()),
        format!("{:?}", three.eue_distribution.finish())
    );
}

#[test]
fn a_zero_mw_unit_changes_no_sample() {
    let model = small_system(None);
    let with_zero = small_system(Some(unit("zero", 0, 0, 50.0, 5.0)));
    let (mut s1, mut s2) = (
        Sampler::new(&model).unwrap(),
        Sampler::new(&with_zero).unwrap(),
    );
    for s in 0..2_000 {
        let (mut a, mut b) = (Indices::new(&model), Indices::new(&with_zero));
        s1.sample(5, s, &mut a);
        s2.sample(5, s, &mut b);
        assert_eq!(
            format!("{:?}", a.eue.finish(1)),
            format!("{:?}", b.eue.finish(1)),
            "sample {s}"
        );
        assert_eq!(
            format!("{:?}", a.lole.finish(1)),
            format!("{:?}", b.lole.finish(1))
        );
    }
}

#[test]
fn more_capacity_never_raises_risk_on_the_same_seed() {
    // Common random numbers: an extra unit only adds capacity to every hour of every sample.
    let model = small_system(None);
    let more = small_system(Some(unit("d", 0, 5, 100.0, 10.0)));
    let (mut s1, mut s2) = (Sampler::new(&model).unwrap(), Sampler::new(&more).unwrap());
    for s in 0..2_000 {
        let (mut a, mut b) = (Indices::new(&model), Indices::new(&more));
        s1.sample(9, s, &mut a);
        s2.sample(9, s, &mut b);
        assert!(b.eue.finish(1).eue_mwh.mean <= a.eue.finish(1).eue_mwh.mean);
        assert!(b.lole.finish(1).lole_h.mean <= a.lole.finish(1).lole_h.mean);
    }
}

fn rts79() -> SystemModel {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/benchmarks/ieee-rts79.toml");
    gridrisk_core::scenario::load(&path).unwrap().model
}

type Pick = fn(&Indices) -> Estimate;

/// 1,000,000 RTS-79 sample-years as 1,000 replications of 1,000 (samples `1000 i ..
/// 1000 (i + 1)` of seed 1): the merged run brackets the exact values within 3 standard
/// errors, and the replications' 95% intervals are calibrated.
#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "1,000,000 sample-years: run with --release"
)]
fn rts79_million_years_and_calibrated_intervals() {
    let model = rts79();
    let exact = analytic::exact(&model).unwrap();
    let reps: Vec<Indices> = (0..1000u64)
        .into_par_iter()
        .map_init(
            || Sampler::new(&model).unwrap(),
            |sampler, i| {
                let mut acc = Indices::new(&model);
                for s in i * 1000..(i + 1) * 1000 {
                    sampler.sample(1, s, &mut acc);
                }
                acc
            },
        )
        .collect();
    let mut all = Indices::new(&model);
    for r in &reps {
        all.merge(r);
    }
    let picks: [(&str, f64, Pick); 3] = [
        ("lole_h", exact.lole_h, |a| a.lole.finish(1).lole_h),
        ("eue_mwh", exact.eue_mwh, |a| a.eue.finish(1).eue_mwh),
        ("lolf", exact.lolf.unwrap(), |a| a.lole.finish(1).lolf),
    ];
    for (name, exact, pick) in picks {
        within(name, pick(&all), exact, 3.0);
        let stats: Vec<Estimate> = reps.iter().map(pick).collect();
        let n = stats.len() as f64;
        let covered = stats
            .iter()
            .filter(|e| e.ci95[0] <= exact && exact <= e.ci95[1])
            .count() as f64
            / n;
        let mean = stats.iter().map(|e| e.mean).sum::<f64>() / n;
        let sd = (stats.iter().map(|e| (e.mean - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let ratio = stats.iter().map(|e| e.se).sum::<f64>() / n / sd;
        println!(
            "{name}: 1e6 mean {} (exact {exact}), coverage {covered:.3}, mean(se)/sd(means) {ratio:.3}",
            pick(&all).mean
        );
        assert!(
            (0.92..=0.97).contains(&covered),
            "{name}: coverage {covered}"
        );
        assert!(
            (0.93..=1.07).contains(&ratio),
            "{name}: mean(se)/sd = {ratio}"
        );
    }
}
