//! The system model: an immutable description of what exists over the study window.
//!
//! A [`SystemModel`] is valid once built: demand series have one value per hour, every unit
//! belongs to a region, and units are sorted by region so that each region's units are one
//! contiguous range of the struct-of-arrays [`Units`].

mod categories;
mod demand_response;
mod exchange;
mod mining;
mod network;
mod outage;
mod region;
mod storage;
mod supply;
mod units;
mod weather;

pub use categories::Categories;
pub use demand_response::DemandResponse;
pub use exchange::{Disturbance, Exchange};
pub use mining::{Enforcement, IllegalMining, Mining, MiningPolicy, RegisteredMining};
pub use network::{
    Corridor, ImportLink, ImportSource, InterruptibleClass, LadderRank, LadderStep, Line,
    LineLimits, Network, Outage, Sharing,
};
pub use outage::OutageModel;
pub use region::{Region, PEAK_BLOCK_H};
pub use storage::{GenStorDispatch, Inflow, ShavingPeriod, Storage};
pub use supply::{BlockCap, UnitConditions, UnitProfile, UnitRates, Vre, VreProfile};
pub use units::{component_id, UnitSpec, Units};
pub use weather::{ColdRule, RegionClimate, Weather, WeatherZone};

use crate::calendar::Calendar;
use std::ops::Range;

/// Why a model could not be built from already-parsed parts (the scenario reader reports
/// the same problems with file and line; this guards programmatic construction).
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum ModelError {
    /// A region's demand series does not have one value per study hour.
    #[error("region '{region}' has {got} demand values, expected {expected} (one per hour)")]
    DemandLength {
        /// Region name.
        region: String,
        /// Values given.
        got: usize,
        /// Hours in the study window.
        expected: usize,
    },
    /// A unit names a region index that does not exist.
    #[error("unit '{unit}' belongs to region index {region}, but there are {regions} regions")]
    UnknownRegion {
        /// Unit name.
        unit: String,
        /// Region index given.
        region: usize,
        /// Number of regions.
        regions: usize,
    },
    /// A unit's parameters are outside their domain.
    #[error("unit '{unit}': {what}")]
    BadUnit {
        /// Unit name.
        unit: String,
        /// What is wrong.
        what: String,
    },
    /// No region at all.
    #[error("the system has no region")]
    Empty,
    /// A line or import source is invalid.
    #[error("network: {0}")]
    BadNetwork(String),
    /// Weather, mining or neighbour conditions are invalid.
    #[error("conditions: {0}")]
    BadConditions(String),
}

/// A power system over a study window.
#[derive(Clone, Debug)]
pub struct SystemModel {
    name: String,
    calendar: Calendar,
    regions: Vec<Region>,
    units: Units,
    region_units: Vec<Range<usize>>,
    network: Network,
    conditions: Conditions,
    storages: Vec<Storage>,
    demand_responses: Vec<DemandResponse>,
    categories: Categories,
}

/// Everything random or dated beyond unit and line outages: weather and demand, mining and
/// enforcement, exchanges with neighbours, corridor disturbances, variable renewables, and
/// what weather and dates do to units. The default (all empty) is a system whose demand is
/// its fixed profile and whose supply is its units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conditions {
    /// Weather zones, heating demand and the load-forecast error.
    pub weather: Weather,
    /// Registered and illegal mining, policies and enforcement.
    pub mining: Mining,
    /// Scheduled exports, deviations and bad days of neighbours.
    pub exchanges: Vec<Exchange>,
    /// Events that trip corridors.
    pub disturbances: Vec<Disturbance>,
    /// Variable renewable plants.
    pub vre: Vec<Vre>,
    /// Cold-dependent failures and dated outages of units, by unit name.
    pub units: Vec<UnitConditions>,
    /// Caps on the combined output of blocks of units.
    pub block_caps: Vec<BlockCap>,
    /// Hourly capacities of blocks of units.
    pub unit_profiles: Vec<UnitProfile>,
    /// Hourly failure and repair rates of blocks of units.
    pub unit_rates: Vec<UnitRates>,
    /// Limits of lines per time step.
    pub line_limits: Vec<LineLimits>,
    /// Failure and repair rates of lines per time step (`units` names the one line).
    pub line_rates: Vec<UnitRates>,
}

impl Conditions {
    /// True if nothing beyond the fixed profile and unit and line outages is modelled.
    pub fn is_empty(&self) -> bool {
        self == &Conditions::default()
    }
}

