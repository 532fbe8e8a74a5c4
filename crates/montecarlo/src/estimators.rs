//! Mergeable sample statistics with exact integer sums, and the estimates made from them.
//!
//! Per-sample values are integers (hours, events, watt-hours), so their sums, sums of
//! squares and cross products are kept exactly in `i128`. Merging is integer addition:
//! associative, so any split of the samples into blocks, threads or shards gives
//! bit-identical estimates.

use serde::Serialize;

/// z for a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A mean with its standard error and 95% normal interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Standard error of the mean.
    pub se: f64,
    /// 95% interval, `mean -/+ 1.96 se`.
    pub ci95: [f64; 2],
}

impl Estimate {
    /// An estimate from a mean and standard error.
    pub fn new(mean: f64, se: f64) -> Estimate {
        Estimate {
            mean,
            se,
            ci95: [mean - Z95 * se, mean + Z95 * se],
        }
    }

    /// The same estimate in other units (`x * factor`).
    pub fn scaled(self, factor: f64) -> Estimate {
        Estimate::new(self.mean * factor, self.se * factor.abs())
    }

    /// Half-width of the 95% interval relative to the mean (infinite when the mean is 0).
    pub fn rel_half_width(&self) -> f64 {
        if self.mean == 0.0 {
            f64::INFINITY
        } else {
            Z95 * self.se / self.mean.abs()
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

    /// Add another set of sums.
    pub fn merge(&mut self, o: &PairSums) {
        self.n += o.n;
        self.sx += o.sx;
        self.sxx += o.sxx;
        self.sy += o.sy;
        self.syy += o.syy;
        self.sxy += o.sxy;
    }

    /// Number of samples.
    pub fn n(&self) -> u64 {
        self.n
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
    pub fn ratio(&self) -> Option<Estimate> {
        if self.sy == 0 || self.n == 0 {
            return None;
        }
        let (mx, vx) = mean_var(self.n, self.sx, self.sxx);
        let (my, vy) = mean_var(self.n, self.sy, self.syy);
        let cxy = covariance(self.n, self.sx, self.sy, self.sxy);
        let r = mx / my;
        let v = ((vx - 2.0 * r * cxy + r * r * vy) / (self.n as f64 * my * my)).max(0.0);
        Some(Estimate::new(r, v.sqrt()))
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
    (mean, covariance(n, s, s, ss))
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
    fn ratio_of_constant_pairs_has_zero_error() {
        let mut p = PairSums::default();
        for _ in 0..10 {
            p.push(6, 3);
        }
        let r = p.ratio().unwrap();
        assert_eq!((r.mean, r.se), (2.0, 0.0));
    }
}
