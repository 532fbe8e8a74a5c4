//! Paired comparison: a base and variants run inside the same sample loop on the same random
//! streams (common random numbers), and each variant's difference from the base estimated
//! from per-sample differences.
//!
//! Sample `s` of every scenario uses the streams of `(seed, s, component, purpose)`, so a
//! component the variant leaves alone draws exactly what it draws in the base; the
//! difference of a per-sample total (hours, events, energy) then has far less variance than
//! the difference of two independent runs, and its interval is computed from the per-sample
//! differences with exact integer sums ([`crate::estimators::PairSums`]). Areas are matched by
//! region name; every region of the base must exist in each variant.

use crate::accumulators::{Indices, SampleRows, SAMPLE_TOTALS};
use crate::estimators::{Estimate, PairSums};
use crate::runner::{run_blocks, Blocks, RunError, RunOutput};
use crate::sampler::Sampler;
use crate::spec::SimulationSpec;
use gridrisk_core::SystemModel;

/// A variant that cannot be compared with the base.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// A region of the base is missing from a variant.
    #[error("variant '{variant}' has no region '{region}' (every region of the base must exist in each variant)")]
    MissingRegion {
        /// Variant name.
        variant: String,
        /// Region name.
        region: String,
    },
    /// The study windows differ.
    #[error("variant '{variant}' has {got} hours, the base {expected}: a paired comparison needs the same window")]
    Window {
        /// Variant name.
        variant: String,
        /// Hours of the variant.
        got: usize,
        /// Hours of the base.
        expected: usize,
    },
    /// The time steps differ (`[study] step_min`).
    #[error("variant '{variant}' has steps of {got} min, the base {expected} min: a paired comparison needs the same steps")]
    Step {
        /// Variant name.
        variant: String,
        /// Step of the variant, minutes.
        got: u32,
        /// Step of the base, minutes.
        expected: u32,
    },
}

/// Block accumulator of a comparison: every scenario's own indices, and the sums of the
/// per-sample differences variant - base, per variant, base area and total.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Indices of each scenario (the base first).
    pub indices: Vec<Indices>,
    /// `area_map[k][a]`: the area of scenario `k` that is area `a` of the base.
    area_map: Vec<Vec<usize>>,
    /// `diffs[k - 1][a][i]`: differences of total `i` of area `a`, variant `k` - base.
    diffs: Vec<Vec<[PairSums; SAMPLE_TOTALS.len()]>>,
    /// Per-sample rows of every scenario and of each paired difference, when asked for
    /// ([`Comparison::with_rows`]).
    pub sample_rows: Option<SampleRows>,
    /// Labels of the scenarios (the base first) and of the differences, for the rows.
    labels: Vec<std::sync::Arc<str>>,
    /// Per variant, per (base area, month) when the variant has the base's months (else
    /// empty): sums of the differences of (shortfall hours, events) and of (unserved Wh, 0).
    month_diffs: Vec<Vec<[PairSums; 2]>>,
    /// Thresholds of the event tails ([`Comparison::with_tails`]): MW, then steps.
    tail_mw: Vec<u64>,
    tail_hours: Vec<u64>,
    /// Per variant, per (base area, threshold: the MW ones, then the hours ones): sums of
    /// the differences of the per-sample indicators "an event above / longer than".
    tail_diffs: Vec<Vec<PairSums>>,
    /// Steps per hour of every scenario, to count `--event-hours` in steps.
    steps_per_hour: u64,
}

