//! Multi-region systems: Monte Carlo against exact enumeration, the limits of the network
//! (unlimited lines = one pooled region; no lines = independent regions), monotonicity and
//! common random numbers.

mod common;

use common::{unit, MW};
use gridrisk_core::dispatch::{Arc, Dispatch, Dispatcher, HourState, SharingRule, Topology};
use gridrisk_core::model::{
    Corridor, ImportLink, ImportSource, Line, Network, Outage, OutageModel, Sharing, UnitSpec,
};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::{analytic, runner, Sampler, SimulationSpec, StopRule};
use proptest::prelude::*;
use std::path::Path;

fn line(name: &str, from: usize, to: usize, mw: i64, outage: bool) -> Line {
    Line {
        name: name.into(),
        from,
        to,
        forward_w: mw * MW,
        backward_w: mw * MW,
        outage: outage.then_some(
            Outage {
                mttf_h: 300.0,
                mttr_h: 30.0,
            }
            .into(),
        ),
    }
}

fn units_of(model: &SystemModel, region_map: impl Fn(usize) -> Option<usize>) -> Vec<UnitSpec> {
    let u = model.units();
    (0..u.len())
        .filter_map(|i| {
            Some(UnitSpec {
                name: u.names[i].clone(),
                region: region_map(u.region[i])?,
                installed_w: u.installed_w[i],
                capacity_w: u.capacity_w[i],
                outage: u.outage[i],
            })
        })
        .collect()
}

fn run(model: &SystemModel, samples: u64, seed: u64) -> Indices {
    let spec = SimulationSpec::new(StopRule::Samples(samples), seed, 500).unwrap();
    runner::run(model, &spec, 0, || Indices::new(model), &|_| {}, |_| false)
        .unwrap()
        .acc
}

fn within(name: &str, e: Estimate, exact: f64) {
    assert!(
        (e.mean - exact).abs() <= 3.0 * e.se.max(1e-12),
        "{name}: mean {} se {} exact {exact} (z = {:.2})",
        e.mean,
        e.se,
        (e.mean - exact) / e.se
    );
}

/// Per-sample results of area `a`, as comparable text.
fn per_sample(sampler: &mut Sampler, model: &SystemModel, seed: u64, s: u64, a: usize) -> String {
    let mut acc = Indices::new(model);
    sampler.sample(seed, s, &mut acc);
    format!("{:?} {:?}", acc.lole.finish(a), acc.eue.finish(a))
}

/// Two regions and a hub: A (30 + 40 MW), B (20 + 50 MW), lines A-HUB 25 MW (can fail) and
/// HUB-B 15 MW; loads vary over 48 hours so that both regions are sometimes short.
fn small_network(sharing: Sharing) -> SystemModel {
    let demand_a = (0..48).map(|h| (40 + (h * 13 % 31) as i64) * MW).collect();
    let demand_b = (0..48).map(|h| (35 + (h * 7 % 29) as i64) * MW).collect();
    SystemModel::new(
        "small-network",
        Calendar::from_hours(48, 0, 360),
        vec![
            Region::new("A", demand_a),
            Region::new("B", demand_b),
            Region::new("HUB", vec![0; 48]),
        ],
        vec![
            unit("a1", 0, 30, 40.0, 10.0),
            unit("a2", 0, 40, 60.0, 20.0),
            unit("b1", 1, 20, 30.0, 10.0),
            unit("b2", 1, 50, 80.0, 20.0),
        ],
    )
    .unwrap()
    .with_network(Network {
        lines: vec![
            line("A-HUB", 0, 2, 25, true),
            line("HUB-B", 2, 1, 15, false),
        ],
        imports: vec![],
        sharing,
        corridors: vec![
            Corridor {
                name: "A-B".into(),
                lines: vec![0, 1],
            },
            Corridor {
                name: "HUB-B".into(),
                lines: vec![1],
            },
        ],
        ladder: vec![],
    })
    .unwrap()
}

