//! Cause attribution (`crate::attribution`): Shapley shares that sum to each sample's energy
//! exactly, hand-built systems whose attribution is known, and thread-count independence.

mod common;

use common::{discrete_unit, MW};
use gridrisk_core::model::{Line, Network};
use gridrisk_core::scenario;
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::attribution::{self, Cause, Worlds, PARTS};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Mutex;

const HOURS: usize = 96;

/// Two regions: A with `a_units`, no demand; B with 100 MW of demand and `b_units`; one
/// line A-B of `line_mw` both ways.
fn two_regions(units: Vec<gridrisk_core::model::UnitSpec>, line_mw: i64) -> SystemModel {
    SystemModel::new(
        "two",
        Calendar::from_hours(HOURS, 0, 0),
        vec![
            Region::new("A", vec![0; HOURS]),
            Region::new("B", vec![100 * MW; HOURS]),
        ],
        units,
    )
    .unwrap()
    .with_network(Network {
        lines: vec![Line {
            name: "A-B".into(),
            from: 0,
            to: 1,
            forward_w: line_mw * MW,
            backward_w: line_mw * MW,
            outage: None,
        }],
        ..Network::default()
    })
    .unwrap()
}

/// Run `model` with attribution; `check` sees every block (of one sample) before merging.
fn run(
    model: &SystemModel,
    samples: u64,
    threads: usize,
    check: &(dyn Fn(&Indices) + Sync),
) -> Value {
    let spec = SimulationSpec::new(StopRule::Samples(samples), 7, 1).unwrap();
    let out = attribution::run_observed(
        model,
        &spec,
        threads,
        || Indices::new(model).with_attribution(model),
        &|_| {},
        |_| false,
        check,
    )
    .unwrap();
    out.acc.attribution.as_ref().unwrap().summary_json(model)
}

fn mean(v: &Value) -> f64 {
    v["mean"].as_f64().unwrap()
}

/// In every sample and area, the causes' shares and the residual sum to the area's
/// unserved energy exactly, and the national deficit and corridor-limited parts too.
fn sums_exactly(acc: &Indices) {
    let a = acc.attribution.as_ref().unwrap();
    for area in 0..acc.lole.areas() {
        let parts = a.last_parts(area);
        assert_eq!(parts.len(), PARTS);
        let energy = acc.eue.last_wh(area);
        assert_eq!(parts[..=Cause::ALL.len()].iter().sum::<i64>(), energy);
        assert_eq!(parts[PARTS - 2] + parts[PARTS - 1], energy);
    }
}

#[test]
fn a_cause_that_alone_makes_the_shortfall_gets_all_of_it() {
    // B has 50 MW that never fail and the line brings 20 MW of A's 1,000: B is short 30 MW
    // in every hour whatever A's flaky unit does; lifting the line removes it.
    let model = two_regions(
        vec![
            discrete_unit("big", 0, 1000, 0.0, 1.0),
            discrete_unit("flaky", 0, 10, 0.5, 0.5),
            discrete_unit("local", 1, 50, 0.0, 1.0),
        ],
        20,
    );
    let worlds = Worlds::of(&model).unwrap();
    assert_eq!(worlds.causes, [Cause::ForcedOutages, Cause::Corridors]);
    let doc = run(&model, 20, 1, &sums_exactly);
    let b = &doc["regions"]["B"];
    let exact_mwh = 30.0 * HOURS as f64;
    assert_eq!(mean(&b["eue_mwh"]), exact_mwh);
    assert_eq!(mean(&b["causes"]["corridors"]["eue_mwh"]), exact_mwh);
    assert_eq!(mean(&b["causes"]["corridors"]["share"]), 1.0);
    assert_eq!(mean(&b["causes"]["forced_outages"]["eue_mwh"]), 0.0);
    assert_eq!(mean(&b["causes"]["residual"]["eue_mwh"]), 0.0);
    assert_eq!(mean(&b["national_deficit"]["eue_mwh"]), 0.0);
    assert_eq!(mean(&b["corridor_limited"]["eue_mwh"]), exact_mwh);
    assert_eq!(doc["resimulated_samples"], 20);
}

