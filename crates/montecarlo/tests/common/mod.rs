//! Helpers shared by the integration tests: tiny systems built in code.

use gridrisk_core::model::UnitSpec;

/// Watts per MW.
pub const MW: i64 = 1_000_000;

/// A unit of `mw` MW in region `region` with the given MTTF and MTTR (hours).
pub fn unit(name: &str, region: usize, mw: i64, mttf_h: f64, mttr_h: f64) -> UnitSpec {
    UnitSpec {
        name: name.into(),
        region,
        installed_w: mw * MW,
        capacity_w: mw * MW,
        mttf_h,
        mttr_h,
    }
}
