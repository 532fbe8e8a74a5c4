//! Storage devices in the hourly walk: state of charge, the hour's limits and priorities,
//! and the default (PRAS) dispatch of one isolated region by arithmetic.
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

use crate::outage::{History, Quantities};
use gridrisk_core::model::PEAK_BLOCK_H;
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
}

/// A run of devices with the same time to empty in one region, in the hour's priority
/// order: a resource of the dispatch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Range of [`Storages::order`].
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Priority group: 0 for the largest time to empty of the hour, 1 for the next, ...
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
    /// Time to empty of a device without discharge power: hours + 1.
    no_power_ttd: i64,
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
    /// Per device and hour of a block to pass: in service ([`Storages::pass_block`]).
    pub block_up: Vec<bool>,
    /// Per region: the charge its devices can take in a block to pass, W.
    pub block_need_w: Vec<i64>,
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
        let map = |f: fn(&gridrisk_core::model::Storage) -> i64| s.iter().map(f).collect();
        let mapf = |f: fn(&gridrisk_core::model::Storage) -> f64| s.iter().map(f).collect();
        // A full device loses `loss` in an hour and takes `refill` to make it up: exactly,
        // since ceil(floor(loss / eff) x eff) = loss for any efficiency in (0, 1].
        let (mut refill_w, mut loss_wh) = (vec![0; n], vec![0; n]);
        let mut need_w = vec![0; model.regions().len()];
        let (mut lossy, mut refills_exactly) = (Vec::new(), vec![true; n]);
        for (i, d) in s.iter().enumerate() {
            let loss = d.energy_wh - round_even(d.energy_wh as f64 * d.carryover_efficiency);
            if loss > 0 {
                let refill = (loss as f64 / d.charge_efficiency).floor() as i64;
                let stored = (refill as f64 * d.charge_efficiency).ceil() as i64;
                refills_exactly[i] = refill <= d.charge_w && stored == loss;
                refill_w[i] = refill;
                loss_wh[i] = loss;
                need_w[d.region] += refill;
                lossy.push(q.storage(i));
            }
        }
        Some(Storages {
            refill_w,
            loss_wh,
            need_w,
            lossy,
            refills: refills_exactly.iter().all(|&r| r),
            refills_exactly,
            steady: false,
            block_up: vec![false; n * PEAK_BLOCK_H],
            block_need_w: vec![0; model.regions().len()],
            region: s.iter().map(|d| d.region).collect(),
            quantity: (0..n).map(|i| q.storage(i)).collect(),
            charge_w: map(|d| d.charge_w),
            discharge_w: map(|d| d.discharge_w),
            energy_wh: map(|d| d.energy_wh),
            initial_wh: map(|d| d.initial_wh),
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
    /// changes in `history`, and per region the charge its devices can take
    /// ([`Storages::block_need_w`]): a device in service at some hour can take its charge
    /// power, or only its refill if it is full, in service throughout and refills exactly.
    pub fn prepare_block(&mut self, b: usize, hours: usize, level: &[i64], history: &History) {
        self.block_need_w.fill(0);
        for i in 0..self.len() {
            let q = self.quantity[i];
            let ups = &mut self.block_up[i * PEAK_BLOCK_H..i * PEAK_BLOCK_H + hours];
            let mut steps = [0i64; PEAK_BLOCK_H];
            if history.changes_in(q, b) {
                history.scatter(q, b, &mut steps);
            }
            let mut l = level[q];
            for (up, step) in ups.iter_mut().zip(steps) {
                l += step;
                *up = l > 0;
            }
            let (any, all) = (ups.iter().any(|&u| u), ups.iter().all(|&u| u));
            if any {
                let full = self.soc_wh[i] == self.energy_wh[i];
                self.block_need_w[self.region[i]] += if full && all && self.refills_exactly[i] {
                    self.refill_w[i]
                } else {
                    self.charge_w[i]
                };
            }
        }
    }

    /// Pass a block of `hours` hours prepared by [`Storages::prepare_block`] in which no
    /// region can be short even while its devices take [`Storages::block_need_w`]: every
    /// device in service charges at its hour's limit, so each device runs on its own (the
    /// hour's rules of the module docs, without the region).
    pub fn pass_block(&mut self, hours: usize) {
        for i in 0..self.len() {
            let ups = &self.block_up[i * PEAK_BLOCK_H..i * PEAK_BLOCK_H + hours];
            let l = &mut self.ledger[i];
            let mut soc = self.soc_wh[i];
            for &up in ups {
                if self.carry[i] != 1.0 {
                    let kept = round_even(soc as f64 * self.carry[i]).min(self.energy_wh[i]);
                    l.decayed_wh += soc - kept;
                    soc = kept;
                }
                if up {
                    let room = (self.energy_wh[i] - soc) as f64 / self.charge_eff[i];
                    let c = self.charge_w[i].min(room.floor() as i64);
                    if c > 0 {
                        let add = (c as f64 * self.charge_eff[i]).ceil() as i64;
                        soc += add;
                        l.charged_wh += c;
                        l.stored_wh += add;
                    }
                }
            }
            self.soc_wh[i] = soc;
        }
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
        (0..self.len()).all(|i| {
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
                round_even(dischargeable / dmax as f64)
            };
            self.discharge_cap_w[i] = dmax.min(dischargeable.floor() as i64);
            let room = (self.energy_wh[i] - soc) as f64 / self.charge_eff[i];
            self.charge_cap_w[i] = cmax.min(room.floor() as i64);
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

    /// Isolated region `r` lacks `deficit_w` of firm demand: discharge its devices, largest
    /// time to empty first; returns the discharge, W.
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
        for i in 0..self.len() {
            let (d, c) = (self.discharged_w[i], self.charged_w[i]);
            if d > 0 {
                let drop = (d as f64 / self.discharge_eff[i]).ceil() as i64;
                let removed = drop.min(self.soc_wh[i]);
                self.soc_wh[i] -= removed;
                self.ledger[i].discharged_wh += d;
                self.ledger[i].removed_wh += removed;
            }
            if c > 0 {
                let add = (c as f64 * self.charge_eff[i]).ceil() as i64;
                self.soc_wh[i] += add;
                self.ledger[i].charged_wh += c;
                self.ledger[i].stored_wh += add;
            }
        }
        self.update_modes();
    }

    /// Per area (regions, then the system) this sample's energy charged and discharged, Wh,
    /// into `charged_wh` and `discharged_wh`.
    pub fn sample_totals(&self, charged_wh: &mut [i64], discharged_wh: &mut [i64]) {
        charged_wh.fill(0);
        discharged_wh.fill(0);
        for (i, l) in self.ledger.iter().enumerate() {
            let r = self.region[i];
            charged_wh[r] += l.charged_wh;
            discharged_wh[r] += l.discharged_wh;
            charged_wh[self.regions] += l.charged_wh;
            discharged_wh[self.regions] += l.discharged_wh;
        }
    }
}

/// `x` rounded to the nearest integer, ties to even (Julia's `round(Int, x)`, which PRAS
/// uses for carry-over and times to empty).
#[inline]
fn round_even(x: f64) -> i64 {
    x.round_ties_even() as i64
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
