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
use gridrisk_core::model::{ModelError, PEAK_BLOCK_H};
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

/// Per-sample system total of the metric (shortfall hours or energy) and the blocks of
/// [`PEAK_BLOCK_H`] hours in which the system is short, reset every sample.
struct SampleTotal {
    metric: Metric,
    system: usize,
    total: i64,
    /// Bit `b % 64` of word `b / 64`: block `b` has a short hour.
    short_blocks: Vec<u64>,
}

impl SampleTotal {
    fn reset(&mut self) {
        self.total = 0;
        self.short_blocks.fill(0);
    }
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
            let b = hour.hour / PEAK_BLOCK_H;
            self.short_blocks[b / 64] |= 1 << (b % 64);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {}

    fn merge(&mut self, _: &Self) {}
}

/// One side of an evaluation, sample by sample in sample order (8 bytes per sample and 8
/// per 64 blocks of the window).
#[derive(Clone, Debug, Default)]
struct PerSample {
    /// The metric's total (Wh or hours).
    totals: Vec<i64>,
    /// [`SampleTotal::short_blocks`] of every sample, one after the other.
    short_blocks: Vec<u64>,
}

/// What earlier evaluations say about a sample at x, for a system whose metric is monotone
/// in x sample by sample and hour by hour (no energy-limited resource): its total lies
/// between `least` and `most` (equal: known without a run), and an hour can be short only in
/// the blocks of `walk` (those short at the evaluation with less firm capacity or more
/// load).
#[derive(Clone, Copy, Default)]
struct Known<'a> {
    /// Per-sample lower bound of the total (`None`: 0).
    least: Option<&'a [i64]>,
    /// Per-sample upper bound (`None`: none).
    most: Option<&'a [i64]>,
    /// Per sample, the blocks that can be short (`None`: any).
    walk: Option<&'a [u64]>,
}

impl<'a> Known<'a> {
    /// What the sides at `lo` and, if evaluated, at `hi` (`lo < x < hi`) say about x, if
    /// `usable` (else nothing).
    fn between(
        usable: bool,
        measure: Measure,
        lo: &'a PerSample,
        hi: Option<&'a PerSample>,
    ) -> Known<'a> {
        if !usable {
            return Known::default();
        }
        match measure {
            // Firm capacity: non-increasing in x.
            Measure::Efc => Known {
                least: hi.map(|h| &h.totals[..]),
                most: Some(&lo.totals),
                walk: Some(&lo.short_blocks),
            },
            // Added load: non-decreasing in x.
            Measure::Elcc => Known {
                least: Some(&lo.totals),
                most: hi.map(|h| &h.totals[..]),
                walk: hi.map(|h| &h.short_blocks[..]),
            },
        }
    }
}

/// The side that does not change with x: run with the side with x (at x = 0), or its
/// per-sample totals kept from that run.
#[derive(Clone, Copy)]
enum Fixed<'a> {
    Run(&'a SystemModel),
    Kept(&'a [i64]),
}

/// Block accumulator of one evaluation: sums of (fixed, with x), of with x - fixed and of
/// fixed - with x, and the per-sample results (merged in block order, so in sample order).
#[derive(Clone, Default)]
struct Paired {
    values: PairSums,
    diff: PairSums,
    diff_back: PairSums,
    /// The fixed side's per-sample results, when it was run.
    fixed: PerSample,
    with_x: PerSample,
}

/// Per-thread samplers of one evaluation.
struct Worker<'m> {
    with_x: Sampler<'m>,
    fixed: Option<Sampler<'m>>,
    total: SampleTotal,
}

/// What one evaluation gave.
struct Pair {
    fixed: Estimate,
    with_x: Estimate,
    /// With x - fixed.
    diff: Estimate,
    /// Fixed - with x (the same numbers negated, formed from their own sums).
    diff_back: Estimate,
    samples: u64,
    /// The fixed side's per-sample results (empty when its totals were kept from before).
    fixed_samples: PerSample,
    with_x_samples: PerSample,
}

