//! Units of measure: power in integer watts, energy in integer watt-hours.
//!
//! Every MW figure with up to six decimals is an exact number of watts, so comparisons of
//! load and capacity are exact and sums over samples do not depend on their order.
//! Conversion to MW / MWh happens only for output.

/// Watts in one megawatt.
pub const W_PER_MW: i64 = 1_000_000;

/// Power in watts from megawatts, rounded to the nearest watt.
///
/// Returns `None` for a non-finite value or one beyond about 9.2 TW.
pub fn mw_to_w(mw: f64) -> Option<i64> {
    let w = (mw * W_PER_MW as f64).round();
    (w.is_finite() && w.abs() < 9.0e18).then_some(w as i64)
}

/// Megawatts from watts (for output).
pub fn w_to_mw(w: i64) -> f64 {
    w as f64 / W_PER_MW as f64
}

/// Megawatt-hours from watt-hours as a float (for output); accepts the `i128` sums of
/// many samples.
pub fn wh_to_mwh(wh: i128) -> f64 {
    wh as f64 / W_PER_MW as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rts_loads_are_exact_watts() {
        // 2850 MW x 86.2% x 93% x 67% = 1530.76977 MW exactly.
        assert_eq!(mw_to_w(2850.0 * 0.862 * 0.93 * 0.67), Some(1_530_769_770));
        assert_eq!(mw_to_w(f64::NAN), None);
        assert_eq!(w_to_mw(12_000_000), 12.0);
    }
}
