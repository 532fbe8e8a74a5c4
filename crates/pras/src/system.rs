//! A PRAS system as stored in its file: every asset table with its names and its
//! time steps x assets matrices, in the file's units (MW, MWh, probabilities per step).

/// A PRAS file format version, `vMAJOR.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Parse `"v0.8.0"`.
    pub fn parse(label: &str) -> Option<Version> {
        let mut parts = label.strip_prefix('v')?.split('.');
        let mut next = || -> Option<u32> {
            let p = parts.next()?;
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let v = Version(next()?, next()?, next()?);
        parts.next().is_none().then_some(v)
    }

    /// The versions PRAS itself reads: v0.5.0 up to, not including, v0.9.0.
    pub fn supported(self) -> bool {
        (Version(0, 5, 0)..Version(0, 9, 0)).contains(&self)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "v{}.{}.{}", self.0, self.1, self.2)
    }
}

/// A time steps x assets matrix, row-major (as the file stores it: one row per step).
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix<T> {
    steps: usize,
    assets: usize,
    data: Vec<T>,
}

impl<T: Copy + PartialEq> Matrix<T> {
    pub(crate) fn new(steps: usize, assets: usize, data: Vec<T>) -> Matrix<T> {
        debug_assert_eq!(data.len(), steps * assets);
        Matrix {
            steps,
            assets,
            data,
        }
    }

    /// Time steps (rows).
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Assets (columns).
    pub fn assets(&self) -> usize {
        self.assets
    }

    /// Asset `a`'s value in every step.
    pub fn column(&self, a: usize) -> impl Iterator<Item = T> + '_ {
        self.data
            .iter()
            .skip(a)
            .step_by(self.assets.max(1))
            .copied()
    }

    /// Asset `a`'s value if it is the same in every step.
    pub fn constant(&self, a: usize) -> Option<T> {
        let mut col = self.column(a);
        let first = col.next()?;
        col.all(|v| v == first).then_some(first)
    }

    /// Asset `a`'s value in step `t`.
    pub fn get(&self, t: usize, a: usize) -> T {
        self.data[t * self.assets + a]
    }

    /// Set asset `a`'s value in step `t` (to edit a system before writing it).
    pub fn set(&mut self, t: usize, a: usize, value: T) {
        self.data[t * self.assets + a] = value;
    }
}

impl Matrix<i64> {
    /// Asset `a`'s largest value over the steps.
    pub fn max(&self, a: usize) -> i64 {
        self.column(a).max().unwrap_or(0)
    }
}

/// Regions and their load.
#[derive(Clone, Debug, PartialEq)]
pub struct Regions {
    /// Names, in file order.
    pub names: Vec<String>,
    /// Load, MW.
    pub load_mw: Matrix<i64>,
}

/// Generators: available capacity and two-state outages in discrete time.
#[derive(Clone, Debug, PartialEq)]
pub struct Generators {
    /// Names.
    pub names: Vec<String>,
    /// Categories (free text: "Coal", "Wind").
    pub categories: Vec<String>,
    /// Region names.
    pub regions: Vec<String>,
    /// Capacity when up, MW.
    pub capacity_mw: Matrix<i64>,
    /// Probability that a unit up in step t - 1 is down in step t.
    pub failure_probability: Matrix<f64>,
    /// Probability that a unit down in step t - 1 is up in step t.
    pub repair_probability: Matrix<f64>,
}

/// Storage devices (also the storage part of generator-storages).
#[derive(Clone, Debug, PartialEq)]
pub struct Storages {
    /// Names.
    pub names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Region names.
    pub regions: Vec<String>,
    /// Largest charging power, MW.
    pub charge_mw: Matrix<i64>,
    /// Largest discharging power, MW.
    pub discharge_mw: Matrix<i64>,
    /// Energy capacity, MWh.
    pub energy_mwh: Matrix<i64>,
    /// Share of the energy drawn that is stored.
    pub charge_efficiency: Matrix<f64>,
    /// Share of the energy taken from the store that reaches the grid.
    pub discharge_efficiency: Matrix<f64>,
    /// Share of the stored energy kept from one step to the next.
    pub carryover_efficiency: Matrix<f64>,
    /// Per-step failure probability.
    pub failure_probability: Matrix<f64>,
    /// Per-step repair probability.
    pub repair_probability: Matrix<f64>,
}

