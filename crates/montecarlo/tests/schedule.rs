//! Scheduled flows on import sources: hand-built hours (a scheduled import, a scheduled
//! export curtailed on its ladder rank before firm shedding, a split across two links), the
//! scheduled energy exactly equal to the schedule's sums, and Monte Carlo (with block
//! skipping) against an exact enumeration of every hour.

mod common;

use common::{unit, MW};
use gridrisk_core::model::{
    ImportLink, ImportSource, InterruptibleClass, LadderRank, LadderStep, Network, Sharing,
    UnitSpec,
};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::estimators::Estimate;
use gridrisk_montecarlo::{result, runner, SimulationSpec, StopRule};
use serde_json::Value;

/// A unit that (practically) never fails: its stationary unavailability is 1e-12.
fn firm_unit(name: &str, region: usize, mw: i64) -> UnitSpec {
    unit(name, region, mw, 1e9, 1.0)
}

fn link(name: &str, region: usize, mw: i64) -> ImportLink {
    ImportLink {
        name: name.into(),
        region,
        cap_w: mw * MW,
        outage: None,
    }
}

fn source(name: &str, cap_mw: i64, links: Vec<ImportLink>, schedule_mw: &[i64]) -> ImportSource {
    ImportSource {
        name: name.into(),
        cap_w: cap_mw * MW,
        outage: None,
        fallback_cap_w: 0,
        cold: None,
        links,
        schedule_w: schedule_mw.iter().map(|&x| x * MW).collect(),
    }
}

fn model(
    demand_mw: Vec<Vec<i64>>,
    units: Vec<UnitSpec>,
    imports: Vec<ImportSource>,
    ladder: Vec<LadderRank>,
) -> SystemModel {
    let hours = demand_mw[0].len();
    SystemModel::new(
        "schedule",
        Calendar::from_hours(hours, 0, 360),
        demand_mw
            .into_iter()
            .enumerate()
            .map(|(r, d)| Region::new(format!("R{r}"), d.into_iter().map(|x| x * MW).collect()))
            .collect(),
        units,
    )
    .unwrap()
    .with_network(Network {
        lines: vec![],
        imports,
        sharing: Sharing::Local,
        corridors: vec![],
        ladder,
    })
    .unwrap()
}

fn run(model: &SystemModel, samples: u64, seed: u64) -> Indices {
    let spec = SimulationSpec::new(StopRule::Samples(samples), seed, 500).unwrap();
    runner::run(model, &spec, 0, || Indices::new(model), &|_| {}, |_| false)
        .unwrap()
        .acc
}

/// The `imports` section of the results.
fn imports(model: &SystemModel, acc: &Indices) -> Value {
    result::scenario_sections(model, acc, &Default::default())["imports"].clone()
}