/// Per-region LOLE and EUE, and per corridor the binding hours, by enumerating every
/// combination of unit and line states in every hour (states are independent and each
/// hour's marginal is the stationary law). A corridor binds where one more watt on both
/// directions of each of its lines lowers the least firm shortfall (re-solved: brute force).
fn enumerate(model: &SystemModel, rule: SharingRule) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let corridors = &model.network().corridors;
    let mut binding_h = vec![0.0; corridors.len()];
    let u = model.units();
    let lines = &model.network().lines;
    let regions = model.regions().len();
    let mut arcs = Vec::new();
    for l in lines {
        arcs.push(Arc {
            from: l.from,
            to: l.to,
        });
        arcs.push(Arc {
            from: l.to,
            to: l.from,
        });
    }
    let topology = Topology::new(regions, 0, arcs).unwrap();
    let mut out = Dispatch::new(&topology);
    let mut dispatcher = Dispatcher::new(topology, rule);
    let n = u.len() + lines.len();
    let avail = |i: usize| -> f64 {
        if i < u.len() {
            u.outage[i].availability()
        } else {
            let o = lines[i - u.len()].outage;
            o.map_or(1.0, |o| o.availability())
        }
    };
    let (mut lole, mut eue) = (vec![0.0; regions + 1], vec![0.0; regions + 1]);
    for h in 0..model.hours() {
        for state in 0u32..(1 << n) {
            let up = |i: usize| state >> i & 1 == 1;
            let p: f64 = (0..n)
                .map(|i| if up(i) { avail(i) } else { 1.0 - avail(i) })
                .product();
            let mut supply = vec![0; regions];
            for i in 0..u.len() {
                if up(i) {
                    supply[u.region[i]] += u.capacity_w[i];
                }
            }
            let limits: Vec<i64> = lines
                .iter()
                .enumerate()
                .flat_map(|(l, line)| {
                    let on = i64::from(up(u.len() + l));
                    [on * line.forward_w, on * line.backward_w]
                })
                .collect();
            let firm: Vec<i64> = model.regions().iter().map(|r| r.demand_w()[h]).collect();
            let zeros = vec![0; regions];
            dispatcher.dispatch(
                &HourState {
                    supply_w: &supply,
                    firm_w: &firm,
                    interruptible_w: &zeros,
                    arc_limit_w: &limits,
                },
                &mut out,
            );
            let total: i64 = out.firm_short_w.iter().sum();
            for (r, &short) in out.firm_short_w.iter().chain([&total]).enumerate() {
                if short > 0 {
                    lole[r] += p;
                    eue[r] += p * short as f64 / MW as f64;
                }
            }
            for (c, corridor) in corridors.iter().enumerate() {
                let mut more = limits.clone();
                for &l in &corridor.lines {
                    more[2 * l] += 1;
                    more[2 * l + 1] += 1;
                }
                let less = dispatcher.total_firm_shortfall_w(&HourState {
                    supply_w: &supply,
                    firm_w: &firm,
                    interruptible_w: &zeros,
                    arc_limit_w: &more,
                });
                if less < total {
                    binding_h[c] += p;
                }
            }
        }
    }
    (lole, eue, binding_h)
}

#[test]
fn small_network_matches_exact_enumeration_under_both_rules() {
    for (sharing, rule) in [
        (Sharing::Local, SharingRule::Local),
        (Sharing::Shared, SharingRule::Shared),
    ] {
        let model = small_network(sharing);
        let (lole, eue, binding_h) = enumerate(&model, rule);
        let acc = run(&model, 200_000, 17);
        for (c, name) in [(0, "A-B"), (1, "HUB-B")] {
            within(
                &format!("{sharing:?} corridor {name} binding_h"),
                acc.corridors.binding_h(c),
                binding_h[c],
            );
        }
        // The corridor of one line is the line; the pair binds where the line alone does not.
        assert_eq!(
            format!("{:?}", acc.corridors.binding_h(1)),
            format!("{:?}", acc.binding.binding_h(1))
        );
        assert!(binding_h[0] > binding_h[1], "{binding_h:?}");
        for (a, name) in [(0, "A"), (1, "B"), (3, "system")] {
            within(
                &format!("{sharing:?} {name} lole_h"),
                acc.lole.finish(a).lole_h,
                lole[a],
            );
            within(
                &format!("{sharing:?} {name} eue_mwh"),
                acc.eue.finish(a).eue_mwh,
                eue[a],
            );
        }
        assert!(
            lole[0] > 0.1 && lole[1] > 0.1,
            "both regions are sometimes short"
        );
    }
}

