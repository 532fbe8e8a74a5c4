//! The sequential sampler: one sample = one pass over the study window.
//!
//! A sample draws its weather, then its outage history ([`crate::outage`]: initial levels
//! and changes of region generation, import caps, circuits in service and disturbances,
//! summed per block of [`PEAK_BLOCK_H`] hours; cold days raise failure rates), then its hourly
//! demand and extra supply ([`crate::inputs`]: weather, mining, neighbours, renewables). The
//! window is walked block by block. A block is skipped without visiting its hours when it
//! cannot have unserved demand and cannot need an import: when every region's lowest
//! possible supply in the block covers its peak demand in the block, or, failing that, when
//! the network with every quantity at its lowest level in the block, no imports, and every
//! region at its block peak still serves everything. Other blocks are walked hour by hour; an
//! hour in which a region is short, interruptible demand is curtailed or an import is used
//! goes to the accumulators.
//!
//! A region is short when the firm demand it cannot serve is > 0 W: without a network, when
//! its own supply is below its firm demand (strictly), interruptible demand taking only what
//! is left; with one, as the dispatch decides ([`crate::network`]). The system is short when
//! any region is. A region's shortfall is split between households (and other firm load),
//! illegal mining and registered mining served as firm load pro rata to their demand
//! (illegal mining cannot be cut selectively, so it shares shortfalls with households), in
//! whole watts: the mining parts are rounded down, households take the rest.

use crate::accumulators::{Accumulator, HourState, HourView, SampleView};
use crate::demand_response::DemandResponses;
use crate::inputs::{InputError, Inputs};
use crate::network::{Column, HourDemand, HourResult, NetworkHour, When};
use crate::outage::{BlockSums, Components, History, Pools, Quantities};
use crate::rng::SampleKey;
use crate::storage::Storages;
use gridrisk_core::model::PEAK_BLOCK_H;
use gridrisk_core::SystemModel;

/// Per-area outputs of one hour (regions, then the system).
struct HourOut {
    short_w: Vec<i64>,
    curtailed_w: Vec<i64>,
    mining_curtailed_w: Vec<i64>,
    short_illegal_w: Vec<i64>,
    short_registered_w: Vec<i64>,
    import_w: Vec<i64>,
    /// Curtailed scheduled export per source (empty without schedules).
    export_curtailed_w: Vec<i64>,
}

/// Per-worker sampling state, built once and reused for every sample (no allocation per
/// sample once the change buffer has grown to the largest sample seen).
pub struct Sampler<'m> {
    model: &'m SystemModel,
    components: Components,
    history: History,
    inputs: Inputs<'m>,
    /// Per region and block, `r * blocks + b`: its peak demand in the block less its lowest
    /// extra supply there, what its generation must cover for the block to be skipped
    /// (refreshed per sample only if the inputs are drawn per sample).
    block_need_w: Vec<i64>,
    /// Whether the inputs are drawn per sample: without conditions they are the model's
    /// fixed profiles (`Inputs::fill` leaves them as they are).
    drawn_inputs: bool,
    quantities: usize,
    level: Vec<i64>,
    low: Vec<i64>,
    pools: Pools,
    effective: Vec<i64>,
    /// Per-hour changes of the walked block, `q * PEAK_BLOCK_H + offset` (zero outside it).
    block_hours: Vec<i64>,
    /// The quantities that change in the walked block.
    changed: Vec<usize>,
    /// Per quantity: whether an arc limit of the network depends on it.
    gates_arcs: Vec<bool>,
    network: Option<NetworkHour>,
    /// Storage devices and their state, if the model has any.
    storage: Option<Storages>,
    /// Per area: this sample's storage energy charged and discharged, and inflow spilled
    /// (empty without generator-storage), Wh.
    charged_wh: Vec<i64>,
    discharged_wh: Vec<i64>,
    spilled_wh: Vec<i64>,
    /// Per quantity: the levels with the generator-storages' offered power added to their
    /// regions' generation (empty without generator-storage).
    with_inflow: Vec<i64>,
    /// Demand response devices and their state, if the model has any.
    demand_response: Option<DemandResponses>,
    /// Per area: this sample's demand response borrowed, paid back and unserved, Wh (see
    /// [`DemandResponses::sample_totals`]; empty without demand response).
    demand_response_wh: Vec<i64>,
    out: HourOut,
    no_binding: Vec<bool>,
    /// The quantity of each disturbance and its level when not in progress, if an exchange
    /// stops with one (else empty).
    disturbance_q: Vec<(usize, i64)>,
    /// Per disturbance and hour, `d * hours + h`: whether it is in progress.
    disturbed: Vec<bool>,
    /// Whether every hour goes through the hourly dispatch ([`Sampler::walk_every_hour`]).
    every_hour: bool,
    /// Blocks whose every hour is walked and shown to the accumulator
    /// ([`Sampler::sample_tracing`]; empty otherwise).
    traced: std::ops::Range<usize>,
}