impl Comparison {
    /// An empty comparison of `models` (the base first).
    pub fn new(models: &[&SystemModel]) -> Result<Comparison, CompareError> {
        let base = models[0];
        let base_areas = base.regions().len() + 1;
        let mut area_map = Vec::new();
        for m in models {
            let step_min = m.calendar().step_min();
            if step_min != base.calendar().step_min() {
                return Err(CompareError::Step {
                    variant: m.name().into(),
                    got: step_min,
                    expected: base.calendar().step_min(),
                });
            }
            if m.hours() != base.hours() {
                return Err(CompareError::Window {
                    variant: m.name().into(),
                    got: m.hours(),
                    expected: base.hours(),
                });
            }
            let mut map = Vec::with_capacity(base_areas);
            for region in base.regions() {
                let r = m
                    .regions()
                    .iter()
                    .position(|v| v.name() == region.name())
                    .ok_or_else(|| CompareError::MissingRegion {
                        variant: m.name().into(),
                        region: region.name().into(),
                    })?;
                map.push(r);
            }
            map.push(m.regions().len());
            area_map.push(map);
        }
        let indices: Vec<Indices> = models.iter().map(|m| Indices::new(m)).collect();
        let months = indices[0].monthly.months();
        let month_diffs = (indices[1..].iter())
            .map(|v| match v.monthly.months() == months {
                true => vec![[PairSums::default(); 2]; base_areas * months.len()],
                false => Vec::new(),
            })
            .collect();
        Ok(Comparison {
            month_diffs,
            indices,
            area_map,
            diffs: vec![
                vec![[PairSums::default(); SAMPLE_TOTALS.len()]; base_areas];
                models.len() - 1
            ],
            sample_rows: None,
            labels: Vec::new(),
            tail_mw: Vec::new(),
            tail_hours: Vec::new(),
            steps_per_hour: base.calendar().steps_per_hour() as u64,
            tail_diffs: vec![Vec::new(); models.len() - 1],
        })
    }

    /// This comparison with paired differences of the event-tail probabilities at `mw` MW
    /// and `hours` hours (`--event-mw`, `--event-hours`).
    pub fn with_tails(mut self, mw: &[u64], hours: &[u64]) -> Comparison {
        let areas = self.diffs.first().map_or(0, Vec::len);
        self.tail_mw = mw.to_vec();
        self.tail_hours = (hours.iter())
            .map(|h| h.saturating_mul(self.steps_per_hour))
            .collect();
        for d in &mut self.tail_diffs {
            *d = vec![PairSums::default(); areas * (mw.len() + hours.len())];
        }
        self
    }

    /// This comparison with rows, the scenarios labelled `labels` (the base first): the
    /// event catalogue of each scenario if `events`, and per-sample rows of each scenario
    /// and of each difference `<variant> - <base>` if `per_sample`.
    pub fn with_rows(
        mut self,
        models: &[&SystemModel],
        labels: &[String],
        events: bool,
        per_sample: bool,
    ) -> Comparison {
        if events {
            self.indices = (self.indices.into_iter().zip(models).zip(labels))
                .map(|((i, m), label)| i.with_events(m, label))
                .collect();
        }
        if per_sample {
            let base = models[0];
            let areas = (base.regions().iter().map(|r| r.name().to_string()))
                .chain(["system".to_string()])
                .collect();
            self.sample_rows = Some(SampleRows::new(&labels[0], areas));
            self.labels = (labels.iter().map(|l| l.as_str().into()))
                .chain(
                    labels[1..]
                        .iter()
                        .map(|v| format!("{v} - {}", labels[0]).into()),
                )
                .collect();
        }
        self
    }

