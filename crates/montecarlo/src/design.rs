//! The outer design of an uncertain-parameter study and the statistics of its results.
//!
//! # Points
//!
//! [`unit_points`] places `n` points in the unit cube `[0, 1)^d`, one coordinate per
//! uncertain parameter:
//!
//! * [`DesignMethod::Sobol`]: the Owen-scrambled Sobol sequence of the `sobol_burley` crate
//!   (Burley 2020, "Practical Hash-based Owen Scrambling"), seeded: point `i`, dimension `j`
//!   is `sobol_burley::sample(i, j, seed)`. With `n = 2^m` points every one-dimensional
//!   projection holds exactly one point in each of the `n` strata `[k/n, (k+1)/n)`, and the
//!   first two dimensions form a `(0, m, 2)`-net (every box `2^-a x 2^-(m-a)` holds one);
//!   scrambling keeps both and makes each point uniform on the cube. Its coordinates are
//!   multiples of `2^-24`, moved to the middle of their cell (`+ 2^-25`) so that none is 0.
//! * [`DesignMethod::LatinHypercube`]: dimension `j` is `(pi_j(i) + v_ij) / n` with `pi_j` a
//!   uniform random permutation (Fisher-Yates) and `v_ij` uniform in `(0, 1)`, from the
//!   stream `(seed, j, 0, Purpose::Design)`: one point in each stratum of each dimension.
//!
//! [`value`] maps a coordinate `u` to a parameter's value by its law's quantile function:
//! uniform `low + u (high - low)`; triangular by inversion of its CDF; a normal truncated to
//! `[low, high]` as `mean + sd Q(Phi(a) + u (Phi(b) - Phi(a)))` with `a, b` the standardised
//! ends, `Phi(x) = erfc(-x / sqrt 2) / 2` and `Q` its inverse ([`normal_quantile`]).
//!
//! # Statistics over the design
//!
//! Each point `i` has an estimate `y_i` (the mean of its inner samples) with standard error
//! `s_i`. Over the design, `Var(y) = Var_between + E[s^2]`: the spread of the true values
//! over the unknowns plus the inner Monte Carlo noise, which is independent of the point
//! and has mean zero. [`Spread::of`] estimates
//!
//! ```text
//! var_total   = sum (y_i - mean)^2 / (n - 1)
//! var_noise   = sum s_i^2 / n
//! var_between = max(0, var_total - var_noise)
//! reliability = var_between / var_total        (0 when var_total = 0)
//! z_i         = mean + sqrt(reliability) (y_i - mean)
//! ```
//!
//! and gives the 10/50/90% quantiles of the `z_i` (linear interpolation between order
//! statistics, "type 7"). The shrunk `z_i` have sample variance exactly `var_between`: the
//! spread of the true values. (Shrinking by the reliability itself, the best estimate of
//! each point's true value, would leave a variance of `reliability x var_between`, too
//! narrow.) It assumes the noise is independent of the true value and that the shape of the
//! true values' law is that of the estimates, rescaled; it removes the noise from the
//! spread, not from the ranking of the points.
//!
//! [`Beats::of`] applies the same correction to the paired differences `d_i = base_i -
//! policy_i` (positive: the policy lowers the index), and gives the share of points whose
//! corrected difference exceeds a threshold (the probability, over the unknowns, that the
//! policy beats the base by more than it), beside the raw share.
//!
//! [`spearman`] is the rank correlation of a parameter's values with the estimates over the
//! design (average ranks for ties): its sign says which way the parameter pushes, its
//! magnitude how much of the ranking it explains; the parameter with the largest magnitude
//! drives the answer most. Inner noise lowers every magnitude alike.

use crate::accumulators::SAMPLE_TOTALS;
use crate::compare::Comparison;
use crate::estimators::Estimate;
use crate::rng::{Purpose, Stream};
use crate::weather::normal_quantile;
use gridrisk_core::scenario::{Design, DesignMethod, Law, Uncertain};
use gridrisk_core::SystemModel;
use serde_json::{json, Map, Value};