impl<'m> Sampler<'m> {
    /// A sampler for `model`; fails if its weather or mining model is invalid.
    pub fn new(model: &'m SystemModel) -> Result<Sampler<'m>, InputError> {
        let q = Quantities::of(model);
        let components = Components::of(model);
        let areas = model.regions().len() + 1;
        let network = NetworkHour::of(model);
        let has_inflow = model.storages().iter().any(|s| s.inflow.is_some());
        let cond = model.conditions();
        let disturbance_q: Vec<(usize, i64)> =
            if cond.exchanges.iter().any(|x| !x.stops_with.is_empty()) {
                (0..cond.disturbances.len())
                    .map(|d| (q.disturbance(d), components.full_level(q.disturbance(d))))
                    .collect()
            } else {
                Vec::new()
            };
        let disturbance_q_len = disturbance_q.len();
        let inputs = Inputs::new(model)?;
        let mut sampler = Sampler {
            model,
            components,
            history: History::new(q.count(), model.hours()),
            block_need_w: vec![0; inputs.block_peak_w.len()],
            drawn_inputs: !cond.is_empty(),
            inputs,
            quantities: q.count(),
            level: vec![0; q.count()],
            low: vec![0; q.count()],
            pools: Pools::of(model),
            effective: vec![0; q.count()],
            block_hours: vec![0; q.count() * PEAK_BLOCK_H],
            changed: Vec::with_capacity(q.count()),
            gates_arcs: network
                .as_ref()
                .map_or_else(|| vec![false; q.count()], NetworkHour::gates_arcs),
            network,
            storage: Storages::of(model),
            charged_wh: vec![0; areas],
            discharged_wh: vec![0; areas],
            spilled_wh: if has_inflow {
                vec![0; areas]
            } else {
                Vec::new()
            },
            with_inflow: if has_inflow {
                vec![0; q.count()]
            } else {
                Vec::new()
            },
            demand_response: DemandResponses::of(model),
            demand_response_wh: if model.demand_responses().is_empty() {
                Vec::new()
            } else {
                vec![0; 3 * areas]
            },
            out: HourOut {
                short_w: vec![0; areas],
                curtailed_w: vec![0; areas],
                mining_curtailed_w: vec![0; areas],
                short_illegal_w: vec![0; areas],
                short_registered_w: vec![0; areas],
                import_w: vec![0; q.sources],
                export_curtailed_w: if model
                    .network()
                    .imports
                    .iter()
                    .any(|s| s.schedule_w.iter().any(|&w| w < 0))
                {
                    vec![0; q.sources]
                } else {
                    Vec::new()
                },
            },
            no_binding: vec![false; q.lines],
            disturbance_q,
            disturbed: vec![false; disturbance_q_len * model.hours()],
            every_hour: false,
            traced: 0..0,
        };
        sampler.refresh_need();
        Ok(sampler)
    }

    /// [`Sampler::block_need_w`] from the inputs' block peaks and supplies.
    fn refresh_need(&mut self) {
        let inputs = &self.inputs;
        let pairs = inputs.block_peak_w.iter().zip(&inputs.block_supply_w);
        for (need, (&peak, &supply)) in self.block_need_w.iter_mut().zip(pairs) {
            *need = peak - supply;
        }
    }

    /// From now on, walk every hour of every block through the hourly dispatch: no block
    /// skipped or passed at once, no hour passed without the dispatch. The same results,
    /// slower: the reference against which tests check the shortcuts, bit for bit.
    pub fn walk_every_hour(&mut self) {
        self.every_hour = true;
    }

    /// The storage devices and their state after the last sample, if the model has any.
    pub fn storage(&self) -> Option<&Storages> {
        self.storage.as_ref()
    }

    /// The demand response devices and their state after the last sample, if the model
    /// has any.
    pub fn demand_response(&self) -> Option<&DemandResponses> {
        self.demand_response.as_ref()
    }

    /// Draw sample `sample` of the run with `seed` and show it to `acc`.
    pub fn sample<A: Accumulator>(&mut self, seed: u64, sample: u64, acc: &mut A) {
        self.sample_walking(seed, sample, acc, None);
    }

    /// [`Sampler::sample`], with every hour of the blocks `blocks` (of [`PEAK_BLOCK_H`]
    /// hours) walked and shown to `acc`, whether or not anything happens in it (a trace of
    /// those hours, [`crate::worst_day`]). Walking a block that could be skipped changes
    /// nothing (skipping is exact), so the sample is the one [`Sampler::sample`] draws.
    pub fn sample_tracing<A: Accumulator>(
        &mut self,
        seed: u64,
        sample: u64,
        blocks: std::ops::Range<usize>,
        acc: &mut A,
    ) {
        self.traced = blocks;
        self.sample_walking(seed, sample, acc, None);
        self.traced = 0..0;
    }

    /// [`Sampler::sample`], walking at most the blocks of [`PEAK_BLOCK_H`] hours whose bits
    /// are set in `walk` (block `b` is bit `b % 64` of word `b / 64`; `None` = every block
    /// that can be short). The other blocks are stepped over as if nothing happened in
    /// them: the caller knows that nothing is short there (`crate::worth` re-runs a sample
    /// with more firm capacity or less load only where it was short). Only for models
    /// without energy-limited resources, whose hours do not depend on earlier ones.
    pub fn sample_walking<A: Accumulator>(
        &mut self,
        seed: u64,
        sample: u64,
        acc: &mut A,
        walk: Option<&[u64]>,
    ) {
        let key = SampleKey::new(seed, sample);
        self.inputs.draw_weather(key);
        self.history
            .draw(&self.components, key, self.inputs.weather());
        let hours = self.model.hours();
        for (d, &(q, full)) in self.disturbance_q.iter().enumerate() {
            self.history
                .below(q, full, &mut self.disturbed[d * hours..(d + 1) * hours]);
        }
        self.inputs.fill(key, &self.disturbed);
        if self.drawn_inputs {
            self.refresh_need();
        }
        self.walk_hours(acc, walk);
        if let Some(st) = &self.storage {
            st.sample_totals(&mut self.charged_wh, &mut self.discharged_wh);
            if st.has_inflow() {
                st.sample_spilled(&mut self.spilled_wh);
            }
        }
        if let Some(dr) = &self.demand_response {
            dr.sample_totals(&mut self.demand_response_wh);
        }
        acc.end_sample(&SampleView {
            sample,
            demand_wh: &self.inputs.demand_wh,
            illegal_by_day_w: self.inputs.mining().map(|m| m.illegal_by_day_w()),
            charged_wh: &self.charged_wh,
            discharged_wh: &self.discharged_wh,
            spilled_wh: &self.spilled_wh,
            demand_response_wh: &self.demand_response_wh,
        });
    }

    /// The first block from `b` on whose regions' lowest generation does not cover their
    /// peak, the levels stepped over the blocks before it (which are skipped: nothing can be
    /// unserved in them and no import is needed). Without capped blocks a region's lowest
    /// generation in a block is its level at the block start plus the block's drops; this
    /// cheap test decides most blocks.
    #[inline]
    fn skip_covered(&mut self, mut b: usize, stop: usize) -> usize {
        let (regions, quantities) = (self.model.regions().len(), self.quantities);
        let blocks = self.history.blocks();
        // Plain slices in locals: the loop runs for every block of every sample.
        let sums = self.history.sums();
        let need_w = &self.block_need_w[..];
        let level = &mut self.level[..];
        if quantities == 1 {
            // One region and nothing else (no network): a scalar loop over the block sums
            // and needs side by side, the fastest path.
            let mut generation = level[0];
            for (s, &need) in sums[b..stop].iter().zip(&need_w[b..stop]) {
                if generation + s.drop_w < need {
                    break;
                }
                generation += s.net_w;
                b += 1;
            }
            level[0] = generation;
            return b;
        }
        if regions == 1 {
            // One region and other quantities (idle storage, say): the same loop on its
            // generation, the others' levels stepped after it.
            let (start, mut generation) = (b, level[0]);
            while b < stop {
                let at = b * quantities;
                if generation + sums[at].drop_w < need_w[b] {
                    break;
                }
                generation += sums[at].net_w;
                b += 1;
            }
            level[0] = generation;
            step_others(level, sums, quantities, start..b);
            return b;
        }
        while b < stop {
            let at = b * quantities;
            let covered =
                (0..regions).all(|r| level[r] + sums[at + r].drop_w >= need_w[r * blocks + b]);
            if !covered {
                break;
            }
            for (q, level) in level.iter_mut().enumerate() {
                *level += sums[at + q].net_w;
            }
            b += 1;
        }
        b
    }

    /// With steady storage ([`Storages::steady`]): the first block from `b` in which some
    /// region's lowest generation does not cover its peak and its devices' recharge, or a
    /// lossy device is out at some hour; the blocks before it are passed at once.
    fn skip_steady(&mut self, mut b: usize, stop: usize) -> usize {
        let (regions, quantities) = (self.model.regions().len(), self.quantities);
        let (blocks, hours) = (self.history.blocks(), self.model.hours());
        // Plain slices in locals, as in `skip_covered`: the loop runs for most blocks of a
        // sample with lossy storage.
        let sums = self.history.sums();
        let block_need_w = &self.block_need_w[..];
        let level = &mut self.level[..quantities];
        let st = self.storage.as_mut().expect("steady storage");
        let (need_w, lossy) = (&st.need_w[..regions], &st.lossy[..]);
        let start = b;
        // A lossy device in service now stays so through blocks without drops.
        if lossy.iter().all(|&q| level[q] > 0) {
            if regions == 1 {
                // One region: its generation in a register (the common case), the other
                // quantities' levels stepped after the loop.
                let rows = sums[b * quantities..stop * quantities].chunks_exact(quantities);
                let blocks = rows.zip(&block_need_w[b..stop]);
                // One lossy device (the common case): its drop read without a loop.
                let steady = match *lossy {
                    [q] => steady_run(blocks, need_w[0], level[0], |row| row[q].drop_w == 0),
                    _ => steady_run(blocks, need_w[0], level[0], |row| {
                        lossy.iter().all(|&q| row[q].drop_w == 0)
                    }),
                };
                (level[0], b) = (steady.1, b + steady.0);
                step_others(level, sums, quantities, start..b);
            } else {
                while b < stop {
                    let s = &sums[b * quantities..(b + 1) * quantities];
                    let covered = (0..regions).all(|r| {
                        level[r] + s[r].drop_w >= block_need_w[r * blocks + b] + need_w[r]
                    }) && lossy.iter().all(|&q| s[q].drop_w == 0);
                    if !covered {
                        break;
                    }
                    for (level, s) in level.iter_mut().zip(s) {
                        *level += s.net_w;
                    }
                    b += 1;
                }
            }
        }
        st.pass_full_hours(((b * PEAK_BLOCK_H).min(hours) - start * PEAK_BLOCK_H) as i64);
        b
    }

    /// With storage that is not idle, no generator-storage and no capped blocks: pass block
    /// `b` device by device if every region's lowest generation covers its peak and what its
    /// devices can take ([`Storages::prepare_block`]); whether it was (its levels are then
    /// still to be stepped).
    fn pass_storage_block(&mut self, b: usize) -> bool {
        let passable = |st: &&mut Storages| !st.has_inflow() && self.pools.is_empty();
        let Some(st) = self.storage.as_mut().filter(passable) else {
            return false;
        };
        let (regions, blocks, hours) = (
            self.model.regions().len(),
            self.history.blocks(),
            self.model.hours(),
        );
        let at = b * self.quantities;
        let sums = self.history.sums();
        let lowest_w = |r: usize| self.level[r] + sums[at + r].drop_w;
        let need_w = &self.block_need_w;
        // The devices take nothing back: a region short of its peak alone fails whatever
        // their walks, which are then not worked out.
        if (0..regions).any(|r| lowest_w(r) < need_w[r * blocks + b]) {
            return false;
        }
        let first = b * PEAK_BLOCK_H;
        let n = (first + PEAK_BLOCK_H).min(hours) - first;
        st.prepare_block(b, n, &self.level, &self.history);
        let covered =
            (0..regions).all(|r| lowest_w(r) >= need_w[r * blocks + b] + st.block_need_w[r]);
        if covered {
            st.pass_block();
        }
        covered
    }

    /// Whether block `b`, which [`Sampler::skip_covered`] did not skip, can be skipped:
    /// nothing unserved and no import in any of its hours, with every quantity at its lowest
    /// level in the block (capped blocks applied), every region at its block peak and, with
    /// a network, no imports.
    fn block_is_safe(&mut self, b: usize) -> bool {
        let regions = self.model.regions().len();
        let blocks = self.history.blocks();
        let inputs = &self.inputs;
        if self.network.is_none() && self.pools.is_empty() {
            return false;
        }
        let at = b * self.quantities;
        for (q, low) in self.low.iter_mut().enumerate() {
            *low = self.level[q] + self.history.sums()[at + q].drop_w;
        }
        let low: &[i64] = if self.pools.is_empty() {
            &self.low
        } else {
            self.pools.apply(&self.low, &mut self.effective);
            let peak = |r: usize| {
                inputs.block_peak_w[r * blocks + b] - inputs.block_supply_w[r * blocks + b]
            };
            if (0..regions).all(|r| self.effective[r] >= peak(r)) {
                return true;
            }
            &self.effective
        };
        let Some(network) = self.network.as_mut() else {
            return false;
        };
        let block = |values| Column {
            values,
            stride: blocks,
            at: b,
        };
        network.load(
            low,
            &HourDemand {
                firm_w: block(&inputs.block_peak_w),
                interruptible_w: Column::constant(&[0]),
                supply_w: block(&inputs.block_supply_w),
                source_factor: Column::constant(&[1.0]),
                scheduled_w: None,
                mining_w: Column::constant(&[0]),
                day: 0,
                when: When::Block(b),
            },
            false,
        );
        network.unserved_w().0 == 0
    }

    /// Walk the window block by block, hour by hour only where something can happen.
    fn walk_hours<A: Accumulator>(&mut self, acc: &mut A, walk: Option<&[u64]>) {
        let blocks = self.history.blocks();
        self.level.copy_from_slice(&self.history.initial);
        if let Some(ladder) = self.network.as_mut().and_then(|n| n.ladder.as_mut()) {
            ladder.start_sample();
        }
        if let Some(st) = self.storage.as_mut() {
            st.start_sample();
        }
        if let Some(dr) = self.demand_response.as_mut() {
            dr.start_sample();
        }
        let mut b = 0;
        while b < blocks && self.every_hour {
            self.walk_block(b, acc);
            b += 1;
        }
        while b < blocks {
            // Storage that can change in an hour without a shortfall (charge, carry-over
            // loss) needs every hour visited; idle storage changes nothing in a block that
            // cannot be short. So does demand response that owes energy (payback,
            // interest, counters).
            let dr_idle = self
                .demand_response
                .as_ref()
                .is_none_or(DemandResponses::idle);
            let idle = dr_idle && self.storage.as_ref().is_none_or(Storages::idle);
            let traced = self.traced.contains(&b);
            // Skips stop at the first traced block.
            let stop = if b < self.traced.start {
                self.traced.start
            } else {
                blocks
            };
            if !traced && idle && self.pools.is_empty() {
                b = self.skip_covered(b, stop);
                if b == stop {
                    continue;
                }
            } else if !traced
                && dr_idle
                && self.pools.is_empty()
                && self.storage.as_ref().is_some_and(Storages::steady)
            {
                b = self.skip_steady(b, stop);
                if b == stop {
                    continue;
                }
            }
            let unwalked = walk.is_some_and(|w| w[b / 64] >> (b % 64) & 1 == 0);
            if !traced
                && (unwalked
                    || idle && self.block_is_safe(b)
                    || !idle && dr_idle && self.pass_storage_block(b))
            {
                let at = b * self.quantities;
                for (q, level) in self.level.iter_mut().enumerate() {
                    *level += self.history.sums()[at + q].net_w;
                }
            } else {
                self.walk_block(b, acc);
            }
            b += 1;
        }
    }

    /// Without a network or capped blocks: step the levels from hour `h` of the walked block
    /// that starts at hour `first` on, hour by hour, to the first hour before `end` in which
    /// some region's supply is below its demand (firm and interruptible), and return it
    /// (`end` if there is none).
    #[inline]
    fn pass_served(&mut self, first: usize, mut h: usize, end: usize) -> usize {
        let (regions, hours) = (self.model.regions().len(), self.model.hours());
        // Fields as locals, so that the loop keeps its pointers in registers.
        let Sampler {
            changed,
            block_hours,
            level,
            inputs,
            ..
        } = self;
        let (firm_w, interruptible_w, supply_w) = (
            &inputs.firm_w[..],
            &inputs.interruptible_w[..],
            &inputs.supply_w[..],
        );
        if level.len() == 1 {
            // One region and nothing else: its row of `block_hours` (zero if it does not
            // change in the block) and its hours side by side, without the loops over
            // quantities and regions.
            let rows = (block_hours[h - first..end - first].iter())
                .zip(&firm_w[h..end])
                .zip(&interruptible_w[h..end])
                .zip(&supply_w[h..end]);
            let mut generation = level[0];
            for (((&step, &firm), &interruptible), &supply) in rows {
                generation += step;
                if firm + interruptible > generation + supply {
                    break;
                }
                h += 1;
            }
            level[0] = generation;
            return h;
        }
        while h < end {
            for &q in changed.iter() {
                level[q] += block_hours[q * PEAK_BLOCK_H + h - first];
            }
            let served = (0..regions).all(|r| {
                let i = r * hours + h;
                firm_w[i] + interruptible_w[i] <= level[r] + supply_w[i]
            });
            if !served {
                return h;
            }
            h += 1;
        }
        end
    }

    /// [`Sampler::pass_served`] with storage (no generator-storage, no demand response): also
    /// pass the hours in which every region's surplus covers what its devices can charge,
    /// applying them to the devices ([`Storages::charge_served_hour`]), and return the first
    /// other hour (`end` if there is none), its levels stepped and its devices untouched.
    fn pass_charging(&mut self, first: usize, mut h: usize, end: usize) -> usize {
        let hours = self.model.hours();
        let Sampler {
            changed,
            block_hours,
            level,
            inputs,
            storage,
            ..
        } = self;
        let st = storage.as_mut().expect("storage");
        let (firm_w, interruptible_w, supply_w) = (
            &inputs.firm_w[..],
            &inputs.interruptible_w[..],
            &inputs.supply_w[..],
        );
        while h < end {
            for &q in changed.iter() {
                level[q] += block_hours[q * PEAK_BLOCK_H + h - first];
            }
            let surplus_w = |r: usize| {
                let i = r * hours + h;
                level[r] + supply_w[i] - firm_w[i] - interruptible_w[i]
            };
            if !st.charge_served_hour(level, surplus_w) {
                break;
            }
            h += 1;
        }
        st.end_served_hours();
        h
    }

    /// Walk block `b` hour by hour, showing `acc` the hours in which something happens
    /// (out of line: few blocks are walked).
    #[inline(never)]
    fn walk_block<A: Accumulator>(&mut self, b: usize, acc: &mut A) {
        let n = self.model.regions().len();
        let cal = self.model.calendar();
        let hours = self.model.hours();
        let days = cal.days();
        // Only the quantities that change in the block are scattered and stepped (their
        // rows of `block_hours` are zeroed again after the block).
        self.changed.clear();
        for (q, per_hour) in self.block_hours.chunks_exact_mut(PEAK_BLOCK_H).enumerate() {
            if self.history.changes_in(q, b) {
                self.changed.push(q);
                self.history.scatter(q, b, per_hour);
            }
        }
        // A traced block shows every hour.
        let traced = self.traced.contains(&b);
        let plain = self.network.is_none() && self.pools.is_empty() && !traced;
        let first = b * PEAK_BLOCK_H;
        let end = (first + PEAK_BLOCK_H).min(hours);
        let mut next = first;
        while next < end {
            let mut h = next;
            // The block test may have loaded other levels into the network before the
            // first hour. Only lines, links and disturbances change arc limits (a capped
            // block's pool adds to its region's generation only).
            let mut same_gates = h > first;
            if !self.every_hour
                && plain
                && self.storage.as_ref().is_none_or(Storages::idle)
                && self
                    .demand_response
                    .as_ref()
                    .is_none_or(DemandResponses::idle)
            {
                // Without a network or capped blocks, the hours in which every region is
                // served are passed over at once (most walked hours are).
                h = self.pass_served(first, h, end);
                if h == end {
                    break;
                }
            } else if !self.every_hour
                && plain
                && self.demand_response.is_none()
                && self.storage.as_ref().is_some_and(|st| !st.has_inflow())
            {
                // The same with storage: in those hours the devices only charge, each at its
                // limit when the surplus covers them all.
                h = self.pass_charging(first, h, end);
                if h == end {
                    break;
                }
            } else {
                for &q in &self.changed {
                    let step = self.block_hours[q * PEAK_BLOCK_H + h - first];
                    self.level[q] += step;
                    same_gates &= step == 0 || !self.gates_arcs[q];
                }
            }
            next = h + 1;
            let inputs = &self.inputs;
            let at = |r: usize| r * hours + h;
            let level = if self.pools.is_empty() {
                &self.level
            } else {
                self.pools.apply(&self.level, &mut self.effective);
                &self.effective
            };
            let out = &mut self.out;
            let mut storage = self.storage.as_mut();
            let (discharge, charge) = storage.as_mut().map_or((false, false), |st| {
                let can = st.begin_hour(level);
                if !st.has_inflow() {
                    return can;
                }
                st.begin_inflow_hour(h, level, |r, t| {
                    let i = r * hours + t;
                    inputs.firm_w[i] + inputs.interruptible_w[i] - inputs.supply_w[i]
                })
            });
            // Generator-storages offer their inflow and scheduled discharge as generation
            // of their regions.
            let level = match storage.as_ref().filter(|st| st.has_inflow()) {
                Some(st) => {
                    self.with_inflow.copy_from_slice(level);
                    for (g, &w) in self.with_inflow.iter_mut().zip(&st.offered_w) {
                        *g += w;
                    }
                    &self.with_inflow
                }
                None => level,
            };
            let mut demand_response = self.demand_response.as_mut();
            if let Some(dr) = demand_response.as_mut() {
                dr.begin_hour(level);
            }
            let (binding, corridor_binding, ladder, source_w, arc_limit_w) =
                match self.network.as_mut() {
                    None => {
                        for (r, &generation) in level[..n].iter().enumerate() {
                            let supply = generation + inputs.supply_w[at(r)];
                            let (firm, int) = (inputs.firm_w[at(r)], inputs.interruptible_w[at(r)]);
                            out.short_w[r] = (firm - supply).max(0);
                            out.curtailed_w[r] = (firm + int - supply).clamp(0, int);
                            // Storage serves firm demand only, and charges from what is left
                            // after all demand (never by curtailing).
                            if let Some(dr) = demand_response.as_mut() {
                                out.short_w[r] = serve_with_demand_response(
                                    r,
                                    supply - firm - int,
                                    out.short_w[r],
                                    storage.as_deref_mut().filter(|_| discharge || charge),
                                    dr,
                                );
                            } else if let Some(st) = storage.as_mut() {
                                if out.short_w[r] > 0 && discharge {
                                    out.short_w[r] -= st.serve_region(r, out.short_w[r]);
                                } else if charge && supply > firm + int {
                                    st.charge_region(r, supply - firm - int);
                                }
                            }
                        }
                        // Corridors, ladders and imports need a network.
                        (&self.no_binding[..], &[][..], None, &[][..], &[][..])
                    }
                    Some(network) => {
                        let hourly = |values| Column {
                            values,
                            stride: hours,
                            at: h,
                        };
                        network.load(
                            level,
                            &HourDemand {
                                firm_w: hourly(&inputs.firm_w),
                                interruptible_w: hourly(&inputs.interruptible_w),
                                supply_w: hourly(&inputs.supply_w),
                                source_factor: Column {
                                    values: &inputs.source_factor,
                                    stride: days,
                                    at: cal.day(h),
                                },
                                scheduled_w: inputs.schedules.as_ref().map(|s| hourly(&s.import_w)),
                                mining_w: hourly(&inputs.mining_interruptible_w),
                                day: cal.day(h),
                                when: When::Step(h),
                            },
                            same_gates,
                        );
                        let result = HourResult {
                            short_w: &mut out.short_w,
                            curtailed_w: &mut out.curtailed_w,
                            import_w: &mut out.import_w,
                        };
                        let st = storage.as_deref_mut();
                        let dr = demand_response.as_deref_mut();
                        if !network.dispatch_hour(result, st, (discharge, charge), dr, traced) {
                            if let Some(st) = storage {
                                st.end_hour();
                            }
                            continue;
                        }
                        (
                            &network.line_binding[..],
                            &network.corridor_binding[..],
                            network.ladder.as_ref(),
                            network.source_w(),
                            network.arc_limit_w(),
                        )
                    }
                };
            if let Some(st) = storage {
                st.end_hour();
            }
            if let Some(dr) = demand_response {
                // Unserved debt is a shortfall of its region in this hour.
                dr.end_hour(h + 1 == hours);
                for (short, &w) in out.short_w.iter_mut().zip(&dr.region_unserved_wh) {
                    *short += w;
                }
            }
            let system: i64 = out.short_w[..n].iter().sum();
            let curtailed: i64 = out.curtailed_w[..n].iter().sum();
            let rank_use_w = ladder.map_or(&[][..], |l| &l.rank_use_w[..]);
            let stored_wh = self.storage.as_ref().map_or(&[][..], |st| &st.start_wh[..]);
            if !traced
                && system == 0
                && curtailed == 0
                && out.import_w.iter().all(|&w| w == 0)
                && rank_use_w.iter().all(|&w| w == 0)
            {
                continue;
            }
            // Shortfalls and curtailments are never negative: with zero sums (a quiet hour)
            // every area's are zero, and so are their parts and the curtailed exports.
            let quiet = system == 0 && curtailed == 0;
            if quiet {
                out.export_curtailed_w.fill(0);
            } else {
                for r in 0..n {
                    let i = at(r);
                    let part = |whole: i64, of: i64, total: i64| {
                        if whole == 0 || of == 0 {
                            0
                        } else {
                            (i128::from(whole) * i128::from(of) / i128::from(total.max(1))) as i64
                        }
                    };
                    let (short, firm) = (out.short_w[r], inputs.firm_w[i]);
                    out.short_illegal_w[r] = part(short, inputs.illegal_w[i], firm);
                    out.short_registered_w[r] = part(short, inputs.registered_firm_w[i], firm);
                    out.mining_curtailed_w[r] = part(
                        out.curtailed_w[r],
                        inputs.mining_interruptible_w[i],
                        inputs.interruptible_w[i],
                    );
                }
                // A ladder knows the mining part exactly (the pro-rata split above is the
                // default order's).
                if let Some(l) = ladder {
                    out.mining_curtailed_w[..n].copy_from_slice(&l.mining_curtailed_w);
                }
                for v in [
                    &mut out.short_illegal_w,
                    &mut out.short_registered_w,
                    &mut out.mining_curtailed_w,
                ] {
                    v[n] = v[..n].iter().sum();
                }
                if let (Some(s), false) = (&inputs.schedules, out.export_curtailed_w.is_empty()) {
                    s.curtailed_exports(
                        h,
                        &inputs.interruptible_w,
                        &inputs.mining_interruptible_w,
                        &out.curtailed_w,
                        &out.mining_curtailed_w,
                        &mut out.export_curtailed_w,
                    );
                }
            }
            debug_assert!(
                !quiet || ladder.is_none_or(|l| l.mining_curtailed_w.iter().all(|&w| w == 0)),
                "mining curtailed in an hour without curtailment"
            );
            out.short_w[n] = system;
            out.curtailed_w[n] = curtailed;
            // The parts of a quiet hour: every area's shortfall, zero.
            let parts = if quiet {
                [&out.short_w; 3]
            } else {
                [
                    &out.short_illegal_w,
                    &out.short_registered_w,
                    &out.mining_curtailed_w,
                ]
            };
            let only_imports = !traced
                && quiet
                && rank_use_w.iter().all(|&w| w == 0)
                && !binding.iter().any(|&b| b)
                && !corridor_binding.iter().any(|&b| b);
            let view = HourView {
                hour: h,
                day: cal.day(h),
                hour_of_day: cal.hour_of_day(h),
                week: cal.study_week(h),
                short_w: &out.short_w,
                short_illegal_w: parts[0],
                short_registered_w: parts[1],
                curtailed_w: &out.curtailed_w,
                mining_curtailed_w: parts[2],
                import_w: &out.import_w,
                export_curtailed_w: &out.export_curtailed_w,
                binding,
                corridor_binding,
                rank_use_w,
                stored_wh,
                state: HourState {
                    level_w: level,
                    source_w,
                    arc_limit_w,
                    inputs: Some(inputs),
                },
            };
            if only_imports {
                acc.record_import_hour(&view);
            } else {
                acc.record_hour(&view);
            }
        }
        for &q in &self.changed {
            self.block_hours[q * PEAK_BLOCK_H..(q + 1) * PEAK_BLOCK_H].fill(0);
        }
    }
}

/// Step the levels of quantities 1.. (quantity 0, a lone region's generation, is stepped by
/// the caller's loop) over the skipped blocks `blocks`: `sums` holds each block's
/// `quantities` sums side by side.
/// One region's steady skip ([`Sampler::skip_steady`]) over `blocks` (each block's sums
/// and its peak less its least extra supply), from generation `generation_w`, while the
/// lowest generation covers the peak and the devices' recharge `recharge_w` and
/// `in_service` holds (no lossy device drops): the blocks skipped and the generation after
/// them.
#[inline(always)]
fn steady_run<'a>(
    blocks: impl Iterator<Item = (&'a [BlockSums], &'a i64)>,
    recharge_w: i64,
    mut generation_w: i64,
    in_service: impl Fn(&[BlockSums]) -> bool,
) -> (usize, i64) {
    let mut skipped = 0;
    for (row, &peak_w) in blocks {
        if generation_w + row[0].drop_w < peak_w + recharge_w || !in_service(row) {
            break;
        }
        generation_w += row[0].net_w;
        skipped += 1;
    }
    (skipped, generation_w)
}

