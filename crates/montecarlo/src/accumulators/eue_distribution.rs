//! The distribution of per-sample EUE of one area (the system here; each region's in
//! [`super::Tails`]): percentiles, two tail means, the exceedance curve, and the worst hourly
//! shortfall.
//!
//! Per-sample unserved energy (Wh) goes into a fixed log-spaced histogram: zero in its own
//! bin, x > 0 in bin `k = floor(ln x / ln 1.005)` (0.5% wide), each bin keeping an integer
//! count, the exact sum of its values and the least and largest of them. Fixed edges make the histogram merge exactly in
//! any split, and memory is bounded by the number of occupied bins (at most about 9,000).
//!
//! * `pXX_mwh`: the mean of the histogram bin that holds the order statistic
//!   `ceil(q n)` (relative error at most 0.5%);
//! * `cvar95_mwh`: mean of the worst 5% of samples (0.05 n of them, fractional): the bins above the boundary enter whole, the boundary bin with the share of its mean
//!   that completes 5% of the samples;
//! * `mean_above_var95_mwh`: PRAS's tail mean E[X | X > VaR95] (`_cvar` in
//!   `PRASCore.jl/src/Results/utils.jl`, commit c7933039: the mean of the samples strictly
//!   above `quantile(samples, 0.95)`), with VaR95 the order statistic `ceil(0.95 n)`. The bins
//!   above the VaR's bin enter whole (exact). Within the VaR's bin: if its samples are all
//!   one value (its least equals its largest), they are all tied with the VaR and left out,
//!   as in PRAS, exactly; otherwise the samples ranked above the VaR's rank enter at the
//!   bin's mean (0.5% wide; exact in number when no two samples tie, as for continuous
//!   shortfalls). So on PRAS's test1 (VaR95 2 MWh, 16.2% of samples at it) it gives PRAS's
//!   11.54 MWh where the CVaR is 7.34, and with VaR95 = 0 (at most 5% of samples short) it
//!   is exactly E[X | X > 0]; 0 when no sample is above. PRAS's VaR interpolates between
//!   order statistics (Julia's `quantile`, type 7, at rank `0.95 n + 0.05`): with distinct
//!   values the samples above it are the same where `0.95 n` is whole, and otherwise PRAS's
//!   usually hold one sample more;
//! * `exceedance`: `[mwh, P(EUE >= mwh)]` at the lower edge of every occupied group of four
//!   bins (2% steps), after `[0, P(EUE > 0)]`;
//! * `worst_shortfall_mw`: the largest system shortfall of any hour of any sample.

use super::{Accumulator, HourView, SampleView};
use gridrisk_core::power::{w_to_mw, wh_to_mwh};
use serde::Serialize;
use std::collections::BTreeMap;

const BIN_GROWTH: f64 = 1.005;

/// Histogram of per-sample system EUE.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Default)]
pub struct EueDistribution {
    unserved_wh: i64,
    zero: u64,
    #[serde(with = "bins_text")]
    bins: BTreeMap<u32, Bin>,
    worst_w: i64,
}

/// One occupied bin: its samples' count, sum, least and largest value (Wh).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bin {
    count: u64,
    sum_wh: i128,
    least_wh: i64,
    most_wh: i64,
}

impl Bin {
    const EMPTY: Bin = Bin {
        count: 0,
        sum_wh: 0,
        least_wh: i64::MAX,
        most_wh: i64::MIN,
    };

    /// The mean of its samples, MWh.
    fn mean_mwh(&self) -> f64 {
        wh_to_mwh(self.sum_wh) / self.count as f64
    }
}

/// Serde for the bins: `[bin, count, "sum", least, largest]`, sums as strings (exact).
mod bins_text {
    use super::Bin;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(bins: &BTreeMap<u32, Bin>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            bins.iter()
                .map(|(k, b)| (k, b.count, b.sum_wh.to_string(), b.least_wh, b.most_wh)),
        )
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<u32, Bin>, D::Error> {
        Vec::<(u32, u64, String, i64, i64)>::deserialize(d)?
            .into_iter()
            .map(|(k, count, sum, least_wh, most_wh)| {
                let sum_wh = sum.parse().map_err(serde::de::Error::custom)?;
                Ok((
                    k,
                    Bin {
                        count,
                        sum_wh,
                        least_wh,
                        most_wh,
                    },
                ))
            })
            .collect()
    }
}