/// Words of [`SampleTotal::short_blocks`] per sample of `model`.
fn block_words(model: &SystemModel) -> usize {
    model.hours().div_ceil(PEAK_BLOCK_H).div_ceil(64)
}

/// Run `with_x` (and `fixed`, unless its totals are kept) on the same samples. A sample
/// whose total `known` pins is not run; one that is run walks only the blocks `known`
/// allows. Both give exactly the totals of a full run when `known` holds.
fn paired(
    with_x: &SystemModel,
    fixed: Fixed,
    known: Known,
    metric: Metric,
    spec: &SimulationSpec,
    threads: usize,
) -> Result<Pair, RunError> {
    let models = match fixed {
        Fixed::Run(m) => vec![with_x, m],
        Fixed::Kept(_) => vec![with_x],
    };
    for m in models {
        check_bounds(m, spec.max_samples())?;
        Sampler::new(m)?;
    }
    let words = block_words(with_x);
    let first = spec.block_samples(spec.block_range().start).start;
    let out = run_blocks(
        spec,
        threads,
        &Blocks {
            new_worker: || Worker {
                with_x: Sampler::new(with_x).expect("checked before the run"),
                fixed: match fixed {
                    Fixed::Run(m) => Some(Sampler::new(m).expect("checked before the run")),
                    Fixed::Kept(_) => None,
                },
                total: SampleTotal {
                    metric,
                    system: with_x.regions().len(),
                    total: 0,
                    short_blocks: vec![0; words],
                },
            },
            new_acc: Paired::default,
            sample: |w: &mut Worker, seed, s, acc: &mut Paired| {
                let i = (s - first) as usize;
                let fixed_total = match (&mut w.fixed, fixed) {
                    (Some(sampler), _) => {
                        w.total.reset();
                        sampler.sample(seed, s, &mut w.total);
                        acc.fixed.totals.push(w.total.total);
                        (acc.fixed.short_blocks).extend_from_slice(&w.total.short_blocks);
                        w.total.total
                    }
                    (None, Fixed::Kept(totals)) => totals[i],
                    (None, Fixed::Run(_)) => unreachable!("a run fixed side has a sampler"),
                };
                let walk = known.walk.map(|b| &b[i * words..(i + 1) * words]);
                let least = known.least.map_or(0, |l| l[i]);
                let with_x_total = match (known.most, walk) {
                    (Some(most), Some(walk)) if most[i] == least => {
                        // Equal bounds: the same hours short by the same amounts.
                        acc.with_x.short_blocks.extend_from_slice(walk);
                        least
                    }
                    _ => {
                        w.total.reset();
                        w.with_x.sample_walking(seed, s, &mut w.total, walk);
                        acc.with_x
                            .short_blocks
                            .extend_from_slice(&w.total.short_blocks);
                        w.total.total
                    }
                };
                acc.with_x.totals.push(with_x_total);
                acc.values.push(fixed_total, with_x_total);
                acc.diff.push(with_x_total - fixed_total, 0);
                acc.diff_back.push(fixed_total - with_x_total, 0);
            },
            merge: |total: &mut Paired, later: &Paired| {
                total.values.merge(&later.values);
                total.diff.merge(&later.diff);
                total.diff_back.merge(&later.diff_back);
                (total.fixed.totals).extend_from_slice(&later.fixed.totals);
                (total.fixed.short_blocks).extend_from_slice(&later.fixed.short_blocks);
                (total.with_x.totals).extend_from_slice(&later.with_x.totals);
                (total.with_x.short_blocks).extend_from_slice(&later.with_x.short_blocks);
            },
            streams_rows: false,
        },
        &|_| {},
        |_| false,
    )?;
    let scale = metric.scale();
    Ok(Pair {
        fixed: out.acc.values.x().scaled(scale),
        with_x: out.acc.values.y().scaled(scale),
        diff: out.acc.diff.x().scaled(scale),
        diff_back: out.acc.diff_back.x().scaled(scale),
        samples: out.samples,
        fixed_samples: out.acc.fixed,
        with_x_samples: out.acc.with_x,
    })
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

/// How much of the earlier evaluations an evaluation reuses. The results are the same
/// either way (tested); `Nothing` is the plain definition, kept as the tests' reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reuse {
    /// Keep the fixed side's per-sample totals from the evaluation at x = 0, and, without
    /// energy-limited resources, skip the samples whose total the bracket's ends pin and
    /// walk only the blocks that can be short.
    Everything,
    /// Run both sides over every sample in every evaluation.
    Nothing,
}