/// A line and a unit in discrete time (PRAS's convention): every hour's marginal is the
/// stationary law mu / (lambda + mu), so the enumeration holds as it is.
#[test]
fn discrete_time_lines_and_units_match_exact_enumeration() {
    let base = small_network(Sharing::Local);
    let mut net = base.network().clone();
    net.lines[0].outage = Some(OutageModel::Discrete {
        p_fail: 0.1,
        p_repair: 0.9,
    });
    let mut units = units_of(&base, Some);
    // Availability 2/3 (0.8 in continuous time).
    units[0].outage = OutageModel::Discrete {
        p_fail: 0.1,
        p_repair: 0.2,
    };
    let model = SystemModel::new(
        "small-network-discrete",
        base.calendar().clone(),
        base.regions().to_vec(),
        units,
    )
    .unwrap()
    .with_network(net)
    .unwrap();
    let (lole, eue, _) = enumerate(&model, SharingRule::Local);
    let acc = run(&model, 100_000, 23);
    for (a, name) in [(0, "A"), (1, "B"), (3, "system")] {
        within(
            &format!("{name} lole_h"),
            acc.lole.finish(a).lole_h,
            lole[a],
        );
        within(
            &format!("{name} eue_mwh"),
            acc.eue.finish(a).eue_mwh,
            eue[a],
        );
    }
    // The discrete line changes the result (it was not read as continuous).
    let (lole_base, _, _) = enumerate(&base, SharingRule::Local);
    assert!(
        (lole_base[3] - lole[3]).abs() > 0.05,
        "{lole_base:?} vs {lole:?}"
    );
}

fn three_area(file: &str) -> SystemModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/benchmarks")
        .join(file);
    gridrisk_core::scenario::load(&path).unwrap().model
}

/// The three-area benchmark with unlimited, perfectly reliable ties.
fn three_area_unlimited() -> SystemModel {
    let base = three_area("ieee-rts79-three-area.toml");
    let lines = base
        .network()
        .lines
        .iter()
        .map(|l| line(&l.name, l.from, l.to, 1_000_000, false))
        .collect();
    SystemModel::new(
        "unlimited",
        base.calendar().clone(),
        base.regions().to_vec(),
        units_of(&base, Some),
    )
    .unwrap()
    .with_network(Network {
        lines,
        imports: vec![],
        sharing: Sharing::Local,
        corridors: vec![],
        ladder: vec![],
    })
    .unwrap()
}

#[test]
fn unlimited_lines_equal_one_pooled_region() {
    let tied = three_area_unlimited();
    let hours = tied.hours();
    let pooled_demand = (0..hours)
        .map(|h| tied.regions().iter().map(|r| r.demand_w()[h]).sum())
        .collect();
    let pooled = SystemModel::new(
        "pooled",
        tied.calendar().clone(),
        vec![Region::new("POOL", pooled_demand)],
        units_of(&tied, |_| Some(0)),
    )
    .unwrap();
    // Same unit names, so the same streams: every sample's system result is identical.
    let (mut s1, mut s2) = (Sampler::new(&tied).unwrap(), Sampler::new(&pooled).unwrap());
    for s in 0..300 {
        assert_eq!(
            per_sample(&mut s1, &tied, 2, s, 3),
            per_sample(&mut s2, &pooled, 2, s, 1),
            "sample {s}"
        );
    }
    // And the system indices bracket the pooled region's exact values.
    let exact = analytic::exact(&pooled).unwrap();
    let acc = run(&tied, 20_000, 5);
    within("pooled lole_h", acc.lole.finish(3).lole_h, exact.lole_h);
    within("pooled eue_mwh", acc.eue.finish(3).eue_mwh, exact.eue_mwh);
}

#[test]
fn no_lines_equal_independent_regions() {
    let base = three_area("ieee-rts79-three-area.toml");
    let isolated = SystemModel::new(
        "isolated",
        base.calendar().clone(),
        base.regions().to_vec(),
        units_of(&base, Some),
    )
    .unwrap();
    let exact = analytic::exact(&three_area_region(&base, 0)).unwrap();
    for r in 0..3 {
        let alone = three_area_region(&base, r);
        let (mut s1, mut s2) = (
            Sampler::new(&isolated).unwrap(),
            Sampler::new(&alone).unwrap(),
        );
        for s in 0..300 {
            assert_eq!(
                per_sample(&mut s1, &isolated, 4, s, r),
                per_sample(&mut s2, &alone, 4, s, 0),
                "region {r} sample {s}"
            );
        }
    }
    let acc = run(&isolated, 20_000, 6);
    for r in 0..3 {
        within("region lole_h", acc.lole.finish(r).lole_h, exact.lole_h);
        within("region eue_mwh", acc.eue.finish(r).eue_mwh, exact.eue_mwh);
    }
}

/// Region `r` of `model` alone, with its own units (same names, so the same streams).
fn three_area_region(model: &SystemModel, r: usize) -> SystemModel {
    SystemModel::new(
        "alone",
        model.calendar().clone(),
        vec![model.regions()[r].clone()],
        units_of(model, |region| (region == r).then_some(0)),
    )
    .unwrap()
}