/// Percentiles and tail measures of per-sample system EUE.
#[derive(Clone, Debug, Serialize)]
pub struct EueDistributionResult {
    /// Median, MWh.
    pub p50_mwh: f64,
    /// 90th percentile, MWh.
    pub p90_mwh: f64,
    /// 95th percentile, MWh.
    pub p95_mwh: f64,
    /// 99th percentile, MWh.
    pub p99_mwh: f64,
    /// Mean of the worst 5% of samples, MWh.
    pub cvar95_mwh: f64,
    /// Mean of the samples above the 95th percentile (PRAS's E[X | X > VaR95]), MWh.
    pub mean_above_var95_mwh: f64,
    /// `[mwh, P(EUE >= mwh)]`, increasing in mwh.
    pub exceedance: Vec<[f64; 2]>,
    /// Largest hourly system shortfall seen, MW.
    pub worst_shortfall_mw: f64,
}

impl EueDistributionResult {
    /// The distribution in MWh from MW x steps at `cal`'s steps per hour (each energy
    /// divided; the same result at one-hour steps).
    pub fn per_hour(mut self, cal: &gridrisk_core::Calendar) -> EueDistributionResult {
        for x in [
            &mut self.p50_mwh,
            &mut self.p90_mwh,
            &mut self.p95_mwh,
            &mut self.p99_mwh,
            &mut self.cvar95_mwh,
            &mut self.mean_above_var95_mwh,
        ] {
            *x = cal.per_hour(*x);
        }
        for point in &mut self.exceedance {
            point[0] = cal.per_hour(point[0]);
        }
        self
    }
}

fn bin_of(wh: i64) -> u32 {
    (libm::log(wh as f64) / libm::log(BIN_GROWTH)).floor() as u32
}

impl EueDistribution {
    fn samples(&self) -> u64 {
        self.zero + self.bins.values().map(|b| b.count).sum::<u64>()
    }

    fn percentile_mwh(&self, q: f64) -> f64 {
        let rank = (q * self.samples() as f64).ceil().max(1.0) as u64;
        if rank <= self.zero {
            return 0.0;
        }
        let mut seen = self.zero;
        for b in self.bins.values() {
            seen += b.count;
            if seen >= rank {
                return b.mean_mwh();
            }
        }
        0.0
    }

    fn cvar_mwh(&self, tail: f64) -> f64 {
        let mass = tail * self.samples() as f64;
        if mass <= 0.0 {
            return 0.0;
        }
        let (mut left, mut total) = (mass, 0.0);
        for b in self.bins.values().rev() {
            let take = left.min(b.count as f64);
            total += take * b.mean_mwh();
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        total / mass
    }

    /// E[X | X > VaR_q], VaR_q the order statistic `ceil(q n)` (see the module doc).
    fn mean_above_var_mwh(&self, q: f64) -> f64 {
        let rank = (q * self.samples() as f64).ceil().max(1.0) as u64;
        let (mut seen, mut count, mut sum) = (self.zero, 0_u64, 0.0);
        for b in self.bins.values() {
            seen += b.count;
            if seen - b.count >= rank {
                // Above the VaR's bin: exact.
                count += b.count;
                sum += wh_to_mwh(b.sum_wh);
            } else if seen > rank && b.least_wh < b.most_wh {
                // The VaR's bin, of several values: its samples ranked above the VaR.
                let above = seen - rank;
                count += above;
                sum += above as f64 * b.mean_mwh();
            }
            // (The VaR's bin of one value is all ties with the VaR.)
        }
        if count == 0 {
            0.0
        } else {
            sum / count as f64
        }
    }

    /// One hour's shortfall of the area, watts.
    #[inline]
    pub(crate) fn record_w(&mut self, short_w: i64) {
        self.unserved_wh += short_w;
        self.worst_w = self.worst_w.max(short_w);
    }

    /// The end of a sample: its unserved energy into the histogram.
    pub(crate) fn end(&mut self) {
        if self.unserved_wh == 0 {
            self.zero += 1;
        } else {
            let x = self.unserved_wh;
            let bin = self.bins.entry(bin_of(x)).or_insert(Bin::EMPTY);
            bin.count += 1;
            bin.sum_wh += i128::from(x);
            bin.least_wh = bin.least_wh.min(x);
            bin.most_wh = bin.most_wh.max(x);
        }
        self.unserved_wh = 0;
    }

    /// Add the histogram of a later block; on overflow, the path of the count or sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        self.zero = (self.zero.checked_add(later.zero))
            .ok_or_else(|| "zero: the sum overflows".to_string())?;
        for (&k, b) in &later.bins {
            let bin = self.bins.entry(k).or_insert(Bin::EMPTY);
            let fail = || format!("bins (bin {k}): the sum overflows");
            *bin = Bin {
                count: bin.count.checked_add(b.count).ok_or_else(fail)?,
                sum_wh: bin.sum_wh.checked_add(b.sum_wh).ok_or_else(fail)?,
                least_wh: bin.least_wh.min(b.least_wh),
                most_wh: bin.most_wh.max(b.most_wh),
            };
        }
        self.worst_w = self.worst_w.max(later.worst_w);
        Ok(())
    }

