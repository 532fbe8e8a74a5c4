//! What a variant is worth in MW: equivalent firm capacity (EFC) and effective load-carrying
//! capability (ELCC), by bisection on common random numbers.
//!
//! * **EFC** is the firm capacity x (a unit that never fails, added to region R of the base)
//!   at which the base's metric equals the variant's.
//! * **ELCC** is the constant load x (added to region R's demand in every hour) that the
//!   variant carries at the base's metric.
//!
//! Every evaluation of x runs the same samples (same seed) of the two scenarios it pairs
//! (EFC: the variant and the base with x; ELCC: the base and the variant with x). Random
//! streams are keyed by component name, so the added unit or load moves no other draw, and
//! the paired difference `D(x)` (metric of the side with x less the fixed side, signed so
//! that it rises with x) is a deterministic function of the sample set. Without
//! energy-limited resources (storage, demand response ladders) the per-sample metric is
//! monotone in x, so bisection finds the crossing; with them it finds a crossing, and the
//! result is reported as "the x found by bisection" (`monotone: false`).
//!
//! The bracket starts at the installed capacity the variant adds (or 1% of the firm peak
//! demand) and grows by extrapolating the secant; bisection then halves it. The estimate of
//! x interpolates linearly between the final bracket `[lo, hi]`
//! (`D(lo) < 0 <= D(hi)`). Its standard error is the delta method:
//! `se(x) = se(D(x)) / |D'|`, with `se(D(x))` interpolated between the bracket's paired
//! standard errors and `D'` the secant slope of the bracket. Bisection stops when the bracket
//! is narrower than the 95% interval `x -/+ 1.96 se(x)` (the search then adds less than the
//! sampling noise), or at the 1 W resolution.

use crate::accumulators::{Accumulator, HourView, SampleView};
use crate::estimators::{Estimate, PairSums, Z95};
use crate::runner::{check_bounds, run_blocks, Blocks, RunError};
use crate::sampler::Sampler;
use crate::spec::SimulationSpec;
use gridrisk_core::model::ModelError;
use gridrisk_core::SystemModel;

/// Name of the firm unit that EFC adds (a scenario may not use it).
pub const FIRM_UNIT: &str = "gridrisk-worth firm capacity";

/// Watts per MW.
const W_PER_MW: f64 = 1e6;

/// Most bisection steps (1 W resolution is reached well before this from any start).
const MAX_STEPS: usize = 64;

/// EFC or ELCC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// Equivalent firm capacity.
    Efc,
    /// Effective load-carrying capability.
    Elcc,
}

impl Measure {
    /// `efc` or `elcc`.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Efc => "efc",
            Measure::Elcc => "elcc",
        }
    }
}

/// The system index that the worth equates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Expected unserved energy, MWh.
    Eue,
    /// Loss-of-load expectation, hours.
    Lole,
}

impl Metric {
    /// `eue_mwh` or `lole_h`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Eue => "eue_mwh",
            Metric::Lole => "lole_h",
        }
    }

    /// Index units per per-sample total (Wh to MWh, hours to hours).
    fn scale(self) -> f64 {
        match self {
            Metric::Eue => 1e-6,
            Metric::Lole => 1.0,
        }
    }
}

/// One evaluation of the bisection.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Evaluation {
    /// Firm capacity (EFC) or added load (ELCC), MW.
    pub x_mw: f64,
    /// The metric of the scenario with x.
    pub with_x: Estimate,
    /// `D(x)`: the paired difference, signed to rise with x (EFC: variant - base with x;
    /// ELCC: variant with x - base).
    pub difference: Estimate,
}

/// The worth of a variant.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Worth {
    /// `efc` or `elcc`.
    pub measure: &'static str,
    /// The estimate, MW.
    pub x_mw: f64,
    /// Delta-method standard error, MW.
    pub se_mw: f64,
    /// 95% interval, MW.
    pub ci95_mw: [f64; 2],
    /// Final bracket `[lo, hi]`, MW.
    pub bracket_mw: [f64; 2],
    /// Evaluations after the one at x = 0 (bracketing and bisection).
    pub steps: usize,
    /// True if the system has no energy-limited resource (storage, demand response, a
    /// ladder of last resorts), so that the metric is monotone in x sample by sample.
    pub monotone: bool,
    /// Every evaluation, in order (the first at x = 0).
    pub evaluations: Vec<Evaluation>,
}

