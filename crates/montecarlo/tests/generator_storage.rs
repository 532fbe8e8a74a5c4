//! Generator-storage: a device with no inflow is its storage device bit for bit, the
//! inflow and the store conserve energy in every sample under both strategies, and thread
//! counts do not change a run with a network (run in release mode).

mod common;

use common::{unit, MW};
use gridrisk_core::model::{GenStorDispatch, Inflow, Outage, OutageModel, ShavingPeriod, Storage};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::{runner, Sampler, SimulationSpec, StopRule};
use std::path::Path;

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

/// A random device: powers, energy, efficiencies, carry-over, initial energy, outages.
fn device(rng: &mut Lcg, name: &str) -> Storage {
    let energy_wh = (3 + rng.next(30) as i64) * MW + rng.next(MW as u64) as i64;
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
        outage: (rng.next(2) == 0).then(|| {
            OutageModel::from(Outage {
                mttf_h: 2.0 + rng.next(10) as f64,
                mttr_h: 1.0 + rng.next(3) as f64,
            })
        }),
        inflow: None,
    }
}

/// A random one-region system of `hours` hours (a multiple of 24) with two or three units
/// and `devices`.
fn system(rng: &mut Lcg, hours: usize, devices: Vec<Storage>) -> SystemModel {
    let demand = (0..hours)
        .map(|_| (20 + rng.next(25) as i64) * MW)
        .collect();
    let units = (0..2 + rng.next(2))
        .map(|i| {
            let mw = 5 + rng.next(20) as i64;
            let (mttf, mttr) = (2.0 + rng.next(20) as f64, 1.0 + rng.next(5) as f64);
            unit(&format!("u{i}"), 0, mw, mttf, mttr)
        })
        .collect();
    SystemModel::new(
        "random",
        Calendar::from_hours(hours, 0, 0),
        vec![Region::new("A", demand)],
        units,
    )
    .unwrap()
    .with_storages(devices)
    .unwrap()
}

/// A generator-storage with no inflow whose grid limits are its charge and discharge
/// powers gives its storage device's results, sample by sample and bit for bit (the
/// generator-storage makes the walk visit every hour; the storage device lets it skip).
#[test]
fn a_generator_storage_without_inflow_is_its_storage_device() {
    let mut rng = Lcg(11);
    for _ in 0..4 {
        let hours = 24 * 8;
        let devices: Vec<Storage> = (0..1 + rng.next(2))
            .map(|i| device(&mut rng, &format!("s{i}")))
            .collect();
        let plain = system(&mut rng, hours, devices.clone());
        let dry = plain
            .clone()
            .with_storages(
                devices
                    .iter()
                    .map(|d| Storage {
                        inflow: Some(Inflow {
                            inflow_w: vec![0; hours],
                            grid_injection_w: d.discharge_w,
                            grid_withdrawal_w: d.charge_w,
                            dispatch: GenStorDispatch::Pras,
                        }),
                        ..d.clone()
                    })
                    .collect(),
            )
            .unwrap();
        let (mut s1, mut s2) = (Sampler::new(&plain).unwrap(), Sampler::new(&dry).unwrap());
        let (mut x, mut y) = (Indices::new(&plain), Indices::new(&dry));
        for s in 0..400 {
            s1.sample(7, s, &mut x);
            s2.sample(7, s, &mut y);
            for a in 0..2 {
                assert_eq!(x.last_sample(a), y.last_sample(a), "sample {s}");
            }
            let (a, b) = (s1.storage().unwrap(), s2.storage().unwrap());
            assert_eq!(a.soc_wh, b.soc_wh, "sample {s}");
            assert_eq!(a.ledger, b.ledger, "sample {s}");
        }
        for (p, q) in [
            (serde_json::to_string(&x.eue), serde_json::to_string(&y.eue)),
            (
                serde_json::to_string(&x.lole),
                serde_json::to_string(&y.lole),
            ),
        ] {
            assert_eq!(p.unwrap(), q.unwrap());
        }
        assert_eq!(x.storage.charged_mwh(1), y.storage.charged_mwh(1));
        assert_eq!(x.storage.discharged_mwh(1), y.storage.discharged_mwh(1));
        assert_eq!(y.storage.spilled_mwh(1).mean, 0.0);
    }
}

