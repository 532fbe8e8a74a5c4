//! Paired comparisons and the conditions of a winter: common random numbers, exactness of
//! neutral conditions, curtailment before firm load, and paired intervals against exact
//! differences.

mod common;

use common::{small_system, unit, MW};
use gridrisk_core::model::{
    Conditions, Enforcement, IllegalMining, Mining, MiningPolicy, RegisteredMining,
};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::{Accumulator, HourView, Indices, SampleView};
use gridrisk_montecarlo::compare::compare;
use gridrisk_montecarlo::{analytic, runner, Sampler, SimulationSpec, StopRule};

fn spec(samples: u64, seed: u64) -> SimulationSpec {
    SimulationSpec::new(StopRule::Samples(samples), seed, 100).unwrap()
}

#[test]
fn paired_interval_brackets_the_exact_difference_and_beats_independent_runs() {
    let base = small_system(None);
    let variant = small_system(Some(unit("d", 0, 8, 120.0, 15.0)));
    let exact = analytic::exact(&variant).unwrap().lole_h - analytic::exact(&base).unwrap().lole_h;
    let out = compare(&[&base, &variant], &spec(40_000, 3), 0, &|_| {}).unwrap();
    let d = out.acc.difference(1, 1, 0);
    assert!(
        (d.mean - exact).abs() <= 3.0 * d.se,
        "paired difference {} se {} exact {exact}",
        d.mean,
        d.se
    );
    // Independent runs: different seeds for base and variant.
    let run = |m: &SystemModel, seed| {
        runner::run(
            m,
            &spec(40_000, seed),
            0,
            || Indices::new(m),
            &|_| {},
            |_| false,
        )
        .unwrap()
        .acc
        .lole
        .finish(1)
        .lole_h
    };
    let (a, b) = (run(&base, 5), run(&variant, 6));
    let independent_se = (a.se * a.se + b.se * b.se).sqrt();
    assert!(
        d.se < 0.7 * independent_se,
        "paired se {} vs independent {independent_se}",
        d.se
    );
}

fn with_mining(model: SystemModel, mining: Mining) -> SystemModel {
    model
        .with_conditions(Conditions {
            mining,
            ..Conditions::default()
        })
        .unwrap()
}

fn mining(policies: Vec<MiningPolicy>, enforcement: Vec<Enforcement>) -> Mining {
    Mining {
        registered: vec![RegisteredMining {
            region: 0,
            load_w: 4 * MW,
        }],
        policies,
        illegal: Some(IllegalMining {
            min_w: 2 * MW,
            mode_w: 4 * MW,
            max_w: 8 * MW,
            shares: vec![(0, 1.0)],
            farm_mean_w: MW as f64,
            farm_cv: 0.5,
            detectability_cv: 0.0,
            detectability_size_exponent: 0.0,
        }),
        enforcement,
    }
}

fn raids(start_day: usize) -> Enforcement {
    Enforcement {
        name: "raids".into(),
        days: start_day..10,
        hazard_per_day: 0.3,
        inspections_per_day: 2,
        reconnect_probability: 0.3,
        reconnect_delay_days: (1, 3),
        relocate_probability: 0.0,
        amnesty_day: None,
    }
}

#[test]
fn enforcement_after_the_window_changes_no_sample() {
    let base = with_mining(small_system(None), mining(vec![], vec![]));
    let late = with_mining(small_system(None), mining(vec![], vec![raids(10)]));
    let early = with_mining(small_system(None), mining(vec![], vec![raids(0)]));
    let out = compare(&[&base, &late, &early], &spec(3_000, 2), 0, &|_| {}).unwrap();
    for i in 0..9 {
        for a in 0..2 {
            let d = out.acc.difference(1, a, i);
            assert_eq!((d.mean, d.se), (0.0, 0.0), "total {i} area {a}");
        }
    }
    // Raids from day 0 lower the illegal part of EUE (index 5: eue_illegal_mwh).
    let d = out.acc.difference(2, 1, 5);
    assert!(d.mean < 0.0 && d.ci95[1] < 0.0, "raids: {d:?}");
}