/// Generator-storages: a store fed by an inflow, with grid injection and withdrawal limits.
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratorStorages {
    /// The storage part.
    pub storage: Storages,
    /// Inflow into the store, MW.
    pub inflow_mw: Matrix<i64>,
    /// Largest power drawn from the grid, MW.
    pub grid_withdrawal_mw: Matrix<i64>,
    /// Largest power given to the grid, MW.
    pub grid_injection_mw: Matrix<i64>,
}

/// Demand responses (v0.8): load shifted out of a step and paid back later.
#[derive(Clone, Debug, PartialEq)]
pub struct DemandResponses {
    /// Names.
    pub names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Region names.
    pub regions: Vec<String>,
    /// Largest load reduction, MW.
    pub borrow_mw: Matrix<i64>,
    /// Largest payback, MW.
    pub payback_mw: Matrix<i64>,
    /// Largest energy owed, MWh.
    pub energy_mwh: Matrix<i64>,
    /// Growth of the energy owed per step (a fraction).
    pub interest: Matrix<f64>,
    /// Steps within which borrowed energy must be paid back.
    pub payback_steps: Matrix<i64>,
    /// Per-step failure probability.
    pub failure_probability: Matrix<f64>,
    /// Per-step repair probability.
    pub repair_probability: Matrix<f64>,
    /// Share of the borrowed energy owed.
    pub borrow_efficiency: Matrix<f64>,
    /// Share of the payback that settles the debt.
    pub payback_efficiency: Matrix<f64>,
}

/// Transmission lines between two regions.
#[derive(Clone, Debug, PartialEq)]
pub struct Lines {
    /// Names.
    pub names: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// One end's region.
    pub from: Vec<String>,
    /// The other end's region.
    pub to: Vec<String>,
    /// Limit from `from` to `to`, MW.
    pub forward_mw: Matrix<i64>,
    /// Limit from `to` to `from`, MW.
    pub backward_mw: Matrix<i64>,
    /// Per-step failure probability.
    pub failure_probability: Matrix<f64>,
    /// Per-step repair probability.
    pub repair_probability: Matrix<f64>,
}

/// Interfaces: limits on the sum of the lines between two regions.
#[derive(Clone, Debug, PartialEq)]
pub struct Interfaces {
    /// One region.
    pub from: Vec<String>,
    /// The other region.
    pub to: Vec<String>,
    /// Limit from `from` to `to`, MW ([`UNLIMITED_MW`] = no limit).
    pub forward_mw: Matrix<i64>,
    /// Limit from `to` to `from`, MW.
    pub backward_mw: Matrix<i64>,
}

/// PRAS's "no limit" on an interface: 2^32 - 1 MW.
pub const UNLIMITED_MW: i64 = u32::MAX as i64;

macro_rules! empty {
    ($t:ident { $($names:ident),* ; $($m:ident),* }) => {
        impl $t {
            pub(crate) fn empty(steps: usize) -> $t {
                $t {
                    $($names: Vec::new(),)*
                    $($m: Matrix::new(steps, 0, Vec::new()),)*
                }
            }
        }
    };
}

empty!(Generators { names, categories, regions; capacity_mw, failure_probability, repair_probability });
empty!(Storages { names, categories, regions; charge_mw, discharge_mw, energy_mwh,
    charge_efficiency, discharge_efficiency, carryover_efficiency, failure_probability,
    repair_probability });
empty!(DemandResponses { names, categories, regions; borrow_mw, payback_mw, energy_mwh,
    interest, payback_steps, failure_probability, repair_probability, borrow_efficiency,
    payback_efficiency });
empty!(Lines { names, categories, from, to; forward_mw, backward_mw, failure_probability,
    repair_probability });
empty!(Interfaces { from, to; forward_mw, backward_mw });