/// Why a worth cannot be computed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorthError {
    /// The variant leaves the metric unchanged on every sample.
    #[error("the variant does not change {metric} on any of the {samples} samples (both {value:.6}): it is worth 0 MW by this metric; try the other metric or more samples")]
    NoChange {
        /// Metric name.
        metric: &'static str,
        /// Samples run.
        samples: u64,
        /// The common value.
        value: f64,
    },
    /// The variant is worse than the base: its worth would be negative.
    #[error("the variant raises {metric} from {base:.6} to {variant:.6} (difference {diff:.6} +/- {half:.6}): its worth would be negative; swap BASE and VARIANT to value the change the other way")]
    Negative {
        /// Metric name.
        metric: &'static str,
        /// Base metric.
        base: f64,
        /// Variant metric.
        variant: f64,
        /// Mean difference.
        diff: f64,
        /// 95% half-width of the difference.
        half: f64,
    },
    /// No x up to the search limit reaches the target.
    #[error("{measure}: even {x_mw} MW in region '{region}' does not reach the target {metric} (the region's corridors or other regions may limit it)")]
    Unreachable {
        /// efc / elcc.
        measure: &'static str,
        /// The last x tried, MW.
        x_mw: f64,
        /// Region name.
        region: String,
        /// Metric name.
        metric: &'static str,
    },
    /// The scenarios cannot be paired or modified.
    #[error("{0}")]
    Model(#[from] ModelError),
    /// The base and variant differ in their windows or regions.
    #[error(transparent)]
    Compare(#[from] crate::compare::CompareError),
    /// A scenario cannot be run.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Per-sample system total of the metric (shortfall hours or energy), reset every sample.
struct SampleTotal {
    metric: Metric,
    system: usize,
    total: i64,
}

impl Accumulator for SampleTotal {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        let short_w = hour.short_w[self.system];
        if short_w > 0 {
            // Bounded by the window energy bound that `check_bounds` enforces.
            self.total += match self.metric {
                Metric::Eue => short_w,
                Metric::Lole => 1,
            };
        }
    }

    fn end_sample(&mut self, _: &SampleView) {}

    fn merge(&mut self, _: &Self) {}
}

/// Sums of one paired evaluation: (fixed, with x), and with x - fixed.
#[derive(Clone, Copy, Default)]
struct Paired {
    values: PairSums,
    diff: PairSums,
}

/// Run `fixed` and `with_x` on the same samples: the metric of each, with_x - fixed, and
/// the number of samples.
fn paired(
    fixed: &SystemModel,
    with_x: &SystemModel,
    metric: Metric,
    spec: &SimulationSpec,
    threads: usize,
) -> Result<(Estimate, Estimate, Estimate, u64), RunError> {
    for m in [fixed, with_x] {
        check_bounds(m, spec.max_samples())?;
        Sampler::new(m)?;
    }
    let total = |m: &SystemModel| SampleTotal {
        metric,
        system: m.regions().len(),
        total: 0,
    };
    let out = run_blocks(
        spec,
        threads,
        &Blocks {
            new_worker: || {
                [fixed, with_x]
                    .map(|m| (Sampler::new(m).expect("checked before the run"), total(m)))
            },
            new_acc: Paired::default,
            sample: |w: &mut [(Sampler, SampleTotal); 2], seed, s, acc: &mut Paired| {
                for (sampler, t) in w.iter_mut() {
                    t.total = 0;
                    sampler.sample(seed, s, t);
                }
                let (a, b) = (w[0].1.total, w[1].1.total);
                acc.values.push(a, b);
                acc.diff.push(b - a, 0);
            },
            merge: |total: &mut Paired, later: &Paired| {
                total.values.merge(&later.values);
                total.diff.merge(&later.diff);
            },
        },
        &|_| {},
        |_| false,
    )?;
    Ok((
        out.acc.values.x().scaled(metric.scale()),
        out.acc.values.y().scaled(metric.scale()),
        out.acc.diff.x().scaled(metric.scale()),
        out.samples,
    ))
}

/// What to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    /// EFC or ELCC.
    pub measure: Measure,
    /// Where x goes: an index of the base's regions (matched by name in the variant).
    pub region: usize,
    /// The system index equated.
    pub metric: Metric,
}