#[test]
fn a_zero_mw_unit_or_a_line_that_never_binds_changes_no_sample() {
    for sharing in [Sharing::Local, Sharing::Shared] {
        let base = small_network(sharing);
        let mut units = units_of(&base, Some);
        units.push(unit("zero", 0, 0, 10.0, 5.0));
        let mut net = base.network().clone();
        net.lines.push(line("idle", 0, 1, 0, true));
        let edited = SystemModel::new(
            "edited",
            base.calendar().clone(),
            base.regions().to_vec(),
            units,
        )
        .unwrap()
        .with_network(net)
        .unwrap();
        let (mut s1, mut s2) = (Sampler::new(&base).unwrap(), Sampler::new(&edited).unwrap());
        for s in 0..2_000 {
            for a in 0..4 {
                assert_eq!(
                    per_sample(&mut s1, &base, 8, s, a),
                    per_sample(&mut s2, &edited, 8, s, a),
                    "{sharing:?} sample {s} area {a}"
                );
            }
        }
    }
}

/// A random small network: 2-4 regions, 1-3 units each, random lines.
fn random_network(
    regions: usize,
    unit_mw: Vec<(usize, i64)>,
    lines: Vec<(usize, usize, i64)>,
    import_mw: i64,
    sharing: Sharing,
) -> SystemModel {
    let demand = |r: usize| {
        (0..72)
            .map(|h| (30 + ((h * (r + 3)) % 25) as i64) * MW)
            .collect()
    };
    let units = unit_mw
        .iter()
        .enumerate()
        .map(|(i, &(r, mw))| unit(&format!("u{i}"), r % regions, mw, 50.0, 10.0))
        .collect();
    let lines = lines
        .iter()
        .enumerate()
        .filter(|(_, &(f, t, _))| f % regions != t % regions)
        .map(|(i, &(f, t, mw))| line(&format!("l{i}"), f % regions, t % regions, mw, i % 2 == 0))
        .collect();
    SystemModel::new(
        "random",
        Calendar::from_hours(72, 0, 360),
        (0..regions)
            .map(|r| Region::new(format!("R{r}"), demand(r)))
            .collect(),
        units,
    )
    .unwrap()
    .with_network(Network {
        lines,
        imports: vec![ImportSource {
            name: "EXT".into(),
            cap_w: import_mw * MW,
            outage: Some(Outage {
                mttf_h: 100.0,
                mttr_h: 20.0,
            }),
            fallback_cap_w: 0,
            cold: None,
            links: vec![ImportLink {
                name: "EXT-R0".into(),
                region: 0,
                cap_w: 15 * MW,
                outage: None,
            }],
            schedule_w: Vec::new(),
        }],
        corridors: vec![],
        sharing,
        ladder: vec![],
    })
    .unwrap()
}

fn system_eue(model: &SystemModel, seed: u64, s: u64) -> f64 {
    let mut acc = Indices::new(model);
    Sampler::new(model).unwrap().sample(seed, s, &mut acc);
    acc.eue.finish(model.regions().len()).eue_mwh.mean
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 16 } else { 64 }))]

    /// More line capacity, more import capacity, or one more unit never raises system EUE in
    /// any sample.
    #[test]
    fn more_capacity_never_raises_system_eue(
        regions in 2usize..5,
        unit_mw in prop::collection::vec((0usize..4, 10i64..60), 2..8),
        lines in prop::collection::vec((0usize..4, 0usize..4, 0i64..40), 1..5),
        extra in 0i64..30,
        shared in any::<bool>(),
        seed in 0u64..1000,
    ) {
        let sharing = if shared { Sharing::Shared } else { Sharing::Local };
        let base = random_network(regions, unit_mw.clone(), lines.clone(), 5, sharing);
        let wider: Vec<_> = lines.iter().map(|&(f, t, mw)| (f, t, mw + extra)).collect();
        let wide = random_network(regions, unit_mw.clone(), wider, 5, sharing);
        let more_import = random_network(regions, unit_mw.clone(), lines.clone(), 5 + extra, sharing);
        let mut more_units = unit_mw.clone();
        more_units.push((0, extra + 1));
        let bigger = random_network(regions, more_units, lines.clone(), 5, sharing);
        for s in 0..10 {
            let e = system_eue(&base, seed, s);
            prop_assert!(system_eue(&wide, seed, s) <= e, "wider lines raised EUE");
            prop_assert!(system_eue(&more_import, seed, s) <= e, "more import raised EUE");
            prop_assert!(system_eue(&bigger, seed, s) <= e, "one more unit raised EUE");
        }
    }
}