impl SystemModel {
    /// Build a model; units are reordered by region (stable within a region).
    pub fn new(
        name: impl Into<String>,
        calendar: Calendar,
        regions: Vec<Region>,
        units: Vec<UnitSpec>,
    ) -> Result<SystemModel, ModelError> {
        if regions.is_empty() {
            return Err(ModelError::Empty);
        }
        for r in &regions {
            if r.demand_w().len() != calendar.hours() {
                return Err(ModelError::DemandLength {
                    region: r.name().to_string(),
                    got: r.demand_w().len(),
                    expected: calendar.hours(),
                });
            }
        }
        for u in &units {
            if u.region >= regions.len() {
                return Err(ModelError::UnknownRegion {
                    unit: u.name.clone(),
                    region: u.region,
                    regions: regions.len(),
                });
            }
            u.check().map_err(|what| ModelError::BadUnit {
                unit: u.name.clone(),
                what,
            })?;
        }
        let mut units = units;
        units.sort_by_key(|u| u.region);
        let mut region_units = Vec::with_capacity(regions.len());
        let mut start = 0;
        for r in 0..regions.len() {
            let end = start + units[start..].iter().take_while(|u| u.region == r).count();
            region_units.push(start..end);
            start = end;
        }
        Ok(SystemModel {
            name: name.into(),
            calendar,
            regions,
            units: Units::from_specs(&units),
            region_units,
            network: Network::default(),
            conditions: Conditions::default(),
            storages: Vec::new(),
            demand_responses: Vec::new(),
            categories: Categories::default(),
        })
    }

    /// The same system with `conditions` (weather, mining, neighbours, renewables, ...).
    pub fn with_conditions(mut self, conditions: Conditions) -> Result<SystemModel, ModelError> {
        let unit_names: std::collections::HashSet<&str> =
            self.units.names.iter().map(String::as_str).collect();
        let named = (conditions.units.iter().map(|c| c.unit.as_str()))
            .chain((conditions.block_caps.iter()).flat_map(|b| b.units.iter().map(String::as_str)))
            .chain(
                (conditions.unit_profiles.iter()).flat_map(|b| b.units.iter().map(String::as_str)),
            )
            .chain((conditions.unit_rates.iter()).flat_map(|b| b.units.iter().map(String::as_str)));
        for name in named {
            if !unit_names.contains(name) {
                return Err(ModelError::BadConditions(format!("no unit named '{name}'")));
            }
        }
        for cap in &conditions.block_caps {
            let regions: std::collections::HashSet<usize> = cap
                .units
                .iter()
                .filter_map(|u| self.units.names.iter().position(|n| n == u))
                .map(|i| self.units.region[i])
                .collect();
            if regions.len() > 1 || cap.cap_w < 0 {
                return Err(ModelError::BadConditions(format!(
                    "block cap '{}' must be >= 0 and cover units of one region",
                    cap.name
                )));
            }
        }
        for profile in &conditions.unit_profiles {
            let installed = (profile.units.iter())
                .filter_map(|u| self.units.names.iter().position(|n| n == u))
                .map(|i| self.units.installed_w[i])
                .min()
                .unwrap_or(0);
            if profile.capacity_w.len() != self.calendar.hours()
                || profile.capacity_w.iter().any(|&w| w < 0 || w > installed)
            {
                return Err(ModelError::BadConditions(format!(
                    "the hourly capacity of block '{}' must have one value per hour, each \
                     from 0 to its units' installed capacity",
                    profile.name
                )));
            }
        }
        for rates in &conditions.unit_rates {
            self.check_rates(rates, &conditions)?;
        }
        self.check_lines(&conditions)?;
        self.conditions = conditions;
        Ok(self)
    }