fn step_others(
    level: &mut [i64],
    sums: &[BlockSums],
    quantities: usize,
    blocks: std::ops::Range<usize>,
) {
    for (q, level) in level.iter_mut().enumerate().take(quantities).skip(1) {
        *level += blocks
            .clone()
            .map(|c| sums[c * quantities + q].net_w)
            .sum::<i64>();
    }
}

/// Isolated region `r` with demand response `dr` (and storage `st`, if it can discharge or
/// charge in this hour): `left_w` is its supply minus all its demand (firm and
/// interruptible), `short_w` its firm shortfall. Storage discharges into the shortfall,
/// then, with what it has left, pays back debts; demand response borrows for what is still
/// short; surplus after all demand pays back first and charges storage with the rest
/// (`crate::demand_response`, step 5). Returns the firm shortfall left.
fn serve_with_demand_response(
    r: usize,
    left_w: i64,
    mut short_w: i64,
    st: Option<&mut Storages>,
    dr: &mut DemandResponses,
) -> i64 {
    let due_w = dr.payback_cap_w(r);
    let paid_w = if left_w > 0 {
        dr.pay_back_region(r, left_w)
    } else {
        0
    };
    if let Some(st) = st {
        let discharged_w = st.serve_region(r, short_w + due_w - paid_w);
        let to_load_w = discharged_w.min(short_w);
        short_w -= to_load_w;
        dr.pay_back_region(r, discharged_w - to_load_w);
        if discharged_w == 0 && left_w > paid_w {
            st.charge_region(r, left_w - paid_w);
        }
    }
    if short_w > 0 {
        short_w -= dr.borrow_region(r, short_w);
    }
    short_w
}
