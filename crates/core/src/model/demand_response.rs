//! Demand response devices: load that can be shed now (borrowed) and must be served later
//! (paid back) within a payback window, one entry per device.
//!
//! The dispatch rules (PRAS's, see README.md, "Demand response") live in the sampler
//! (`gridrisk_montecarlo::demand_response`); this is only what exists: power and energy
//! limits, efficiencies, the interest on borrowed energy, the payback window and an optional
//! outage process.

use super::OutageModel;

/// One demand response device, in watts and watt-hours (a block of `count` identical
/// devices is `count` entries, each with its own borrowed energy, counter and outages).
#[derive(Clone, Debug, PartialEq)]
pub struct DemandResponse {
    /// Device name, unique in the system (`name`, or `name#k` in a block of several).
    pub name: String,
    /// Index of its region.
    pub region: usize,
    /// Largest load it can shed in a step (borrow), watts.
    pub borrow_w: i64,
    /// Largest load it can add back in a step (payback), watts.
    pub payback_w: i64,
    /// Largest energy it can owe, watt-hours.
    pub energy_wh: i64,
    /// Fraction of the load shed that is owed (PRAS's `borrow_efficiency`), in (0, 1].
    pub borrow_efficiency: f64,
    /// Fraction of the load added back that repays the debt (PRAS's
    /// `payback_efficiency`), in (0, 1].
    pub payback_efficiency: f64,
    /// Fraction by which the debt grows each time step (PRAS's
    /// `borrowed_energy_interest`, per step as PRAS's), in [0, 1].
    pub interest_per_step: f64,
    /// Time steps within which a debt must be repaid (PRAS's `allowable_payback_period`,
    /// in steps as PRAS's), >= 1.
    pub payback_window_steps: u32,
    /// Its outage process; `None` for a device that never fails.
    pub outage: Option<OutageModel>,
}

impl DemandResponse {
    /// Check the domain of every field; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.borrow_w < 0 || self.payback_w < 0 || self.energy_wh < 0 {
            return Err("power and energy must be >= 0".into());
        }
        for (name, e) in [
            ("borrow_efficiency", self.borrow_efficiency),
            ("payback_efficiency", self.payback_efficiency),
        ] {
            if !(e > 0.0 && e <= 1.0) {
                return Err(format!("{name} must be in (0, 1], got {e}"));
            }
        }
        if !(0.0..=1.0).contains(&self.interest_per_step) {
            return Err(format!(
                "interest_per_step must be in [0, 1], got {}",
                self.interest_per_step
            ));
        }
        if self.payback_window_steps == 0 {
            return Err("payback_window_steps must be >= 1".into());
        }
        self.outage.as_ref().map_or(Ok(()), OutageModel::check)
    }
}