    /// Check a block's hourly rates: one value in [0, 1] per hour, no cold rule on its
    /// units, and hour 0's failure and repair rates not both 0 (its stationary availability
    /// draws the initial state).
    fn check_rates(&self, rates: &UnitRates, conditions: &Conditions) -> Result<(), ModelError> {
        let bad = |what: &str| {
            Err(ModelError::BadConditions(format!(
                "the hourly rates of block '{}' {what}",
                rates.name
            )))
        };
        let hours = self.calendar.hours();
        for series in [&rates.failure, &rates.repair].into_iter().flatten() {
            if series.len() != hours || !series.iter().all(|x| (0.0..=1.0).contains(x)) {
                return bad("must have one value per hour, each in [0, 1]");
            }
        }
        let cold =
            (conditions.units.iter()).any(|c| c.cold.is_some() && rates.units.contains(&c.unit));
        if cold {
            return bad("cannot go with a cold rule");
        }
        for u in &rates.units {
            let Some(i) = self.units.names.iter().position(|n| n == u) else {
                continue;
            };
            let (fail, repair) = rates.first_hour(&self.units.outage[i]);
            if fail + repair <= 0.0 {
                return bad(
                    "of hour 0 cannot both be 0 (hour 0's stationary availability draws \
                            the initial state)",
                );
            }
        }
        Ok(())
    }

    /// Check the lines' limits and rates per step: a line of the network, one value per
    /// step, limits from 0 to the line's constant limit, rates in [0, 1] and step 0's not
    /// both 0.
    fn check_lines(&self, conditions: &Conditions) -> Result<(), ModelError> {
        let hours = self.calendar.hours();
        let line = |name: &str| {
            (self.network.lines.iter().find(|l| l.name == name))
                .ok_or_else(|| ModelError::BadConditions(format!("no line named '{name}'")))
        };
        for limits in &conditions.line_limits {
            let l = line(&limits.line)?;
            for (series, max) in [
                (&limits.forward_w, l.forward_w),
                (&limits.backward_w, l.backward_w),
            ] {
                if series
                    .as_ref()
                    .is_some_and(|s| s.len() != hours || s.iter().any(|&w| !(0..=max).contains(&w)))
                {
                    return Err(ModelError::BadConditions(format!(
                        "the limits of line '{}' must have one value per step, each from 0 to \
                         its constant limit",
                        l.name
                    )));
                }
            }
        }
        for rates in &conditions.line_rates {
            let [name] = &rates.units[..] else {
                return Err(ModelError::BadConditions(format!(
                    "the rates of line '{}' must name the one line",
                    rates.name
                )));
            };
            let l = line(name)?;
            let bad = |what: &str| {
                Err(ModelError::BadConditions(format!(
                    "the rates of line '{}' {what}",
                    l.name
                )))
            };
            let Some(outage) = &l.outage else {
                return bad("need the line's outage keys");
            };
            for series in [&rates.failure, &rates.repair].into_iter().flatten() {
                if series.len() != hours || !series.iter().all(|x| (0.0..=1.0).contains(x)) {
                    return bad("must have one value per step, each in [0, 1]");
                }
            }
            let (fail, repair) = rates.first_hour(outage);
            if fail + repair <= 0.0 {
                return bad("of step 0 cannot both be 0");
            }
        }
        Ok(())
    }

    /// Weather, mining, neighbours, renewables and unit conditions.
    pub fn conditions(&self) -> &Conditions {
        &self.conditions
    }

    /// The same system with `network` connecting its regions.
    pub fn with_network(mut self, network: Network) -> Result<SystemModel, ModelError> {
        network
            .check(self.regions.len(), self.calendar.hours())
            .map_err(ModelError::BadNetwork)?;
        self.network = network;
        Ok(self)
    }

    /// Lines, import sources and the sharing rule (empty for isolated regions).
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The same system with `storages` (in their regions, in the given order).
    pub fn with_storages(mut self, storages: Vec<Storage>) -> Result<SystemModel, ModelError> {
        for s in &storages {
            if s.region >= self.regions.len() {
                return Err(ModelError::UnknownRegion {
                    unit: s.name.clone(),
                    region: s.region,
                    regions: self.regions.len(),
                });
            }
            let hours = self.hours();
            s.check()
                .and_then(|()| match &s.inflow {
                    Some(g) if g.inflow_w.len() != hours => Err(format!(
                        "{} inflow values, expected {hours} (one per hour)",
                        g.inflow_w.len()
                    )),
                    _ => Ok(()),
                })
                .map_err(|what| ModelError::BadUnit {
                    unit: s.name.clone(),
                    what,
                })?;
        }
        self.storages = storages;
        Ok(self)
    }

    /// The storage devices, in scenario order (empty if there are none): the
    /// `[[storages]]`, then the `[[generator_storages]]` (those with an
    /// [`Storage::inflow`]).
    pub fn storages(&self) -> &[Storage] {
        &self.storages
    }

