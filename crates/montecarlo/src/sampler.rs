//! The sequential sampler: one sample = one pass over the study window.
//!
//! The outage history of the sample is drawn first ([`crate::outage`]): initial levels and
//! changes of region generation, import caps and circuits in service, summed per block of
//! [`PEAK_BLOCK_H`] hours. The window is then walked block by block. A block is skipped
//! without visiting its hours when it cannot have a shortfall and cannot need an import:
//! when every region's lowest possible generation in the block covers its peak demand in
//! the block, or, failing that, when the network with every quantity at its lowest level in
//! the block, no imports, and every region at its block peak still has no shortfall. Other
//! blocks are walked hour by hour; an hour in which a region is short or an import is used
//! goes to the accumulators.
//!
//! A region is short when the firm demand it cannot be served is > 0 W: without a network,
//! when its own available generation is below its demand (strictly); with one, as the
//! dispatch decides ([`crate::network`]). The system is short when any region is.

use crate::accumulators::{Accumulator, HourView, SampleView};
use crate::network::NetworkHour;
use crate::outage::{Components, History, Quantities};
use crate::rng::SampleKey;
use gridrisk_core::model::PEAK_BLOCK_H;
use gridrisk_core::SystemModel;

/// Per-worker sampling state, built once and reused for every sample (no allocation per
/// sample once the change buffer has grown to the largest sample seen).
pub struct Sampler<'m> {
    model: &'m SystemModel,
    components: Components,
    history: History,
    quantities: usize,
    level: Vec<i64>,
    low: Vec<i64>,
    block_hours: Vec<i64>,
    network: Option<NetworkHour>,
    short_w: Vec<i64>,
    import_w: Vec<i64>,
    no_binding: Vec<bool>,
    demand_wh: Vec<i64>,
}

impl<'m> Sampler<'m> {
    /// A sampler for `model`.
    pub fn new(model: &'m SystemModel) -> Sampler<'m> {
        let q = Quantities::of(model);
        let regions = model.regions().len();
        let mut demand_wh: Vec<i64> = (0..regions)
            .map(|r| i64::try_from(model.demand_wh(r)).unwrap_or(i64::MAX))
            .collect();
        demand_wh.push(demand_wh.iter().fold(0i64, |a, &d| a.saturating_add(d)));
        Sampler {
            model,
            components: Components::of(model),
            history: History::new(q.count(), model.hours()),
            quantities: q.count(),
            level: vec![0; q.count()],
            low: vec![0; q.count()],
            block_hours: vec![0; q.count() * PEAK_BLOCK_H],
            network: NetworkHour::of(model),
            short_w: vec![0; regions + 1],
            import_w: vec![0; q.sources],
            no_binding: vec![false; q.lines],
            demand_wh,
        }
    }

    /// Draw sample `sample` of the run with `seed` and show it to `acc`.
    pub fn sample<A: Accumulator>(&mut self, seed: u64, sample: u64, acc: &mut A) {
        self.history
            .draw(&self.components, SampleKey::new(seed, sample));
        self.walk_hours(acc);
        acc.end_sample(&SampleView {
            sample,
            demand_wh: &self.demand_wh,
        });
    }

    /// Whether block `b` can be skipped: no shortfall and no import in any of its hours.
    fn block_is_safe(&mut self, b: usize) -> bool {
        let regions = self.model.regions();
        let self_sufficient = regions
            .iter()
            .enumerate()
            .all(|(r, region)| self.level[r] + self.history.drop(r, b) >= region.block_peak_w()[b]);
        if self_sufficient {
            return true;
        }
        let Some(network) = self.network.as_mut() else {
            return false;
        };
        for (q, low) in self.low.iter_mut().enumerate() {
            *low = self.level[q] + self.history.drop(q, b);
        }
        !network.domestic_deficit(&self.low, |r| regions[r].block_peak_w()[b])
    }

    /// Walk the window block by block, hour by hour only where something can happen.
    fn walk_hours<A: Accumulator>(&mut self, acc: &mut A) {
        let regions = self.model.regions();
        let n = regions.len();
        let cal = self.model.calendar();
        let hours = self.model.hours();
        self.level.copy_from_slice(&self.history.initial);
        for b in 0..self.history.blocks() {
            if self.block_is_safe(b) {
                for q in 0..self.quantities {
                    self.level[q] += self.history.net(q, b);
                }
                continue;
            }
            self.block_hours.fill(0);
            for (q, per_hour) in self.block_hours.chunks_exact_mut(PEAK_BLOCK_H).enumerate() {
                self.history.scatter(q, b, per_hour);
            }
            let first = b * PEAK_BLOCK_H;
            for h in first..(first + PEAK_BLOCK_H).min(hours) {
                for q in 0..self.quantities {
                    self.level[q] += self.block_hours[q * PEAK_BLOCK_H + h - first];
                }
                let binding = match self.network.as_mut() {
                    None => {
                        for (r, region) in regions.iter().enumerate() {
                            self.short_w[r] = (region.demand_w()[h] - self.level[r]).max(0);
                        }
                        &self.no_binding
                    }
                    Some(network) => {
                        if !network.domestic_deficit(&self.level, |r| regions[r].demand_w()[h]) {
                            continue;
                        }
                        network.dispatch(&mut self.short_w, &mut self.import_w);
                        &network.line_binding
                    }
                };
                let system: i64 = self.short_w[..n].iter().sum();
                if system == 0 && self.import_w.iter().all(|&w| w == 0) {
                    continue;
                }
                self.short_w[n] = system;
                acc.record_hour(&HourView {
                    hour: h,
                    day: cal.day(h),
                    hour_of_day: cal.hour_of_day(h),
                    week: cal.study_week(h),
                    short_w: &self.short_w,
                    import_w: &self.import_w,
                    binding,
                });
            }
        }
    }
}