fn mean(v: &Value) -> f64 {
    v["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("no mean in {v}"))
}

#[test]
fn a_scheduled_import_is_supply_split_by_link_caps_and_the_cap_bounds_the_rest() {
    // Two regions without units fed by RU's schedule of 50 MW, split 30 / 20 by the links'
    // caps (60 / 40 MW). R1 needs 21 MW in hour 2: 1 MW beyond the schedule, within what is
    // left of the cap (100 - 50) and of its link. Filling the first link first would leave
    // R1 short in every hour.
    let m = model(
        vec![vec![30, 30, 30, 30], vec![20, 20, 21, 20]],
        vec![],
        vec![source(
            "RU",
            100,
            vec![link("A", 0, 60), link("B", 1, 40)],
            &[50; 4],
        )],
        vec![],
    );
    let acc = run(&m, 20, 1);
    assert_eq!(acc.lole.finish(2).lole_h.mean, 0.0);
    let ru = &imports(&m, &acc)["RU"];
    assert_eq!(mean(&ru["scheduled_import_mwh"]), 200.0);
    assert_eq!(mean(&ru["beyond_schedule_mwh"]), 1.0);
    assert_eq!(mean(&ru["import_mwh"]), 201.0);
    assert_eq!(mean(&ru["scheduled_export_mwh"]), 0.0);
    assert_eq!(mean(&ru["net_import_mwh"]), 201.0);
    assert_eq!(ru["scheduled_mw_by_day"][0], 50.0);
    assert_eq!(ru["mean_mw_by_day"][0], 50.25);

    // The cap bounds only what is beyond the schedule: with a cap of 50 MW nothing is left
    // for R1's extra MW in hour 2, which is then short.
    let m = model(
        vec![vec![30, 30, 30, 30], vec![20, 20, 21, 20]],
        vec![],
        vec![source(
            "RU",
            50,
            vec![link("A", 0, 60), link("B", 1, 40)],
            &[50; 4],
        )],
        vec![],
    );
    let acc = run(&m, 20, 1);
    assert_eq!(acc.lole.finish(1).lole_h.mean, 1.0);
    assert_eq!(acc.eue.finish(1).eue_mwh.mean, 1.0);
    assert_eq!(acc.lole.finish(0).lole_h.mean, 0.0);
    assert_eq!(mean(&imports(&m, &acc)["RU"]["beyond_schedule_mwh"]), 0.0);
}

/// R0: a 25 MW unit, firm demand `firm_mw`, and KZ's scheduled export of 30 MW to a
/// neighbour that has no emergency import to give (cap 0); R1: a 10 MW unit, 10 MW of
/// demand, and the emergency import EMERG (20 MW) next to R0 through its link. The ladder:
/// curtail exports, then the emergency import, then firm shedding.
fn export_model(firm_mw: i64, ladder: bool) -> SystemModel {
    let ladder = if ladder {
        vec![
            LadderRank {
                name: "curtail exports".into(),
                steps: vec![LadderStep::Interruptible(InterruptibleClass::Exports)],
            },
            LadderRank {
                name: "emergency import".into(),
                steps: vec![LadderStep::Import {
                    source: 1,
                    cap_w: None,
                }],
            },
        ]
    } else {
        vec![]
    };
    model(
        vec![vec![firm_mw; 3], vec![10; 3]],
        vec![firm_unit("g0", 0, 25), firm_unit("g1", 1, 10)],
        vec![
            source("KZ-EXPORT", 0, vec![link("X", 0, 30)], &[-30; 3]),
            source("EMERG", 20, vec![link("E", 0, 20)], &[]),
        ],
        ladder,
    )
}

#[test]
fn a_scheduled_export_is_curtailed_on_its_rank_before_the_emergency_import_and_firm_shedding() {
    // Firm 10 MW: 15 MW of the export is served from the unit, 15 curtailed on the first
    // rank; the emergency import (a costlier rank) is not used, nothing firm is short.
    let m = export_model(10, true);
    let acc = run(&m, 10, 7);
    let out = imports(&m, &acc);
    let kz = &out["KZ-EXPORT"];
    assert_eq!(mean(&kz["scheduled_export_mwh"]), 90.0);
    assert_eq!(mean(&kz["export_curtailed_mwh"]), 45.0);
    assert_eq!(mean(&kz["export_served_mwh"]), 45.0);
    assert_eq!(mean(&kz["net_import_mwh"]), -45.0);
    assert_eq!(mean(&out["EMERG"]["import_mwh"]), 0.0);
    assert_eq!(acc.lole.finish(0).lole_h.mean, 0.0);

    // Firm 40 MW: the export is curtailed whole, then the emergency import gives its 15 MW;
    // nothing firm is short.
    let m = export_model(40, true);
    let acc = run(&m, 10, 7);
    let out = imports(&m, &acc);
    assert_eq!(mean(&out["KZ-EXPORT"]["export_curtailed_mwh"]), 90.0);
    assert_eq!(mean(&out["KZ-EXPORT"]["export_served_mwh"]), 0.0);
    assert_eq!(mean(&out["EMERG"]["import_mwh"]), 45.0);
    assert_eq!(acc.lole.finish(0).lole_h.mean, 0.0);

    // Firm 50 MW: export curtailed whole, emergency import at its 20 MW, 5 MW firm short.
    let m = export_model(50, true);
    let acc = run(&m, 10, 7);
    assert_eq!(mean(&imports(&m, &acc)["EMERG"]["import_mwh"]), 60.0);
    assert_eq!(acc.eue.finish(0).eue_mwh.mean, 15.0);

    // The default order serves interruptible load with imports before curtailing it: at
    // firm 10 MW the emergency import serves 15 MW of the export, nothing is curtailed.
    let m = export_model(10, false);
    let acc = run(&m, 10, 7);
    let out = imports(&m, &acc);
    assert_eq!(mean(&out["KZ-EXPORT"]["export_curtailed_mwh"]), 0.0);
    assert_eq!(mean(&out["KZ-EXPORT"]["export_served_mwh"]), 90.0);
    assert_eq!(mean(&out["EMERG"]["import_mwh"]), 45.0);
}

#[test]
fn scheduled_exports_share_their_regions_curtailment_in_proportion() {
    // Two sources export 30 and 10 MW from R0 (25 MW unit, 5 MW firm): 20 of 40 MW served,
    // 20 curtailed, split 15 / 5.
    let m = model(
        vec![vec![5; 2]],
        vec![firm_unit("g0", 0, 25)],
        vec![
            source("A", 0, vec![link("A", 0, 30)], &[-30; 2]),
            source("B", 0, vec![link("B", 0, 10)], &[-10; 2]),
        ],
        vec![],
    );
    let acc = run(&m, 5, 3);
    let out = imports(&m, &acc);
    assert_eq!(mean(&out["A"]["export_curtailed_mwh"]), 30.0);
    assert_eq!(mean(&out["B"]["export_curtailed_mwh"]), 10.0);
}

/// Exact expectations per hour for one region with units `units` (MW, MTTF, MTTR) and a
/// source of cap `cap_mw` through a link of `link_mw` with schedule `schedule_mw`, under
/// the default order: (LOLE h, EUE MWh, import beyond the schedule MWh, curtailed export
/// MWh), by enumerating the units' states in every hour (stationary laws).
fn enumerate(
    demand_mw: &[i64],
    units: &[(i64, f64, f64)],
    cap_mw: i64,
    link_mw: i64,
    schedule_mw: &[i64],
) -> [f64; 4] {
    let mut out = [0.0; 4];
    for (h, &d) in demand_mw.iter().enumerate() {
        let s = schedule_mw[h];
        let (supply, export) = (s.max(0), (-s).max(0));
        let avail = (cap_mw - supply).max(0).min(link_mw);
        for states in 0..1u32 << units.len() {
            let (mut p, mut g) = (1.0, supply);
            for (k, &(mw, mttf, mttr)) in units.iter().enumerate() {
                let up = mttf / (mttf + mttr);
                if states >> k & 1 == 1 {
                    p *= up;
                    g += mw;
                } else {
                    p *= 1.0 - up;
                }
            }
            let short = (d - g - avail).max(0);
            let import = avail.min((d + export - g).max(0));
            let curtailed = export.min((d + export - g - avail).max(0));
            out[0] += p * f64::from(u8::from(short > 0));
            out[1] += p * short as f64;
            out[2] += p * import as f64;
            out[3] += p * curtailed as f64;
        }
    }
    out
}

fn within(name: &str, e: Estimate, exact: f64) {
    assert!(
        (e.mean - exact).abs() <= 3.5 * e.se.max(1e-9),
        "{name}: mean {} se {} exact {exact}",
        e.mean,
        e.se
    );
}

#[test]
fn monte_carlo_with_block_skipping_matches_exact_enumeration_of_every_hour() {
    // 336 hours (two weeks): most blocks are skipped; the schedule changes sign by hour of
    // day, and the source's cap binds the import beyond it.
    let hours = 336;
    let demand: Vec<i64> = (0..hours).map(|h| 40 + (h * 13 % 37) as i64).collect();
    let schedule: Vec<i64> = (0..hours)
        .map(|h| [30, 25, -15, -20, 10, 0][h / 4 % 6])
        .collect();
    let units = [(20, 300.0, 30.0), (30, 400.0, 60.0), (25, 250.0, 50.0)];
    let (cap, link_mw) = (45, 35);
    let m = model(
        vec![demand.clone()],
        units
            .iter()
            .enumerate()
            .map(|(k, &(mw, f, r))| unit(&format!("u{k}"), 0, mw, f, r))
            .collect(),
        vec![source("RU", cap, vec![link("L", 0, link_mw)], &schedule)],
        vec![],
    );
    let exact = enumerate(&demand, &units, cap, link_mw, &schedule);
    let acc = run(&m, 4000, 11);
    within("lole_h", acc.lole.finish(0).lole_h, exact[0]);
    within("eue_mwh", acc.eue.finish(0).eue_mwh, exact[1]);
    within("beyond", acc.imports.import_mwh(0), exact[2]);
    within("curtailed", acc.imports.export_curtailed_mwh(0), exact[3]);
    let ru = &imports(&m, &acc)["RU"];
    let scheduled: i64 = schedule.iter().map(|&w| w.max(0)).sum();
    let exported: i64 = schedule.iter().map(|&w| (-w).max(0)).sum();
    assert_eq!(mean(&ru["scheduled_import_mwh"]), scheduled as f64);
    assert_eq!(mean(&ru["scheduled_export_mwh"]), exported as f64);
    assert!(
        exact[0] > 1.0 && exact[3] > 1.0,
        "the test must exercise both: {exact:?}"
    );
}
