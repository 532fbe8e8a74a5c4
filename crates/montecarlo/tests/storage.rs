//! Storage: PRAS's test systems 2 and 3, exact enumeration of small systems, and properties
//! of the default dispatch (run in release mode).

mod common;
mod enumerate;

use common::{run, unit, MW};
use enumerate::{enumerate, Exact};
use gridrisk_core::model::{Line, Network, Outage, OutageModel, Storage};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::Sampler;
use proptest::prelude::*;

fn load(name: &str) -> SystemModel {
    common::load_test_data("storage", name)
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
        within(
            &format!("lole_h[{a}]"),
            acc.lole.finish(a).lole_h,
            exact.lole_h[a],
        );
        within(
            &format!("eue_mwh[{a}]"),
            acc.eue.finish(a).eue_mwh,
            exact.eue_mwh[a],
        );
    }
}

fn close(x: f64, y: f64, digits: i32) -> bool {
    (x - y).abs() < 0.5 * 10f64.powi(-digits)
}

/// PRAS's values of test 2 (`TestData.jl` lines 228-232) from the enumeration of the
/// scenario under the documented rules (discrete-time components, failure 0.1 and repair
/// 0.9 per step: independent states, available with probability 0.9).
#[test]
fn pras_test2_enumeration_gives_pras_values() {
    let e = enumerate(&load("test2.toml"));
    assert!(close(e.lole_h[1], 0.2, 9), "{e:?}");
    assert!(close(e.eue_mwh[1], 1.5542, 9), "{e:?}");
}