/// The design's points in `[0, 1)^dims`: `points[i][j]` is point `i`'s coordinate for
/// parameter `j` (see the [module docs](self)). Depends only on its arguments.
pub fn unit_points(method: DesignMethod, n: u32, dims: usize, seed: u32) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; dims]; n as usize];
    match method {
        DesignMethod::Sobol => {
            for (i, p) in (0..n).zip(&mut out) {
                for (j, x) in (0u32..).zip(p.iter_mut()) {
                    *x = f64::from(sobol_burley::sample(i, j, seed)) + SOBOL_HALF_CELL;
                }
            }
        }
        DesignMethod::LatinHypercube => {
            for j in 0..dims {
                let mut s = Stream::new(u64::from(seed), j as u64, 0, Purpose::Design);
                let mut perm: Vec<u32> = (0..n).collect();
                for k in (1..n as usize).rev() {
                    let r = ((s.uniform() * (k + 1) as f64) as usize).min(k);
                    perm.swap(k, r);
                }
                for (p, &cell) in out.iter_mut().zip(&perm) {
                    let v = s.uniform() + 0.5 / (1u64 << 53) as f64;
                    p[j] = (f64::from(cell) + v) / f64::from(n);
                }
            }
        }
    }
    out
}

/// Half the cell of a Sobol coordinate (`sobol_burley` gives multiples of `2^-24`).
const SOBOL_HALF_CELL: f64 = 1.0 / (1u64 << 25) as f64;

/// The value of `law` at coordinate `u` in `(0, 1)`: its quantile function.
pub fn value(law: &Law, u: f64) -> f64 {
    match *law {
        Law::Uniform { low, high } => low + u * (high - low),
        Law::Triangular { low, mode, high } => {
            let w = high - low;
            if u < (mode - low) / w {
                low + (u * w * (mode - low)).sqrt()
            } else {
                high - ((1.0 - u) * w * (high - mode)).sqrt()
            }
        }
        Law::Normal {
            mean,
            sd,
            low,
            high,
        } => {
            let (pa, pb) = (phi((low - mean) / sd), phi((high - mean) / sd));
            (mean + sd * normal_quantile(pa + u * (pb - pa))).clamp(low, high)
        }
    }
}

/// The standard normal CDF.
pub fn phi(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// The `q`-quantile of `sorted` (ascending, non-empty), interpolating linearly between
/// order statistics ("type 7").
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The quantiles a spread reports.
pub const SPREAD_QUANTILES: [f64; 3] = [0.1, 0.5, 0.9];

/// An index over the design, with the inner noise taken out of its spread (see the
/// [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    /// Mean of the point estimates: the index averaged over the unknowns and the weather.
    pub mean: f64,
    /// Its standard error, `sqrt(var_total / n)` (conservative for a scrambled Sobol design,
    /// whose error is usually smaller).
    pub mean_se: f64,
    /// Variance of the point estimates.
    pub var_total: f64,
    /// Mean squared standard error of the points: the inner noise's share of `var_total`.
    pub var_noise: f64,
    /// `max(0, var_total - var_noise)`: the spread of the true values over the unknowns.
    pub var_between: f64,
    /// `var_between / var_total`.
    pub reliability: f64,
    /// 10/50/90% quantiles of the point estimates as they are (noise included).
    pub raw: [f64; 3],
    /// 10/50/90% quantiles with the noise removed: of the points shrunk toward the mean by
    /// `sqrt(reliability)`.
    pub corrected: [f64; 3],
}

impl Spread {
    /// The spread of estimates `y` with standard errors `se` (same length, at least 2).
    pub fn of(y: &[f64], se: &[f64]) -> Spread {
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let var_total = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let var_noise = se.iter().map(|s| s * s).sum::<f64>() / n;
        let var_between = (var_total - var_noise).max(0.0);
        let reliability = if var_total > 0.0 {
            var_between / var_total
        } else {
            0.0
        };
        let quantiles = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            SPREAD_QUANTILES.map(|q| quantile(&v, q))
        };
        let mut s = Spread {
            mean,
            mean_se: (var_total / n).sqrt(),
            var_total,
            var_noise,
            var_between,
            reliability,
            raw: quantiles(y.to_vec()),
            corrected: [0.0; 3],
        };
        s.corrected = quantiles(s.shrunk(y));
        s
    }

    /// The points `y` shrunk toward the mean by `sqrt(reliability)`.
    fn shrunk(&self, y: &[f64]) -> Vec<f64> {
        let k = self.reliability.sqrt();
        y.iter().map(|v| self.mean + k * (v - self.mean)).collect()
    }
}