/// Random systems with a storage device and one or two generator-storages (random hourly
/// inflows, grid limits, PRAS or peak-shaving by day or week): in every sample each
/// device's state of charge changes by what was stored less what was taken and lost, and
/// each generator-storage's inflow is what it injected, charged and spilled; the sample's
/// spilled energy is the sum of its devices'.
#[test]
fn inflow_and_store_conserve_energy_in_every_sample() {
    let mut rng = Lcg(12);
    for k in 0..6 {
        let hours = 24 * 14;
        let mut devices = vec![device(&mut rng, "s")];
        for i in 0..1 + rng.next(2) {
            let d = device(&mut rng, &format!("g{i}"));
            let dispatch = match (k + i) % 3 {
                0 => GenStorDispatch::Pras,
                n => GenStorDispatch::PeakShaving {
                    period: if n == 1 {
                        ShavingPeriod::Day
                    } else {
                        ShavingPeriod::Week
                    },
                    min_injection_w: rng.next(2) as i64 * MW,
                },
            };
            let inflow_w = (0..hours).map(|_| rng.next(8) as i64 * MW + 7).collect();
            devices.push(Storage {
                inflow: Some(Inflow {
                    inflow_w,
                    grid_injection_w: (2 + rng.next(12) as i64) * MW,
                    grid_withdrawal_w: rng.next(3) as i64 * MW,
                    dispatch,
                }),
                ..d
            });
        }
        let model = system(&mut rng, hours, devices);
        let mut sampler = Sampler::new(&model).unwrap();
        let mut acc = Indices::new(&model);
        let mut spilled_wh = 0;
        for s in 0..200 {
            sampler.sample(2, s, &mut acc);
            let st = sampler.storage().unwrap();
            let mut sample_spilled = 0;
            for (i, d) in model.storages().iter().enumerate() {
                let l = st.ledger[i];
                assert_eq!(
                    st.soc_wh[i] - d.initial_wh,
                    l.stored_wh - l.removed_wh - l.decayed_wh,
                    "sample {s} device {i}: {l:?}"
                );
                assert!((0..=d.energy_wh).contains(&st.soc_wh[i]));
                assert_eq!(
                    l.inflow_wh,
                    l.inflow_injected_wh + l.inflow_charged_wh + l.spilled_wh,
                    "sample {s} device {i}: {l:?}"
                );
                for w in [l.inflow_injected_wh, l.inflow_charged_wh, l.spilled_wh] {
                    assert!(w >= 0, "sample {s} device {i}: {l:?}");
                }
                assert!(l.inflow_charged_wh <= l.charged_wh);
                match &d.inflow {
                    Some(g) => assert!(l.inflow_wh <= g.inflow_w.iter().sum::<i64>()),
                    None => assert_eq!(l.inflow_wh, 0),
                }
                sample_spilled += l.spilled_wh;
            }
            spilled_wh += sample_spilled;
        }
        let mean = acc.storage.spilled_mwh(1).mean;
        assert!((mean - spilled_wh as f64 / 200.0 / MW as f64).abs() < 1e-9 * (1.0 + mean));
    }
}

/// One thread or three, the same result: PRAS's test 3 (a line, storage in the region
/// without a generator) with a generator-storage beside the generator.
#[test]
fn thread_count_does_not_change_a_generator_storage_run() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/storage/test3-hydro.toml");
    let model = gridrisk_core::scenario::load(&path).unwrap().model;
    let run = |threads| {
        let spec = SimulationSpec::new(StopRule::Samples(20_000), 4, 500).unwrap();
        let acc = runner::run(
            &model,
            &spec,
            threads,
            || Indices::new(&model),
            &|_| {},
            |_| false,
        )
        .unwrap()
        .acc;
        serde_json::to_string(&acc).unwrap()
    };
    let one = run(1);
    assert!(one.contains("spilled"));
    assert_eq!(one, run(3));
}