/// The worth of `variant` against `base`.
pub fn worth(
    base: &SystemModel,
    variant: &SystemModel,
    question: Question,
    spec: &SimulationSpec,
    threads: usize,
    progress: &dyn Fn(f64),
) -> Result<Worth, WorthError> {
    let Question {
        measure,
        region,
        metric,
    } = question;
    crate::compare::Comparison::new(&[base, variant])?;
    let region_name = base.regions()[region].name().to_string();
    let variant_region = (variant.regions().iter())
        .position(|r| r.name() == region_name)
        .expect("every base region is in the variant (checked)");
    // x in whole watts; D(x) signed to rise with x.
    let evaluate = |x_w: i64| -> Result<Evaluation, WorthError> {
        let (with_x, diff) = match measure {
            Measure::Efc => {
                let m = base.with_firm_unit(FIRM_UNIT, region, x_w)?;
                let (_, v, d, _) = paired(variant, &m, metric, spec, threads)?;
                (v, d.scaled(-1.0))
            }
            Measure::Elcc => {
                let m = variant.with_added_load(variant_region, x_w)?;
                let (_, v, d, _) = paired(base, &m, metric, spec, threads)?;
                (v, d)
            }
        };
        progress(x_w as f64 / W_PER_MW);
        Ok(Evaluation {
            x_mw: x_w as f64 / W_PER_MW,
            with_x,
            difference: diff,
        })
    };
    // At x = 0 both measures pair the base with the variant: D(0) = variant - base.
    let (base_value, variant_value, d0, samples) = paired(base, variant, metric, spec, threads)?;
    if d0.mean == 0.0 && d0.se == 0.0 {
        return Err(WorthError::NoChange {
            metric: metric.name(),
            samples,
            value: variant_value.mean,
        });
    }
    if d0.mean >= 0.0 {
        return Err(WorthError::Negative {
            metric: metric.name(),
            base: base_value.mean,
            variant: variant_value.mean,
            diff: d0.mean,
            half: Z95 * d0.se,
        });
    }
    let first = Evaluation {
        x_mw: 0.0,
        with_x: match measure {
            Measure::Efc => base_value,
            Measure::Elcc => variant_value,
        },
        difference: d0,
    };
    let mut evaluations = vec![first];
    let (mut lo, mut lo_eval) = (0_i64, 0_usize);
    // Bracket: first try the installed capacity the variant adds, or 1% of the system's
    // firm peak demand (at least 1 MW); while D(hi) < 0, extrapolate the secant through the
    // last two evaluations, 25% beyond its zero (between 1.5 and 8 times hi).
    let total_installed_w = |m: &SystemModel| {
        (0..m.regions().len())
            .map(|r| m.installed_w(r))
            .sum::<i64>()
    };
    let added_w = total_installed_w(variant) - total_installed_w(base);
    let peak_w: i64 = base.regions().iter().map(|r| r.peak_w()).sum();
    let mut hi = added_w.max(peak_w / 100).max(1_000_000);
    let limit_w = search_limit_w(base).max(hi);
    let hi_eval = loop {
        evaluations.push(evaluate(hi)?);
        let (at_lo, at_hi) = (&evaluations[lo_eval], evaluations.last().expect("pushed"));
        if at_hi.difference.mean >= 0.0 {
            break evaluations.len() - 1;
        }
        if hi >= limit_w {
            return Err(WorthError::Unreachable {
                measure: measure.name(),
                x_mw: hi as f64 / W_PER_MW,
                region: region_name,
                metric: metric.name(),
            });
        }
        let rise = at_hi.difference.mean - at_lo.difference.mean;
        let next = if rise > 0.0 {
            let zero = hi as f64 - at_hi.difference.mean * (hi - lo) as f64 / rise;
            (1.25 * zero).clamp(1.5 * hi as f64, 8.0 * hi as f64) as i64
        } else {
            hi.saturating_mul(8)
        };
        (lo, lo_eval) = (hi, evaluations.len() - 1);
        hi = next.min(limit_w);
    };
    let mut hi_eval = hi_eval;
    loop {
        let est = interpolate(lo, hi, &evaluations[lo_eval], &evaluations[hi_eval]);
        let width_w = (hi - lo) as f64;
        if width_w <= 2.0 * Z95 * est.se_mw * W_PER_MW
            || hi - lo <= 1
            || evaluations.len() > MAX_STEPS
        {
            let half = Z95 * est.se_mw;
            return Ok(Worth {
                measure: measure.name(),
                x_mw: est.x_mw,
                se_mw: est.se_mw,
                ci95_mw: [(est.x_mw - half).max(0.0), est.x_mw + half],
                bracket_mw: [lo as f64 / W_PER_MW, hi as f64 / W_PER_MW],
                steps: evaluations.len() - 1,
                monotone: [base, variant].iter().all(|m| {
                    m.storages().is_empty()
                        && m.demand_responses().is_empty()
                        && m.network().ladder.is_empty()
                }),
                evaluations,
            });
        }
        let mid = lo + (hi - lo) / 2;
        evaluations.push(evaluate(mid)?);
        if evaluations.last().expect("pushed").difference.mean >= 0.0 {
            (hi, hi_eval) = (mid, evaluations.len() - 1);
        } else {
            (lo, lo_eval) = (mid, evaluations.len() - 1);
        }
    }
}

/// Above this much firm capacity or load (W) the search gives up: twice the system's
/// firm peak demand and installed capacity together, at least 1 GW.
fn search_limit_w(model: &SystemModel) -> i64 {
    let peak: i64 = model.regions().iter().map(|r| r.peak_w()).sum();
    let installed: i64 = (0..model.regions().len())
        .map(|r| model.installed_w(r))
        .sum();
    peak.saturating_add(installed)
        .saturating_mul(2)
        .max(1_000_000_000)
}

/// The estimate inside a bracket.
struct Interpolated {
    x_mw: f64,
    se_mw: f64,
}

/// The zero of the secant through `(lo, D(lo))` and `(hi, D(hi))`, with the delta-method
/// standard error `se(D) / slope`.
fn interpolate(lo: i64, hi: i64, at_lo: &Evaluation, at_hi: &Evaluation) -> Interpolated {
    let (dl, dh) = (at_lo.difference.mean, at_hi.difference.mean);
    let width_mw = (hi - lo) as f64 / W_PER_MW;
    // dl < 0 <= dh, so the slope is positive and t in (0, 1].
    let t = -dl / (dh - dl);
    let slope = (dh - dl) / width_mw;
    let se_d = (1.0 - t) * at_lo.difference.se + t * at_hi.difference.se;
    Interpolated {
        x_mw: lo as f64 / W_PER_MW + t * width_mw,
        se_mw: se_d / slope,
    }
}
