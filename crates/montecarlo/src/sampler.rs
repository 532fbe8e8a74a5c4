//! The sequential sampler: one sample = one pass over the study window.
//!
//! Each unit is a two-state Markov process. Its initial state is drawn from the stationary
//! availability `MTTF / (MTTF + MTTR)`; then up and down durations alternate, each drawn by
//! inversion from the unit's own stream ([`crate::rng`]). A transition at time `t` (hours)
//! changes the unit's state from hour `ceil(t)` on: **a unit's state in hour h is its state
//! at the start of the hour** (time h). Only transitions are sampled, never a draw per
//! unit-hour, so the work per sample grows with the number of transitions.
//!
//! Transitions are recorded as capacity changes (hour, watts) and summed per block of
//! [`PEAK_BLOCK_H`] hours: the net change and the sum of the drops. A block whose lowest
//! possible capacity (capacity at the block start plus all drops inside it) still covers the
//! block's peak demand in every region cannot have a shortfall, and is skipped in
//! O(regions). Only the other blocks are walked hour by hour, with their changes found through
//! a linked list per (region, block) (appending is two stores; a dense per-hour array would
//! cost a cache miss per transition); each hour with a shortfall goes to the accumulators.
//!
//! Regions are not linked in this version: a region is short when its own available
//! capacity is below its demand (strictly), and the system is short when any region is.

use crate::accumulators::{Accumulator, HourView, SampleView};
use crate::rng::{Purpose, SampleKey};
use gridrisk_core::model::PEAK_BLOCK_H;
use gridrisk_core::SystemModel;

/// `ceil(t)` for `0 <= t < 2^31` without a libm call (no SSE4.1 `roundsd` in the baseline
/// x86-64 target): one conversion, one compare.
#[inline]
fn ceil_hour(t: f64) -> usize {
    let down = t as u32;
    (down + u32::from(f64::from(down) < t)) as usize
}

/// One capacity change of a region, at the start of an hour.
#[derive(Clone, Copy, Debug)]
struct Change {
    /// Hour within the block.
    offset: u32,
    /// Index of the previous change of the same (region, block), or [`NONE`].
    next: u32,
    /// Watts gained (repair) or lost (failure).
    change_w: i64,
}

/// End of a list of changes.
const NONE: u32 = u32::MAX;

/// Per-worker sampling state, built once and reused for every sample (no allocation per
/// sample once the change buffers have grown to the largest sample seen).
pub struct Sampler<'m> {
    model: &'m SystemModel,
    hours: usize,
    blocks: usize,
    availability: Vec<f64>,
    changes: Vec<Change>,
    slot_head: Vec<u32>,
    block_net_w: Vec<i64>,
    block_drop_w: Vec<i64>,
    block_hours_w: Vec<i64>,
    capacity_w: Vec<i64>,
    short_w: Vec<i64>,
    demand_wh: Vec<i64>,
}

