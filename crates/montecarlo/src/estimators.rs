//! Mergeable sample statistics with exact integer sums, and the estimates made from them.
//!
//! Per-sample values are integers (hours, events, watt-hours), so their sums, sums of
//! squares and cross products are kept exactly in `i128`. Merging is integer addition:
//! associative, so any split of the samples into blocks, threads or shards gives
//! bit-identical estimates.
//!
//! ## Intervals
//!
//! Every 95% interval respects the range its index can take:
//!
//! * means of non-negative quantities (hours, events, energy, ratios of them) use the normal
//!   interval `mean -/+ 1.96 se` with its lower end raised to the least possible value
//!   ([`Estimate::at_least`]: 0, or 1 h for an event's duration), rather than a transformed
//!   interval, so that the calibrated normal interval is unchanged wherever it is already
//!   inside the range;
//! * probabilities use the Wilson score interval ([`Estimate::proportion`]), which stays in
//!   [0, 1], is not empty when no sample (or every sample) has the event, and keeps close
//!   to nominal coverage for small counts, where the normal interval does not;
//! * paired differences keep the symmetric normal interval (they can have either sign).
//!
//! An estimate of an area's shortfall indices rests on the samples with a shortfall there.
//! With fewer than [`FEW_SAMPLES`] of them the normal approximation is poor, so the estimate
//! records how many there were ([`Estimate::resting_on`], `"shortfall_samples"` in JSON);
//! a ratio of means (`lold_h`) from a single such sample has no interval at all (its
//! delta-method standard error would be exactly 0), and shows `null` there.

use serde::Serialize;

/// z for a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Below this many samples with a shortfall, an estimate says how many it rests on: the
/// common rule of thumb for a normal interval on a skewed, mostly-zero quantity.
pub const FEW_SAMPLES: u64 = 30;

/// A mean with its standard error and 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean (NaN, `null` in JSON, where there is no interval).
    pub se: f64,
    /// 95% interval: `mean -/+ 1.96 se`, kept inside the index's range (see the module
    /// doc); NaN where there is none.
    pub ci95: [f64; 2],
    /// The number of samples with a shortfall the estimate rests on, where that is fewer
    /// than [`FEW_SAMPLES`] (the interval is then only a rough guide).
    #[serde(rename = "shortfall_samples", skip_serializing_if = "Option::is_none")]
    pub few_samples: Option<u64>,
}

impl Estimate {
    /// An estimate from a mean and standard error, with the symmetric normal interval.
    pub fn new(mean: f64, se: f64) -> Estimate {
        Estimate {
            mean,
            se,
            ci95: [mean - Z95 * se, mean + Z95 * se],
            few_samples: None,
        }
    }

    /// The estimate of a probability from `k` samples with the event out of `n`: the share,
    /// its standard error, and the Wilson score interval.
    pub fn proportion(k: u64, n: u64) -> Estimate {
        if n == 0 {
            return Estimate::new(0.0, 0.0);
        }
        // Mean and standard error exactly as from the sums of n values 0 or 1.
        let (p, var) = mean_var(n, i128::from(k), i128::from(k));
        let se = (var / n as f64).sqrt();
        let (k, n) = (k as f64, n as f64);
        let z2 = Z95 * Z95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        // The ends are exactly 0 and 1 with no or every sample (rounding aside).
        let lo = if k == 0.0 { 0.0 } else { centre - half };
        let hi = if k == n { 1.0 } else { centre + half };
        Estimate {
            mean: p,
            se,
            ci95: [lo.max(0.0), hi.min(1.0)],
            few_samples: None,
        }
    }

    /// The same estimate with the interval's lower end at least `least` (the least value
    /// the index can take).
    pub fn at_least(mut self, least: f64) -> Estimate {
        self.ci95[0] = self.ci95[0].max(least);
        self
    }

    /// The same estimate, noting that it rests on `samples` samples with a shortfall when
    /// they are few; from a single one, a ratio estimate has no interval.
    pub fn resting_on(mut self, samples: u64, ratio: bool) -> Estimate {
        if samples < FEW_SAMPLES {
            self.few_samples = Some(samples);
        }
        if ratio && samples < 2 {
            self.se = f64::NAN;
            self.ci95 = [f64::NAN; 2];
        }
        self
    }