/// The worth of `variant` against `base` ([`worth_with`] reusing everything).
pub fn worth(
    base: &SystemModel,
    variant: &SystemModel,
    question: Question,
    spec: &SimulationSpec,
    threads: usize,
    progress: &dyn Fn(f64),
) -> Result<Worth, WorthError> {
    worth_with(
        base,
        variant,
        question,
        spec,
        threads,
        progress,
        Reuse::Everything,
    )
}

/// The worth of `variant` against `base`, reusing earlier evaluations as `reuse` says.
///
/// What is reused, and why it is exact: the fixed side (EFC: the variant; ELCC: the base)
/// does not depend on x, so its per-sample totals from the run at x = 0 serve every later
/// evaluation. Without energy-limited resources every hour's system shortfall is
/// non-increasing in firm capacity and non-decreasing in added load, and hours do not
/// depend on earlier ones. So, per sample, the total at x lies between its totals at the
/// bracket's ends `lo < x < hi` (when they are equal it is known, and the same hours are
/// short); and an hour can be short at x only if it is short at the end with less firm
/// capacity or more load (EFC: `lo`, where at x = 0 the base was run; ELCC: `hi`), so only
/// the blocks of [`PEAK_BLOCK_H`] hours short there are walked. While the bracket is grown
/// (`hi` not yet found), EFC still knows that a sample with nothing short at `lo` has
/// nothing short at x; ELCC runs every sample in full.
pub fn worth_with(
    base: &SystemModel,
    variant: &SystemModel,
    question: Question,
    spec: &SimulationSpec,
    threads: usize,
    progress: &dyn Fn(f64),
    reuse: Reuse,
) -> Result<Worth, WorthError> {
    let Question {
        measure,
        region,
        metric,
    } = question;
    let mut found = worths(
        base,
        variant,
        &[measure],
        region,
        metric,
        spec,
        threads,
        &|_, x_mw| progress(x_mw),
        reuse,
    )?;
    Ok(found.pop().expect("one measure asked"))
}

/// The worth of `variant` against `base` by each of `measures` (EFC, ELCC) in `region` by
/// `metric`, reusing earlier evaluations as `reuse` says; `progress` sees each evaluated x.
///
/// The evaluation at x = 0 is the same for every measure (the base against the variant), so
/// it is run once: both sides over every sample, keeping each side's per-sample totals and
/// short blocks. EFC then keeps the variant's totals as its fixed side and starts its
/// bisection from the base's; ELCC the other way round. Each result is the one that
/// [`worth_with`] gives for its measure alone.
#[allow(clippy::too_many_arguments)]
pub fn worths(
    base: &SystemModel,
    variant: &SystemModel,
    measures: &[Measure],
    region: usize,
    metric: Metric,
    spec: &SimulationSpec,
    threads: usize,
    progress: &dyn Fn(Measure, f64),
    reuse: Reuse,
) -> Result<Vec<Worth>, WorthError> {
    crate::compare::Comparison::new(&[base, variant])?;
    // At x = 0 both measures pair the base with the variant. The side with x is the base
    // for EFC and the variant for ELCC; the base is run as the side "with x" here.
    let zero = paired(
        base,
        Fixed::Run(variant),
        Known::default(),
        metric,
        spec,
        threads,
    )?;
    let pairs = Pairs {
        base,
        variant,
        region,
        metric,
        spec,
        threads,
        reuse,
    };
    measures
        .iter()
        .map(|&measure| pairs.search(measure, &zero, &|x_mw| progress(measure, x_mw)))
        .collect()
}

