//! Supply that depends on time or weather: variable renewables, cold-dependent unit
//! failures, and dated outages (maintenance or known long repairs).

use super::weather::ColdRule;
use super::OutageModel;
use std::ops::Range;

/// A variable renewable plant: capacity x a capacity factor per hour.
#[derive(Clone, Debug, PartialEq)]
pub struct Vre {
    /// Name.
    pub name: String,
    /// Region index.
    pub region: usize,
    /// Installed capacity, watts.
    pub capacity_w: i64,
    /// Mean capacity factor by hour of day, or for every study hour.
    pub profile: VreProfile,
    /// Relative day-to-day variability: the day's factor is `profile x (1 + sd x z_d)`,
    /// clipped to [0, 1], with `z_d` a standard AR(1) series of persistence `persistence`.
    pub daily_sd: f64,
    /// Persistence of the daily variability.
    pub persistence: f64,
}

/// The mean capacity factor of a variable renewable plant over the window.
#[derive(Clone, Debug, PartialEq)]
pub enum VreProfile {
    /// By hour of day, the same every day (0 for solar in the evening peak).
    ByHourOfDay([f64; 24]),
    /// One factor per study hour (a full-window series, e.g. a reanalysis year).
    Hourly(Vec<f64>),
}

impl VreProfile {
    /// The capacity factor of study hour `h`, whose hour of day is `hour_of_day`.
    #[inline]
    pub fn factor(&self, h: usize, hour_of_day: usize) -> f64 {
        match self {
            VreProfile::ByHourOfDay(p) => p[hour_of_day],
            VreProfile::Hourly(p) => p[h],
        }
    }
}

/// A cap on the combined output of a block of units (a fuel limit: Zhambyl GRES burns at
/// most 700 MW worth of gas whatever number of its units is up).
#[derive(Clone, Debug, PartialEq)]
pub struct BlockCap {
    /// Block name.
    pub name: String,
    /// Names of its units.
    pub units: Vec<String>,
    /// The most the block's available units can produce together, watts.
    pub cap_w: i64,
}

/// Hour-by-hour parameters of a block of units, read from CSVs (`capacity_file`).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitProfile {
    /// Block name.
    pub name: String,
    /// Names of its units.
    pub units: Vec<String>,
    /// Each unit's capacity when up in each study hour, watts (after derate and cap), at
    /// most its installed capacity.
    pub capacity_w: Vec<i64>,
}

/// Hour-by-hour failure and repair rates of a block of units, read from a CSV
/// (`rates_file`). In continuous time a rate per hour (1/h) holds over the hour `[h, h + 1)`;
/// in discrete time a probability is that of the step into hour `h` (PRAS's convention:
/// `randtransitiontime` in `PRASCore.jl/src/Simulations/utils.jl` uses `p[i, t]` for a
/// transition at step `t`). A missing series keeps the block's constant parameter. The
/// initial state is drawn from the stationary availability of hour 0's rates.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitRates {
    /// Block name.
    pub name: String,
    /// Names of its units.
    pub units: Vec<String>,
    /// Failure rate (1/h) or probability per study hour, if given.
    pub failure: Option<Vec<f64>>,
    /// Repair rate (1/h) or probability per study hour, if given.
    pub repair: Option<Vec<f64>>,
}

impl UnitRates {
    /// Hour 0's failure and repair rates (or probabilities) of a unit of the block whose
    /// constant parameters are `outage`.
    pub fn first_hour(&self, outage: &OutageModel) -> (f64, f64) {
        let (fail, repair) = match *outage {
            OutageModel::Continuous(o) => (1.0 / o.mttf_h, 1.0 / o.mttr_h),
            OutageModel::Discrete { p_fail, p_repair } => (p_fail, p_repair),
        };
        let first = |s: &Option<Vec<f64>>, constant: f64| s.as_ref().map_or(constant, |s| s[0]);
        (first(&self.failure, fail), first(&self.repair, repair))
    }
}

/// What weather and dates do to one unit (by unit name).
#[derive(Clone, Debug, PartialEq)]
pub struct UnitConditions {
    /// Unit name (e.g. `Ekibastuz-1#3`).
    pub unit: String,
    /// Failure-rate multiplier on cold days.
    pub cold: Option<ColdRule>,
    /// Study hours during which the unit is out whatever its random state.
    pub dated_outages: Vec<Range<usize>>,
}
