//! Statistical tests: Monte Carlo estimates against exact values, with fixed seeds.
//!
//! Run in release mode (`cargo test --release`): the RTS-79 test draws 1,000,000 sample-years.

mod common;

use common::{discrete_unit, run, small_system, small_system_of, unit, MW};
use gridrisk_core::model::{Conditions, UnitConditions, UnitProfile};
use gridrisk_core::SystemModel;
use gridrisk_montecarlo::accumulators::{Accumulator, HourView, Indices, SampleView};
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::outage::{Components, History, Quantities};
use gridrisk_montecarlo::rng::SampleKey;
use gridrisk_montecarlo::{analytic, Sampler};
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

/// The system short hours of one sample, with the shortfall in watts.
#[derive(Default)]
struct ShortHours(Vec<(usize, i64)>);

impl Accumulator for ShortHours {
    fn record_hour(&mut self, hour: &HourView) {
        let short = *hour.short_w.last().unwrap();
        if short > 0 {
            self.0.push((hour.hour, short));
        }
    }
    fn end_sample(&mut self, _: &SampleView) {}
    fn merge(&mut self, _: &Self) {}
}

/// The small system with hourly capacities: unit `b` (continuous time, with a dated outage
/// in hours 50..80) follows `profile_b` (MW), and a discrete-time unit `d` of 15 MW follows
/// a day-night shape.
fn profiled_system(profile_b: &[i64]) -> SystemModel {
    let hours = 240;
    let mut units = vec![
        unit("a", 0, 10, 90.0, 10.0),
        unit("b", 0, 20, 150.0, 30.0),
        unit("c", 0, 30, 200.0, 20.0),
        discrete_unit("d", 0, 15, 0.05, 0.2),
    ];
    units[3].capacity_w = 15 * MW;
    let day_night: Vec<i64> = (0..hours)
        .map(|h| {
            if (8..20).contains(&(h % 24)) {
                15 * MW
            } else {
                4 * MW
            }
        })
        .collect();
    small_system_of(units)
        .with_conditions(Conditions {
            units: vec![UnitConditions {
                unit: "b".into(),
                cold: None,
                dated_outages: std::iter::once(50..80).collect(),
            }],
            unit_profiles: vec![
                UnitProfile {
                    name: "b".into(),
                    units: vec!["b".into()],
                    capacity_w: profile_b.iter().map(|&mw| mw * MW).collect(),
                },
                UnitProfile {
                    name: "d".into(),
                    units: vec!["d".into()],
                    capacity_w: day_night,
                },
            ],
            ..Conditions::default()
        })
        .unwrap()
}

#[test]
fn hourly_capacities_keep_the_block_skipping_exact() {
    // The sampler skips blocks by their sums of changes; with hourly capacities those sums
    // must still bound every hour. Every sample's short hours and shortfalls must be those
    // of a walk of every hour over the outage history.
    // 20 MW by day, 12 MW at night, and nothing on day 3.
    let profile_b: Vec<i64> = (0..240)
        .map(|h| match (h / 24, h % 24) {
            (3, _) => 0,
            (_, 0..6) => 12,
            _ => 20,
        })
        .collect();
    let model = profiled_system(&profile_b);
    let mut sampler = Sampler::new(&model).unwrap();
    let components = Components::of(&model);
    let q = Quantities::of(&model);
    let mut history = History::new(q.count(), model.hours());
    let demand = model.regions()[0].demand_w();
    let (mut short_hours, mut skipped) = (0, 0);
    for s in 0..3_000 {
        let mut got = ShortHours::default();
        sampler.sample(13, s, &mut got);
        history.draw(&components, SampleKey::new(13, s), None);
        let mut level = history.initial[0];
        let mut want = Vec::new();
        let mut per_hour = [0i64; gridrisk_core::model::PEAK_BLOCK_H];
        for b in 0..history.blocks() {
            per_hour.fill(0);
            history.scatter(0, b, &mut per_hour);
            let start = level;
            let mut low = i64::MAX;
            for (o, change) in per_hour.iter().enumerate() {
                let h = b * per_hour.len() + o;
                if h < demand.len() {
                    level += change;
                    low = low.min(level);
                    if level < demand[h] {
                        want.push((h, demand[h] - level));
                    }
                }
            }
            // The block's sums: its net change, and a lower bound of every hour's level.
            let sums = history.sums()[b * q.count()];
            assert_eq!(start + sums.net_w, level, "sample {s} block {b}");
            assert!(start + sums.drop_w <= low, "sample {s} block {b}");
            // Blocks the sampler skips without walking their hours.
            let end = ((b + 1) * per_hour.len()).min(demand.len());
            let peak = demand[b * per_hour.len()..end].iter().max().unwrap();
            skipped += usize::from(start + sums.drop_w >= *peak);
        }
        assert_eq!(got.0, want, "sample {s}");
        short_hours += want.len();
    }
    assert!(
        short_hours > 10_000 && skipped > 1_000,
        "{short_hours} {skipped}"
    );
}

#[test]
fn a_constant_hourly_capacity_changes_no_sample() {
    // Unit b's capacity given hour by hour, equal to its constant 20 MW (and d's too):
    // every sample's results bit for bit.
    let constant = |model: &SystemModel, profiles: Vec<UnitProfile>| {
        model
            .clone()
            .with_conditions(Conditions {
                unit_profiles: profiles,
                ..model.conditions().clone()
            })
            .unwrap()
    };
    let base = small_system(Some(discrete_unit("d", 0, 15, 0.05, 0.2)));
    let profiled = constant(
        &base,
        vec![
            UnitProfile {
                name: "b".into(),
                units: vec!["b".into()],
                capacity_w: vec![20 * MW; 240],
            },
            UnitProfile {
                name: "d".into(),
                units: vec!["d".into()],
                capacity_w: vec![15 * MW; 240],
            },
        ],
    );
    let (mut s1, mut s2) = (
        Sampler::new(&base).unwrap(),
        Sampler::new(&profiled).unwrap(),
    );
    let mut short = 0;
    for s in 0..2_000 {
        let (mut a, mut b) = (Indices::new(&base), Indices::new(&profiled));
        s1.sample(5, s, &mut a);
        s2.sample(5, s, &mut b);
        for area in 0..2 {
            assert_eq!(
                format!("{:?} {:?}", a.lole.finish(area), a.eue.finish(area)),
                format!("{:?} {:?}", b.lole.finish(area), b.eue.finish(area)),
                "sample {s}"
            );
        }
        short += usize::from(a.lole.finish(1).lole_h.mean > 0.0);
    }
    assert!(short > 100, "{short} samples with a shortfall");
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