    /// The same system with `devices` as its demand response (in their regions, in the
    /// given order).
    pub fn with_demand_responses(
        mut self,
        devices: Vec<DemandResponse>,
    ) -> Result<SystemModel, ModelError> {
        for d in &devices {
            if d.region >= self.regions.len() {
                return Err(ModelError::UnknownRegion {
                    unit: d.name.clone(),
                    region: d.region,
                    regions: self.regions.len(),
                });
            }
            d.check().map_err(|what| ModelError::BadUnit {
                unit: d.name.clone(),
                what,
            })?;
        }
        self.demand_responses = devices;
        Ok(self)
    }

    /// The demand response devices, in scenario order (empty if there are none).
    pub fn demand_responses(&self) -> &[DemandResponse] {
        &self.demand_responses
    }

    /// The same model with the assets' `category` labels (never read by the engine).
    pub fn with_categories(mut self, categories: Categories) -> SystemModel {
        self.categories = categories;
        self
    }

    /// The assets' `category` labels.
    pub fn categories(&self) -> &Categories {
        &self.categories
    }

    /// Scenario name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The study window.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Number of time steps (hours unless the scenario gives `[study] step_min`).
    pub fn hours(&self) -> usize {
        self.calendar.hours()
    }

    /// The regions, in scenario order.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// All generating units, sorted by region.
    pub fn units(&self) -> &Units {
        &self.units
    }

    /// The index range of region `r`'s units in [`Units`].
    pub fn region_units(&self, r: usize) -> Range<usize> {
        self.region_units[r].clone()
    }

    /// Installed (nameplate) capacity of region `r`, watts.
    pub fn installed_w(&self, r: usize) -> i64 {
        self.units.installed_w[self.region_units(r)].iter().sum()
    }

    /// The same system with one more unit: `name`, in region `r`, offering `capacity_w` in
    /// every hour and never failing (discrete time, failure probability 0). Its random
    /// stream is keyed by its name, so every other component draws as before; used for
    /// equivalent firm capacity.
    pub fn with_firm_unit(
        &self,
        name: &str,
        r: usize,
        capacity_w: i64,
    ) -> Result<SystemModel, ModelError> {
        let mut specs: Vec<UnitSpec> = (0..self.units.len())
            .map(|i| UnitSpec {
                name: self.units.names[i].clone(),
                region: self.units.region[i],
                installed_w: self.units.installed_w[i],
                capacity_w: self.units.capacity_w[i],
                outage: self.units.outage[i],
            })
            .collect();
        if specs.iter().any(|u| u.name == name) {
            return Err(ModelError::BadUnit {
                unit: name.into(),
                what: "a unit of this name already exists".into(),
            });
        }
        specs.push(UnitSpec {
            name: name.into(),
            region: r,
            installed_w: capacity_w,
            capacity_w,
            outage: OutageModel::Discrete {
                p_fail: 0.0,
                p_repair: 1.0,
            },
        });
        // Everything else (network, conditions, storages, ...) as it is.
        let sorted = SystemModel::new(
            &self.name,
            self.calendar.clone(),
            self.regions.clone(),
            specs,
        )?;
        Ok(SystemModel {
            units: sorted.units,
            region_units: sorted.region_units,
            ..self.clone()
        })
    }

    /// The same system with `load_w` more firm demand in region `r` in every hour (added to
    /// the demand profile, so a load-forecast error scales it as the rest); used for ELCC.
    pub fn with_added_load(&self, r: usize, load_w: i64) -> Result<SystemModel, ModelError> {
        let region = self.regions.get(r).ok_or(ModelError::UnknownRegion {
            unit: "added load".into(),
            region: r,
            regions: self.regions.len(),
        })?;
        let demand_w = (region.demand_w().iter())
            .map(|&d| d.checked_add(load_w))
            .collect::<Option<Vec<i64>>>()
            .ok_or_else(|| ModelError::BadConditions(format!("{load_w} W more load overflows")))?;
        let mut m = self.clone();
        m.regions[r] = Region::new(region.name(), demand_w);
        Ok(m)
    }

    /// Firm demand energy of region `r` over the window, watt-steps: the sum of its demand
    /// over the steps, watt-hours at one-hour steps ([`Calendar::per_hour`] converts).
    pub fn demand_wh(&self, r: usize) -> i128 {
        self.regions[r]
            .demand_w()
            .iter()
            .map(|&d| i128::from(d))
            .sum()
    }
}