    /// The same estimate in other units (`x * factor`), with the normal interval: scale
    /// before bounding the interval.
    pub fn scaled(self, factor: f64) -> Estimate {
        Estimate {
            few_samples: self.few_samples,
            ..Estimate::new(self.mean * factor, self.se * factor.abs())
        }
    }

    /// The same estimate per hour: a count of steps, or a sum of MW x steps, in hours or
    /// MWh at `steps_per_hour` steps an hour ([`gridrisk_core::Calendar::per_hour`]). The
    /// mean, standard error and interval are each divided, so at one step an hour the
    /// estimate is returned bit for bit.
    pub fn per_hour(self, cal: &gridrisk_core::Calendar) -> Estimate {
        Estimate {
            mean: cal.per_hour(self.mean),
            se: cal.per_hour(self.se),
            ci95: self.ci95.map(|x| cal.per_hour(x)),
            few_samples: self.few_samples,
        }
    }

    /// The same estimate plus an exact constant `by` (a deterministic part), with the
    /// normal interval: shift before bounding the interval.
    pub fn shifted(self, by: f64) -> Estimate {
        Estimate {
            few_samples: self.few_samples,
            ..Estimate::new(self.mean + by, self.se)
        }
    }
}

/// Exact sums of one integer per sample, and optionally of a second for a ratio estimate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PairSums {
    n: u64,
    #[serde(with = "wide")]
    sx: i128,
    #[serde(with = "wide")]
    sxx: i128,
    #[serde(with = "wide")]
    sy: i128,
    #[serde(with = "wide")]
    syy: i128,
    #[serde(with = "wide")]
    sxy: i128,
}

impl PairSums {
    /// Record one sample's pair of values.
    #[inline]
    pub fn push(&mut self, x: i64, y: i64) {
        let (x, y) = (i128::from(x), i128::from(y));
        self.n += 1;
        self.sx += x;
        self.sxx += x * x;
        self.sy += y;
        self.syy += y * y;
        self.sxy += x * y;
    }

    /// Add another set of sums (sums of samples within the engine's bounds cannot overflow).
    pub fn merge(&mut self, o: &PairSums) {
        self.checked_merge(o)
            .expect("sums within the engine's bounds");
    }

    /// Add another set of sums; on overflow, the name of the sum that would overflow (and
    /// `self` is left unchanged).
    pub fn checked_merge(&mut self, o: &PairSums) -> Result<(), String> {
        let add = |a: i128, b: i128, name: &str| a.checked_add(b).ok_or_else(|| overflow(name));
        *self = PairSums {
            n: self.n.checked_add(o.n).ok_or_else(|| overflow("n"))?,
            sx: add(self.sx, o.sx, "sx")?,
            sxx: add(self.sxx, o.sxx, "sxx")?,
            sy: add(self.sy, o.sy, "sy")?,
            syy: add(self.syy, o.syy, "syy")?,
            sxy: add(self.sxy, o.sxy, "sxy")?,
        };
        Ok(())
    }

    /// Check sums read from a file: `n` samples, and sums that some samples can have (sums
    /// of squares not negative, `(Σx)² <= n Σx²`, `(Σxy)² <= Σx² Σy²`), so that every
    /// variance formed from them is a number. The error names the sum.
    pub fn check(&self, n: u64) -> Result<(), String> {
        if self.n != n {
            return Err(format!("n: {} samples, but the shard has {n}", self.n));
        }
        for (name, ss) in [("sxx", self.sxx), ("syy", self.syy)] {
            if ss < 0 {
                return Err(format!(
                    "{name}: a sum of squares cannot be negative ({ss})"
                ));
            }
        }
        let nn = i128::from(n);
        for (name, s, ss) in [("sx", self.sx, self.sxx), ("sy", self.sy, self.syy)] {
            if !at_most(s, s, nn, ss) {
                return Err(format!(
                    "{name}: ({name})^2 exceeds n times the sum of squares: no samples have these sums"
                ));
            }
        }
        if !at_most(self.sxy, self.sxy, self.sxx, self.syy) {
            return Err("sxy: (sxy)^2 exceeds sxx syy: no samples have these sums".into());
        }
        Ok(())
    }

    /// Number of samples.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The number of samples with the event, where x is an indicator (0 or 1).
    pub fn count(&self) -> u64 {
        u64::try_from(self.sx).unwrap_or(0)
    }

