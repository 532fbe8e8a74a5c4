//! Storage: PRAS's test systems 2 and 3, exact enumeration of small systems, and properties
//! of the default dispatch (run in release mode).

mod common;
mod enumerate;

use common::{unit, MW};
use enumerate::{enumerate, Chain, Exact};
use gridrisk_core::model::{Outage, Storage};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::{runner, Sampler, SimulationSpec, StopRule};
use std::path::Path;

fn load(name: &str) -> SystemModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/storage")
        .join(name);
    gridrisk_core::scenario::load(&path).unwrap().model
}

fn run(model: &SystemModel, samples: u64, seed: u64, threads: usize) -> Indices {
    let spec = SimulationSpec::new(StopRule::Samples(samples), seed, 500).unwrap();
    runner::run(model, &spec, threads, || Indices::new(model), &|_| {}, |_| false)
        .unwrap()
        .acc
}

fn within(name: &str, e: Estimate, exact: f64) {
    assert!(
        (e.mean - exact).abs() <= 3.0 * e.se.max(1e-12),
        "{name}: mean {} se {} exact {exact}: |z| = {:.2} > 3",
        e.mean,
        e.se,
        (e.mean - exact).abs() / e.se
    );
}

/// Every area's LOLE and EUE within 3 standard errors of `exact`.
fn check(model: &SystemModel, exact: &Exact, samples: u64, seed: u64) {
    let acc = run(model, samples, seed, 0);
    for a in 0..=model.regions().len() {
        within(&format!("lole_h[{a}]"), acc.lole.finish(a).lole_h, exact.lole_h[a]);
        within(&format!("eue_mwh[{a}]"), acc.eue.finish(a).eue_mwh, exact.eue_mwh[a]);
    }
}

fn close(x: f64, y: f64, digits: i32) -> bool {
    (x - y).abs() < 0.5 * 10f64.powi(-digits)
}

/// PRAS's values of test 2 (`TestData.jl` lines 228-232) from the enumeration under the
/// documented rules, with PRAS's independent 0.9 availability per step.
#[test]
fn pras_test2_enumeration_gives_pras_values() {
    let e = enumerate(&load("test2.toml"), |_| Chain::independent(0.9));
    assert!(close(e.lole_h[1], 0.2, 9), "{e:?}");
    assert!(close(e.eue_mwh[1], 1.5542, 9), "{e:?}");
}

/// PRAS's values of test 3 (`TestData.jl` lines 256-264), system and by region.
#[test]
fn pras_test3_enumeration_gives_pras_values() {
    let e = enumerate(&load("test3.toml"), |_| Chain::independent(0.9));
    for (got, pras) in [
        (e.lole_h[2], 0.320951),
        (e.eue_mwh[2], 3.179289),
        (e.lole_h[0], 0.2),
        (e.lole_h[1], 0.255341),
        (e.eue_mwh[0], 1.581902),
        (e.eue_mwh[1], 1.597387),
    ] {
        assert!(close(got, pras, 6), "{got} against PRAS's {pras}: {e:?}");
    }
}

/// The simulation of tests 2 and 3 against the enumeration of the convention their files
/// give.
#[test]
fn pras_tests_2_and_3_simulated_within_3_se() {
    for (name, seed) in [("test2.toml", 1), ("test3.toml", 2)] {
        let model = load(name);
        let exact = enumerate(&model, Chain::continuous);
        check(&model, &exact, 200_000, seed);
    }
}

/// A small random number generator for building test systems.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    fn frac(&mut self, lo: f64) -> f64 {
        lo + (1.0 - lo) * self.next(1000) as f64 / 999.0
    }
}

/// A random one-region system of `hours` hours: two or three units, one or two storage
/// devices with random efficiencies, carry-over, initial energy and outages.
fn random_system(rng: &mut Lcg, hours: usize) -> SystemModel {
    let demand = (0..hours).map(|_| (20 + rng.next(25) as i64) * MW).collect();
    let units = (0..2 + rng.next(2))
        .map(|i| {
            let mw = 5 + rng.next(20) as i64;
            unit(&format!("u{i}"), 0, mw, 2.0 + rng.next(20) as f64, 1.0 + rng.next(5) as f64)
        })
        .collect();
    let storages = (0..1 + rng.next(2))
        .map(|i| storage(rng, &format!("s{i}")))
        .collect();
    SystemModel::new(
        "random",
        Calendar::from_hours(hours, 0, 0),
        vec![Region::new("A", demand)],
        units,
    )
    .unwrap()
    .with_storages(storages)
    .unwrap()
}

fn storage(rng: &mut Lcg, name: &str) -> Storage {
    let energy_wh = (3 + rng.next(20) as i64) * MW + rng.next(MW as u64) as i64;
    Storage {
        name: name.into(),
        region: 0,
        charge_w: (2 + rng.next(10) as i64) * MW,
        discharge_w: (2 + rng.next(10) as i64) * MW + 12_345,
        energy_wh,
        charge_efficiency: rng.frac(0.7),
        discharge_efficiency: rng.frac(0.7),
        carryover_efficiency: if rng.next(2) == 0 { 1.0 } else { rng.frac(0.9) },
        initial_wh: energy_wh * rng.next(3) as i64 / 2,
        outage: (rng.next(3) > 0).then(|| Outage {
            mttf_h: 2.0 + rng.next(10) as f64,
            mttr_h: 1.0 + rng.next(3) as f64,
        }),
    }
}

/// Random small systems: the simulation within 3 standard errors of the enumeration.
#[test]
fn random_small_systems_match_the_enumeration() {
    let mut rng = Lcg(7);
    for k in 0..4 {
        let model = random_system(&mut rng, 3);
        let exact = enumerate(&model, Chain::continuous);
        check(&model, &exact, 100_000, 10 + k);
    }
}