impl GeneratorStorages {
    pub(crate) fn empty(steps: usize) -> GeneratorStorages {
        GeneratorStorages {
            storage: Storages::empty(steps),
            inflow_mw: Matrix::new(steps, 0, Vec::new()),
            grid_withdrawal_mw: Matrix::new(steps, 0, Vec::new()),
            grid_injection_mw: Matrix::new(steps, 0, Vec::new()),
        }
    }
}

/// A PRAS system: what a `.pras` file holds.
#[derive(Clone, Debug, PartialEq)]
pub struct System {
    /// `pras_dataversion`.
    pub version: Version,
    /// `start_timestamp`, as written (`2020-01-01T00:00:00+00:00`).
    pub start_timestamp: String,
    /// `timestep_count`.
    pub steps: usize,
    /// `timestep_length`, in `step_unit`s.
    pub step_length: i64,
    /// `timestep_unit` (`min`, `h`, `d` or `y`).
    pub step_unit: String,
    /// `power_unit` (`MW`).
    pub power_unit: String,
    /// `energy_unit` (`MWh`).
    pub energy_unit: String,
    /// Regions and load.
    pub regions: Regions,
    /// Generators.
    pub generators: Generators,
    /// Storages.
    pub storages: Storages,
    /// Generator-storages.
    pub generator_storages: GeneratorStorages,
    /// Demand responses (none before v0.8).
    pub demand_responses: DemandResponses,
    /// Lines.
    pub lines: Lines,
    /// Interfaces.
    pub interfaces: Interfaces,
}

impl System {
    /// The step in minutes, where gridrisk can step by it (`[study] step_min`): a whole
    /// number of minutes that divides an hour (`5 min`, `60 min`, `1 h`); `None` otherwise.
    pub fn step_min(&self) -> Option<u32> {
        match (self.step_length, self.step_unit.as_str()) {
            (1, "h") => Some(60),
            (m @ 1..=60, "min") if 60 % m == 0 => Some(m as u32),
            _ => None,
        }
    }

    /// The window's length in hours (`timestep_count` x the step), for the units of fixed
    /// length (`min`, `h`, `d`; not `y`): the count times the length, then divided, so that
    /// 288 steps of 5 min are 24 h exactly.
    pub fn hours(&self) -> Option<f64> {
        let minutes = self.steps as f64 * self.step_length as f64;
        match self.step_unit.as_str() {
            "min" => Some(minutes / 60.0),
            "h" => Some(minutes),
            "d" => Some(minutes * 24.0),
            _ => None,
        }
    }

    /// The length of a step in hours, for PRAS's time units of fixed length (`min`, `h`,
    /// `d`; not `y`).
    pub fn step_h(&self) -> Option<f64> {
        let length = self.step_length as f64;
        match self.step_unit.as_str() {
            "min" => Some(length / 60.0),
            "h" => Some(length),
            "d" => Some(length * 24.0),
            _ => None,
        }
    }

    /// The system's peak load: the largest, over steps, of the sum over regions, MW.
    pub fn peak_load_mw(&self) -> i64 {
        let load = &self.regions.load_mw;
        (0..load.steps())
            .map(|t| (0..load.assets()).map(|r| load.get(t, r)).sum::<i64>())
            .max()
            .unwrap_or(0)
    }

    /// Generators by category, in first-seen order: (category, count, installed MW as the
    /// sum of each generator's largest capacity over the steps).
    pub fn installed_by_category(&self) -> Vec<(String, usize, i64)> {
        let g = &self.generators;
        let mut out: Vec<(String, usize, i64)> = Vec::new();
        for (a, category) in g.categories.iter().enumerate() {
            let mw = g.capacity_mw.max(a);
            match out.iter_mut().find(|(c, _, _)| c == category) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 += mw;
                }
                None => out.push((category.clone(), 1, mw)),
            }
        }
        out
    }

    /// Generators that can fail: failure probability above 0 in some step.
    pub fn generators_that_can_fail(&self) -> usize {
        let p = &self.generators.failure_probability;
        (0..p.assets())
            .filter(|&a| p.column(a).any(|v| v > 0.0))
            .count()
    }
}