    /// Draw sample `s` of every scenario with `samplers` (same order as the models) and
    /// record the differences.
    pub fn record(&mut self, samplers: &mut [Sampler], seed: u64, s: u64) {
        for (sampler, acc) in samplers.iter_mut().zip(&mut self.indices) {
            sampler.sample(seed, s, acc);
        }
        let (base, variants) = self.indices.split_first().expect("a base");
        let areas = self.diffs.first().map_or(0, Vec::len);
        if let Some(rows) = &mut self.sample_rows {
            for (k, scenario) in self.indices.iter().enumerate() {
                for a in 0..areas {
                    let totals = scenario.last_sample(self.area_map[k][a]);
                    rows.push(Some(&self.labels[k]), s, a, &totals);
                }
            }
        }
        let scenarios = self.indices.len();
        for (k, variant) in variants.iter().enumerate() {
            for (a, sums) in self.diffs[k].iter_mut().enumerate() {
                let b = base.last_sample(self.area_map[0][a]);
                let v = variant.last_sample(self.area_map[k + 1][a]);
                let mut d = [0; SAMPLE_TOTALS.len()];
                for i in 0..SAMPLE_TOTALS.len() {
                    d[i] = v[i] - b[i];
                    // y counts the samples whose difference is not zero (stopping rules).
                    sums[i].push(d[i], i64::from(d[i] != 0));
                }
                if let Some(rows) = &mut self.sample_rows {
                    rows.push(Some(&self.labels[scenarios + k]), s, a, &d);
                }
            }
            let maps = (&self.area_map[0][..], &self.area_map[k + 1][..]);
            record_months(&mut self.month_diffs[k], maps, base, variant);
            let thresholds = (&self.tail_mw[..], &self.tail_hours[..]);
            record_tails(&mut self.tail_diffs[k], maps, thresholds, base, variant);
        }
    }

    /// Add a later block.
    pub fn merge(&mut self, later: &Comparison) {
        for (a, b) in self.indices.iter_mut().zip(&later.indices) {
            crate::accumulators::Accumulator::merge(a, b);
        }
        for (a, b) in self.diffs.iter_mut().zip(&later.diffs) {
            for (x, y) in a.iter_mut().zip(b) {
                for i in 0..SAMPLE_TOTALS.len() {
                    x[i].merge(&y[i]);
                }
            }
        }
        for (a, b) in self.month_diffs.iter_mut().zip(&later.month_diffs) {
            for (x, y) in a.iter_mut().zip(b) {
                x[0].merge(&y[0]);
                x[1].merge(&y[1]);
            }
        }
        for (a, b) in self.tail_diffs.iter_mut().zip(&later.tail_diffs) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
    }

    /// Variant `k` (1-based) minus the base in month `i` of base area `a`: LOLE (h), EUE
    /// (MWh) and events; `None` when the variant's months are not the base's.
    pub fn month_difference(&self, k: usize, a: usize, i: usize) -> Option<[Estimate; 3]> {
        let cells = &self.month_diffs[k - 1];
        let months = cells.len() / self.diffs[k - 1].len();
        let [he, wh] = cells.get(a * months + i)?;
        Some([
            he.x(),
            wh.x().scaled(1.0 / gridrisk_core::power::W_PER_MW as f64),
            he.y(),
        ])
    }

    /// Variant `k` (1-based) minus the base of P(at least one event above the `j`-th MW
    /// threshold) in base area `a`, and of P(at least one event longer than the `j`-th
    /// hours threshold): the paired differences of the per-sample indicators.
    pub fn tail_difference(&self, k: usize, a: usize) -> (Vec<Estimate>, Vec<Estimate>) {
        let per_area = self.tail_mw.len() + self.tail_hours.len();
        let cells = &self.tail_diffs[k - 1][a * per_area..(a + 1) * per_area];
        let (mw, hours) = cells.split_at(self.tail_mw.len());
        (
            mw.iter().map(PairSums::x).collect(),
            hours.iter().map(PairSums::x).collect(),
        )
    }

    /// Variant `k` (1-based: 0 is the base) minus the base, for total `i` of base area `a`,
    /// in the index's unit.
    pub fn difference(&self, k: usize, a: usize, i: usize) -> Estimate {
        self.diffs[k - 1][a][i].x().scaled(SAMPLE_TOTALS[i].1)
    }

    /// [`Comparison::difference`] with the number of samples whose difference is not zero.
    pub fn paired(&self, k: usize, a: usize, i: usize) -> (Estimate, u64) {
        let sums = &self.diffs[k - 1][a][i];
        let nonzero = sums.y().mean * sums.n() as f64;
        (self.difference(k, a, i), nonzero.round() as u64)
    }
}