/// The scenarios and settings one worth search runs on.
struct Pairs<'a> {
    base: &'a SystemModel,
    variant: &'a SystemModel,
    region: usize,
    metric: Metric,
    spec: &'a SimulationSpec,
    threads: usize,
    reuse: Reuse,
}

impl Pairs<'_> {
    /// Bracket and bisect `measure`'s x from the evaluation at x = 0 (`zero`: the base run
    /// as the side with x, the variant as the fixed side).
    fn search(
        &self,
        measure: Measure,
        zero: &Pair,
        progress: &dyn Fn(f64),
    ) -> Result<Worth, WorthError> {
        let Pairs {
            base,
            variant,
            region,
            metric,
            spec,
            threads,
            reuse,
        } = *self;
        let region_name = base.regions()[region].name().to_string();
        let variant_region = (variant.regions().iter())
            .position(|r| r.name() == region_name)
            .expect("every base region is in the variant (checked)");
        let monotone = [base, variant].iter().all(|m| {
            m.storages().is_empty()
                && m.demand_responses().is_empty()
                && m.network().ladder.is_empty()
        });
        let (base_value, variant_value) = (zero.with_x, zero.fixed);
        // D(0) signed to rise with x, and the sides: the fixed one's totals (EFC: the
        // variant's; ELCC: the base's) and the one with x at x = 0.
        let (d0, fixed_model, fixed_totals, zero_side) = match measure {
            Measure::Efc => (
                zero.diff.scaled(-1.0),
                variant,
                &zero.fixed_samples.totals,
                &zero.with_x_samples,
            ),
            Measure::Elcc => (
                zero.diff_back,
                base,
                &zero.with_x_samples.totals,
                &zero.fixed_samples,
            ),
        };
        let samples = zero.samples;
        let reuse_bounds = reuse == Reuse::Everything && monotone;
        // x in whole watts; D(x) signed to rise with x.
        let evaluate = |x_w: i64, known: Known| -> Result<(Evaluation, PerSample), WorthError> {
            let fixed = match reuse {
                Reuse::Everything => Fixed::Kept(fixed_totals),
                Reuse::Nothing => Fixed::Run(fixed_model),
            };
            let (pair, diff) = match measure {
                Measure::Efc => {
                    let m = base.with_firm_unit(FIRM_UNIT, region, x_w)?;
                    let p = paired(&m, fixed, known, metric, spec, threads)?;
                    let d = p.diff.scaled(-1.0);
                    (p, d)
                }
                Measure::Elcc => {
                    let m = variant.with_added_load(variant_region, x_w)?;
                    let p = paired(&m, fixed, known, metric, spec, threads)?;
                    let d = p.diff;
                    (p, d)
                }
            };
            progress(x_w as f64 / W_PER_MW);
            let evaluation = Evaluation {
                x_mw: x_w as f64 / W_PER_MW,
                with_x: pair.with_x,
                difference: diff,
            };
            Ok((evaluation, pair.with_x_samples))
        };
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
        let (mut lo, mut lo_eval, mut lo_side) = (0_i64, 0_usize, zero_side.clone());
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
        let (hi_eval, mut hi_side) = loop {
            let (evaluation, side) =
                evaluate(hi, Known::between(reuse_bounds, measure, &lo_side, None))?;
            evaluations.push(evaluation);
            let (at_lo, at_hi) = (&evaluations[lo_eval], evaluations.last().expect("pushed"));
            if at_hi.difference.mean >= 0.0 {
                break (evaluations.len() - 1, side);
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
            (lo, lo_eval, lo_side) = (hi, evaluations.len() - 1, side);
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
                    monotone,
                    evaluations,
                });
            }
            let mid = lo + (hi - lo) / 2;
            let (evaluation, side) = evaluate(
                mid,
                Known::between(reuse_bounds, measure, &lo_side, Some(&hi_side)),
            )?;
            evaluations.push(evaluation);
            if evaluations.last().expect("pushed").difference.mean >= 0.0 {
                (hi, hi_eval, hi_side) = (mid, evaluations.len() - 1, side);
            } else {
                (lo, lo_eval, lo_side) = (mid, evaluations.len() - 1, side);
            }
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