/// How often, over the design, a policy beats the base by more than a threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Beats {
    /// The threshold, in the index's unit.
    pub threshold: f64,
    /// Share of points whose paired difference (base - policy) is above the threshold.
    pub raw: f64,
    /// The same with the noise removed: share of the differences shrunk by
    /// `sqrt(reliability)` of their own spread.
    pub corrected: f64,
    /// The spread of the differences.
    pub difference: Spread,
}

impl Beats {
    /// From the paired differences `d = base - policy` and their standard errors.
    pub fn of(d: &[f64], se: &[f64], threshold: f64) -> Beats {
        let difference = Spread::of(d, se);
        let n = d.len() as f64;
        let share = |v: &[f64]| v.iter().filter(|&&x| x > threshold).count() as f64 / n;
        Beats {
            threshold,
            raw: share(d),
            corrected: share(&difference.shrunk(d)),
            difference,
        }
    }
}

/// Spearman's rank correlation of `x` and `y` (same length): the Pearson correlation of
/// their ranks, ties given their average rank; 0 when either is constant.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let m = (n + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - m) * (b - m);
        sxx += (a - m) * (a - m);
        syy += (b - m) * (b - m);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// 1-based ranks, ties averaged.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Schema tag of an uncertain-parameter study's document.
pub const SCHEMA: &str = "gridrisk.uncertain/1";

/// The system indices a design reports, in order.
pub const INDICES: [&str; 2] = ["lole_h", "eue_mwh"];

/// One scenario's system estimates at one point of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct PointResult {
    /// Each of [`INDICES`].
    pub index: [Estimate; 2],
    /// For a variant, its paired difference from the base (variant - base) in each.
    pub difference: Option<[Estimate; 2]>,
}

/// The system estimates of every scenario of a finished comparison (the base first).
pub fn point_results(models: &[&SystemModel], cmp: &Comparison) -> Vec<PointResult> {
    let total = |key: &str| {
        SAMPLE_TOTALS
            .iter()
            .position(|(k, _)| *k == key)
            .expect("a sample total")
    };
    let system = models[0].regions().len();
    models
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let a = m.regions().len();
            let acc = &cmp.indices[k];
            PointResult {
                index: [acc.lole.finish(a).lole_h, acc.eue.finish(a).eue_mwh],
                difference: (k > 0)
                    .then(|| INDICES.map(|key| cmp.difference(k, system, total(key)))),
            }
        })
        .collect()
}

/// What an uncertain-parameter study ran and found.
pub struct Outcome<'a> {
    /// The study's name and description.
    pub name: &'a str,
    /// Its description.
    pub description: &'a str,
    /// The parameters.
    pub parameters: &'a [Uncertain],
    /// The design.
    pub design: &'a Design,
    /// Each scenario's label (the base first).
    pub labels: &'a [String],
    /// Inner seed and samples per point (the same at every point and for every scenario).
    pub seed: u64,
    /// Inner samples per point.
    pub samples: u64,
    /// `values[i][j]`: parameter `j` at point `i`.
    pub values: &'a [Vec<f64>],
    /// `results[i][k]`: scenario `k` at point `i`.
    pub results: &'a [Vec<PointResult>],
    /// Every scenario at the parameters' central values.
    pub central: &'a [PointResult],
}

fn estimate_json(e: &Estimate) -> Value {
    json!({"mean": e.mean, "se": e.se})
}

fn quantiles_json(q: &[f64; 3]) -> Value {
    json!({"p10": q[0], "p50": q[1], "p90": q[2]})
}

fn spread_json(s: &Spread) -> Value {
    json!({
        "mean": s.mean,
        "mean_se": s.mean_se,
        "var_total": s.var_total,
        "var_noise": s.var_noise,
        "var_between": s.var_between,
        "reliability": s.reliability,
        "corrected": quantiles_json(&s.corrected),
        "raw": quantiles_json(&s.raw),
    })
}

