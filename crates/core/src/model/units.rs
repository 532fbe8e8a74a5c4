//! Generating units as a struct of arrays: one entry per physical unit, sorted by region.
//!
//! A unit is a two-state Markov process (up / down) with exponential up times of mean
//! `mttf_h` and down times of mean `mttr_h`. When up it offers `capacity_w` =
//! nameplate x (1 - derate), limited by its cap.

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
    /// Mean time to failure, hours.
    pub mttf_h: f64,
    /// Mean time to repair, hours.
    pub mttr_h: f64,
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
        if !(self.mttf_h.is_finite() && self.mttf_h > 0.0) {
            return Err(format!(
                "mttf_h must be a positive number of hours, got {}",
                self.mttf_h
            ));
        }
        if !(self.mttr_h.is_finite() && self.mttr_h > 0.0) {
            return Err(format!(
                "mttr_h must be a positive number of hours, got {}",
                self.mttr_h
            ));
        }
        Ok(())
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
    /// Mean time to failure, hours.
    pub mttf_h: Vec<f64>,
    /// Mean time to repair, hours.
    pub mttr_h: Vec<f64>,
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
            mttf_h: specs.iter().map(|u| u.mttf_h).collect(),
            mttr_h: specs.iter().map(|u| u.mttr_h).collect(),
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

    /// Forced outage rate (long-run unavailability) of unit `i`: MTTR / (MTTF + MTTR).
    pub fn for_(&self, i: usize) -> f64 {
        self.mttr_h[i] / (self.mttf_h[i] + self.mttr_h[i])
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