/// Record a sample's monthly differences of a variant (`maps`: the base's and the variant's
/// area of each base area) into `cells` (empty when the months differ).
fn record_months(
    cells: &mut [[PairSums; 2]],
    (base_map, variant_map): (&[usize], &[usize]),
    base: &Indices,
    variant: &Indices,
) {
    let months = base.monthly.months().len();
    for (cell, sums) in cells.iter_mut().enumerate() {
        let (a, i) = (cell / months, cell % months);
        let b = base.monthly.last(base_map[a], i);
        let v = variant.monthly.last(variant_map[a], i);
        sums[0].push(v[0] - b[0], v[1] - b[1]);
        sums[1].push(v[2] - b[2], 0);
    }
}

/// Record a sample's differences of the event-tail indicators of a variant at the
/// thresholds `(mw, hours)` into `cells` (per base area, the MW ones then the hours ones).
fn record_tails(
    cells: &mut [PairSums],
    (base_map, variant_map): (&[usize], &[usize]),
    (mw, hours): (&[u64], &[u64]),
    base: &Indices,
    variant: &Indices,
) {
    let per_area = mw.len() + hours.len();
    for (cell, sums) in cells.iter_mut().enumerate() {
        let (a, j) = (cell / per_area, cell % per_area);
        let indicator = |acc: &Indices, area: usize| {
            let above = match mw.get(j) {
                Some(&x) => acc.tails.last_above(area, x, u64::MAX).0,
                None => acc.tails.last_above(area, u64::MAX, hours[j - mw.len()]).1,
            };
            i64::from(above)
        };
        sums.push(
            indicator(variant, variant_map[a]) - indicator(base, base_map[a]),
            0,
        );
    }
}

/// Run a paired comparison of `models` (the base first).
pub fn compare(
    models: &[&SystemModel],
    spec: &SimulationSpec,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunOutput<Comparison>, CompareRunError> {
    let empty = Comparison::new(models)?;
    compare_until(models, spec, threads, &empty, progress, &|_| {}, |_| false)
}

/// [`compare`] with every block starting from a copy of `empty` (a [`Comparison::new`] of
/// `models`, possibly [`Comparison::with_rows`]), showing `observe` every block's
/// accumulator, in block order, before it is merged (a writer takes its rows), and with a
/// convergence target: `converged` decides on the merged prefix of blocks (see
/// [`crate::stopping`]).
pub fn compare_until(
    models: &[&SystemModel],
    spec: &SimulationSpec,
    threads: usize,
    empty: &Comparison,
    progress: &(dyn Fn(u64) + Sync),
    observe: &(dyn Fn(&Comparison) + Sync),
    converged: impl Fn(&Comparison) -> bool,
) -> Result<RunOutput<Comparison>, CompareRunError> {
    for m in models {
        // A paired difference is at most the larger window energy bound, so each model's
        // sample limit bounds the sums of squared differences too.
        crate::runner::check_bounds(m, spec.max_samples())?;
        Sampler::new(m).map_err(RunError::from)?;
    }
    let out = run_blocks(
        spec,
        threads,
        &Blocks {
            new_worker: || {
                models
                    .iter()
                    .map(|m| Sampler::new(m).expect("checked before the run"))
                    .collect::<Vec<_>>()
            },
            new_acc: || empty.clone(),
            sample: |samplers: &mut Vec<Sampler>, seed, s, acc: &mut Comparison| {
                acc.record(samplers, seed, s)
            },
            merge: |total: &mut Comparison, later: &Comparison| {
                observe(later);
                total.merge(later)
            },
            streams_rows: empty.sample_rows.is_some()
                || empty.indices.iter().any(|i| i.events.is_some()),
        },
        progress,
        converged,
    )?;
    Ok(out)
}

/// Why a comparison could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareRunError {
    /// The scenarios cannot be paired.
    #[error(transparent)]
    Compare(#[from] CompareError),
    /// A scenario cannot be run.
    #[error(transparent)]
    Run(#[from] RunError),
}
