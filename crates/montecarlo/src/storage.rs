//! Storage devices and generator-storages in the hourly walk: state of charge, inflow, the
//! hour's limits and priorities, the peak-shaving schedule, and the default (PRAS)
//! dispatch of one isolated region by arithmetic.
//!
//! # The hour of a storage device (PRAS's order)
//!
//! Each visited hour, in this order (PRAS `Simulations/Simulations.jl` lines 195-239,
//! commit c7933039):
//!
//! 1. **Carry-over**: `soc = round(soc x carryover_efficiency)`, half to even (Julia's
//!    `round`), then at most the energy capacity (`utils.jl` lines 101-121).
//! 2. **Limits** (`DispatchProblem.jl` lines 326-365): a device out of service has no
//!    power; otherwise it can discharge `min(discharge_w, floor(soc x discharge_eff))` and
//!    charge `min(charge_w, floor((energy - soc) / charge_eff))` (one-hour steps, so a watt
//!    for an hour is a watt-hour). Its *time to empty* is
//!    `round(soc x discharge_eff / discharge_w)` hours, half to even, or `hours + 1` when it
//!    has no discharge power (line 335-339).
//! 3. **Dispatch** (the sampler, or [`Storages::serve_region`] and
//!    [`Storages::charge_region`] here): discharge only into firm demand that generation
//!    (and, with a network, transfers, imports and curtailment) cannot serve, largest time to
//!    empty first (`dischargecost = max_dischargecost - timetodischarge`, line 348); charge
//!    from domestic surplus (after interruptible demand), smallest time to empty first
//!    (`chargecost = min_chargecost + timetodischarge`, line 364). Devices with the same
//!    time to empty share pro rata (see [`split`]).
//! 4. **State** (lines 495-508): discharging `d` W lowers the state of charge by
//!    `ceil(d / discharge_eff)` Wh (not below 0); charging `c` W raises it by
//!    `ceil(c x charge_eff)` Wh.
//!
//! An outage takes the device's power away but keeps its stored energy, which only the
//! carry-over loss lowers while it is out (PRAS keeps `stors_energy` untouched by
//! `update_availability!`, `utils.jl` lines 24-39).
//!
//! # Time steps
//!
//! An "hour" above is a time step (`[study] step_min`). PRAS moves `power x d` energy in a
//! step of `d` hours (`DispatchProblem.jl` lines 342-359, 491-507: `energytopower` divides
//! by `d`, `p2e` is `d`) and applies the carry-over efficiency once per step. Here every
//! energy (capacity, state of charge, ledger, `start_wh`) is in *watt-steps*: a watt for
//! one step, `1 / steps_per_hour` Wh, so a watt for a step is one unit and the rules above
//! hold as written at any step; the results divide by the steps per hour where they report
//! MWh, as they do for unserved energy. The time to empty stays in hours (PRAS divides MWh
//! by MW). At one-hour steps a watt-step is a watt-hour and nothing changes.
//!
//! # Shortcuts (exact)
//!
//! In an hour in which nothing is short and each region's surplus covers what all its
//! devices can charge, every device charges its limit whatever the order and nothing
//! discharges: the hour of a device is a function of its state of charge and availability
//! alone (`Storages::charge_hour`). So a block whose regions' lowest generation covers
//! their peak plus the most their devices take in one hour on such walks is passed device
//! by device ([`Storages::prepare_block`]), an hour that leaves a state of charge unchanged
//! repeating for the rest of its availability run (a full device that refills its loss
//! exactly is such a fixed point: [`Storages::steady`]; an outage's carry-over loss is
//! read off the device's decay table, its states out of service from full: [`decay_table`]);
//! and in a walked block without a
//! network such hours skip the dispatch ([`Storages::charge_served_hour`]). Test
//! `shortcuts_equal_the_hour_by_hour_walk` compares them with `Sampler::walk_every_hour`.
//!
//! # Generator-storage
//!
//! A device with an inflow (PRAS's `GeneratorStorages`, `Systems/assets.jl` lines 315-428)
//! follows the hour above, and [`Storages::begin_inflow_hour`] then shapes its part
//! (`DispatchProblem.jl` lines 369-433, edges lines 233-243):
//!
//! * its inflow is `online x inflow[t]` (line 384); up to the grid injection limit
//!   (line 389) it is *offered* to the region as generation (the inflow-to-grid edge is free,
//!   as generation), or, for a peak-shaving plant, the hour's target is offered from the
//!   inflow first, then from the store ([`water_fill`], README "Generator-storage");
//! * the rest of the inflow charges the store at once within the charge limit (the
//!   inflow-to-charge edge, line 431), and what the store cannot take is spilled;
//! * the store discharges for the dispatch within what the injection limit leaves;
//! * it charges from the region's pool within its offered inflow (taken back through the
//!   direct edge) plus the grid withdrawal limit (line 392);
//! * the state update adds grid and inflow charge in one rounding (lines 521-526).

use crate::outage::{History, Quantities};
use gridrisk_core::model::{GenStorDispatch, ShavingPeriod, PEAK_BLOCK_H};
use gridrisk_core::SystemModel;

/// Per device, what happened to its energy over one sample, watt-hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Energy drawn from the grid while charging.
    pub charged_wh: i64,
    /// Energy given to the grid while discharging.
    pub discharged_wh: i64,
    /// Energy added to the store (`ceil(charged x charge_eff)` per hour).
    pub stored_wh: i64,
    /// Energy taken from the store (`ceil(discharged / discharge_eff)` per hour).
    pub removed_wh: i64,
    /// Energy lost by carry-over (and shed above the capacity).
    pub decayed_wh: i64,
    /// A generator-storage's inflow while in service (none reaches an out-of-service
    /// device, as PRAS).
    pub inflow_wh: i64,
    /// Of `inflow_wh`, what was charged into the store (part of `charged_wh`).
    pub inflow_charged_wh: i64,
    /// Of `inflow_wh`, what was offered to the grid and not charged back.
    pub inflow_injected_wh: i64,
    /// Of `inflow_wh`, what neither the grid injection limit nor the store could take.
    pub spilled_wh: i64,
}

/// A run of devices with the same priority in one region (storage: the same time to empty;
/// demand response: the same payback counter), in the hour's priority order: a resource of
/// the dispatch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Range of [`Storages::order`].
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Priority group: 0 for the largest time to empty (or counter) of the hour, 1 for the
    /// next, ...
    pub group: usize,
    /// Region of its devices.
    pub region: usize,
}