/// Checks, hour by hour, that interruptible registered mining is fully curtailed whenever
/// firm load is short (one region, constant registered load).
struct CurtailedFirst {
    registered_w: i64,
    short_hours: u64,
}

impl Accumulator for CurtailedFirst {
    fn record_hour(&mut self, hour: &HourView) {
        if hour.short_w[0] > 0 {
            assert_eq!(
                hour.mining_curtailed_w[0], self.registered_w,
                "hour {}",
                hour.hour
            );
            self.short_hours += 1;
        }
        assert!(hour.mining_curtailed_w[0] <= self.registered_w);
    }
    fn end_sample(&mut self, _: &SampleView) {}
    fn merge(&mut self, _: &Self) {}
}

#[test]
fn interruptible_registered_mining_is_curtailed_before_firm_load() {
    let model = with_mining(
        small_system(None),
        mining(vec![MiningPolicy::Interruptible { hours: 0..240 }], vec![]),
    );
    let mut acc = CurtailedFirst {
        registered_w: 4 * MW,
        short_hours: 0,
    };
    let mut sampler = Sampler::new(&model).unwrap();
    for s in 0..2_000 {
        sampler.sample(1, s, &mut acc);
    }
    assert!(acc.short_hours > 100, "{} short hours", acc.short_hours);
}

#[test]
fn neutral_conditions_reproduce_the_plain_engine_exactly() {
    let plain = small_system(None);
    // Mining of 0 MW with no policy and weather with nothing random: nothing changes.
    let neutral = small_system(None)
        .with_conditions(Conditions {
            mining: Mining {
                registered: vec![RegisteredMining {
                    region: 0,
                    load_w: 0,
                }],
                ..Mining::default()
            },
            ..Conditions::default()
        })
        .unwrap();
    let out = compare(&[&plain, &neutral], &spec(2_000, 4), 0, &|_| {}).unwrap();
    for i in 0..9 {
        let d = out.acc.difference(1, 1, i);
        assert_eq!((d.mean, d.se), (0.0, 0.0), "total {i}");
    }
    assert_eq!(
        format!("{:?}", out.acc.indices[0].lole.finish(1)),
        format!("{:?}", out.acc.indices[1].lole.finish(1))
    );
}

#[test]
fn a_block_cap_limits_the_blocks_combined_output() {
    // Three 10 MW units capped at 20 MW together, 20 MW of demand: short iff at most one
    // unit is up. With availability 0.9: P(short) = 0.1^3 + 3 x 0.9 x 0.1^2 = 0.028, and the
    // expected unserved power 0.027 x 10 + 0.001 x 20 = 0.29 MW.
    let hours = 100;
    let model = SystemModel::new(
        "capped",
        Calendar::from_hours(hours, 0, 360),
        vec![Region::new("A", vec![20 * MW; hours])],
        (1..=3)
            .map(|k| unit(&format!("Z#{k}"), 0, 10, 90.0, 10.0))
            .collect(),
    )
    .unwrap()
    .with_conditions(Conditions {
        block_caps: vec![gridrisk_core::model::BlockCap {
            name: "Z".into(),
            units: (1..=3).map(|k| format!("Z#{k}")).collect(),
            cap_w: 20 * MW,
        }],
        ..Conditions::default()
    })
    .unwrap();
    let acc = runner::run(
        &model,
        &spec(40_000, 8),
        0,
        || Indices::new(&model),
        &|_| {},
        |_| false,
    )
    .unwrap()
    .acc;
    let (lole, eue) = (acc.lole.finish(1).lole_h, acc.eue.finish(1).eue_mwh);
    assert!((lole.mean - 2.8).abs() <= 3.0 * lole.se, "lole {lole:?}");
    assert!((eue.mean - 29.0).abs() <= 3.0 * eue.se, "eue {eue:?}");
}
