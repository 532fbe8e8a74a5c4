//! The distribution of per-sample EUE of one area (the system here; each region's in
//! [`super::Tails`]): percentiles, two tail means, the exceedance curve, and the worst hourly
//! shortfall.
//!
//! Per-sample unserved energy (Wh) goes into a fixed log-spaced histogram: zero in its own
//! bin, x > 0 in bin `k = floor(ln x / ln 1.005)` (0.5% wide), each bin keeping an integer
//! count and the exact sum of its values. Fixed edges make the histogram merge exactly in
//! any split, and memory is bounded by the number of occupied bins (at most about 9,000).
//!
//! * `pXX_mwh`: the mean of the histogram bin that holds the order statistic
//!   `ceil(q n)` (relative error at most 0.5%);
//! * `cvar95_mwh`: mean of the worst 5% of samples (0.05 n of them, fractional): the bins above the boundary enter whole, the boundary bin with the share of its mean
//!   that completes 5% of the samples;
//! * `mean_above_var95_mwh`: PRAS's tail mean E[X | X > VaR95] (`_cvar` in
//!   `PRASCore.jl/src/Results/utils.jl`, commit c7933039: the mean of the samples strictly
//!   above `quantile(samples, 0.95)`), with VaR95 = `p95_mwh`: the mean of the samples in the
//!   bins above the VaR's bin. Samples tied with the VaR are left out, as in PRAS; so are the
//!   samples of the VaR's bin that lie above it, within 0.5% of it (the histogram does not
//!   tell them apart). Exact when the VaR's bin holds one value, as where shortfalls come in
//!   whole MW-hours: on PRAS's test1 (VaR95 2 MWh, 16.2% of samples at it) it gives PRAS's
//!   11.54 MWh where the CVaR is 7.34. With VaR95 = 0 (at most 5% of samples short) it is
//!   exactly E[X | X > 0], the mean over the samples with a shortfall, where the two
//!   measures differ most; 0 when no sample is above the VaR's bin. PRAS's VaR interpolates
//!   between order statistics (Julia's `quantile`, type 7); the two VaRs fall in one bin
//!   except where the order statistics `ceil(0.95 n)` and `ceil(0.95 n) + 1` lie in
//!   different bins, which moves one sample;
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
    bins: BTreeMap<u32, (u64, i128)>,
    worst_w: i64,
}

/// Serde for the bins: `[bin, count, "sum"]` triples, sums as strings (exact).
mod bins_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        bins: &BTreeMap<u32, (u64, i128)>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(bins.iter().map(|(k, (c, w))| (k, c, w.to_string())))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<u32, (u64, i128)>, D::Error> {
        Vec::<(u32, u64, String)>::deserialize(d)?
            .into_iter()
            .map(|(k, c, w)| Ok((k, (c, w.parse().map_err(serde::de::Error::custom)?))))
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
        self.zero + self.bins.values().map(|b| b.0).sum::<u64>()
    }

    fn percentile_mwh(&self, q: f64) -> f64 {
        let rank = (q * self.samples() as f64).ceil().max(1.0) as u64;
        if rank <= self.zero {
            return 0.0;
        }
        let mut seen = self.zero;
        for &(count, sum) in self.bins.values() {
            seen += count;
            if seen >= rank {
                return wh_to_mwh(sum) / count as f64;
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
        for &(count, sum) in self.bins.values().rev() {
            let take = left.min(count as f64);
            total += take * wh_to_mwh(sum) / count as f64;
            left -= take;
            if left <= 0.0 {
                break;
            }
        }
        total / mass
    }

    /// E[X | X > VaR_q], VaR_q the order statistic `ceil(q n)`: the samples in the bins
    /// above the VaR's bin (see the module doc).
    fn mean_above_var_mwh(&self, q: f64) -> f64 {
        let rank = (q * self.samples() as f64).ceil().max(1.0) as u64;
        let (mut seen, mut count, mut sum) = (self.zero, 0_u64, 0_i128);
        for &(c, s) in self.bins.values() {
            if seen >= rank {
                // The VaR's bin (or the zero bin) lies below this one.
                count += c;
                sum += s;
            }
            seen += c;
        }
        if count == 0 {
            0.0
        } else {
            wh_to_mwh(sum) / count as f64
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
            let bin = self.bins.entry(bin_of(self.unserved_wh)).or_default();
            bin.0 += 1;
            bin.1 += i128::from(self.unserved_wh);
        }
        self.unserved_wh = 0;
    }

    /// Add the histogram of a later block; on overflow, the path of the count or sum.
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        self.zero = (self.zero.checked_add(later.zero))
            .ok_or_else(|| "zero: the sum overflows".to_string())?;
        for (&k, &(count, sum)) in &later.bins {
            let bin = self.bins.entry(k).or_default();
            let fail = || format!("bins (bin {k}): the sum overflows");
            *bin = (
                bin.0.checked_add(count).ok_or_else(fail)?,
                bin.1.checked_add(sum).ok_or_else(fail)?,
            );
        }
        self.worst_w = self.worst_w.max(later.worst_w);
        Ok(())
    }

    /// Check a histogram read from a file against its `samples`: every bin holds at least
    /// one sample and a sum its samples can have (each in `[1.005^k, 1.005^(k+1))` Wh),
    /// and the zero count and the bins add up to `samples`. The error names the JSON path.
    pub fn check(&self, samples: u64) -> Result<(), String> {
        let mut seen = self.zero;
        for (i, (&k, &(count, sum))) in self.bins.iter().enumerate() {
            let (lo, hi) = (
                libm::pow(BIN_GROWTH, f64::from(k)),
                libm::pow(BIN_GROWTH, f64::from(k) + 1.0),
            );
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
        let mut above: u64 = self.bins.values().map(|b| b.0).sum();
        let mut group = None;
        for (&k, &(count, _)) in &self.bins {
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
