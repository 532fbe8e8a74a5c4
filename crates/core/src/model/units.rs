//! Generating units as a struct of arrays: one entry per physical unit, sorted by region.
//!
//! A unit is a two-state Markov process (up / down), in continuous or discrete time
//! ([`OutageModel`]). When up it offers `capacity_w` = nameplate x (1 - derate), limited by
//! its cap.

use super::OutageModel;

/// One unit as the scenario reader hands it to [`crate::SystemModel::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct UnitSpec {
    /// Unit name, unique in the system (e.g. `U197#2`).
    pub name: String,
    /// Index of its region.
    pub region: usize,
    /// Nameplate capacity, watts.
    pub installed_w: i64,
    /// Capacity offered when up, watts (after derate and cap).
    pub capacity_w: i64,
    /// Its outage process.
    pub outage: OutageModel,
}

impl UnitSpec {
    /// Check the domain of every field; returns what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.installed_w < 0 || self.capacity_w < 0 || self.capacity_w > self.installed_w {
            return Err(format!(
                "capacity must satisfy 0 <= available ({} W) <= installed ({} W)",
                self.capacity_w, self.installed_w
            ));
        }
        self.outage.check()
    }
}

/// A stable 64-bit id of a component name: FNV-1a over its UTF-8 bytes.
///
/// Random streams are keyed by this id (not by position), so adding or removing one unit
/// does not change the draws of any other.
pub fn component_id(name: &str) -> u64 {
    crate::hash::fnv1a(crate::hash::FNV_OFFSET, name.as_bytes())
}

/// All units of a system, struct of arrays, sorted by region.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Units {
    /// Unit names.
    pub names: Vec<String>,
    /// Region index of each unit.
    pub region: Vec<usize>,
    /// Nameplate capacity, watts.
    pub installed_w: Vec<i64>,
    /// Capacity when up, watts.
    pub capacity_w: Vec<i64>,
    /// Outage process of each unit.
    pub outage: Vec<OutageModel>,
    /// Stable id of each unit's random stream ([`component_id`] of its name).
    pub stream_id: Vec<u64>,
}

impl Units {
    pub(crate) fn from_specs(specs: &[UnitSpec]) -> Units {
        Units {
            names: specs.iter().map(|u| u.name.clone()).collect(),
            region: specs.iter().map(|u| u.region).collect(),
            installed_w: specs.iter().map(|u| u.installed_w).collect(),
            capacity_w: specs.iter().map(|u| u.capacity_w).collect(),
            outage: specs.iter().map(|u| u.outage).collect(),
            stream_id: specs.iter().map(|u| component_id(&u.name)).collect(),
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True if there is no unit.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Forced outage rate (long-run unavailability) of unit `i`: MTTR / (MTTF + MTTR), or
    /// p_fail / (p_fail + p_repair) in discrete time.
    pub fn for_(&self, i: usize) -> f64 {
        self.outage[i].unavailability()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_id_is_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(component_id(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(component_id("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
