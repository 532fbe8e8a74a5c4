//! Helpers shared by the integration tests: tiny systems built in code.

use gridrisk_core::model::{Outage, OutageModel, UnitSpec};
use gridrisk_core::{Calendar, Region, SystemModel};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::{runner, SimulationSpec, StopRule};

/// Watts per MW.
pub const MW: i64 = 1_000_000;

/// A unit of `mw` MW in region `region` with the given MTTF and MTTR (hours).
pub fn unit(name: &str, region: usize, mw: i64, mttf_h: f64, mttr_h: f64) -> UnitSpec {
    UnitSpec {
        name: name.into(),
        region,
        installed_w: mw * MW,
        capacity_w: mw * MW,
        outage: Outage { mttf_h, mttr_h }.into(),
    }
}

/// A discrete-time unit of `mw` MW in region `region` with per-hour failure and repair
/// probabilities.
#[allow(dead_code)] // not every test binary uses it
pub fn discrete_unit(name: &str, region: usize, mw: i64, p_fail: f64, p_repair: f64) -> UnitSpec {
    UnitSpec {
        outage: OutageModel::Discrete { p_fail, p_repair },
        ..unit(name, region, mw, 1.0, 1.0)
    }
}

/// One region over 240 hours of load between 25 and 45 MW, with units of 10, 20 and 30 MW
/// (and `extra`, if any).
#[allow(dead_code)] // not every test binary uses it
pub fn small_system(extra: Option<UnitSpec>) -> SystemModel {
    let mut units = vec![
        unit("a", 0, 10, 90.0, 10.0),
        unit("b", 0, 20, 150.0, 30.0),
        unit("c", 0, 30, 200.0, 20.0),
    ];
    units.extend(extra);
    small_system_of(units)
}

/// One region over 240 hours of load between 25 and 45 MW, with `units`.
#[allow(dead_code)] // not every test binary uses it
pub fn small_system_of(units: Vec<UnitSpec>) -> SystemModel {
    let demand = (0..240).map(|h| (25 + (h * 7 % 21) as i64) * MW).collect();
    SystemModel::new(
        "small",
        Calendar::from_hours(240, 0, 360),
        vec![Region::new("A", demand)],
        units,
    )
    .unwrap()
}

/// Every standard index of `samples` samples of `model` (blocks of 500), seed `seed`, on
/// `threads` threads.
#[allow(dead_code)] // not every test binary uses it
pub fn run(model: &SystemModel, samples: u64, seed: u64, threads: usize) -> Indices {
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

/// The model of the scenario `name` in the repository's `tests/data/{dir}`.
#[allow(dead_code)] // not every test binary uses it
pub fn load_test_data(dir: &str, name: &str) -> SystemModel {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(dir)
        .join(name);
    gridrisk_core::scenario::load(&path).unwrap().model
}