    /// Check a histogram read from a file against its `samples`: every bin holds at least
    /// one sample and a sum its samples can have (each in `[1.005^k, 1.005^(k+1))` Wh),
    /// and the zero count and the bins add up to `samples`. The error names the JSON path.
    pub fn check(&self, samples: u64) -> Result<(), String> {
        let mut seen = self.zero;
        for (i, (&k, b)) in self.bins.iter().enumerate() {
            let (lo, hi) = (
                libm::pow(BIN_GROWTH, f64::from(k)),
                libm::pow(BIN_GROWTH, f64::from(k) + 1.0),
            );
            let Bin {
                count,
                sum_wh: sum,
                least_wh,
                most_wh,
            } = *b;
            let n = count as f64;
            let (s, slack) = (sum as f64, 1e-9);
            if count == 0
                || k > bin_of(i64::MAX)
                || !(s >= n * lo * (1.0 - slack) && s <= n * hi * (1.0 + slack))
            {
                return Err(format!(
                    "bins[{i}]: bin {k} cannot hold {count} samples adding up to {sum} Wh"
                ));
            }
            // The least and largest value: in the bin, in order, and bounding the sum.
            let n = i128::from(count);
            if least_wh <= 0
                || bin_of(least_wh) != k
                || bin_of(most_wh) != k
                || least_wh > most_wh
                || (count == 1 && least_wh != most_wh)
                || n * i128::from(least_wh) > sum
                || n * i128::from(most_wh) < sum
            {
                return Err(format!(
                    "bins[{i}]: bin {k} of {count} samples adding up to {sum} Wh cannot have \
                     least {least_wh} Wh and largest {most_wh} Wh"
                ));
            }
            seen = seen
                .checked_add(count)
                .ok_or_else(|| format!("bins[{i}]: the counts overflow"))?;
        }
        if seen != samples {
            return Err(format!(
                "zero: {seen} samples in the histogram (zero and bins), but the shard has {samples}"
            ));
        }
        if self.worst_w < 0 {
            return Err(format!(
                "worst_w: a shortfall cannot be negative ({})",
                self.worst_w
            ));
        }
        Ok(())
    }

    /// Percentiles, CVaR95 and the exceedance curve.
    pub fn finish(&self) -> EueDistributionResult {
        let n = self.samples().max(1) as f64;
        let mut exceedance = vec![[0.0, (n - self.zero as f64) / n]];
        let mut above: u64 = self.bins.values().map(|b| b.count).sum();
        let mut group = None;
        for (&k, &Bin { count, .. }) in &self.bins {
            if group != Some(k / 4) {
                group = Some(k / 4);
                let edge_wh = libm::pow(BIN_GROWTH, f64::from(k / 4 * 4));
                exceedance.push([edge_wh / 1e6, above as f64 / n]);
            }
            above -= count;
        }
        EueDistributionResult {
            p50_mwh: self.percentile_mwh(0.50),
            p90_mwh: self.percentile_mwh(0.90),
            p95_mwh: self.percentile_mwh(0.95),
            p99_mwh: self.percentile_mwh(0.99),
            cvar95_mwh: self.cvar_mwh(0.05),
            mean_above_var95_mwh: self.mean_above_var_mwh(0.95),
            exceedance,
            worst_shortfall_mw: w_to_mw(self.worst_w),
        }
    }
}