/// The storage devices of a model and their per-sample state (one per worker).
pub struct Storages {
    region: Vec<usize>,
    quantity: Vec<usize>,
    charge_w: Vec<i64>,
    discharge_w: Vec<i64>,
    energy_wh: Vec<i64>,
    initial_wh: Vec<i64>,
    charge_eff: Vec<f64>,
    discharge_eff: Vec<f64>,
    carry: Vec<f64>,
    /// Time to empty of a device without discharge power: steps + 1.
    no_power_ttd: i64,
    /// Steps per hour: a time to empty is in hours, as PRAS's.
    steps_per_hour: i64,
    regions: usize,
    /// Per device: state of charge, Wh.
    pub soc_wh: Vec<i64>,
    /// Per device: what it can discharge in this hour, W.
    pub discharge_cap_w: Vec<i64>,
    /// Per device: what it can charge in this hour, W.
    pub charge_cap_w: Vec<i64>,
    /// Per device: discharge in this hour, W.
    pub discharged_w: Vec<i64>,
    /// Per device: charge in this hour, W.
    pub charged_w: Vec<i64>,
    ttd: Vec<i64>,
    /// Devices by time to empty (largest first), then region, then index.
    order: Vec<usize>,
    /// Runs of `order` with one time to empty and one region.
    pub runs: Vec<Run>,
    /// Per device: this sample's energy ledger.
    pub ledger: Vec<Ledger>,
    /// Per area (regions, then the system): stored energy at the start of this hour (before
    /// its carry-over loss), Wh.
    pub start_wh: Vec<i64>,
    idle: bool,
    /// Per device: the charge that makes up one hour's carry-over loss of a full device, W
    /// (0 without loss), and that loss, Wh.
    refill_w: Vec<i64>,
    loss_wh: Vec<i64>,
    /// Per lossy device: its states of charge out of service from full, hour after hour
    /// (`decay_wh[k]` after `k` hours: [`decay_table`]); empty without loss.
    decay_wh: Vec<Vec<i64>>,
    /// Per region: the sum of its devices' `refill_w`.
    pub need_w: Vec<i64>,
    /// The quantities (availability) of the devices with a carry-over loss.
    pub lossy: Vec<usize>,
    /// Per device: whether it makes up its carry-over loss exactly from full within its
    /// charge power (true without loss).
    refills_exactly: Vec<bool>,
    /// Whether every device does.
    refills: bool,
    steady: bool,
    /// Per device and hour of a block to pass: in service ([`Storages::prepare_block`]).
    block_up: Vec<bool>,
    /// Per region: the most its devices take in one hour of a block to pass, W
    /// ([`Storages::prepare_block`]; scratch of [`Storages::charge_served_hour`]).
    pub block_need_w: Vec<i64>,
    /// Per device: its state of charge at the end of the block to pass, and its ledger's
    /// changes over it.
    block_soc_wh: Vec<i64>,
    block_ledger: Vec<Ledger>,
    /// The generator-storages among the devices (empty without).
    gens: Vec<GenStor>,
    /// Per region: the power its generator-storages offer the grid in this hour (inflow and
    /// scheduled discharge), W: generation of the region ([`Storages::begin_inflow_hour`]).
    pub offered_w: Vec<i64>,
}

/// A generator-storage: a device of [`Storages`] with an inflow (see "Generator-storage"
/// in the module docs), and what it does in the current hour.
struct GenStor {
    device: usize,
    inflow_w: Vec<i64>,
    injection_w: i64,
    withdrawal_w: i64,
    shaving: Option<Shaving>,
    /// This hour: inflow offered to the grid, scheduled discharge and charge from the
    /// inflow beyond the grid limit, W.
    offered_inflow_w: i64,
    scheduled_w: i64,
    own_charge_w: i64,
}

/// A peak-shaving schedule: the current period's hourly injection targets.
struct Shaving {
    min_injection_w: i64,
    /// Per hour: the end (exclusive) of its period.
    period_end: Vec<usize>,
    /// The current period's first hour and end; targets per hour from its start.
    start: usize,
    end: usize,
    target_w: Vec<i64>,
    /// The period's net demand, W (scratch for [`water_fill`]).
    load_w: Vec<i64>,
}