/// PRAS's values of test 3 (`TestData.jl` lines 256-264), system and by region.
#[test]
fn pras_test3_enumeration_gives_pras_values() {
    let e = enumerate(&load("test3.toml"));
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

/// The simulation of tests 2 and 3 against the enumeration (so against PRAS's values).
#[test]
fn pras_tests_2_and_3_simulated_within_3_se() {
    for (name, seed) in [("test2.toml", 1), ("test3.toml", 2)] {
        let model = load(name);
        let exact = enumerate(&model);
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
    let demand = (0..hours)
        .map(|_| (20 + rng.next(25) as i64) * MW)
        .collect();
    let units = (0..2 + rng.next(2))
        .map(|i| {
            let mw = 5 + rng.next(20) as i64;
            unit(
                &format!("u{i}"),
                0,
                mw,
                2.0 + rng.next(20) as f64,
                1.0 + rng.next(5) as f64,
            )
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
        outage: match rng.next(3) {
            0 => None,
            1 => Some(
                Outage {
                    mttf_h: 2.0 + rng.next(10) as f64,
                    mttr_h: 1.0 + rng.next(3) as f64,
                }
                .into(),
            ),
            _ => Some(OutageModel::Discrete {
                p_fail: rng.frac(0.0) * 0.5,
                p_repair: rng.frac(0.2),
            }),
        },
        inflow: None,
    }
}

/// Random small systems: the simulation within 3 standard errors of the enumeration.
#[test]
fn random_small_systems_match_the_enumeration() {
    let mut rng = Lcg(7);
    for k in 0..4 {
        let model = random_system(&mut rng, 3);
        let exact = enumerate(&model);
        check(&model, &exact, 100_000, 10 + k);
    }
}

/// Per sample, system unserved energy of `model` and of `other` under the same draws.
fn per_sample_eue(model: &SystemModel, other: &SystemModel, samples: u64) -> Vec<(i64, i64)> {
    let (mut s1, mut s2) = (Sampler::new(model).unwrap(), Sampler::new(other).unwrap());
    let a = model.regions().len();
    (0..samples)
        .map(|s| {
            let (mut x, mut y) = (Indices::new(model), Indices::new(other));
            s1.sample(3, s, &mut x);
            s2.sample(3, s, &mut y);
            (x.eue.last_wh(a), y.eue.last_wh(a))
        })
        .collect()
}

/// A storage device with no energy changes no sample: every index is as without it.
#[test]
fn a_storage_without_energy_changes_no_sample() {
    let mut rng = Lcg(3);
    for _ in 0..3 {
        let model = random_system(&mut rng, 200);
        let bare = model.clone().with_storages(Vec::new()).unwrap();
        let empty = bare
            .clone()
            .with_storages(vec![Storage {
                energy_wh: 0,
                initial_wh: 0,
                ..model.storages()[0].clone()
            }])
            .unwrap();
        let (mut s1, mut s2) = (Sampler::new(&bare).unwrap(), Sampler::new(&empty).unwrap());
        let (mut x, mut y) = (Indices::new(&bare), Indices::new(&empty));
        for s in 0..500 {
            s1.sample(5, s, &mut x);
            s2.sample(5, s, &mut y);
            for a in 0..2 {
                assert_eq!(x.last_sample(a), y.last_sample(a), "sample {s}");
            }
        }
        assert_eq!(
            serde_json::to_string(&x.eue).unwrap(),
            serde_json::to_string(&y.eue).unwrap()
        );
    }
}

/// More energy, discharge or charge power never raises a sample's system unserved energy
/// by more than the rounding (PRAS's whole-unit ceiling each hour: at most 1 Wh per hour of
/// the window) under the default dispatch when the region has one device (random one-region systems
/// with random efficiencies, carry-over and outages; common random numbers: the device
/// keeps its outage stream). With several devices it can, even lossless ones: the
/// time-to-empty priority is a heuristic (see
/// `more_discharge_power_can_raise_unserved_energy` and the README).
#[test]
fn more_storage_never_raises_unserved_energy() {
    let mut rng = Lcg(11);
    for k in 0..60 {
        let mut model = random_system(&mut rng, 48);
        let mut devices = model.storages().to_vec();
        devices.truncate(1);
        model = model.with_storages(devices.clone()).unwrap();
        let i = 0;
        let extra = (1 + rng.next(10) as i64) * MW;
        match k % 3 {
            0 => devices[i].energy_wh += extra,
            1 => devices[i].discharge_w += extra,
            _ => devices[i].charge_w += extra,
        }
        let more = model.clone().with_storages(devices).unwrap();
        let hours = model.hours() as i64;
        for (s, (a, b)) in per_sample_eue(&model, &more, 300).into_iter().enumerate() {
            assert!(
                b <= a + hours,
                "system {k}, sample {s}: {b} Wh with more storage, {a} Wh before"
            );
        }
    }
}

/// The counterexample of the README: the time-to-empty rule ignores efficiencies, so more
/// discharge power for a device with a poor charge efficiency makes it the first to
/// charge, and the system stores (and later serves) less. One region, a 10 MW unit that
/// never fails; demand 5 MW in hour 0, then 40 MW for three hours. X: 20 MWh, 10 MW
/// out, 5 MW in, half full, efficiencies 1; Y: the same with 4 MW out and a charge
/// efficiency of 0.5. Hour 0: X's time to empty is 1 h, Y's 2.5 h rounded to 2 h, so X
/// takes the 5 MW surplus and stores 5 MWh: 25 MWh in all serve the later hours, EUE 65
/// MWh. With 20 MW out, Y's time to empty is 0.5 h rounded (half to even) to 0 h, Y
/// charges first and stores 2.5 MWh: EUE 67.5 MWh.
#[test]
fn more_discharge_power_can_raise_unserved_energy() {
    let device = |name: &str, discharge_mw: i64, charge_efficiency: f64| Storage {
        name: name.into(),
        region: 0,
        charge_w: 5 * MW,
        discharge_w: discharge_mw * MW,
        energy_wh: 20 * MW,
        charge_efficiency,
        discharge_efficiency: 1.0,
        carryover_efficiency: 1.0,
        initial_wh: 10 * MW,
        outage: None,
        inflow: None,
    };
    let eue = |y_discharge_mw| {
        let model = SystemModel::new(
            "counterexample",
            Calendar::from_hours(4, 0, 0),
            vec![Region::new("A", vec![5 * MW, 40 * MW, 40 * MW, 40 * MW])],
            vec![unit("G", 0, 10, 1e30, 1.0)],
        )
        .unwrap()
        .with_storages(vec![device("X", 10, 1.0), device("Y", y_discharge_mw, 0.5)])
        .unwrap();
        let mut acc = Indices::new(&model);
        Sampler::new(&model).unwrap().sample(1, 0, &mut acc);
        acc.eue.last_wh(1)
    };
    assert_eq!(eue(4), 65 * MW);
    assert_eq!(eue(20), 67 * MW + MW / 2);
}

/// Energy is conserved in every sample: for each device, the change of its state of
/// charge is what was stored minus what was taken minus carry-over losses, what was stored
/// is the energy charged times the charge efficiency rounded up each hour, and what was
/// taken is the energy discharged over the discharge efficiency rounded up each hour.
#[test]
fn energy_is_conserved_in_every_sample() {
    let mut rng = Lcg(5);
    for _ in 0..5 {
        let model = random_system(&mut rng, 72);
        let mut sampler = Sampler::new(&model).unwrap();
        let mut acc = Indices::new(&model);
        let hours = model.hours() as f64;
        for s in 0..300 {
            sampler.sample(1, s, &mut acc);
            let st = sampler.storage().unwrap();
            for (i, d) in model.storages().iter().enumerate() {
                let l = st.ledger[i];
                assert_eq!(
                    st.soc_wh[i] - d.initial_wh,
                    l.stored_wh - l.removed_wh - l.decayed_wh,
                    "sample {s} device {i}: {l:?}"
                );
                let stored = l.charged_wh as f64 * d.charge_efficiency;
                let taken = l.discharged_wh as f64 / d.discharge_efficiency;
                assert!((0.0..hours + 1e-6).contains(&(l.stored_wh as f64 - stored + 1e-6)));
                assert!((0.0..hours + 1e-6).contains(&(l.removed_wh as f64 - taken + 1e-6)));
                assert!(l.decayed_wh >= 0 && (l.decayed_wh == 0 || d.carryover_efficiency < 1.0));
                assert!((0..=d.energy_wh).contains(&st.soc_wh[i]));
            }
        }
    }
}

/// One thread or three, the same result (test 3: a network with storage).
#[test]
fn thread_count_does_not_change_a_storage_run() {
    let model = load("test3.toml");
    let (one, three) = (run(&model, 20_000, 4, 1), run(&model, 20_000, 4, 3));
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&three).unwrap()
    );
}

/// A random system of one to three regions over 8 days (six blocks of 32 hours): per block
/// a load level from light to tight, so that some blocks are passed at once, some
/// device by device and some walked; units that fail often enough for both; one to three
/// devices, lossy ones with carry-overs that refill exactly from full (0.999 of a whole
/// number of MWh) and ones that do not, some starting full; with `lines`, a line between
/// each pair of neighbouring regions (then hours are dispatched by the network).
fn blocky_system(rng: &mut Lcg, lines: bool) -> SystemModel {
    let hours = 8 * 24;
    let regions: Vec<Region> = (0..1 + rng.next(3))
        .map(|r| {
            let levels: Vec<i64> = (0..6).map(|_| 15 + rng.next(30) as i64).collect();
            let demand = (0..hours)
                .map(|h| (levels[h / 32] + rng.next(8) as i64) * MW + rng.next(1000) as i64)
                .collect();
            Region::new(format!("R{r}"), demand)
        })
        .collect();
    let n = regions.len();
    let units = (0..n)
        .flat_map(|r| (0..3).map(move |k| (r, k)))
        .map(|(r, k)| {
            let mw = 10 + rng.next(15) as i64;
            let (mttf, mttr) = (20.0 + rng.next(150) as f64, 2.0 + rng.next(20) as f64);
            unit(&format!("u{r}{k}"), r, mw, mttf, mttr)
        })
        .collect();
    let storages = (0..1 + rng.next(3))
        .map(|i| {
            let energy_mwh = 5 + rng.next(30) as i64;
            let energy_wh = energy_mwh * MW + rng.next(2) as i64 * rng.next(MW as u64) as i64;
            Storage {
                region: rng.next(n as u64) as usize,
                energy_wh,
                carryover_efficiency: match rng.next(4) {
                    0 => 1.0,
                    1 => 0.999,
                    2 => 0.99,
                    _ => rng.frac(0.9),
                },
                charge_efficiency: [1.0, 0.9, rng.frac(0.7)][rng.next(3) as usize],
                initial_wh: energy_wh * rng.next(3) as i64 / 2,
                outage: match rng.next(3) {
                    0 => None,
                    _ => Some(
                        Outage {
                            mttf_h: 20.0 + rng.next(100) as f64,
                            mttr_h: 2.0 + rng.next(40) as f64,
                        }
                        .into(),
                    ),
                },
                ..storage(rng, &format!("s{i}"))
            }
        })
        .collect();
    let model = SystemModel::new("blocky", Calendar::from_hours(hours, 0, 0), regions, units)
        .unwrap()
        .with_storages(storages)
        .unwrap();
    if !lines || n == 1 {
        return model;
    }
    model
        .with_network(Network {
            lines: (1..n)
                .map(|r| Line {
                    name: format!("L{r}"),
                    from: r - 1,
                    to: r,
                    forward_w: (5 + rng.next(20) as i64) * MW,
                    backward_w: (5 + rng.next(20) as i64) * MW,
                    outage: None,
                })
                .collect(),
            ..Network::default()
        })
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The shortcuts (blocks skipped with steady storage, blocks passed device by device,
    /// served hours charged without the dispatch) give, sample by sample, every device's
    /// state of charge and energy ledger and every index of the hour-by-hour walk, bit for
    /// bit, on random small systems with and without a network.
    #[test]
    fn shortcuts_equal_the_hour_by_hour_walk(seed in any::<u64>(), lines in any::<bool>()) {
        let model = blocky_system(&mut Lcg(seed), lines);
        let (mut fast, mut slow) = (Sampler::new(&model).unwrap(), Sampler::new(&model).unwrap());
        slow.walk_every_hour();
        let (mut x, mut y) = (Indices::new(&model), Indices::new(&model));
        for s in 0..40 {
            fast.sample(seed, s, &mut x);
            slow.sample(seed, s, &mut y);
            let (a, b) = (fast.storage().unwrap(), slow.storage().unwrap());
            prop_assert_eq!(&a.soc_wh, &b.soc_wh, "sample {}", s);
            prop_assert_eq!(&a.ledger, &b.ledger, "sample {}", s);
        }
        prop_assert_eq!(
            serde_json::to_string(&x).unwrap(),
            serde_json::to_string(&y).unwrap()
        );
    }
}
