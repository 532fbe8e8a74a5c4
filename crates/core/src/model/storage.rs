//! Storage devices (batteries, pumped hydro) and generator-storages (reservoir hydro, CSP:
//! a storage device with an inflow): energy-limited resources that charge from surplus and
//! discharge into shortfalls, one entry per physical device.
//!
//! The dispatch rules (PRAS's, see README.md, "Storage" and "Generator-storage") live in
//! the sampler; this is only what exists: power and energy limits, efficiencies, the initial
//! state of charge, an optional outage process and, for a generator-storage, its
//! [`Inflow`].

use super::OutageModel;

/// One storage device, in watts and watt-hours (a block of `count` identical devices is
/// `count` entries, each with its own state of charge and outages).
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    /// Device name, unique in the system (`name`, or `name#k` in a block of several).
    pub name: String,
    /// Index of its region.
    pub region: usize,
    /// Largest power drawn from the grid while charging, watts.
    pub charge_w: i64,
    /// Largest power given to the grid while discharging, watts.
    pub discharge_w: i64,
    /// Energy capacity, watt-hours.
    pub energy_wh: i64,
    /// Fraction of the energy drawn from the grid that is stored, in (0, 1].
    pub charge_efficiency: f64,
    /// Fraction of the energy taken from the store that reaches the grid, in (0, 1].
    pub discharge_efficiency: f64,
    /// Fraction of the stored energy kept from one time step to the next (per hour at the
    /// default step; per step as PRAS's `carryover_efficiency`), in (0, 1].
    pub carryover_efficiency: f64,
    /// Stored energy at the start of the window, watt-hours (`<= energy_wh`).
    pub initial_wh: i64,
    /// Its outage process; `None` for a device that never fails.
    pub outage: Option<OutageModel>,
    /// For a generator-storage (`[[generator_storages]]`), its inflow and grid limits;
    /// `None` for a plain storage device.
    pub inflow: Option<Inflow>,
}

/// What makes a storage device a generator-storage (PRAS's `GeneratorStorages`): an inflow
/// that reaches the grid or the store, grid injection and withdrawal limits, and its
/// dispatch strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct Inflow {
    /// Inflow per time step, watts (>= 0; one value per step of the window).
    pub inflow_w: Vec<i64>,
    /// Largest power to the grid from inflow and discharge together, watts.
    pub grid_injection_w: i64,
    /// Largest power drawn from the grid to charge, watts.
    pub grid_withdrawal_w: i64,
    /// How the device is dispatched.
    pub dispatch: GenStorDispatch,
}

/// The dispatch strategy of a generator-storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenStorDispatch {
    /// PRAS's: inflow reaches the grid like generation, the store discharges only into
    /// firm demand that nothing else serves and charges from the rest of the inflow and
    /// from surplus.
    Pras,
    /// A schedule water-filled against the region's net demand each period, with PRAS's
    /// use of the rest of the store when firm demand is still short.
    PeakShaving {
        /// Days (24 h) or study weeks.
        period: ShavingPeriod,
        /// Least scheduled injection in an hour, watts (`P_min` of the water-fill).
        min_injection_w: i64,
    },
}

/// The period of a peak-shaving schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShavingPeriod {
    /// Each day of the calendar.
    Day,
    /// Each study week.
    Week,
}

impl Storage {
    /// Check the domain of every field; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.charge_w < 0 || self.discharge_w < 0 || self.energy_wh < 0 {
            return Err("power and energy must be >= 0".into());
        }
        for (name, e) in [
            ("charge_efficiency", self.charge_efficiency),
            ("discharge_efficiency", self.discharge_efficiency),
            ("carryover_efficiency", self.carryover_efficiency),
        ] {
            if !(e > 0.0 && e <= 1.0) {
                return Err(format!("{name} must be in (0, 1], got {e}"));
            }
        }
        if !(0..=self.energy_wh).contains(&self.initial_wh) {
            return Err(format!(
                "initial energy {} Wh must be in [0, {}] Wh",
                self.initial_wh, self.energy_wh
            ));
        }
        if let Some(g) = &self.inflow {
            g.check()?;
        }
        self.outage.as_ref().map_or(Ok(()), OutageModel::check)
    }
}

impl Inflow {
    /// Check the domain of every field; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.inflow_w.iter().any(|&w| w < 0) {
            return Err("inflow must be >= 0".into());
        }
        if self.grid_injection_w < 0 || self.grid_withdrawal_w < 0 {
            return Err("grid injection and withdrawal must be >= 0".into());
        }
        if let GenStorDispatch::PeakShaving {
            min_injection_w, ..
        } = self.dispatch
        {
            if !(0..=self.grid_injection_w).contains(&min_injection_w) {
                return Err(format!(
                    "min_injection {min_injection_w} W must be in [0, grid injection {} W]",
                    self.grid_injection_w
                ));
            }
        }
        Ok(())
    }
}