#[test]
fn two_causes_both_needed_split_the_energy_evenly() {
    // B: 80 MW firm and a 30 MW unit that fails half the time; the line brings 10 MW. B is
    // short 10 MW exactly when its unit is down; with units that never fail, or with the
    // line lifted, never.
    let model = two_regions(
        vec![
            discrete_unit("big", 0, 1000, 0.0, 1.0),
            discrete_unit("firm", 1, 80, 0.0, 1.0),
            discrete_unit("flaky", 1, 30, 0.5, 0.5),
        ],
        10,
    );
    let doc = run(&model, 50, 1, &|acc: &Indices| {
        sums_exactly(acc);
        // In every sample: half the energy to each cause (10 MW x hours is even in Wh).
        let parts = acc.attribution.as_ref().unwrap().last_parts(1);
        let energy = acc.eue.last_wh(1);
        assert_eq!(parts[0], energy / 2, "forced outages");
        assert_eq!(parts[2], energy / 2, "corridors");
    });
    let b = &doc["regions"]["B"];
    assert!(mean(&b["eue_mwh"]) > 0.0);
    assert_eq!(mean(&b["causes"]["forced_outages"]["share"]), 0.5);
    assert_eq!(mean(&b["causes"]["corridors"]["share"]), 0.5);
    // With the line lifted, B is never short: all of it is corridor-limited.
    assert_eq!(mean(&b["national_deficit"]["eue_mwh"]), 0.0);
}

fn kazakhstan() -> SystemModel {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/kazakhstan/winter-2021-22.toml");
    scenario::load(&path).unwrap().model
}

#[test]
fn kazakhstan_shares_sum_exactly_in_every_sample_for_any_thread_count() {
    let model = kazakhstan();
    assert_eq!(Worlds::of(&model).unwrap().causes, Cause::ALL);
    let failures = Mutex::new(Vec::new());
    let check = |acc: &Indices| {
        if let Err(e) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sums_exactly(acc)))
        {
            failures.lock().unwrap().push(format!("{e:?}"));
        }
    };
    let one = run(&model, 24, 1, &check);
    let two = run(&model, 24, 2, &check);
    assert!(failures.lock().unwrap().is_empty());
    assert_eq!(one, two, "bit-identical for 1 and 2 threads");
    let south = &one["regions"]["SOUTH"];
    assert!(mean(&south["eue_mwh"]) > 0.0);
    let shares: f64 = (south["causes"].as_object().unwrap().values())
        .map(|p| mean(&p["share"]))
        .sum();
    assert!((shares - 1.0).abs() < 1e-12, "shares sum to {shares}");
}

#[test]
fn removing_a_cause_removes_it_and_keeps_every_other_draw() {
    let model = kazakhstan();
    for c in Cause::ALL {
        let world = c.remove(&model).unwrap();
        assert!(!c.present(&world), "{c:?} removed");
        for other in Cause::ALL.into_iter().filter(|&o| o != c) {
            assert!(other.present(&world), "{other:?} still acts without {c:?}");
        }
    }
    // Common random numbers: without a forced outage, an import failure, a corridor limit
    // or illegal mining, the system is never shorter in any sample (on other draws it
    // would be, in some of them). Weather is not monotone: a mild day at normal
    // temperature has more demand.
    let system = model.regions().len();
    let mut base = gridrisk_montecarlo::Sampler::new(&model).unwrap();
    for c in [
        Cause::ForcedOutages,
        Cause::Imports,
        Cause::Corridors,
        Cause::IllegalMining,
    ] {
        let world = c.remove(&model).unwrap();
        let mut without = gridrisk_montecarlo::Sampler::new(&world).unwrap();
        let mut lower = 0;
        for s in 0..20 {
            let (mut a, mut b) = (Indices::new(&model), Indices::new(&world));
            base.sample(3, s, &mut a);
            without.sample(3, s, &mut b);
            let (with_wh, without_wh) = (a.eue.last_wh(system), b.eue.last_wh(system));
            assert!(without_wh <= with_wh, "{c:?}, sample {s}");
            lower += usize::from(without_wh < with_wh);
        }
        assert!(lower > 0, "removing {c:?} changes something");
    }
}
