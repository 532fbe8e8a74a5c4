//! Storage devices (batteries, pumped hydro without inflow): energy-limited resources that
//! charge from surplus and discharge into shortfalls, one entry per physical device.
//!
//! The dispatch rules (PRAS's, see README.md, "Storage") live in the sampler;
//! this is only what exists: power and energy limits, efficiencies, the initial state of
//! charge and an optional outage process.

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
    /// Fraction of the stored energy kept from one hour to the next, in (0, 1].
    pub carryover_efficiency: f64,
    /// Stored energy at the start of the window, watt-hours (`<= energy_wh`).
    pub initial_wh: i64,
    /// Its outage process; `None` for a device that never fails.
    pub outage: Option<OutageModel>,
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
        self.outage.as_ref().map_or(Ok(()), OutageModel::check)
    }
}