impl<'m> Sampler<'m> {
    /// A sampler for `model`.
    pub fn new(model: &'m SystemModel) -> Sampler<'m> {
        let units = model.units();
        let regions = model.regions().len();
        let hours = model.hours();
        let blocks = hours.div_ceil(PEAK_BLOCK_H);
        let mut demand_wh: Vec<i64> = (0..regions)
            .map(|r| i64::try_from(model.demand_wh(r)).unwrap_or(i64::MAX))
            .collect();
        demand_wh.push(demand_wh.iter().fold(0i64, |a, &d| a.saturating_add(d)));
        Sampler {
            model,
            hours,
            blocks,
            availability: (0..units.len()).map(|i| 1.0 - units.for_(i)).collect(),
            changes: Vec::with_capacity(1024),
            slot_head: vec![NONE; regions * blocks],
            block_net_w: vec![0; regions * blocks],
            block_drop_w: vec![0; regions * blocks],
            block_hours_w: vec![0; regions * PEAK_BLOCK_H],
            capacity_w: vec![0; regions],
            short_w: vec![0; regions + 1],
            demand_wh,
        }
    }

    /// Draw sample `sample` of the run with `seed` and show it to `acc`.
    pub fn sample<A: Accumulator>(&mut self, seed: u64, sample: u64, acc: &mut A) {
        self.draw_outages(seed, sample);
        self.walk_hours(acc);
        acc.end_sample(&SampleView {
            sample,
            demand_wh: &self.demand_wh,
        });
    }

    /// Sample every unit's transitions into `changes` and the block sums; set the initial
    /// capacity per region.
    fn draw_outages(&mut self, seed: u64, sample: u64) {
        let units = self.model.units();
        let last_hour = (self.hours - 1) as f64;
        let blocks = self.blocks;
        let key = SampleKey::new(seed, sample);
        let (changes, head, net_w, drop_w) = (
            &mut self.changes,
            &mut self.slot_head[..],
            &mut self.block_net_w[..],
            &mut self.block_drop_w[..],
        );
        self.capacity_w.fill(0);
        changes.clear();
        head.fill(NONE);
        net_w.fill(0);
        drop_w.fill(0);
        for i in 0..units.len() {
            let cap = units.capacity_w[i];
            if cap == 0 {
                continue;
            }
            let r = units.region[i];
            let (mttf, mttr) = (units.mttf_h[i], units.mttr_h[i]);
            let mut rng = key.stream(units.stream_id[i], Purpose::UnitOutage);
            let mut up = rng.uniform() < self.availability[i];
            if up {
                self.capacity_w[r] += cap;
            }
            let mut t = 0.0;
            loop {
                t += rng.exp1() * if up { mttf } else { mttr };
                // A transition after time hours-1 falls at hour ceil(t) >= hours.
                if t > last_hour {
                    break;
                }
                let h = ceil_hour(t);
                let slot = r * blocks + h / PEAK_BLOCK_H;
                let change_w = if up { -cap } else { cap };
                changes.push(Change {
                    offset: (h % PEAK_BLOCK_H) as u32,
                    next: head[slot],
                    change_w,
                });
                head[slot] = (changes.len() - 1) as u32;
                net_w[slot] += change_w;
                drop_w[slot] += change_w.min(0);
                up = !up;
            }
        }
    }

    /// Walk the window block by block, hour by hour only where a shortfall is possible.
    fn walk_hours<A: Accumulator>(&mut self, acc: &mut A) {
        let regions = self.model.regions();
        let n = regions.len();
        let cal = self.model.calendar();
        for b in 0..self.blocks {
            let safe = (0..n).all(|r| {
                self.capacity_w[r] + self.block_drop_w[r * self.blocks + b]
                    >= regions[r].block_peak_w()[b]
            });
            if safe {
                for r in 0..n {
                    self.capacity_w[r] += self.block_net_w[r * self.blocks + b];
                }
                continue;
            }
            self.block_hours_w.fill(0);
            for r in 0..n {
                let mut i = self.slot_head[r * self.blocks + b];
                while i != NONE {
                    let c = self.changes[i as usize];
                    self.block_hours_w[r * PEAK_BLOCK_H + c.offset as usize] += c.change_w;
                    i = c.next;
                }
            }
            let first = b * PEAK_BLOCK_H;
            for h in first..(first + PEAK_BLOCK_H).min(self.hours) {
                let mut system = 0;
                for (r, region) in regions.iter().enumerate() {
                    self.capacity_w[r] += self.block_hours_w[r * PEAK_BLOCK_H + h - first];
                    let short = (region.demand_w()[h] - self.capacity_w[r]).max(0);
                    self.short_w[r] = short;
                    system += short;
                }
                if system > 0 {
                    self.short_w[n] = system;
                    acc.record_hour(&HourView {
                        hour: h,
                        day: cal.day(h),
                        hour_of_day: cal.hour_of_day(h),
                        week: cal.study_week(h),
                        short_w: &self.short_w,
                    });
                }
            }
        }
    }
}