    /// The sum of y over the samples.
    pub fn sum_y(&self) -> i128 {
        self.sy
    }

    /// Mean and standard error of x.
    pub fn x(&self) -> Estimate {
        let (m, v) = mean_var(self.n, self.sx, self.sxx);
        Estimate::new(m, (v / self.n.max(1) as f64).sqrt())
    }

    /// Mean and standard error of y.
    pub fn y(&self) -> Estimate {
        let (m, v) = mean_var(self.n, self.sy, self.syy);
        Estimate::new(m, (v / self.n.max(1) as f64).sqrt())
    }

    /// The ratio of means `E[x] / E[y]` with a delta-method standard error:
    /// `Var(r) ~ (Var x - 2 r Cov(x, y) + r^2 Var y) / (n E[y]^2)`.
    /// `None` when `E[y] = 0`.
    ///
    /// With `r = Sx / Sy` the bracket is the residuals' variance, `Σ(x - r y)^2 / (n - 1)`,
    /// and `Sy^2 Σ(x - r y)^2 = Sy^2 Sxx - 2 Sx Sy Sxy + Sx^2 Syy` is formed in `i128` when
    /// it fits: samples whose x is exactly r times y (every event 3 h long) then get a
    /// standard error of exactly 0, not rounding noise.
    pub fn ratio(&self) -> Option<Estimate> {
        if self.sy == 0 || self.n == 0 {
            return None;
        }
        let r = self.sx as f64 / self.sy as f64;
        if self.n < 2 {
            return Some(Estimate::new(r, 0.0));
        }
        let (sx, sy) = (self.sx, self.sy);
        let exact = (|| {
            let a = sy.checked_mul(sy)?.checked_mul(self.sxx)?;
            let b = sx.checked_mul(sy)?.checked_mul(self.sxy)?.checked_mul(2)?;
            let c = sx.checked_mul(sx)?.checked_mul(self.syy)?;
            a.checked_sub(b)?.checked_add(c)
        })();
        let n = self.n as f64;
        let my = sy as f64 / n;
        let residual_var = match exact {
            Some(num) => num as f64 / (sy as f64 * sy as f64) / (n - 1.0),
            None => {
                let (_, vx) = mean_var(self.n, sx, self.sxx);
                let (_, vy) = mean_var(self.n, sy, self.syy);
                let cxy = covariance(self.n, sx, sy, self.sxy);
                vx - 2.0 * r * cxy + r * r * vy
            }
        };
        let v = (residual_var / (n * my * my)).max(0.0);
        Some(Estimate::new(r, v.sqrt()))
    }
}

fn overflow(name: &str) -> String {
    format!("{name}: the sum overflows")
}

/// `a b <= c d` for `c, d >= 0`, exactly where the products fit in `i128`, else in `f64`
/// with a relative margin (a sum that large is refused only if clearly impossible).
fn at_most(a: i128, b: i128, c: i128, d: i128) -> bool {
    match (a.checked_mul(b), c.checked_mul(d)) {
        (Some(ab), Some(cd)) => ab <= cd,
        _ => (a as f64) * (b as f64) <= (c as f64) * (d as f64) * (1.0 + 1e-9),
    }
}

/// Mean and unbiased variance from exact sums. The numerator `n Σx² - (Σx)²` is formed in
/// `i128` when it fits (exact), otherwise in `f64`.
fn mean_var(n: u64, s: i128, ss: i128) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = s as f64 / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    // A variance is never negative, though the f64 fallback of a huge numerator can round
    // below zero (and the standard error would be NaN).
    (mean, covariance(n, s, s, ss).max(0.0))
}

/// Unbiased covariance from exact sums: `(n Σxy - Σx Σy) / (n (n - 1))`.
fn covariance(n: u64, sx: i128, sy: i128, sxy: i128) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let nn = i128::from(n);
    let num = nn
        .checked_mul(sxy)
        .zip(sx.checked_mul(sy))
        .and_then(|(a, b)| a.checked_sub(b))
        .map(|d| d as f64)
        .unwrap_or_else(|| n as f64 * sxy as f64 - sx as f64 * sy as f64);
    num / (n as f64 * (n - 1) as f64)
}