impl Outcome<'_> {
    /// Over the design, scenario `k`'s index `m`: the estimates, or (`diff`) the paired
    /// differences base - scenario; with their standard errors.
    fn series(&self, k: usize, m: usize, diff: bool) -> (Vec<f64>, Vec<f64>) {
        self.results
            .iter()
            .map(|r| match (&r[k].difference, diff) {
                (Some(d), true) => (-d[m].mean, d[m].se),
                _ => (r[k].index[m].mean, r[k].index[m].se),
            })
            .unzip()
    }

    /// Rank correlation of each parameter with `y`, and the name of the largest in
    /// magnitude.
    fn sensitivity(&self, y: &[f64]) -> (Map<String, Value>, Value) {
        let mut map = Map::new();
        let mut driver: Option<(f64, &str)> = None;
        for (j, u) in self.parameters.iter().enumerate() {
            let x: Vec<f64> = self.values.iter().map(|v| v[j]).collect();
            let r = spearman(&x, y);
            map.insert(u.name.clone(), json!(r));
            if r != 0.0 && driver.is_none_or(|(best, _)| r.abs() > best) {
                driver = Some((r.abs(), &u.name));
            }
        }
        (map, driver.map_or(Value::Null, |(_, n)| json!(n)))
    }

    /// The document (schema [`SCHEMA`]); `run` is added by the caller.
    pub fn json(&self) -> Value {
        let thresholds = [self.design.beat_by_lole_h, self.design.beat_by_eue_mwh];
        let scenarios: Vec<Value> = (0..self.labels.len())
            .map(|k| {
                let mut doc = Map::new();
                doc.insert("label".into(), json!(self.labels[k]));
                for (m, key) in INDICES.iter().enumerate() {
                    let (y, se) = self.series(k, m, false);
                    let (sens, driver) = self.sensitivity(&y);
                    let mut ix = json!({
                        "central": estimate_json(&self.central[k].index[m]),
                        "design": spread_json(&Spread::of(&y, &se)),
                        "sensitivity": sens,
                        "driver": driver,
                    });
                    if k > 0 {
                        let (d, dse) = self.series(k, m, true);
                        let b = Beats::of(&d, &dse, thresholds[m]);
                        let (sens, driver) = self.sensitivity(&d);
                        let central = self.central[k].difference.as_ref().map(|c| -c[m].mean);
                        ix["beats_base"] = json!({
                            "threshold": b.threshold,
                            "probability": b.corrected,
                            "probability_raw": b.raw,
                            "central_reduction": central,
                            "reduction": spread_json(&b.difference),
                            "sensitivity": sens,
                            "driver": driver,
                        });
                    }
                    doc.insert(key.to_string(), ix);
                }
                Value::Object(doc)
            })
            .collect();
        let parameters: Vec<Value> = self
            .parameters
            .iter()
            .map(|u| {
                let mut p = json!({
                    "name": u.name,
                    "keys": u.keys.iter().map(|k| k.text.as_str()).collect::<Vec<_>>(),
                    "replaces": u.replaces.iter().map(|k| k.text.as_str()).collect::<Vec<_>>(),
                    "law": u.law.name(),
                    "central": u.law.central(),
                    "source": u.source,
                    "description": u.description,
                });
                let fields: &[(&str, f64)] = match u.law {
                    Law::Uniform { low, high } => &[("low", low), ("high", high)],
                    Law::Triangular { low, mode, high } => {
                        &[("low", low), ("mode", mode), ("high", high)]
                    }
                    Law::Normal {
                        mean,
                        sd,
                        low,
                        high,
                    } => &[("mean", mean), ("sd", sd), ("low", low), ("high", high)],
                };
                for (k, v) in fields {
                    p[*k] = json!(v);
                }
                p
            })
            .collect();
        let points: Vec<Value> = self
            .values
            .iter()
            .zip(self.results)
            .map(|(v, r)| {
                let values: Map<String, Value> = self
                    .parameters
                    .iter()
                    .zip(v)
                    .map(|(u, x)| (u.name.clone(), json!(x)))
                    .collect();
                let scen: Vec<Value> = r
                    .iter()
                    .map(|p| {
                        let mut o = Map::new();
                        for (m, key) in INDICES.iter().enumerate() {
                            o.insert(key.to_string(), estimate_json(&p.index[m]));
                        }
                        if let Some(d) = &p.difference {
                            let diff: Map<String, Value> = INDICES
                                .iter()
                                .zip(d)
                                .map(|(key, e)| (key.to_string(), estimate_json(e)))
                                .collect();
                            o.insert("difference".into(), Value::Object(diff));
                        }
                        Value::Object(o)
                    })
                    .collect();
                json!({"values": values, "scenarios": scen})
            })
            .collect();
        json!({
            "schema": SCHEMA,
            "version": env!("CARGO_PKG_VERSION"),
            "study": {"name": self.name, "description": self.description},
            "seed": self.seed.to_string(),
            "samples_per_point": self.samples,
            "design": {
                "method": match self.design.method {
                    DesignMethod::Sobol => "sobol",
                    DesignMethod::LatinHypercube => "latin-hypercube",
                },
                "points": self.design.points,
                "seed": self.design.seed,
            },
            "parameters": parameters,
            "scenarios": scenarios,
            "points": points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of the `n` strata of each dimension holds exactly one point.
    fn stratified(points: &[Vec<f64>], dims: usize) {
        let n = points.len();
        for j in 0..dims {
            let mut seen = vec![0; n];
            for p in points {
                assert!(p[j] > 0.0 && p[j] < 1.0);
                seen[(p[j] * n as f64) as usize] += 1;
            }
            assert!(seen.iter().all(|&c| c == 1), "dimension {j}: {seen:?}");
        }
    }

    #[test]
    fn sobol_and_latin_hypercube_points_are_stratified() {
        for n in [64, 256] {
            for seed in [0, 1, 77] {
                stratified(&unit_points(DesignMethod::Sobol, n, 3, seed), 3);
                stratified(&unit_points(DesignMethod::LatinHypercube, n, 3, seed), 3);
            }
        }
        // LHS needs no power of two.
        stratified(&unit_points(DesignMethod::LatinHypercube, 37, 4, 5), 4);
    }

    #[test]
    fn sobol_first_two_dimensions_are_a_0_m_2_net() {
        let m = 8;
        let p = unit_points(DesignMethod::Sobol, 1 << m, 2, 9);
        for a in 0..=m {
            let (nx, ny) = (1usize << a, 1usize << (m - a));
            let mut seen = vec![0; nx * ny];
            for q in &p {
                seen[(q[0] * nx as f64) as usize * ny + (q[1] * ny as f64) as usize] += 1;
            }
            assert!(seen.iter().all(|&c| c == 1), "boxes 2^-{a} x 2^-{}", m - a);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_design_another_seed_another() {
        for method in [DesignMethod::Sobol, DesignMethod::LatinHypercube] {
            let a = unit_points(method, 64, 3, 4);
            assert_eq!(a, unit_points(method, 64, 3, 4));
            assert_ne!(a, unit_points(method, 64, 3, 5));
        }
    }

    #[test]
    fn quantile_functions_invert_the_laws() {
        let u = Law::Uniform {
            low: 2.0,
            high: 6.0,
        };
        assert_eq!(value(&u, 0.25), 3.0);
        let t = Law::Triangular {
            low: 340.0,
            mode: 700.0,
            high: 1200.0,
        };
        // The triangular CDF at the mode is (mode - low) / (high - low).
        let at_mode = (700.0 - 340.0) / (1200.0 - 340.0);
        assert!((value(&t, at_mode) - 700.0).abs() < 1e-9);
        let cdf = |x: f64| (x - 340.0).powi(2) / ((1200.0 - 340.0) * (700.0 - 340.0));
        assert!((cdf(value(&t, 0.1)) - 0.1).abs() < 1e-12);
        let n = Law::Normal {
            mean: 0.0,
            sd: 0.02,
            low: -0.05,
            high: 0.05,
        };
        assert!(value(&n, 0.5).abs() < 1e-15);
        let (pa, pb) = (phi(-2.5), phi(2.5));
        let x = value(&n, 0.9);
        assert!(((phi(x / 0.02) - pa) / (pb - pa) - 0.9).abs() < 1e-12);
        // The truncated normal's sd: sigma^2 (1 - 2 b phi(b) / (2 Phi(b) - 1)), b = 2.5.
        let pdf = (-3.125f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let sd = 0.02 * (1.0 - 2.0 * 2.5 * pdf / (pb - pa)).sqrt();
        let pts = unit_points(DesignMethod::Sobol, 4096, 1, 3);
        let v: Vec<f64> = pts.iter().map(|p| value(&n, p[0])).collect();
        let m = v.iter().sum::<f64>() / 4096.0;
        let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 4095.0).sqrt();
        assert!(m.abs() < 1e-5 && (s - sd).abs() < 1e-4, "{m} {s} {sd}");
    }

    /// A synthetic design: true values with sd 3 over the unknowns, estimates with noise of
    /// sd 4 and that standard error reported.
    #[test]
    fn the_spread_removes_known_inner_noise() {
        let n = 4096;
        let mut s = Stream::new(1, 2, 3, Purpose::Design);
        let normal = |s: &mut Stream| normal_quantile(s.uniform() + 1e-17);
        let truth: Vec<f64> = (0..n).map(|_| 50.0 + 3.0 * normal(&mut s)).collect();
        let y: Vec<f64> = truth.iter().map(|t| t + 4.0 * normal(&mut s)).collect();
        let sp = Spread::of(&y, &vec![4.0; n]);
        // var_total = 9 + 16; sampling error of a variance of n normals ~ 25 sqrt(2/n) = 0.55.
        assert!((sp.var_noise - 16.0).abs() < 1e-12);
        assert!((sp.var_between - 9.0).abs() < 1.7, "{}", sp.var_between);
        assert!((sp.reliability - 9.0 / 25.0).abs() < 0.07);
        // The corrected 10-90% width is that of N(50, 3): 2 x 1.2816 x 3 = 7.69.
        let width = sp.corrected[2] - sp.corrected[0];
        assert!((width - 7.69).abs() < 0.5, "{width}");
        assert!(
            sp.raw[2] - sp.raw[0] > 12.0,
            "the raw width is that of sd 5"
        );
        // No noise: nothing to remove.
        let exact = Spread::of(&truth, &vec![0.0; n]);
        assert_eq!(exact.reliability, 1.0);
        assert_eq!(exact.raw, exact.corrected);
        // Only noise: no spread left.
        let flat = Spread::of(&[1.0, 3.0], &[10.0, 10.0]);
        assert_eq!((flat.var_between, flat.corrected), (0.0, [2.0; 3]));
    }

    #[test]
    fn beating_the_base_on_a_constructed_design() {
        // d_i = i for i = 0..100, no noise: 39 points above 60.
        let d: Vec<f64> = (0..100).map(f64::from).collect();
        let b = Beats::of(&d, &[0.0; 100], 60.0);
        assert_eq!((b.raw, b.corrected), (0.39, 0.39));
        // Half the variance is noise: the corrected differences are shrunk by sqrt(1/2)
        // toward the mean 49.5, so 49.5 + (i - 49.5)/sqrt 2 > 60 for i >= 65: 35 points.
        let var = d.iter().map(|x| (x - 49.5).powi(2)).sum::<f64>() / 99.0;
        let se = vec![(var / 2.0).sqrt(); 100];
        let b = Beats::of(&d, &se, 60.0);
        assert!((b.difference.reliability - 0.5).abs() < 1e-12);
        assert_eq!((b.raw, b.corrected), (0.39, 0.35));
    }

    #[test]
    fn rank_correlation() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&x, &[1.0, 8.0, 27.0, 64.0, 125.0]), 1.0);
        assert_eq!(spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]), -1.0);
        assert_eq!(spearman(&x, &[2.0; 5]), 0.0);
        // With a tie: ranks 1, 2.5, 2.5, 4 against 1..4 give 0.9487 (= 3/sqrt 10).
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((r - 3.0 / 10f64.sqrt()).abs() < 1e-12);
    }
}
