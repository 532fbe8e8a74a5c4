//! A neighbour's exchanges with one region, per sample: its scheduled export, hourly
//! unscheduled deviations and "bad days" with a large draw
//! ([`gridrisk_core::model::Exchange`]).
//!
//! Each exchange has its own stream ([`Purpose::Exchange`]): first one uniform per day (is
//! the day bad?) and one per day (the size of its draw), then one uniform per hour (the
//! deviation, uniform on `[-deviation, +deviation]`). The scheduled export is interruptible
//! demand on the region (the exports class); a positive deviation is firm demand and a
//! negative one feeds the region; a bad day's draw is firm demand, or interruptible demand
//! of the exports class when the exchange makes it refusable. In a stopped hour (one of the
//! exchange's `stops_with` disturbances in progress) the neighbour draws and feeds nothing;
//! its numbers are drawn all the same, so that the stream is the same whether or not a
//! disturbance stops it.

use crate::rng::{Purpose, SampleKey};
use gridrisk_core::model::{component_id, Exchange};

/// One region's hourly arrays that an exchange adds to, watts, indexed by hour.
pub struct RegionHours<'a> {
    /// Firm demand.
    pub firm_w: &'a mut [i64],
    /// Interruptible demand (an exchange adds to its exports class).
    pub export_w: &'a mut [i64],
    /// Extra supply.
    pub supply_w: &'a mut [i64],
}

/// Add exchange `x`'s draws of sample `key` to the region's hourly arrays `to`; `stopped`
/// marks the hours in which the exchange is stopped (empty: never).
pub fn add_draws(x: &Exchange, key: SampleKey, stopped: &[bool], to: RegionHours<'_>) {
    let mut rng = key.stream(
        component_id(&format!("exchange:{}", x.name)),
        Purpose::Exchange,
    );
    let RegionHours {
        firm_w,
        export_w,
        supply_w,
    } = to;
    let hours = firm_w.len();
    let on = |h: usize| !stopped.get(h).copied().unwrap_or(false);
    let (lo, hi) = x.bad_day_draw_w;
    for day in 0..hours.div_ceil(24) {
        let bad = rng.uniform() < x.bad_day_probability;
        let size = lo + ((hi - lo) as f64 * rng.uniform()).round() as i64;
        if bad {
            let draw_w = if x.bad_day_refusable {
                &mut *export_w
            } else {
                &mut *firm_w
            };
            for (h, w) in draw_w.iter_mut().enumerate().skip(day * 24).take(24) {
                if on(h) {
                    *w += size;
                }
            }
        }
    }
    for h in 0..hours {
        let deviation = ((2.0 * rng.uniform() - 1.0) * x.deviation_w as f64).round() as i64;
        if !on(h) {
            continue;
        }
        export_w[h] += x.scheduled_export_w;
        if deviation > 0 {
            firm_w[h] += deviation;
        } else {
            supply_w[h] -= deviation;
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
            bad_day_refusable: false,
            stops_with: Vec::new(),
        };
        let (mut bad_days, mut days, mut dev_sum, mut dev_sq, mut n) = (0, 0, 0.0, 0.0, 0.0);
        for s in 0..400 {
            let (mut firm, mut export, mut supply) = (vec![0; 2880], vec![0; 2880], vec![0; 2880]);
            let to = RegionHours {
                firm_w: &mut firm,
                export_w: &mut export,
                supply_w: &mut supply,
            };
            add_draws(&x, SampleKey::new(1, s), &[], to);
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

    /// A refusable bad-day draw goes to the exports class, not to firm demand, with the same
    /// days and sizes (the same stream); a stopped hour gets nothing at all, and the other
    /// hours are unchanged.
    #[test]
    fn a_refusable_draw_is_an_export_and_a_stopped_hour_draws_nothing() {
        let firm_x = Exchange {
            name: "CA".into(),
            region: 0,
            scheduled_export_w: 100,
            deviation_w: 150,
            bad_day_probability: 0.5,
            bad_day_draw_w: (400, 700),
            bad_day_refusable: false,
            stops_with: Vec::new(),
        };
        let refusable = Exchange {
            bad_day_refusable: true,
            ..firm_x.clone()
        };
        let draw = |x: &Exchange, stopped: &[bool]| {
            let (mut f, mut e, mut s) = (vec![0; 240], vec![0; 240], vec![0; 240]);
            let to = RegionHours {
                firm_w: &mut f,
                export_w: &mut e,
                supply_w: &mut s,
            };
            add_draws(x, SampleKey::new(7, 3), stopped, to);
            (f, e, s)
        };
        let (f0, e0, s0) = draw(&firm_x, &[]);
        let (f1, e1, s1) = draw(&refusable, &[]);
        assert_eq!(s0, s1);
        // firm + exports is the same hour by hour; some bad day moved to the exports
        for h in 0..240 {
            assert_eq!(f0[h] + e0[h], f1[h] + e1[h], "hour {h}");
            assert!(e1[h] >= e0[h] && f1[h] <= f0[h]);
        }
        assert!(e1.iter().any(|&w| w >= 500) && e0.iter().all(|&w| w == 100));
        let mut stopped = vec![false; 240];
        stopped[30..40].fill(true);
        let (f2, e2, s2) = draw(&refusable, &stopped);
        for h in 0..240 {
            if stopped[h] {
                assert_eq!((f2[h], e2[h], s2[h]), (0, 0, 0), "hour {h}");
            } else {
                assert_eq!((f2[h], e2[h], s2[h]), (f1[h], e1[h], s1[h]), "hour {h}");
            }
        }
    }
}