/// Serde for `i128` sums as decimal strings: exact where JSON numbers (doubles) are not.
pub(crate) mod wide {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Write `x` as a string.
    pub fn serialize<S: Serializer>(x: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&x.to_string())
    }

    /// Read a string written by [`serialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }

    /// The same for a vector of sums.
    pub mod vec {
        use serde::{Deserialize, Deserializer, Serializer};

        /// Write every sum as a string.
        pub fn serialize<S: Serializer>(v: &[i128], s: S) -> Result<S::Ok, S::Error> {
            s.collect_seq(v.iter().map(i128::to_string))
        }

        /// Read strings written by [`serialize`].
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
            Vec::<String>::deserialize(d)?
                .iter()
                .map(|t| t.parse().map_err(serde::de::Error::custom))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_se_match_textbook() {
        let mut p = PairSums::default();
        for x in [1, 2, 3, 4] {
            p.push(x, 1);
        }
        let e = p.x();
        assert_eq!(e.mean, 2.5);
        // sample variance 5/3, se = sqrt(5/12)
        assert!((e.se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
        assert_eq!(p.ratio().unwrap().mean, 2.5);
    }

    #[test]
    fn merge_is_exact_in_any_split() {
        let xs: Vec<i64> = (0..100).map(|i| (i * 7919) % 101 - 13).collect();
        let mut all = PairSums::default();
        xs.iter().for_each(|&x| all.push(x, x / 3));
        let mut a = PairSums::default();
        let mut b = PairSums::default();
        xs[..37].iter().for_each(|&x| a.push(x, x / 3));
        xs[37..].iter().for_each(|&x| b.push(x, x / 3));
        b.merge(&a);
        assert_eq!(all, b);
    }

    #[test]
    fn impossible_or_overflowing_sums_are_refused() {
        let mut p = PairSums::default();
        for x in [3, -1, 4] {
            p.push(x, 2 * x);
        }
        assert_eq!(p.check(3), Ok(()));
        assert!(p.check(4).unwrap_err().starts_with("n: 3 samples"));
        for (sums, bad) in [
            (PairSums { sxx: -1, ..p }, "sxx: "),
            (PairSums { sx: 100, ..p }, "sx: "),
            (PairSums { sxy: 100, ..p }, "sxy: "),
        ] {
            assert!(sums.check(3).unwrap_err().starts_with(bad), "{bad}");
        }
        let mut big = PairSums {
            n: u64::MAX,
            ..PairSums::default()
        };
        assert_eq!(big.checked_merge(&p), Err("n: the sum overflows".into()));
        let mut wide = PairSums {
            sxx: i128::MAX,
            ..PairSums::default()
        };
        assert_eq!(wide.checked_merge(&p), Err("sxx: the sum overflows".into()));
        assert_eq!(wide.n, 0, "unchanged on overflow");
    }

    #[test]
    fn sums_too_large_for_exact_variance_never_give_a_nan() {
        // Near the window energy bound n Σx² overflows i128; the f64 fallback cancels
        // catastrophically (here to -3.8e22), and a negative variance made the se NaN.
        let mut p = PairSums::default();
        for x in [
            4_611_685_459_810_597_678,
            4_611_685_459_810_597_677,
            4_611_685_459_810_597_677,
            4_611_685_459_810_597_677,
        ] {
            p.push(x, x);
        }
        let (x, r) = (p.x(), p.ratio().unwrap());
        assert!(x.se >= 0.0 && r.se >= 0.0, "{x:?} {r:?}");
    }

    #[test]
    fn ratio_of_proportional_pairs_has_exactly_zero_error() {
        // Every sample's x is 3 times its y (each event 3 h long): the rounding of the
        // moment formula left a standard error of about 1e-8 here.
        let mut p = PairSums::default();
        for (x, y) in [(3, 1), (6, 2), (0, 0), (0, 0), (9, 3)] {
            p.push(x, y);
        }
        for _ in 0..1995 {
            p.push(0, 0);
        }
        let r = p.ratio().unwrap();
        assert_eq!((r.mean, r.se), (3.0, 0.0));
        // Not proportional: the exact form agrees with the moment formula.
        p.push(4, 1);
        let r = p.ratio().unwrap();
        let (mx, vx) = mean_var(p.n, p.sx, p.sxx);
        let (my, vy) = mean_var(p.n, p.sy, p.syy);
        let cxy = covariance(p.n, p.sx, p.sy, p.sxy);
        let q = mx / my;
        let se = ((vx - 2.0 * q * cxy + q * q * vy) / (p.n as f64 * my * my)).sqrt();
        assert!((r.se - se).abs() <= 1e-12 * se, "{} vs {se}", r.se);
    }

    #[test]
    fn ratio_of_constant_pairs_has_zero_error() {
        let mut p = PairSums::default();
        for _ in 0..10 {
            p.push(6, 3);
        }
        let r = p.ratio().unwrap();
        assert_eq!((r.mean, r.se), (2.0, 0.0));
    }

    /// Binomial probabilities of 0..=n events at rate p.
    fn binomial(n: u64, p: f64) -> Vec<f64> {
        let mut pmf = vec![(1.0 - p).powi(n as i32)];
        for k in 1..=n {
            let prev = pmf[k as usize - 1];
            pmf.push(prev * (n - k + 1) as f64 / k as f64 * p / (1.0 - p));
        }
        pmf
    }

    #[test]
    fn wilson_interval_matches_textbook_and_stays_in_range() {
        // No event in 10 samples: the upper end is z^2 / (n + z^2).
        let e = Estimate::proportion(0, 10);
        assert_eq!(e.ci95[0], 0.0);
        assert!((e.ci95[1] - Z95 * Z95 / (10.0 + Z95 * Z95)).abs() < 1e-12);
        // Every sample: the mirror image.
        let e = Estimate::proportion(10, 10);
        assert!((e.ci95[0] - 10.0 / (10.0 + Z95 * Z95)).abs() < 1e-12);
        assert_eq!(e.ci95[1], 1.0);
        // 4,999 of 5,000: the normal interval passes 1, Wilson does not.
        let e = Estimate::proportion(4999, 5000);
        assert!(Estimate::new(e.mean, e.se).ci95[1] > 1.0);
        assert!(e.ci95[0] < e.mean && e.mean < e.ci95[1] && e.ci95[1] <= 1.0);
        // Standard error as from the exact sums of 0/1 values.
        let mut sums = PairSums::default();
        (0..40).for_each(|i| sums.push(i64::from(i % 4 == 0), 1));
        assert_eq!(sums.count(), 10);
        assert_eq!(Estimate::proportion(10, 40).se, sums.x().se);
    }

    #[test]
    fn wilson_covers_rare_events_where_the_normal_interval_does_not() {
        // Exact coverage over the binomial law, for rates a planner meets with few samples.
        for (n, p) in [(200, 0.01), (1000, 0.003), (100, 0.05), (400, 0.5)] {
            let pmf = binomial(n, p);
            let coverage = |interval: &dyn Fn(u64) -> [f64; 2]| -> f64 {
                (0..=n)
                    .filter(|&k| {
                        let [lo, hi] = interval(k);
                        lo <= p && p <= hi
                    })
                    .map(|k| pmf[k as usize])
                    .sum()
            };
            let wilson = coverage(&|k| Estimate::proportion(k, n).ci95);
            let normal = coverage(&|k| {
                let e = Estimate::proportion(k, n);
                Estimate::new(e.mean, e.se).ci95
            });
            assert!((0.92..=0.99).contains(&wilson), "n {n}, p {p}: {wilson}");
            if n as f64 * p < 5.0 {
                assert!(normal < 0.92, "n {n}, p {p}: normal {normal}");
            }
        }
    }

    #[test]
    fn intervals_respect_the_least_value_and_few_samples_are_noted() {
        let e = Estimate::new(0.01, 0.01).at_least(0.0);
        assert_eq!(e.ci95[0], 0.0);
        assert!((e.ci95[1] - (0.01 + Z95 * 0.01)).abs() < 1e-15);
        assert_eq!(e.resting_on(FEW_SAMPLES, false).few_samples, None);
        assert_eq!(e.resting_on(3, false).few_samples, Some(3));
        let r = Estimate::new(5.0, 0.0).resting_on(1, true);
        assert!(r.se.is_nan() && r.ci95.iter().all(|x| x.is_nan()));
        let json = serde_json::to_value(r).unwrap();
        assert_eq!(json["mean"], 5.0);
        assert!(json["se"].is_null() && json["ci95"][0].is_null());
        assert_eq!(json["shortfall_samples"], 1);
        assert!(
            serde_json::to_value(Estimate::new(1.0, 0.1)).unwrap()["shortfall_samples"].is_null()
        );
    }
}