impl Storages {
    /// The devices of `model`, or `None` if it has none.
    pub fn of(model: &SystemModel) -> Option<Storages> {
        let s = model.storages();
        if s.is_empty() {
            return None;
        }
        let q = Quantities::of(model);
        let n = s.len();
        // Energies in watt-steps (module docs, "Time steps"): k watt-steps make a Wh.
        let k = model.calendar().steps_per_hour() as i64;
        let map = |f: fn(&gridrisk_core::model::Storage) -> i64| s.iter().map(f).collect();
        let energy_ws: Vec<i64> = s.iter().map(|d| d.energy_wh * k).collect();
        let mapf = |f: fn(&gridrisk_core::model::Storage) -> f64| s.iter().map(f).collect();
        // A full device loses `loss` in an hour and takes `refill` to make it up: exactly,
        // since ceil(floor(loss / eff) x eff) = loss for any efficiency in (0, 1].
        let (mut refill_w, mut loss_wh) = (vec![0; n], vec![0; n]);
        let mut need_w = vec![0; model.regions().len()];
        let (mut lossy, mut refills_exactly) = (Vec::new(), vec![true; n]);
        let gens: Vec<GenStor> = s
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Some((i, d.inflow.as_ref()?)))
            .map(|(device, g)| GenStor {
                device,
                inflow_w: g.inflow_w.clone(),
                injection_w: g.grid_injection_w,
                withdrawal_w: g.grid_withdrawal_w,
                shaving: match g.dispatch {
                    GenStorDispatch::Pras => None,
                    GenStorDispatch::PeakShaving {
                        period,
                        min_injection_w,
                    } => Some(Shaving::new(model, period, min_injection_w)),
                },
                offered_inflow_w: 0,
                scheduled_w: 0,
                own_charge_w: 0,
            })
            .collect();
        for (i, d) in s.iter().enumerate() {
            let loss = energy_ws[i] - round_even(energy_ws[i] as f64 * d.carryover_efficiency);
            if loss > 0 {
                let refill = floor_i64(loss as f64 / d.charge_efficiency);
                let stored = ceil_i64(refill as f64 * d.charge_efficiency);
                refills_exactly[i] = refill <= d.charge_w && stored == loss;
                refill_w[i] = refill;
                loss_wh[i] = loss;
                need_w[d.region] += refill;
                lossy.push(q.storage(i));
            }
        }
        let decay_wh = s
            .iter()
            .zip(&energy_ws)
            .map(|(d, &energy)| decay_table(energy, d.carryover_efficiency))
            .collect();
        Some(Storages {
            decay_wh,
            refill_w,
            loss_wh,
            need_w,
            lossy,
            // A generator-storage's inflow changes its state in any hour: never steady.
            refills: gens.is_empty() && refills_exactly.iter().all(|&r| r),
            offered_w: vec![0; model.regions().len()],
            gens,
            refills_exactly,
            steady: false,
            block_up: vec![false; n * PEAK_BLOCK_H],
            block_need_w: vec![0; model.regions().len()],
            block_soc_wh: vec![0; n],
            block_ledger: vec![Ledger::default(); n],
            region: s.iter().map(|d| d.region).collect(),
            quantity: (0..n).map(|i| q.storage(i)).collect(),
            charge_w: map(|d| d.charge_w),
            discharge_w: map(|d| d.discharge_w),
            energy_wh: energy_ws,
            initial_wh: s.iter().map(|d| d.initial_wh * k).collect(),
            steps_per_hour: k,
            charge_eff: mapf(|d| d.charge_efficiency),
            discharge_eff: mapf(|d| d.discharge_efficiency),
            carry: mapf(|d| d.carryover_efficiency),
            no_power_ttd: model.hours() as i64 + 1,
            regions: model.regions().len(),
            soc_wh: vec![0; n],
            discharge_cap_w: vec![0; n],
            charge_cap_w: vec![0; n],
            discharged_w: vec![0; n],
            charged_w: vec![0; n],
            ttd: vec![0; n],
            order: (0..n).collect(),
            runs: Vec::with_capacity(n),
            ledger: vec![Ledger::default(); n],
            start_wh: vec![0; model.regions().len() + 1],
            idle: false,
        })
    }

    /// Number of devices.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// Always false: a model's storages are built only when it has some.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }

    /// The region of device `i`.
    pub fn region(&self, i: usize) -> usize {
        self.region[i]
    }

    /// The devices in the hour's priority order (see [`Run`]).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// A new sample: every device at its initial state of charge.
    pub fn start_sample(&mut self) {
        self.soc_wh.copy_from_slice(&self.initial_wh);
        self.ledger.fill(Ledger::default());
        for sh in self.gens.iter_mut().filter_map(|g| g.shaving.as_mut()) {
            (sh.start, sh.end) = (0, 0);
        }
        self.update_modes();
    }

    fn update_modes(&mut self) {
        self.idle = self.compute_idle();
        self.steady = self.refills && self.soc_wh == self.energy_wh;
    }

    /// Whether every device is full and makes up its carry-over loss exactly each hour
    /// within its charge power: then, in a block in which no region can be short even when
    /// it also recharges its devices ([`Storages::need_w`]) and every lossy device is in
    /// service throughout ([`Storages::lossy`]), every hour is the same: each device loses
    /// its carry-over and charges it back ([`Storages::pass_full_hours`]).
    #[inline]
    pub fn steady(&self) -> bool {
        self.steady
    }

    /// Prepare to pass block `b` (of `hours` hours) device by device: each device's
    /// availability in each hour from its level `level` at the block start and the block's
    /// changes in `history`, its walk through the block charging at its limit in every hour
    /// (as if its region's surplus were unbounded; `Storages::charge_hour`), and per region
    /// the most its devices take in one hour on those walks ([`Storages::block_need_w`]).
    /// If every hour's surplus covers that, the walks are what happens:
    /// [`Storages::pass_block`] applies them.
    ///
    /// A walk skips repeated hours: the hour is a function of the state of charge and the
    /// availability alone, so an hour that leaves the state of charge where it found it
    /// (a full store refilling its carry-over loss, an empty one without loss, a store out
    /// of service whose loss rounds to nothing) repeats, deltas and all, for every following
    /// hour with the same availability, and those hours are added at once.
    pub fn prepare_block(&mut self, b: usize, hours: usize, level: &[i64], history: &History) {
        self.block_need_w.fill(0);
        for i in 0..self.len() {
            let q = self.quantity[i];
            let ups = &mut self.block_up[i * PEAK_BLOCK_H..i * PEAK_BLOCK_H + hours];
            let mut l = level[q];
            if history.changes_in(q, b) {
                let mut steps = [0i64; PEAK_BLOCK_H];
                history.scatter(q, b, &mut steps);
                for (up, step) in ups.iter_mut().zip(steps) {
                    l += step;
                    *up = l > 0;
                }
            } else {
                ups.fill(l > 0);
            }
            let ups = &self.block_up[i * PEAK_BLOCK_H..i * PEAK_BLOCK_H + hours];
            let (mut soc, mut ledger, mut most_w) = (self.soc_wh[i], Ledger::default(), 0);
            let mut h = 0;
            while h < hours {
                let up = ups[h];
                if !up && self.carry[i] != 1.0 {
                    // Out of service: the carry-over loss alone, to the end of the outage;
                    // from the decay table where it holds the state of charge, then (past
                    // its end) hour by hour to a fixed point.
                    let (before, carry, energy) = (soc, self.carry[i], self.energy_wh[i]);
                    let out_h = ups[h..].iter().take_while(|&&u| !u).count();
                    let left_h;
                    (soc, left_h) = decay_from(&self.decay_wh[i], soc, out_h);
                    for _ in 0..left_h {
                        let kept = round_even(soc as f64 * carry).min(energy);
                        if kept == soc {
                            break;
                        }
                        soc = kept;
                    }
                    h += out_h;
                    ledger.decayed_wh += before - soc;
                    continue;
                }
                let (kept, charge_w, add) = self.charge_hour(i, soc, up);
                let mut times = 1;
                if kept + add == soc {
                    times += ups[h + 1..].iter().take_while(|&&u| u == up).count();
                }
                let n = times as i64;
                ledger.decayed_wh += (soc - kept) * n;
                ledger.charged_wh += charge_w * n;
                ledger.stored_wh += add * n;
                most_w = most_w.max(charge_w);
                soc = kept + add;
                h += times;
            }
            self.block_soc_wh[i] = soc;
            self.block_ledger[i] = ledger;
            self.block_need_w[self.region[i]] += most_w;
        }
    }

    /// Device `i` from state of charge `soc_wh` through one hour (available: `up`) in which
    /// it charges at its limit and does not discharge (module docs, steps 1, 2 and 4):
    /// (the state of charge after the carry-over loss, the charge W, what it adds Wh).
    #[inline]
    fn charge_hour(&self, i: usize, soc_wh: i64, up: bool) -> (i64, i64, i64) {
        if up && soc_wh == self.energy_wh[i] && self.refills_exactly[i] {
            // Full: it loses `loss_wh` and charges it back (see `Storages::of`).
            return (soc_wh - self.loss_wh[i], self.refill_w[i], self.loss_wh[i]);
        }
        let kept = if self.carry[i] == 1.0 {
            soc_wh
        } else {
            round_even(soc_wh as f64 * self.carry[i]).min(self.energy_wh[i])
        };
        if !up {
            return (kept, 0, 0);
        }
        let room = floor_i64((self.energy_wh[i] - kept) as f64 / self.charge_eff[i]);
        let charge_w = self.charge_w[i].min(room);
        if charge_w > 0 {
            let add = ceil_i64(charge_w as f64 * self.charge_eff[i]);
            (kept, charge_w, add)
        } else {
            (kept, 0, 0)
        }
    }

    /// Pass the block prepared by [`Storages::prepare_block`], in which no region can be
    /// short even while its devices take [`Storages::block_need_w`] in an hour: every device
    /// in service charges at its hour's limit, so each device runs on its own, as its walk.
    pub fn pass_block(&mut self) {
        self.soc_wh.copy_from_slice(&self.block_soc_wh);
        for (l, d) in self.ledger.iter_mut().zip(&self.block_ledger) {
            l.decayed_wh += d.decayed_wh;
            l.charged_wh += d.charged_wh;
            l.stored_wh += d.stored_wh;
        }
        self.update_modes();
    }

    /// An hour without a network: levels `level`, and `surplus_w(r)` left in region `r` after
    /// all its demand (firm and interruptible; negative if it is short). If every region's
    /// surplus covers what its devices can charge (so nothing is short), apply the hour (each device's carry-over, then its charge at
    /// its limit: the order among devices, and the hour's times to empty, cannot matter) and
    /// return true; otherwise change nothing the dispatch reads and return false. The hour
    /// is then not a shortfall hour: [`Storages::start_wh`] is not kept, nor are the modes
    /// ([`Storages::end_served_hours`]).
    #[inline]
    pub fn charge_served_hour(&mut self, level: &[i64], surplus_w: impl Fn(usize) -> i64) -> bool {
        if self.len() == 1 {
            let (kept, charge_w, add) =
                self.charge_hour(0, self.soc_wh[0], level[self.quantity[0]] > 0);
            let at = self.region[0];
            if (0..self.regions).any(|r| surplus_w(r) < if r == at { charge_w } else { 0 }) {
                return false;
            }
            self.apply_charge_hour(0, kept, charge_w, add);
            return true;
        }
        self.block_need_w.fill(0);
        for i in 0..self.len() {
            let (_, charge_w, _) = self.charge_hour(i, self.soc_wh[i], level[self.quantity[i]] > 0);
            self.block_need_w[self.region[i]] += charge_w;
        }
        if (0..self.regions).any(|r| surplus_w(r) < self.block_need_w[r]) {
            return false;
        }
        for i in 0..self.len() {
            let (kept, charge_w, add) =
                self.charge_hour(i, self.soc_wh[i], level[self.quantity[i]] > 0);
            self.apply_charge_hour(i, kept, charge_w, add);
        }
        true
    }

    #[inline]
    fn apply_charge_hour(&mut self, i: usize, kept: i64, charge_w: i64, add: i64) {
        let l = &mut self.ledger[i];
        l.decayed_wh += self.soc_wh[i] - kept;
        l.charged_wh += charge_w;
        l.stored_wh += add;
        self.soc_wh[i] = kept + add;
    }

    /// After hours passed by [`Storages::charge_served_hour`]: the modes
    /// ([`Storages::idle`], [`Storages::steady`]) of the states they left.
    pub fn end_served_hours(&mut self) {
        self.update_modes();
    }

    /// Pass `hours` steady hours (see [`Storages::steady`]) at once.
    pub fn pass_full_hours(&mut self, hours: i64) {
        for (i, l) in self.ledger.iter_mut().enumerate() {
            l.charged_wh += self.refill_w[i] * hours;
            l.stored_wh += self.loss_wh[i] * hours;
            l.decayed_wh += self.loss_wh[i] * hours;
        }
    }

    /// Whether no hour can change any device's state while nothing is short: every device
    /// keeps its energy from hour to hour (carry-over 1, or empty) and cannot charge (full,
    /// or no charge power). Then a block in which nothing can be short can be skipped.
    #[inline]
    pub fn idle(&self) -> bool {
        self.idle
    }

    fn compute_idle(&self) -> bool {
        // A generator-storage's inflow (spilled, or scheduled) counts in every hour.
        self.gens.is_empty()
            && (0..self.len()).all(|i| {
                let soc = self.soc_wh[i];
                (soc == 0 || self.carry[i] == 1.0)
                    && (soc >= self.energy_wh[i] || self.charge_w[i] == 0)
            })
    }

    /// Start the hour with quantity levels `level`: carry-over loss, the hour's limits,
    /// times to empty and priority runs. Returns (some device can discharge, some device
    /// can charge).
    pub fn begin_hour(&mut self, level: &[i64]) -> (bool, bool) {
        self.start_wh.fill(0);
        let (mut any_d, mut any_c) = (false, false);
        for i in 0..self.len() {
            let mut soc = self.soc_wh[i];
            self.start_wh[self.region[i]] += soc;
            if self.carry[i] != 1.0 {
                let kept = round_even(soc as f64 * self.carry[i]).min(self.energy_wh[i]);
                self.ledger[i].decayed_wh += soc - kept;
                soc = kept;
                self.soc_wh[i] = soc;
            }
            let up = level[self.quantity[i]] > 0;
            let (dmax, cmax) = if up {
                (self.discharge_w[i], self.charge_w[i])
            } else {
                (0, 0)
            };
            let dischargeable = soc as f64 * self.discharge_eff[i];
            self.ttd[i] = if dmax == 0 {
                self.no_power_ttd
            } else {
                round_even(dischargeable / (dmax * self.steps_per_hour) as f64)
            };
            self.discharge_cap_w[i] = dmax.min(floor_i64(dischargeable));
            let room = (self.energy_wh[i] - soc) as f64 / self.charge_eff[i];
            self.charge_cap_w[i] = cmax.min(floor_i64(room));
            any_d |= self.discharge_cap_w[i] > 0;
            any_c |= self.charge_cap_w[i] > 0;
        }
        self.start_wh[self.regions] = self.start_wh[..self.regions].iter().sum();
        self.discharged_w.fill(0);
        self.charged_w.fill(0);
        if (any_d || any_c) && self.len() == 1 {
            // One device: one run, built once.
            if self.runs.is_empty() {
                self.runs.push(Run {
                    start: 0,
                    end: 1,
                    group: 0,
                    region: self.region[0],
                });
            }
        } else if any_d || any_c {
            let ttd = &self.ttd;
            let region = &self.region;
            self.order
                .sort_unstable_by_key(|&i| (std::cmp::Reverse(ttd[i]), region[i], i));
            self.runs.clear();
            let mut group = 0;
            for (k, &i) in self.order.iter().enumerate() {
                match self.runs.last_mut() {
                    Some(r) if self.ttd[self.order[r.start]] == ttd[i] && r.region == region[i] => {
                        r.end = k + 1;
                    }
                    last => {
                        if last.is_some_and(|r| self.ttd[self.order[r.start]] != ttd[i]) {
                            group += 1;
                        }
                        self.runs.push(Run {
                            start: k,
                            end: k + 1,
                            group,
                            region: region[i],
                        });
                    }
                }
            }
        }
        (any_d, any_c)
    }

    /// Whether some device is a generator-storage: then every hour is walked and
    /// [`Storages::begin_inflow_hour`] follows [`Storages::begin_hour`].
    #[inline]
    pub fn has_inflow(&self) -> bool {
        !self.gens.is_empty()
    }

    /// After [`Storages::begin_hour`] of hour `h` with levels `level`: the generator-storages'
    /// inflows and schedules (module docs, "Generator-storage"): per region the power they
    /// offer the grid ([`Storages::offered_w`], generation of the region), their own charge
    /// from inflow beyond the grid limit, and what is left of their discharge and charge
    /// power for the dispatch. `net_demand_w(r, t)` is region `r`'s net demand in hour `t`
    /// for a peak-shaving schedule. Returns (some device can discharge, some device can
    /// charge), as `begin_hour`.
    pub fn begin_inflow_hour(
        &mut self,
        h: usize,
        level: &[i64],
        net_demand_w: impl Fn(usize, usize) -> i64,
    ) -> (bool, bool) {
        self.offered_w.fill(0);
        for g in &mut self.gens {
            let i = g.device;
            let up = level[self.quantity[i]] > 0;
            let inflow = if up { g.inflow_w[h] } else { 0 };
            let (offered, scheduled) = match g.shaving.as_mut() {
                None => (inflow.min(g.injection_w), 0),
                Some(sh) => {
                    if h >= sh.end {
                        let (r, soc) = (self.region[i], self.soc_wh[i]);
                        let stored = floor_i64(soc as f64 * self.discharge_eff[i]);
                        sh.plan(h, stored, &g.inflow_w, g.injection_w, |t| {
                            net_demand_w(r, t)
                        });
                    }
                    let target = sh.target_w[h - sh.start];
                    let offered = inflow.min(target).min(g.injection_w);
                    let scheduled = (target - offered)
                        .min(self.discharge_cap_w[i])
                        .min(g.injection_w - offered);
                    (offered, scheduled)
                }
            };
            let own = self.charge_cap_w[i].min(inflow - offered);
            self.ledger[i].inflow_wh += inflow;
            self.ledger[i].spilled_wh += inflow - offered - own;
            self.discharge_cap_w[i] =
                (self.discharge_cap_w[i] - scheduled).min(g.injection_w - offered - scheduled);
            self.charge_cap_w[i] = (self.charge_cap_w[i] - own).min(offered + g.withdrawal_w);
            self.offered_w[self.region[i]] += offered + scheduled;
            (g.offered_inflow_w, g.scheduled_w, g.own_charge_w) = (offered, scheduled, own);
        }
        (
            self.discharge_cap_w.iter().any(|&w| w > 0),
            self.charge_cap_w.iter().any(|&w| w > 0),
        )
    }

    /// The discharge power of run `k` in this hour, W.
    pub fn run_discharge_w(&self, k: usize) -> i64 {
        let r = self.runs[k];
        self.order[r.start..r.end]
            .iter()
            .map(|&i| self.discharge_cap_w[i])
            .sum()
    }

    /// The charge power of run `k` in this hour, W.
    pub fn run_charge_w(&self, k: usize) -> i64 {
        let r = self.runs[k];
        self.order[r.start..r.end]
            .iter()
            .map(|&i| self.charge_cap_w[i])
            .sum()
    }

    /// Run `k` discharges `total_w` (at most its discharge power), split among its devices.
    pub fn discharge_run(&mut self, k: usize, total_w: i64) {
        let r = self.runs[k];
        if r.end - r.start == 1 {
            self.discharged_w[self.order[r.start]] = total_w;
            return;
        }
        split(
            total_w,
            &self.order[r.start..r.end],
            &self.discharge_cap_w,
            &mut self.discharged_w,
        );
    }

    /// Run `k` charges `total_w` (at most its charge power), split among its devices so that
    /// what each does *not* charge is pro rata (a charge is a demand whose use is what is not
    /// served, as in the ladder).
    pub fn charge_run(&mut self, k: usize, total_w: i64) {
        let r = self.runs[k];
        if r.end - r.start == 1 {
            self.charged_w[self.order[r.start]] = total_w;
            return;
        }
        let members = &self.order[r.start..r.end];
        let power: i64 = members.iter().map(|&i| self.charge_cap_w[i]).sum();
        split(
            power - total_w,
            members,
            &self.charge_cap_w,
            &mut self.charged_w,
        );
        for &i in members {
            self.charged_w[i] = self.charge_cap_w[i] - self.charged_w[i];
        }
    }

    /// Region `r` lacks `deficit_w` of firm demand (an isolated region, or a region's own
    /// storage paying back its demand response after a network dispatch): discharge its
    /// devices, largest time to empty first, replacing the hour's discharge of its runs;
    /// returns the discharge, W.
    pub fn serve_region(&mut self, r: usize, deficit_w: i64) -> i64 {
        let mut left = deficit_w;
        for k in 0..self.runs.len() {
            if left == 0 {
                break;
            }
            if self.runs[k].region == r {
                let take = self.run_discharge_w(k).min(left);
                self.discharge_run(k, take);
                left -= take;
            }
        }
        deficit_w - left
    }

    /// Region `r`'s discharge in this hour so far and its devices' discharge power, W.
    pub fn region_discharge_w(&self, r: usize) -> (i64, i64) {
        (0..self.len())
            .filter(|&i| self.region[i] == r)
            .fold((0, 0), |(d, c), i| {
                (d + self.discharged_w[i], c + self.discharge_cap_w[i])
            })
    }

    /// Isolated region `r` has `surplus_w` left after all its demand: charge its devices,
    /// smallest time to empty first; returns the charge, W.
    pub fn charge_region(&mut self, r: usize, surplus_w: i64) -> i64 {
        let mut left = surplus_w;
        for k in (0..self.runs.len()).rev() {
            if left == 0 {
                break;
            }
            if self.runs[k].region == r {
                let take = self.run_charge_w(k).min(left);
                self.charge_run(k, take);
                left -= take;
            }
        }
        surplus_w - left
    }

    /// End the hour: apply its discharges and charges to the states of charge and the
    /// ledgers.
    pub fn end_hour(&mut self) {
        // A generator-storage's charge from the grid pool takes its offered inflow first
        // (PRAS's direct inflow-to-charge edge); its scheduled discharge and own charge join
        // the dispatch's, one rounding per direction as PRAS's state update.
        for g in &self.gens {
            let i = g.device;
            let from_offered = self.charged_w[i].min(g.offered_inflow_w);
            let l = &mut self.ledger[i];
            l.inflow_charged_wh += g.own_charge_w + from_offered;
            l.inflow_injected_wh += g.offered_inflow_w - from_offered;
            self.discharged_w[i] += g.scheduled_w;
            self.charged_w[i] += g.own_charge_w;
        }
        for i in 0..self.len() {
            let (d, c) = (self.discharged_w[i], self.charged_w[i]);
            if d > 0 {
                let drop = ceil_i64(d as f64 / self.discharge_eff[i]);
                let removed = drop.min(self.soc_wh[i]);
                self.soc_wh[i] -= removed;
                self.ledger[i].discharged_wh += d;
                self.ledger[i].removed_wh += removed;
            }
            if c > 0 {
                let add = ceil_i64(c as f64 * self.charge_eff[i]);
                self.soc_wh[i] += add;
                self.ledger[i].charged_wh += c;
                self.ledger[i].stored_wh += add;
            }
        }
        self.update_modes();
    }

    /// Per area (regions, then the system) this sample's energy charged from the grid and
    /// discharged, Wh, into `charged_wh` and `discharged_wh` (a generator-storage's
    /// discharge includes its scheduled injection from the store; its charge from its own
    /// inflow is not from the grid).
    pub fn sample_totals(&self, charged_wh: &mut [i64], discharged_wh: &mut [i64]) {
        charged_wh.fill(0);
        discharged_wh.fill(0);
        for (i, l) in self.ledger.iter().enumerate() {
            let r = self.region[i];
            let from_grid = l.charged_wh - l.inflow_charged_wh;
            charged_wh[r] += from_grid;
            discharged_wh[r] += l.discharged_wh;
            charged_wh[self.regions] += from_grid;
            discharged_wh[self.regions] += l.discharged_wh;
        }
    }

    /// Per area (regions, then the system) this sample's inflow spilled by its
    /// generator-storages, Wh, into `spilled_wh`.
    pub fn sample_spilled(&self, spilled_wh: &mut [i64]) {
        spilled_wh.fill(0);
        for g in &self.gens {
            let w = self.ledger[g.device].spilled_wh;
            spilled_wh[self.region[g.device]] += w;
            spilled_wh[self.regions] += w;
        }
    }
}

