//! Demand response: PRAS's test systems 4 and 5, exact enumeration of small systems, the
//! dispatch order on hand-built hours and the energy accounting of every sample (run in
//! release mode).

mod common;
mod enumerate;

use common::{discrete_unit, run, unit, MW};
use enumerate::{enumerate, Exact};
use gridrisk_core::model::{
    DemandResponse, ImportLink, ImportSource, Line, Network, OutageModel, Storage, UnitSpec,
};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::Sampler;

fn load(name: &str) -> SystemModel {
    common::load_test_data("demand_response", name)
}

/// `e` within `k` of `exact`, where `k` is 3 times `se` (or the combined error).
fn within(name: &str, e: Estimate, exact: f64, se: f64) {
    assert!(
        (e.mean - exact).abs() <= 3.0 * se.max(1e-12),
        "{name}: mean {} se {se} reference {exact}: |z| = {:.2} > 3",
        e.mean,
        (e.mean - exact).abs() / se
    );
}

/// Every area's LOLE and EUE within 3 standard errors of `exact`.
fn check(model: &SystemModel, exact: &Exact, samples: u64, seed: u64) -> Indices {
    let acc = run(model, samples, seed, 0);
    for a in 0..=model.regions().len() {
        let (lole, eue) = (acc.lole.finish(a).lole_h, acc.eue.finish(a).eue_mwh);
        within(&format!("lole_h[{a}]"), lole, exact.lole_h[a], lole.se);
        within(&format!("eue_mwh[{a}]"), eue, exact.eue_mwh[a], eue.se);
    }
    acc
}

fn close(x: f64, y: f64, digits: i32) -> bool {
    (x - y).abs() < 0.5 * 10f64.powi(-digits)
}

/// The enumeration of PRAS's tests 4 and 5 under PRAS's rules (`TestData.jl` lines 278-362,
/// commit c7933039) gives the independent enumeration quoted in issue 12: LOLE 2.117065 h,
/// EUE 42.08162 MWh and LOLE 2.004964 h, EUE 42.03749 MWh.
#[test]
fn pras_tests_4_and_5_enumeration() {
    for (name, lole, eue) in [
        ("test4.toml", 2.117065, 42.08162),
        ("test5.toml", 2.004964, 42.03749),
    ] {
        let e = enumerate(&load(name));
        assert!(close(e.lole_h[1], lole, 6), "{name}: {e:?}");
        assert!(close(e.eue_mwh[1], eue, 5), "{name}: {e:?}");
    }
}

