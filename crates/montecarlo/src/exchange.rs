//! A neighbour's exchanges with one region, per sample: hourly unscheduled deviations and
//! "bad days" with a large draw ([`gridrisk_core::model::Exchange`]).
//!
//! Each exchange has its own stream ([`Purpose::Exchange`]): first one uniform per day (is
//! the day bad?) and one per day (the size of its draw), then one uniform per hour (the
//! deviation, uniform on `[-deviation, +deviation]`). A positive deviation and a bad day's
//! draw are firm demand on the region; a negative deviation feeds it.

use crate::rng::{Purpose, SampleKey};
use gridrisk_core::model::{component_id, Exchange};

/// Add exchange `x`'s draws of sample `key` over `hours` hours to the region's hourly firm
/// demand `firm_w` and extra supply `supply_w` (both indexed by hour).
pub fn add_draws(x: &Exchange, key: SampleKey, firm_w: &mut [i64], supply_w: &mut [i64]) {
    let mut rng = key.stream(
        component_id(&format!("exchange:{}", x.name)),
        Purpose::Exchange,
    );
    let hours = firm_w.len();
    let (lo, hi) = x.bad_day_draw_w;
    for day in 0..hours.div_ceil(24) {
        let bad = rng.uniform() < x.bad_day_probability;
        let size = lo + ((hi - lo) as f64 * rng.uniform()).round() as i64;
        if bad {
            for f in firm_w.iter_mut().skip(day * 24).take(24) {
                *f += size;
            }
        }
    }
    for (f, s) in firm_w.iter_mut().zip(supply_w.iter_mut()) {
        let deviation = ((2.0 * rng.uniform() - 1.0) * x.deviation_w as f64).round() as i64;
        if deviation > 0 {
            *f += deviation;
        } else {
            *s -= deviation;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_days_and_deviations_have_the_configured_law() {
        let x = Exchange {
            name: "CA".into(),
            region: 0,
            scheduled_export_w: 0,
            deviation_w: 150_000_000,
            bad_day_probability: 0.05,
            bad_day_draw_w: (400_000_000, 700_000_000),
        };
        let (mut bad_days, mut days, mut dev_sum, mut dev_sq, mut n) = (0, 0, 0.0, 0.0, 0.0);
        for s in 0..400 {
            let (mut firm, mut supply) = (vec![0i64; 2880], vec![0i64; 2880]);
            add_draws(&x, SampleKey::new(1, s), &mut firm, &mut supply);
            for d in 0..120 {
                let day = &firm[d * 24..d * 24 + 24];
                // a bad day adds >= 400 MW to every hour; deviations add at most 150 MW
                if day.iter().all(|&f| f >= 400_000_000) {
                    bad_days += 1;
                }
                days += 1;
            }
            for (f, s) in firm.iter().zip(&supply) {
                if *f < 400_000_000 {
                    let dev = (f - s) as f64 / 1e6;
                    dev_sum += dev;
                    dev_sq += dev * dev;
                    n += 1.0;
                }
            }
        }
        let p = bad_days as f64 / days as f64;
        // binomial sd of p over 48,000 days: 0.001
        assert!((p - 0.05).abs() < 0.004, "bad-day share {p}");
        let mean = dev_sum / n;
        let sd = (dev_sq / n - mean * mean).sqrt();
        // uniform on [-150, 150]: mean 0, sd 150 / sqrt(3) = 86.6
        assert!(mean.abs() < 1.0, "mean deviation {mean}");
        assert!((sd - 86.6).abs() < 1.0, "sd {sd}");
    }
}