impl Shaving {
    fn new(model: &SystemModel, period: ShavingPeriod, min_injection_w: i64) -> Shaving {
        let (cal, hours) = (model.calendar(), model.hours());
        let key = |h: usize| match period {
            ShavingPeriod::Day => cal.day(h),
            ShavingPeriod::Week => cal.study_week(h),
        };
        let mut period_end = vec![hours; hours];
        for h in (0..hours.saturating_sub(1)).rev() {
            if key(h + 1) == key(h) {
                period_end[h] = period_end[h + 1];
            } else {
                period_end[h] = h + 1;
            }
        }
        let longest = (0..hours).map(|h| period_end[h] - h).max().unwrap_or(0);
        Shaving {
            min_injection_w,
            period_end,
            start: 0,
            end: 0,
            target_w: vec![0; longest],
            load_w: vec![0; longest],
        }
    }

    /// Plan the period starting at hour `h`: the energy `E` = `stored_wh` (what the store
    /// can deliver now) + the period's inflow (`inflow_w`, whether or not the device will
    /// be in service), water-filled against `net_demand_w(t)` between the least injection
    /// and `max_w`.
    fn plan(
        &mut self,
        h: usize,
        stored_wh: i64,
        inflow_w: &[i64],
        max_w: i64,
        net_demand_w: impl Fn(usize) -> i64,
    ) {
        let end = self.period_end[h];
        let n = end - h;
        for (t, l) in (h..end).zip(&mut self.load_w) {
            *l = net_demand_w(t);
        }
        let energy_wh: i64 = stored_wh + inflow_w[h..end].iter().sum::<i64>();
        water_fill(
            &self.load_w[..n],
            energy_wh,
            self.min_injection_w,
            max_w,
            &mut self.target_w[..n],
        );
        (self.start, self.end) = (h, end);
    }
}