/// The simulation of tests 4 and 5: within 3 standard errors of the enumeration, and
/// within 3 sqrt(se^2 + se_PRAS^2) of PRAS's own Monte Carlo values (1,000,000 samples,
/// `TestData.jl` lines 308-313 and 351-357), se_PRAS estimated from this run's spread.
#[test]
fn pras_tests_4_and_5_simulated() {
    const SAMPLES: u64 = 200_000;
    const PRAS_SAMPLES: f64 = 1e6;
    for (name, seed, lole_pras, eue_pras) in [
        ("test4.toml", 4, 2.118, 42.14),
        ("test5.toml", 5, 2.007, 42.11),
    ] {
        let model = load(name);
        let exact = enumerate(&model);
        let acc = check(&model, &exact, SAMPLES, seed);
        let ratio = (SAMPLES as f64 / PRAS_SAMPLES).sqrt();
        for (index, e, pras) in [
            ("lole_h", acc.lole.finish(1).lole_h, lole_pras),
            ("eue_mwh", acc.eue.finish(1).eue_mwh, eue_pras),
        ] {
            let combined = (e.se.powi(2) + (e.se * ratio).powi(2)).sqrt();
            within(&format!("{name} {index} against PRAS"), e, pras, combined);
        }
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

fn dr(
    name: &str,
    borrow_mw: i64,
    payback_mw: i64,
    energy_mwh: i64,
    window_h: u32,
) -> DemandResponse {
    DemandResponse {
        name: name.into(),
        region: 0,
        borrow_w: borrow_mw * MW,
        payback_w: payback_mw * MW,
        energy_wh: energy_mwh * MW,
        borrow_efficiency: 1.0,
        payback_efficiency: 1.0,
        interest_per_step: 0.0,
        payback_window_steps: window_h,
        outage: None,
    }
}

fn store(
    name: &str,
    charge_mw: i64,
    discharge_mw: i64,
    energy_mwh: i64,
    initial_mwh: i64,
) -> Storage {
    Storage {
        name: name.into(),
        region: 0,
        charge_w: charge_mw * MW,
        discharge_w: discharge_mw * MW,
        energy_wh: energy_mwh * MW,
        charge_efficiency: 1.0,
        discharge_efficiency: 1.0,
        carryover_efficiency: 1.0,
        initial_wh: initial_mwh * MW,
        outage: None,
        inflow: None,
    }
}

const INDEPENDENT: Option<OutageModel> = Some(OutageModel::Discrete {
    p_fail: 0.1,
    p_repair: 0.9,
});

/// A random one-region system of `hours` hours in whole MW (the enumeration's brute force
/// works in MW): two units, one or two demand response devices with random limits and
/// windows, and sometimes a storage device; discrete-time components with independent
/// hours (failure + repair = 1), so that the enumeration stays small.
fn random_system(rng: &mut Lcg, hours: usize) -> SystemModel {
    let demand = (0..hours)
        .map(|_| (15 + rng.next(20) as i64) * MW)
        .collect();
    let units = (0..2)
        .map(|i| {
            let p = 0.05 + rng.next(3) as f64 * 0.05;
            discrete_unit(&format!("u{i}"), 0, 8 + rng.next(12) as i64, p, 1.0 - p)
        })
        .collect();
    let drs = (0..1 + rng.next(2))
        .map(|i| DemandResponse {
            outage: INDEPENDENT,
            ..dr(
                &format!("d{i}"),
                1 + rng.next(4) as i64,
                1 + rng.next(4) as i64,
                1 + rng.next(6) as i64,
                1 + rng.next(3) as u32,
            )
        })
        .collect::<Vec<_>>();
    let storages = if drs.len() == 1 && rng.next(2) == 0 {
        vec![Storage {
            outage: INDEPENDENT,
            ..store(
                "s",
                1 + rng.next(3) as i64,
                1 + rng.next(3) as i64,
                1 + rng.next(4) as i64,
                0,
            )
        }]
    } else {
        Vec::new()
    };
    SystemModel::new(
        "random",
        Calendar::from_hours(hours, 0, 0),
        vec![Region::new("A", demand)],
        units,
    )
    .unwrap()
    .with_storages(storages)
    .unwrap()
    .with_demand_responses(drs)
    .unwrap()
}

/// Random small systems: the simulation within 3 standard errors of the enumeration (which
/// dispatches each hour as PRAS's min-cost flow by brute force, not by the engine's order).
#[test]
fn random_small_systems_match_the_enumeration() {
    let mut rng = Lcg(17);
    for k in 0..4 {
        let model = random_system(&mut rng, 4);
        let exact = enumerate(&model);
        check(&model, &exact, 100_000, 20 + k);
    }
}

/// One sample of a system whose components never fail: per hour, the region's shortfall
/// (unserved debt included), from the per-hour view of the accumulators.
fn hours_of(model: &SystemModel) -> (Vec<i64>, Indices) {
    struct PerHour(Vec<i64>, Indices);
    impl gridrisk_montecarlo::accumulators::Accumulator for PerHour {
        fn record_hour(&mut self, hour: &gridrisk_montecarlo::accumulators::HourView) {
            self.0[hour.hour] = hour.short_w[0];
            self.1.record_hour(hour);
        }
        fn end_sample(&mut self, sample: &gridrisk_montecarlo::accumulators::SampleView) {
            self.1.end_sample(sample);
        }
        fn merge(&mut self, _: &Self) {}
    }
    let mut acc = PerHour(vec![0; model.hours()], Indices::new(model));
    Sampler::new(model).unwrap().sample(1, 0, &mut acc);
    (acc.0, acc.1)
}

fn system(demand_mw: &[i64], unit_mw: i64) -> SystemModel {
    SystemModel::new(
        "hand-built",
        Calendar::from_hours(demand_mw.len(), 0, 0),
        vec![Region::new("A", demand_mw.iter().map(|d| d * MW).collect())],
        vec![unit("G", 0, unit_mw, 1e30, 1.0)],
    )
    .unwrap()
}

/// The order on hand-built hours (a 10 MW unit that never fails). Storage discharges
/// before demand response borrows; surplus pays back before storage charges; storage
/// discharges to pay back; an unpaid debt is unserved when the counter runs out.
#[test]
fn dispatch_order_on_hand_built_hours() {
    // Hour 0: 14 MW, 4 MW short: the storage (2 MW, 2 MWh) gives 2, the device borrows
    // 2. Hour 1: 7 MW, 3 MW surplus: pays back 2 (the whole debt), charges 1.
    let model = system(&[14, 7], 10)
        .with_storages(vec![store("S", 5, 2, 2, 2)])
        .unwrap()
        .with_demand_responses(vec![dr("D", 10, 10, 10, 2)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    assert_eq!(short, [0, 0]);
    assert_eq!(acc.demand_response.borrowed_mwh(0).mean, 2.0);
    assert_eq!(acc.demand_response.paid_back_mwh(0).mean, 2.0);
    assert_eq!(acc.storage.charged_mwh(0).mean, 1.0);

    // Hour 0: 4 MW short, no storage energy: borrows 4. Hour 1: 1 MW short, the storage
    // (charged 0) cannot help; borrows 1 more (the counter started at hour 0 goes on).
    // Hour 2: 10 MW exactly: nothing to pay back with; the window (2 h) from hour 0 ends:
    // the 5 MWh owed are unserved in hour 2, a shortfall hour.
    let model = system(&[14, 11, 10, 5], 10)
        .with_demand_responses(vec![dr("D", 10, 10, 10, 2)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    assert_eq!(short, [0, 0, 5 * MW, 0]);
    assert_eq!(acc.demand_response.unserved_payback_mwh(0).mean, 5.0);
    assert_eq!(acc.lole.finish(0).lole_h.mean, 1.0);

    // Storage discharges to pay back: hour 0 borrows 3; hour 1 has no surplus (10 MW),
    // the full storage (3 MW) pays the 3 MWh back.
    let model = system(&[13, 10], 10)
        .with_storages(vec![store("S", 3, 3, 3, 3)])
        .unwrap()
        .with_demand_responses(vec![dr("D", 10, 10, 10, 3)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    // Hour 0: the storage discharges 3 first, then nothing is left to borrow.
    assert_eq!(short, [0, 0]);
    assert_eq!(acc.demand_response.borrowed_mwh(0).mean, 0.0);
    let model = system(&[16, 10, 10], 10)
        .with_storages(vec![store("S", 3, 3, 6, 6)])
        .unwrap()
        .with_demand_responses(vec![dr("D", 10, 10, 10, 3)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    // Hour 0: 6 short, storage 3 then borrow 3; hour 1: storage (3 MWh left) pays back 3.
    assert_eq!(short, [0, 0, 0]);
    assert_eq!(acc.demand_response.borrowed_mwh(0).mean, 3.0);
    assert_eq!(acc.demand_response.paid_back_mwh(0).mean, 3.0);
    assert_eq!(acc.storage.discharged_mwh(0).mean, 6.0);

    // The last hour forfeits what is owed: borrow 2 in the last hour, unserved then.
    let model = system(&[8, 12], 10)
        .with_demand_responses(vec![dr("D", 10, 10, 10, 5)])
        .unwrap();
    let (short, _) = hours_of(&model);
    assert_eq!(short, [0, 2 * MW]);
}

/// A debt keeps every hour visited: borrowed in the last hour of the first block (32
/// hours), paid back in the next block, which cannot be short and would otherwise be
/// skipped; and, with less surplus, forfeited there, a shortfall hour of its own.
#[test]
fn a_debt_is_paid_back_in_blocks_that_cannot_be_short() {
    let mut demand = vec![8; 100];
    demand[31] = 14;
    let model = system(&demand, 10)
        .with_demand_responses(vec![dr("D", 10, 10, 10, 3)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    assert!(short.iter().all(|&w| w == 0));
    assert_eq!(acc.demand_response.borrowed_mwh(0).mean, 4.0);
    assert_eq!(acc.demand_response.paid_back_mwh(0).mean, 4.0);

    // Only 1 MW of surplus an hour: 1 MWh back in each of hours 32-34, the last 1 MWh
    // unserved when the counter runs out at hour 34.
    let mut demand = vec![9; 100];
    demand[31] = 14;
    let model = system(&demand, 10)
        .with_demand_responses(vec![dr("D", 10, 10, 10, 3)])
        .unwrap();
    let (short, acc) = hours_of(&model);
    let mut want = vec![0; 100];
    want[34] = MW;
    assert_eq!(short, want);
    assert_eq!(acc.demand_response.paid_back_mwh(0).mean, 3.0);
    assert_eq!(acc.demand_response.unserved_payback_mwh(0).mean, 1.0);
}

/// The borrowing order: the device with the larger counter (more time left) borrows
/// first, a device that owes nothing last; the smallest counter pays back first.
#[test]
fn priorities_follow_the_payback_counters() {
    // Hour 0: 2 MW short; X and Y owe nothing (counters -1, a tie): 1 MW each. Hour 1: 2
    // MW short: both owe, their counters start at X = 3 - 1 = 2 and Y = 1 - 1 = 0, so X
    // borrows first and takes the 2 MW; Y's counter has run out: its 1 MWh is unserved.
    let model = system(&[12, 12, 5, 5, 5], 10)
        .with_demand_responses(vec![dr("X", 2, 1, 10, 3), dr("Y", 2, 1, 10, 1)])
        .unwrap();
    let mut sampler = Sampler::new(&model).unwrap();
    let mut acc = Indices::new(&model);
    sampler.sample(1, 0, &mut acc);
    let d = sampler.demand_response().unwrap();
    // X borrowed 1 + 2 = 3, Y 1; Y forfeits 1 at hour 1. Hours 2 and 3: 5 MW of surplus,
    // X pays back 1 MW per hour (its power); its counter runs out at hour 3 with 1 MWh
    // owed, unserved.
    assert_eq!(d.ledger[0].borrowed_wh, 3 * MW);
    assert_eq!(d.ledger[1].borrowed_wh, MW);
    assert_eq!(d.ledger[1].unserved_wh, MW);
    assert_eq!(d.ledger[0].paid_back_wh, 2 * MW);
    assert_eq!(d.ledger[0].unserved_wh, MW);
}

/// Energy accounting in every sample, per device, as PRAS defines it: the debt added by
/// borrowing (`ceil(borrowed x borrow_eff)` per hour) and by interest is repaid
/// (`ceil(paid / payback_eff)` per hour, at most the debt) or unserved, and nothing is owed
/// at the end of the window.
#[test]
fn energy_is_accounted_in_every_sample() {
    let mut rng = Lcg(9);
    for _ in 0..5 {
        let hours = 72;
        let demand = (0..hours)
            .map(|_| (20 + rng.next(25) as i64) * MW)
            .collect();
        let drs: Vec<DemandResponse> = (0..1 + rng.next(3))
            .map(|i| DemandResponse {
                borrow_w: (1 + rng.next(6) as i64) * MW + 12_345,
                payback_w: (1 + rng.next(6) as i64) * MW,
                energy_wh: (2 + rng.next(10) as i64) * MW + 777,
                borrow_efficiency: rng.frac(0.6),
                payback_efficiency: rng.frac(0.6),
                interest_per_step: if rng.next(2) == 0 {
                    0.0
                } else {
                    rng.frac(0.0) * 0.2
                },
                payback_window_steps: 1 + rng.next(6) as u32,
                outage: INDEPENDENT,
                ..dr(&format!("d{i}"), 0, 0, 0, 1)
            })
            .collect();
        let model = SystemModel::new(
            "random",
            Calendar::from_hours(hours, 0, 0),
            vec![Region::new("A", demand)],
            vec![unit("a", 0, 20, 10.0, 3.0), unit("b", 0, 15, 8.0, 2.0)],
        )
        .unwrap()
        .with_storages(vec![store("s", 4, 4, 8, 0)])
        .unwrap()
        .with_demand_responses(drs.clone())
        .unwrap();
        let mut sampler = Sampler::new(&model).unwrap();
        let mut acc = Indices::new(&model);
        let mut borrowed_any = false;
        for s in 0..300 {
            sampler.sample(2, s, &mut acc);
            let d = sampler.demand_response().unwrap();
            for (i, x) in drs.iter().enumerate() {
                let l = d.ledger[i];
                assert_eq!(d.owed_wh[i], 0, "sample {s} device {i}: owed at the end");
                assert_eq!(
                    l.owed_wh + l.interest_wh,
                    l.repaid_wh + l.unserved_wh,
                    "sample {s} device {i}: {l:?}"
                );
                let owed = l.borrowed_wh as f64 * x.borrow_efficiency;
                assert!((0.0..hours as f64 + 1e-6).contains(&(l.owed_wh as f64 - owed + 1e-6)));
                let repaid = l.paid_back_wh as f64 / x.payback_efficiency;
                assert!(l.repaid_wh as f64 <= repaid.ceil() + hours as f64);
                assert!(l.interest_wh >= 0 && (l.interest_wh == 0 || x.interest_per_step > 0.0));
                borrowed_any |= l.borrowed_wh > 0;
            }
        }
        assert!(borrowed_any, "the test systems borrow");
        // The indices add up over areas as over devices.
        let dr_acc = &acc.demand_response;
        assert_eq!(dr_acc.borrowed_mwh(0).mean, dr_acc.borrowed_mwh(1).mean);
    }
}

/// A device that can neither borrow nor pay back changes no sample.
#[test]
fn a_device_without_power_changes_no_sample() {
    let bare = system(&[12, 9, 15, 8, 11, 13], 10);
    let with = bare
        .clone()
        .with_demand_responses(vec![DemandResponse {
            outage: INDEPENDENT,
            ..dr("D", 0, 0, 10, 2)
        }])
        .unwrap();
    let (mut s1, mut s2) = (Sampler::new(&bare).unwrap(), Sampler::new(&with).unwrap());
    let (mut x, mut y) = (Indices::new(&bare), Indices::new(&with));
    for s in 0..200 {
        s1.sample(5, s, &mut x);
        s2.sample(5, s, &mut y);
        for a in 0..2 {
            assert_eq!(x.last_sample(a), y.last_sample(a), "sample {s}");
        }
    }
}

/// One thread or three, the same result (test 5: demand response and storage).
#[test]
fn thread_count_does_not_change_a_demand_response_run() {
    let model = load("test5.toml");
    let (one, three) = (run(&model, 20_000, 4, 1), run(&model, 20_000, 4, 3));
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&three).unwrap()
    );
}

// Demand response on a network: the ladder's borrowing and payback ranks.

/// `model` with a line between regions `a` and `b` of `mw` both ways, that never fails.
fn with_line(model: SystemModel, a: usize, b: usize, mw: i64) -> SystemModel {
    let network = Network {
        lines: vec![Line {
            name: "L".into(),
            from: a,
            to: b,
            forward_w: mw * MW,
            backward_w: mw * MW,
            outage: None,
        }],
        ..Network::default()
    };
    model.with_network(network).unwrap()
}

/// A random region `r` of `hours` hours: two units that fail, two demand response devices
/// (random limits, efficiencies and windows: their counters tie and differ) and a storage
/// device.
fn random_region(
    rng: &mut Lcg,
    r: usize,
    hours: usize,
) -> (Region, Vec<UnitSpec>, Vec<DemandResponse>, Storage) {
    let demand = (0..hours)
        .map(|_| (20 + rng.next(25) as i64) * MW)
        .collect();
    let units = vec![
        unit(&format!("a{r}"), r, 20, 10.0, 3.0),
        unit(&format!("b{r}"), r, 15, 8.0, 2.0),
    ];
    let drs = (0..2)
        .map(|i| DemandResponse {
            region: r,
            borrow_w: (1 + rng.next(6) as i64) * MW + 12_345,
            payback_w: (1 + rng.next(6) as i64) * MW,
            energy_wh: (2 + rng.next(10) as i64) * MW + 777,
            borrow_efficiency: rng.frac(0.6),
            payback_efficiency: rng.frac(0.6),
            interest_per_step: rng.frac(0.0) * 0.1,
            payback_window_steps: 1 + rng.next(4) as u32,
            outage: INDEPENDENT,
            ..dr(&format!("d{r}{i}"), 0, 0, 0, 1)
        })
        .collect();
    let storage = Storage {
        region: r,
        outage: INDEPENDENT,
        ..store(&format!("s{r}"), 4, 4, 8, 0)
    };
    (Region::new(&format!("R{r}"), demand), units, drs, storage)
}

/// Two random regions as one model, isolated.
fn two_random_regions(rng: &mut Lcg, hours: usize) -> SystemModel {
    let (mut regions, mut units, mut drs, mut storages) = (vec![], vec![], vec![], vec![]);
    for r in 0..2 {
        let (region, u, d, s) = random_region(rng, r, hours);
        regions.push(region);
        units.extend(u);
        drs.extend(d);
        storages.push(s);
    }
    SystemModel::new("random", Calendar::from_hours(hours, 0, 0), regions, units)
        .unwrap()
        .with_storages(storages)
        .unwrap()
        .with_demand_responses(drs)
        .unwrap()
}

/// Sample `s` of seed 3 through both models: every area's totals and every device's
/// ledger are the same.
fn same_samples(a: &SystemModel, b: &SystemModel, areas: &[(usize, usize)], samples: u64) {
    let (mut sa, mut sb) = (Sampler::new(a).unwrap(), Sampler::new(b).unwrap());
    let (mut xa, mut xb) = (Indices::new(a), Indices::new(b));
    let mut borrowed = false;
    for s in 0..samples {
        sa.sample(3, s, &mut xa);
        sb.sample(3, s, &mut xb);
        for &(i, j) in areas {
            assert_eq!(xa.last_sample(i), xb.last_sample(j), "sample {s} area {i}");
        }
        let (da, db) = (sa.demand_response().unwrap(), sb.demand_response().unwrap());
        assert_eq!(da.ledger, db.ledger[..da.len()], "sample {s}");
        let (ta, tb) = (sa.storage().unwrap(), sb.storage().unwrap());
        assert_eq!(ta.ledger, tb.ledger[..ta.len()], "sample {s}");
        borrowed |= da
            .ledger
            .iter()
            .any(|l| l.borrowed_wh > 0 && l.paid_back_wh > 0);
    }
    assert!(borrowed, "the test systems borrow and pay back");
}

/// The network path where nothing can flow equals the isolated regions' arithmetic, per
/// sample and per device (same draws): two random regions joined by a line of 0 MW; and one
/// random region joined by a 1,000 MW line to a region whose generation always equals its
/// demand (it neither gives nor takes), against the region alone.
#[test]
fn network_without_flows_equals_isolated_regions() {
    let mut rng = Lcg(31);
    for _ in 0..3 {
        let isolated = two_random_regions(&mut rng, 72);
        let networked = with_line(isolated.clone(), 0, 1, 0);
        same_samples(&isolated, &networked, &[(0, 0), (1, 1), (2, 2)], 300);

        let (region, units, drs, storage) = random_region(&mut rng, 0, 72);
        let alone = SystemModel::new(
            "alone",
            Calendar::from_hours(72, 0, 0),
            vec![region.clone()],
            units.clone(),
        )
        .unwrap()
        .with_storages(vec![storage.clone()])
        .unwrap()
        .with_demand_responses(drs.clone())
        .unwrap();
        let mut all_units = units;
        all_units.push(unit("balanced", 1, 30, 1e30, 1.0));
        let joined = SystemModel::new(
            "joined",
            Calendar::from_hours(72, 0, 0),
            vec![region, Region::new("B", vec![30 * MW; 72])],
            all_units,
        )
        .unwrap()
        .with_storages(vec![storage])
        .unwrap()
        .with_demand_responses(drs)
        .unwrap();
        let joined = with_line(joined, 0, 1, 1000);
        same_samples(&alone, &joined, &[(0, 0), (1, 2)], 300);
    }
}

/// Per hour and region of one sample (components that never fail): shortfall and the
/// import of the first source.
fn network_hours(model: &SystemModel) -> (Vec<[i64; 2]>, Vec<i64>, Sampler<'_>) {
    struct PerHour(Vec<[i64; 2]>, Vec<i64>);
    impl gridrisk_montecarlo::accumulators::Accumulator for PerHour {
        fn record_hour(&mut self, hour: &gridrisk_montecarlo::accumulators::HourView) {
            self.0[hour.hour] = [hour.short_w[0], hour.short_w[1]];
            self.1[hour.hour] = hour.import_w.first().copied().unwrap_or(0);
        }
        fn end_sample(&mut self, _: &gridrisk_montecarlo::accumulators::SampleView) {}
        fn merge(&mut self, _: &Self) {}
    }
    let mut acc = PerHour(vec![[0; 2]; model.hours()], vec![0; model.hours()]);
    let mut sampler = Sampler::new(model).unwrap();
    sampler.sample(1, 0, &mut acc);
    (acc.0, acc.1, sampler)
}

/// Two regions A and B of a 10 MW unit each that never fail, a 100 MW line; `demand_mw`
/// per hour for A and B.
fn two_regions(demand_mw: &[[i64; 2]]) -> SystemModel {
    let region =
        |r: usize, name: &str| Region::new(name, demand_mw.iter().map(|d| d[r] * MW).collect());
    let model = SystemModel::new(
        "hand-built",
        Calendar::from_hours(demand_mw.len(), 0, 0),
        vec![region(0, "A"), region(1, "B")],
        vec![unit("GA", 0, 10, 1e30, 1.0), unit("GB", 1, 10, 1e30, 1.0)],
    )
    .unwrap();
    with_line(model, 0, 1, 100)
}

/// The order across a line on hand-built hours: B's surplus, then an import, then B's
/// storage serve A's shortfall before A's device borrows; B's surplus pays A's debt back
/// across the line before B's storage charges, and the import is never used to pay back
/// (or to charge); a region's storage pays back its own region's debt, not a neighbour's.
#[test]
fn network_order_on_hand_built_hours() {
    // Hour 0: A needs 21 MW: its 10, B's surplus 3, the import 5, B's storage 2 (full,
    // 2 MWh), then D borrows 1. Hour 1: B's 3 MW surplus pays the 1 MWh back across the line
    // and charges S with 2; the import (5 MW free) is not used.
    let model = two_regions(&[[21, 7], [10, 7]]);
    let mut network = model.network().clone();
    network.imports.push(ImportSource {
        name: "X".into(),
        cap_w: 5 * MW,
        outage: None,
        fallback_cap_w: 0,
        cold: None,
        links: vec![ImportLink {
            name: "X-A".into(),
            region: 0,
            cap_w: 5 * MW,
            outage: None,
        }],
        schedule_w: Vec::new(),
    });
    let model = model
        .with_network(network)
        .unwrap()
        .with_storages(vec![Storage {
            region: 1,
            ..store("S", 5, 2, 2, 2)
        }])
        .unwrap()
        .with_demand_responses(vec![dr("D", 10, 10, 10, 2)])
        .unwrap();
    let (short, import, sampler) = network_hours(&model);
    assert_eq!(short, [[0, 0], [0, 0]]);
    assert_eq!(import, [5 * MW, 0]);
    let (d, s) = (
        sampler.demand_response().unwrap(),
        sampler.storage().unwrap(),
    );
    assert_eq!(
        (d.ledger[0].borrowed_wh, d.ledger[0].paid_back_wh),
        (MW, MW)
    );
    assert_eq!(
        (s.ledger[0].discharged_wh, s.ledger[0].charged_wh),
        (2 * MW, 2 * MW)
    );

    // Hour 0: A needs 14: S gives 2 (from whichever region), D borrows 2. Hours 1-3: no
    // surplus anywhere; S (2 MWh left) pays D back only if it is in A: in B the 2 MWh owed
    // are unserved in hour 3, when D's counter (window 3) runs out.
    for (s_region, paid_mwh, short_a) in [(0, 2, 0), (1, 0, 2)] {
        let model = two_regions(&[[14, 10], [10, 10], [10, 10], [10, 10]])
            .with_storages(vec![Storage {
                region: s_region,
                ..store("S", 5, 2, 4, 4)
            }])
            .unwrap()
            .with_demand_responses(vec![dr("D", 10, 10, 10, 3)])
            .unwrap();
        let (short, _, sampler) = network_hours(&model);
        assert_eq!(
            short,
            [[0, 0], [0, 0], [0, 0], [short_a * MW, 0]],
            "S in {s_region}"
        );
        let d = sampler.demand_response().unwrap();
        assert_eq!(d.ledger[0].borrowed_wh, 2 * MW);
        assert_eq!(d.ledger[0].paid_back_wh, paid_mwh * MW);
    }

    // Borrowing priorities across regions: in hour 0 both devices owe nothing (a tie) and
    // the least transfer (`local` sharing) keeps A's borrowing of 2 in A; in hour 1 A's
    // counter is 2 (window 3), B's -1: A, the larger counter, borrows first for B's
    // shortfall, across the line.
    let model = two_regions(&[[12, 10], [10, 12]])
        .with_demand_responses(vec![
            dr("DA", 10, 10, 10, 3),
            DemandResponse {
                region: 1,
                ..dr("DB", 10, 10, 10, 3)
            },
        ])
        .unwrap();
    let (short, _, sampler) = network_hours(&model);
    assert_eq!(short[0], [0, 0]);
    let d = sampler.demand_response().unwrap();
    assert_eq!(
        (d.ledger[0].borrowed_wh, d.ledger[1].borrowed_wh),
        (4 * MW, 0)
    );
}

/// Debt accounting per sample and device on a network (PRAS's `threenode_dr`, three
/// regions and three lines that fail): debt added by borrowing and interest = repaid +
/// unserved, nothing owed at the end.
#[test]
fn debt_is_accounted_on_a_network() {
    let model = load("threenode_dr.toml");
    let mut sampler = Sampler::new(&model).unwrap();
    let mut acc = Indices::new(&model);
    let mut paid = false;
    for s in 0..2000 {
        sampler.sample(8, s, &mut acc);
        let d = sampler.demand_response().unwrap();
        for (i, l) in d.ledger.iter().enumerate() {
            assert_eq!(d.owed_wh[i], 0, "sample {s} device {i}: owed at the end");
            assert_eq!(
                l.owed_wh + l.interest_wh,
                l.repaid_wh + l.unserved_wh,
                "sample {s}"
            );
            paid |= l.paid_back_wh > 0;
        }
    }
    assert!(paid, "the devices pay back");
}

/// One thread or three, the same result on a network with demand response.
#[test]
fn thread_count_does_not_change_a_networked_demand_response_run() {
    let model = load("threenode_dr.toml");
    let (one, three) = (run(&model, 20_000, 4, 1), run(&model, 20_000, 4, 3));
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&three).unwrap()
    );
}

/// A small two-region system with a line that fails: the simulation within 3 standard
/// errors of the exact enumeration, per region and for the system. The enumerator
/// dispatches hours with the line in service by brute force over the documented order of
/// the network dispatch (`enumerate::ladder_hour`: the ladder's lexicographic objective with
/// the device ranks, then each region's storage paying back its own devices), and hours
/// with the line out as isolated regions with PRAS's costs. Region A has a unit, a device
/// (window 2, paying back 1 MW an hour) and a small full storage device (which pays the
/// device back in hour 2, when nothing is left over anywhere); B a unit and a storage
/// device that charges from surplus anywhere; the devices never fail (the enumeration
/// stays small).
#[test]
fn two_regions_with_a_line_match_the_enumeration() {
    let model = SystemModel::new(
        "two regions",
        Calendar::from_hours(4, 0, 0),
        vec![
            Region::new("A", [9, 11, 8, 7].map(|d| d * MW).to_vec()),
            Region::new("B", [5, 7, 7, 4].map(|d| d * MW).to_vec()),
        ],
        vec![
            discrete_unit("uA", 0, 8, 0.1, 0.9),
            discrete_unit("uB", 1, 7, 0.1, 0.9),
        ],
    )
    .unwrap()
    .with_network(Network {
        lines: vec![Line {
            name: "L".into(),
            from: 0,
            to: 1,
            forward_w: 3 * MW,
            backward_w: 3 * MW,
            outage: INDEPENDENT,
        }],
        ..Network::default()
    })
    .unwrap()
    .with_storages(vec![
        store("SA", 2, 1, 2, 2),
        Storage {
            region: 1,
            ..store("SB", 2, 2, 3, 0)
        },
    ])
    .unwrap()
    .with_demand_responses(vec![dr("D", 3, 1, 4, 2)])
    .unwrap();
    let exact = enumerate(&model);
    assert!(exact.eue_mwh[2] > 0.1, "{exact:?}");
    let acc = check(&model, &exact, 200_000, 12);
    assert!(acc.demand_response.paid_back_mwh(2).mean > 0.05);
}