impl Accumulator for EueDistribution {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        self.record_w(*hour.short_w.last().unwrap_or(&0));
    }

    fn end_sample(&mut self, _: &SampleView) {
        self.end();
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(super::IN_BOUNDS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(acc: &mut EueDistribution, mwh: i64) {
        if mwh > 0 {
            acc.record_hour(&HourView::short(0, &[mwh * 1_000_000]));
        }
        acc.end_sample(&SampleView {
            sample: 0,
            demand_wh: &[0],
            illegal_by_day_w: None,
            charged_wh: &[],
            discharged_wh: &[],
            spilled_wh: &[],
            demand_response_wh: &[],
        });
    }

    #[test]
    fn percentiles_and_cvar_of_a_known_sample() {
        let mut acc = EueDistribution::default();
        // 100 samples: 80 zero, then 1..=20 MWh.
        for _ in 0..80 {
            sample(&mut acc, 0);
        }
        for x in 1..=20 {
            sample(&mut acc, x);
        }
        let r = acc.finish();
        assert_eq!(r.p50_mwh, 0.0);
        assert_eq!(r.p90_mwh, 10.0);
        assert_eq!(r.p99_mwh, 19.0);
        // worst 5 samples: 16..=20, mean 18
        assert!((r.cvar95_mwh - 18.0).abs() < 1e-12);
        assert_eq!(r.exceedance[0], [0.0, 0.2]);
        assert_eq!(r.worst_shortfall_mw, 20.0);
    }

    #[test]
    fn cvar_and_mean_above_var_differ_when_var_is_zero() {
        // 97 zero samples and 3, 6, 9 MWh: VaR95 is 0, the worst 5 samples are 9, 6, 3, 0,
        // 0 (CVaR 3.6) and the samples above the VaR are 3, 6, 9 (mean 6).
        let mut acc = EueDistribution::default();
        (0..97).for_each(|_| sample(&mut acc, 0));
        [3, 6, 9].iter().for_each(|&x| sample(&mut acc, x));
        let r = acc.finish();
        assert_eq!(r.p95_mwh, 0.0);
        assert!((r.cvar95_mwh - 3.6).abs() < 1e-12, "{r:?}");
        assert!((r.mean_above_var95_mwh - 6.0).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn mean_above_var_leaves_out_the_var_and_its_ties() {
        // 90 zeros, then 1..=10 MWh (each its own bin): VaR95 is the 95th sample, 5 MWh;
        // above it 6..=10 (mean 8), the same as the worst 5%.
        let mut acc = EueDistribution::default();
        (0..90).for_each(|_| sample(&mut acc, 0));
        (1..=10).for_each(|x| sample(&mut acc, x));
        let r = acc.finish();
        assert_eq!(r.p95_mwh, 5.0);
        assert!((r.mean_above_var95_mwh - 8.0).abs() < 1e-12, "{r:?}");
        assert!((r.cvar95_mwh - 8.0).abs() < 1e-12, "{r:?}");
        // 80 zeros and 1..=20 MWh: VaR95 = 15 (rank 95), above it 16..=20.
        let mut acc = EueDistribution::default();
        (0..80).for_each(|_| sample(&mut acc, 0));
        (1..=20).for_each(|x| sample(&mut acc, x));
        let r = acc.finish();
        assert_eq!(r.p95_mwh, 15.0);
        assert!((r.mean_above_var95_mwh - 18.0).abs() < 1e-12, "{r:?}");
        // Nothing above the VaR: 10 samples tied at 2 MWh.
        let mut acc = EueDistribution::default();
        (0..10).for_each(|_| sample(&mut acc, 2));
        assert_eq!(acc.finish().mean_above_var95_mwh, 0.0);
        // Ties at the VaR (PRAS's test1 in small): 80 zeros, 16 at 2 MWh, 4 at 10 MWh. VaR95
        // is 2 MWh; strictly above it only the four 10s (mean 10), while the worst 5 samples
        // are 10, 10, 10, 10, 2 (CVaR 8.4).
        let mut acc = EueDistribution::default();
        (0..80).for_each(|_| sample(&mut acc, 0));
        (0..16).for_each(|_| sample(&mut acc, 2));
        (0..4).for_each(|_| sample(&mut acc, 10));
        let r = acc.finish();
        assert_eq!(r.p95_mwh, 2.0);
        assert!((r.mean_above_var95_mwh - 10.0).abs() < 1e-12, "{r:?}");
        assert!((r.cvar95_mwh - 8.4).abs() < 1e-12, "{r:?}");
    }

    #[test]
    fn mean_above_var_in_a_bin_of_several_values() {
        // 90 zeros and ten distinct values in one 0.5% bin (1,000,000 to 1,000,009 Wh): the
        // VaR is the 5th of them; the five ranked above it enter at the bin's mean.
        let mut acc = EueDistribution::default();
        for x in (0..90).map(|_| 0).chain(1_000_000..1_000_010) {
            acc.record_w(x);
            acc.end();
        }
        assert_eq!(acc.bins.len(), 1);
        let r = acc.finish();
        assert!((r.mean_above_var95_mwh - 1.0000045).abs() < 1e-12, "{r:?}");
        // The bin's least and largest are kept, and the histogram passes its own check.
        let bin = acc.bins.values().next().unwrap();
        assert_eq!((bin.least_wh, bin.most_wh), (1_000_000, 1_000_009));
        acc.check(100).unwrap();
        let mut bad = acc.clone();
        bad.bins.values_mut().next().unwrap().least_wh = 1_000_005; // 10 x least > the sum
        assert!(bad.check(100).unwrap_err().contains("least"));
    }

    #[test]
    fn merge_equals_one_pass() {
        let mut one = EueDistribution::default();
        let (mut a, mut b) = (EueDistribution::default(), EueDistribution::default());
        for x in 0..50 {
            sample(&mut one, x * x);
            sample(if x < 17 { &mut a } else { &mut b }, x * x);
        }
        a.merge(&b);
        assert_eq!(format!("{:?}", one.finish()), format!("{:?}", a.finish()));
    }
}