/// The peak-shaving water-fill: injections `out[t] = clip(load_w[t] - theta, min_w, max_w)`
/// whose sum is `energy_wh` clamped to `[n min_w, n max_w]`, exactly, in integer watts.
/// `theta` is the smallest integer level with `sum_t clip(load_w[t] - theta) <= E`; the
/// watts still missing (fewer than the hours with `min_w <= load_w[t] - theta < max_w`) go
/// one each to the earliest of those hours. This is what pouring `E` one watt at a time
/// onto the hour with the highest remaining load (earliest first among equals, each hour
/// between `min_w` and `max_w`) gives. Needs `min_w <= max_w`; no allocation.
pub fn water_fill(load_w: &[i64], energy_wh: i64, min_w: i64, max_w: i64, out: &mut [i64]) {
    let n = load_w.len() as i128;
    if n == 0 {
        return;
    }
    let e = i128::from(energy_wh).clamp(n * i128::from(min_w), n * i128::from(max_w));
    let clip = |l: i64, theta: i64| (l - theta).clamp(min_w, max_w);
    let filled = |theta: i64| -> i128 { load_w.iter().map(|&l| i128::from(clip(l, theta))).sum() };
    let lowest = load_w.iter().copied().min().unwrap_or(0);
    let highest = load_w.iter().copied().max().unwrap_or(0);
    // filled(lo) = n max_w >= e and filled(hi) = n min_w <= e.
    let (mut lo, mut hi) = (lowest - max_w, highest - min_w);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if filled(mid) <= e {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let mut missing = e - filled(lo);
    for (o, &l) in out.iter_mut().zip(load_w) {
        *o = clip(l, lo);
        if missing > 0 && (min_w..max_w).contains(&(l - lo)) {
            *o += 1;
            missing -= 1;
        }
    }
}

/// 2^52: from it on every `f64` is an integer, and below it `(a + 2^52) - 2^52` is `a`
/// rounded to an integer by the hardware's rounding (to nearest, ties to even).
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// The most entries of a decay table: a table costs this many carry-over steps per device
/// and worker, and outages longer than it (from full) go on hour by hour.
const DECAY_TABLE_H: usize = 2048;

/// The states of charge of a device of `energy` Wh (watt-steps) out of service from full,
/// hour after hour: `[energy, kept(energy), kept(kept(energy)), ...]` with the carry-over
/// step of the module docs (`kept(s) = min(round(s x carry), energy)`), strictly
/// decreasing, to the first fixed point (included) or [`DECAY_TABLE_H`] entries; empty
/// without loss (`carry` 1).
fn decay_table(energy: i64, carry: f64) -> Vec<i64> {
    if carry == 1.0 {
        return Vec::new();
    }
    let mut table = vec![energy];
    let mut soc = energy;
    while table.len() < DECAY_TABLE_H {
        let kept = round_even(soc as f64 * carry).min(energy);
        if kept == soc {
            break;
        }
        soc = kept;
        table.push(soc);
    }
    table
}

/// A device out of service for `out_h` hours from state of charge `soc`: if `soc` is on
/// its decay table ([`decay_table`]), the state `out_h` hours further on the table (its
/// last entry if the table ends first) and the hours beyond the table's end still to step;
/// otherwise `(soc, out_h)`. Exact: an hour out of service is a function of the state of
/// charge alone, so from an entry the table is the walk; a table that ends before
/// [`DECAY_TABLE_H`] entries ends at a fixed point, from which more hours change nothing.
#[inline]
fn decay_from(table: &[i64], soc: i64, out_h: usize) -> (i64, usize) {
    // Decreasing: the entries above `soc` come first.
    let k = table.partition_point(|&s| s > soc);
    match table.get(k) {
        Some(&s) if s == soc => {
            let last = table.len() - 1;
            if k + out_h <= last {
                (table[k + out_h], 0)
            } else {
                (table[last], k + out_h - last)
            }
        }
        _ => (soc, out_h),
    }
}

/// `x` rounded to the nearest integer, ties to even (Julia's `round(Int, x)`, which PRAS
/// uses for carry-over and times to empty), as `x.round_ties_even() as i64`. The hourly walk
/// rounds several times per device and hour: without SSE4.1 `round_ties_even` (like `floor`
/// and `ceil`) is a library call, this is three inline additions.
#[inline]
fn round_even(x: f64) -> i64 {
    let a = x.abs();
    if a < TWO_52 {
        ((a + TWO_52) - TWO_52).copysign(x) as i64
    } else {
        x as i64
    }
}

/// `x.floor() as i64`, inline (see [`round_even`]): the conversion truncates toward zero
/// and saturates as `floor` then `as` do, one less when that was above `x`.
#[inline]
fn floor_i64(x: f64) -> i64 {
    let t = x as i64;
    t.saturating_sub(i64::from((t as f64) > x))
}

/// `x.ceil() as i64`, inline (see [`floor_i64`]).
#[inline]
fn ceil_i64(x: f64) -> i64 {
    let t = x as i64;
    t.saturating_add(i64::from((t as f64) < x))
}

/// Split `total` among the devices `members` in proportion to `weight`, into `out`: each
/// gets `floor(total x weight / sum)`, and the watts left over go one each to the largest
/// remainders, ties to the device listed first (the ladder's rule within a rank). `total`
/// is at most the sum of the weights.
pub(crate) fn split(total: i64, members: &[usize], weight: &[i64], out: &mut [i64]) {
    let sum: i64 = members.iter().map(|&i| weight[i]).sum();
    if sum == 0 {
        for &i in members {
            out[i] = 0;
        }
        return;
    }
    let (t, n) = (i128::from(total), i128::from(sum));
    let floor = |i: usize| (t * i128::from(weight[i]) / n) as i64;
    let rem = |i: usize| (t * i128::from(weight[i])) % n;
    let mut given = 0;
    for &i in members {
        out[i] = floor(i);
        given += out[i];
    }
    for _ in 0..total - given {
        // Each leftover watt to the largest remainder not yet given one (ties: first).
        let mut best: Option<usize> = None;
        for &i in members {
            if out[i] == floor(i) && best.is_none_or(|b| rem(i) > rem(b)) {
                best = Some(i);
            }
        }
        if let Some(b) = best {
            out[b] += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::{Inflow, Storage};
    use gridrisk_core::{Calendar, Region};
    use proptest::prelude::*;

    const MW: i64 = 1_000_000;

    /// The water-fill by pouring: from `min_w` in every hour, one watt at a time to the
    /// hour with the highest remaining load (the earliest among equals) below `max_w`.
    fn pour(load_w: &[i64], energy_wh: i64, min_w: i64, max_w: i64) -> Vec<i64> {
        let n = load_w.len() as i64;
        let mut out = vec![min_w; load_w.len()];
        let mut left = energy_wh.clamp(n * min_w, n * max_w) - n * min_w;
        while left > 0 {
            let t = (0..out.len())
                .filter(|&t| out[t] < max_w)
                .max_by_key(|&t| (load_w[t] - out[t], std::cmp::Reverse(t)))
                .expect("room below max_w");
            out[t] += 1;
            left -= 1;
        }
        out
    }

    /// Values at which rounding can go wrong: halves, integers and their neighbours, the
    /// ends of the exactly rounded range, and beyond.
    fn edges() -> Vec<f64> {
        let mut x = vec![
            0.0,
            -0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            f64::NAN,
            f64::INFINITY,
        ];
        for v in [
            1.0,
            2.0,
            1e6,
            1.2e9,
            TWO_52 / 2.0,
            TWO_52,
            2.0 * TWO_52,
            1e19,
            1e300,
        ] {
            for w in [v, v.next_up(), v.next_down(), v + 0.5, v - 0.5] {
                x.extend([w, -w]);
            }
        }
        x
    }

    #[test]
    fn inline_rounding_equals_the_library_at_the_edges() {
        for x in edges() {
            assert_eq!(round_even(x), x.round_ties_even() as i64, "{x}");
            assert_eq!(floor_i64(x), x.floor() as i64, "{x}");
            assert_eq!(ceil_i64(x), x.ceil() as i64, "{x}");
        }
    }

    proptest! {
        /// The inline rounding equals the library's on state-of-charge-like products.
        #[test]
        fn inline_rounding_equals_the_library(
            wh in 0i64..2_000_000_000_000,
            factor in 0.0f64..1.5,
            bits in any::<u64>(),
        ) {
            for x in [wh as f64 * factor, wh as f64 / factor.max(1e-3), -(wh as f64) * factor,
                f64::from_bits(bits)] {
                prop_assert_eq!(round_even(x), x.round_ties_even() as i64, "{}", x);
                prop_assert_eq!(floor_i64(x), x.floor() as i64, "{}", x);
                prop_assert_eq!(ceil_i64(x), x.ceil() as i64, "{}", x);
            }
        }

        /// The schedule equals the brute-force water-fill on random days (and weeks).
        #[test]
        fn water_fill_equals_pouring(
            load_w in prop::collection::vec(-50i64..400, 1..48),
            energy_wh in -100i64..6000,
            min_w in 0i64..20,
            extra_w in 0i64..120,
        ) {
            let max_w = min_w + extra_w;
            let mut out = vec![0; load_w.len()];
            water_fill(&load_w, energy_wh, min_w, max_w, &mut out);
            prop_assert_eq!(&out, &pour(&load_w, energy_wh, min_w, max_w));
        }

        /// An outage's carry-over loss through the decay table (and hour by hour past its
        /// end, as `Storages::prepare_block`) equals the loss hour by hour: from full, from
        /// a state on the table, from one off it, with short tables (a fixed point soon) and
        /// tables cut at `DECAY_TABLE_H` (a slow loss on a large store).
        #[test]
        fn decay_table_equals_the_hourly_loss(
            energy_wh in prop_oneof![1i64..5_000, 1_000_000i64..2_000_000_000_000],
            carry in prop_oneof![0.5f64..1.0, 0.999f64..1.0, Just(0.999), Just(0.9999)],
            on_table_h in 0usize..3 * DECAY_TABLE_H,
            off_wh in 0i64..3,
            out_h in 0usize..3 * DECAY_TABLE_H,
        ) {
            let kept = |s: i64| round_even(s as f64 * carry).min(energy_wh);
            let table = decay_table(energy_wh, carry);
            let mut start = energy_wh;
            for _ in 0..on_table_h {
                start = kept(start);
            }
            let start = (start - off_wh).max(0);
            let mut hourly = start;
            for _ in 0..out_h {
                hourly = kept(hourly);
            }
            let (mut soc, left_h) = decay_from(&table, start, out_h);
            for _ in 0..left_h {
                soc = kept(soc);
            }
            prop_assert_eq!(soc, hourly);
            prop_assert!(table.len() <= DECAY_TABLE_H);
        }
    }

    /// One region of 24 hours with `devices`, all in service; levels with every quantity
    /// up.
    fn one_region(devices: Vec<Storage>) -> (Storages, Vec<i64>) {
        let model = SystemModel::new(
            "hand-built",
            Calendar::from_hours(24, 0, 0),
            vec![Region::new("A", vec![100 * MW; 24])],
            Vec::new(),
        )
        .unwrap()
        .with_storages(devices)
        .unwrap();
        let level = vec![1; Quantities::of(&model).count()];
        (Storages::of(&model).unwrap(), level)
    }

    fn device(name: &str, discharge_mw: i64, energy_mwh: i64, soc_mwh: i64) -> Storage {
        Storage {
            name: name.into(),
            region: 0,
            charge_w: 10 * MW,
            discharge_w: discharge_mw * MW,
            energy_wh: energy_mwh * MW,
            charge_efficiency: 1.0,
            discharge_efficiency: 1.0,
            carryover_efficiency: 1.0,
            initial_wh: soc_mwh * MW,
            outage: None,
            inflow: None,
        }
    }

    fn hydro(inflow_mw: i64, injection_mw: i64, dispatch: GenStorDispatch) -> Inflow {
        Inflow {
            inflow_w: vec![inflow_mw * MW; 24],
            grid_injection_w: injection_mw * MW,
            grid_withdrawal_w: 0,
            dispatch,
        }
    }

    /// Where a generator-storage stands in the default order, on hand-built hours of one
    /// region: its inflow (up to the grid injection limit) is generation; its store
    /// discharges with the storage devices, largest time to empty first, within what the
    /// injection limit leaves; it charges from its own inflow first, from surplus with the
    /// storage devices (smallest time to empty first) only within its inflow offered to the
    /// grid and its withdrawal limit; the rest of the inflow is spilled.
    #[test]
    fn generator_storage_ranks_in_the_default_order() {
        // S: 10 MW, full 40 MWh (time to empty 4 h); G: 20 MW, 20 of 30 MWh (1 h), inflow 5
        // MW, injection 22 MW.
        let g = Storage {
            inflow: Some(hydro(5, 22, GenStorDispatch::Pras)),
            ..device("G", 20, 30, 20)
        };
        let (mut st, level) = one_region(vec![device("S", 10, 40, 40), g]);
        st.start_sample();
        // A short hour: 30 MW lacking before the inflow. The inflow serves 5 MW as
        // generation, then S (4 h) 10 MW, then G's store 15 of the 17 MW the limit leaves.
        st.begin_hour(&level);
        st.begin_inflow_hour(0, &level, |_, _| 0);
        assert_eq!(st.offered_w[0], 5 * MW);
        assert_eq!(st.discharge_cap_w, [10 * MW, 17 * MW]);
        assert_eq!(st.serve_region(0, 25 * MW), 25 * MW);
        assert_eq!(st.discharged_w, [10 * MW, 15 * MW]);
        st.end_hour();
        assert_eq!(st.soc_wh, [30 * MW, 5 * MW]);
        // A surplus hour of 12 MW (with the inflow offered): G (0 h) before S (3 h); G
        // takes its 5 MW of offered inflow back (no grid withdrawal), S the rest, 7 MW.
        st.begin_hour(&level);
        st.begin_inflow_hour(1, &level, |_, _| 0);
        assert_eq!(st.charge_cap_w, [10 * MW, 5 * MW]);
        assert_eq!(st.charge_region(0, 12 * MW), 12 * MW);
        assert_eq!(st.charged_w, [7 * MW, 5 * MW]);
        st.end_hour();
        assert_eq!(st.soc_wh, [37 * MW, 10 * MW]);
        let l = st.ledger[1];
        assert_eq!(
            (
                l.inflow_wh,
                l.inflow_charged_wh,
                l.inflow_injected_wh,
                l.spilled_wh
            ),
            (10 * MW, 5 * MW, 5 * MW, 0)
        );
        // Inflow beyond the injection limit charges the store even in a short hour; what
        // the store cannot take (charge power 10 MW) is spilled.
        let big = Storage {
            inflow: Some(hydro(40, 22, GenStorDispatch::Pras)),
            ..device("G", 20, 30, 0)
        };
        let (mut st, level) = one_region(vec![big]);
        st.start_sample();
        st.begin_hour(&level);
        st.begin_inflow_hour(0, &level, |_, _| 0);
        assert_eq!(st.offered_w[0], 22 * MW);
        assert_eq!((st.discharge_cap_w[0], st.charge_cap_w[0]), (0, 0));
        st.end_hour();
        let l = st.ledger[0];
        assert_eq!(st.soc_wh[0], 10 * MW);
        assert_eq!(
            (l.inflow_charged_wh, l.inflow_injected_wh, l.spilled_wh),
            (10 * MW, 22 * MW, 8 * MW)
        );
    }

    /// A peak-shaving plant offers exactly the day's water-fill of its store and inflow
    /// (here the peak comes last, so the store holds enough for it: the schedule does not
    /// look at when the inflow comes, the hour's state of charge limits it), empties it by
    /// the day's end, and keeps what it holds beyond the hour's target for firm demand
    /// still short.
    #[test]
    fn peak_shaving_offers_the_water_fill() {
        let shaving = GenStorDispatch::PeakShaving {
            period: ShavingPeriod::Day,
            min_injection_w: MW,
        };
        let g = Storage {
            inflow: Some(hydro(4, 30, shaving)),
            ..device("G", 30, 200, 80)
        };
        let (mut st, level) = one_region(vec![g]);
        // An evening peak from hour 19 on.
        let load = |t: usize| (50 + 40 * i64::from(t >= 19) + t as i64) * MW;
        let mut want = vec![0; 24];
        let loads: Vec<i64> = (0..24).map(load).collect();
        water_fill(&loads, 80 * MW + 24 * 4 * MW, MW, 30 * MW, &mut want);
        assert_eq!(want.iter().sum::<i64>(), 176 * MW);
        st.start_sample();
        for (h, &w) in want.iter().enumerate() {
            st.begin_hour(&level);
            st.begin_inflow_hour(h, &level, |_, t| load(t));
            assert_eq!(st.offered_w[0], w, "hour {h}");
            // Beyond the schedule (of which the inflow gives 4 MW), the store can give what
            // it holds within the injection limit, if firm demand is still short.
            let from_store = (w - 4 * MW).max(0);
            let left = (30 * MW - w).min(st.soc_wh[0] - from_store);
            assert_eq!(st.discharge_cap_w[0], left, "hour {h}");
            st.end_hour();
        }
        let l = st.ledger[0];
        assert_eq!(l.inflow_wh, 96 * MW);
        assert_eq!(
            l.inflow_injected_wh + l.inflow_charged_wh + l.spilled_wh,
            96 * MW
        );
        assert_eq!(l.spilled_wh, 0);
        assert_eq!(l.inflow_injected_wh + l.discharged_wh, 176 * MW);
        assert_eq!(st.soc_wh[0], 0);
    }
}
