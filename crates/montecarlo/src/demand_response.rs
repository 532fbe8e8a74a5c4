//! Demand response devices in the hourly walk: borrowed energy, payback counters, the
//! hour's limits and priorities, the default (PRAS) dispatch of one isolated region, and
//! the devices' part in a network dispatch (runs as ladder resources, storage paying back
//! its own region).
//!
//! A device *borrows* by shedding load in a shortfall and *pays back* by adding load later.
//! Its state is the energy it owes (PRAS's `drs_energy`) and a payback counter (PRAS's
//! `drs_paybackcounter`). Every rule below is PRAS's as coded (NatLabRockies/PRAS, commit
//! c7933039, `PRASCore.jl/src/`).
//!
//! # The hour of a device
//!
//! 1. **Interest** (`Simulations/utils.jl` lines 123-147, called from `Simulations.jl` line
//!    223): `owed = round(owed x (1 + interest_per_step))`, half to even; what exceeds the
//!    energy capacity is unserved in this hour (`drs_unservedenergy`, *set*, not added:
//!    line 144) and the debt is capped at the capacity.
//! 2. **Counter** (`utils.jl` lines 149-174, `Simulations.jl` line 225): with nothing owed
//!    the counter is -1 (not counting); when something is owed and the counter is -1 it
//!    starts at `payback_window_steps - 1`; otherwise it counts down by one. Later borrowing
//!    while energy is owed does not restart it.
//! 3. **Limits** (`Simulations/DispatchProblem.jl` lines 443-480): a device out of service
//!    has no power; otherwise it can pay back `min(payback_w, floor(owed x payback_eff))`
//!    and borrow `min(borrow_w, floor((energy - owed) x borrow_eff))` (PRAS multiplies by
//!    the borrow efficiency here, line 469).
//! 4. **Priorities** (lines 146-150, 462-479): borrowing costs `max_borrowcost - counter`,
//!    so the device with the *largest counter* (the longest time left to pay back) borrows
//!    first and a device that owes nothing (counter -1) last; paying back costs
//!    `min_paybackcost + counter`, so the *smallest counter* pays back first. Devices with
//!    the same counter share pro rata (largest remainders, as storage runs do).
//! 5. **Dispatch** (costs of lines 138-153): borrowing is costlier than any storage
//!    discharge and cheaper than unserved energy, so it serves the firm shortfall that
//!    generation and storage leave; paying back is a reward larger than any storage
//!    charge and any discharge cost, so surplus generation pays back before storage
//!    charges, and storage discharges (largest time to empty first) to pay back what
//!    surplus does not, also in an hour with a shortfall once the shortfall is served. No
//!    device borrows to pay back (a positive cost, `max_borrowcost + min_paybackcost >
//!    0`). Payback draws only on what is left after all demand (firm and interruptible):
//!    it never curtails interruptible demand.
//! 6. **State** (lines 528-547): borrowing `b` W adds `ceil(b x borrow_eff)` Wh to the
//!    debt; paying back `p` W removes `ceil(p / payback_eff)` Wh (not below 0). Then, if
//!    the counter is 0 or the hour is the window's last, what is still owed is unserved in
//!    this hour and the debt is cleared (lines 540-546): a debt borrowed in hour `t` can be
//!    paid back in hours `t + 1 ... t + payback_window_steps`, and is forfeited at the end
//!    of hour `t + payback_window_steps`.
//!
//! An "hour" here is a time step (`[study] step_min`): as for storage (`crate::storage`,
//! "Time steps"), energies are in watt-steps, so a watt borrowed for a step owes one unit
//! (PRAS's `p2e`), and the interest and the payback window are per step, as PRAS's are.
//!
//! # On a network
//!
//! With lines, imports or a ladder, the hour is dispatched by the ladder
//! (`crate::ladder::DeviceRanks`): each run of devices with one counter in one region is a
//! borrowing resource (a supply at its region) on a rank above storage discharge and every
//! other rank, and a payback resource (a demand at its region) on a rank above storage
//! charging and below every other rank; within each, ranks by counter (borrowing: the
//! largest counter first; payback: the smallest first), devices of one run pro rata as in
//! an isolated region. So borrowing serves only firm demand that imports, curtailment,
//! the scenario's last resorts and storage leave short; payback takes surplus anywhere
//! within line limits, before storage charges, and no import, curtailment or other last
//! resort is used for it (their use is fixed before payback's). Then storage pays back
//! what surplus did not, in its own region only ([`DemandResponses::pay_back_from`]): PRAS's
//! min-cost flow could also send a neighbour's discharge over a line (its hurdle cost of 1
//! per MW is far below the payback reward); gridrisk does not. Where nothing can flow
//! between regions this is the isolated regions' dispatch, sample by sample.
//!
//! The unserved energy of a device counts as a shortfall of its region in that hour
//! (`recording.jl` lines 15-42): it adds to EUE and makes the hour a shortfall hour. At
//! the end of the window every debt still owed is unserved in the last hour.

use crate::outage::Quantities;
use crate::storage::{split, Run, Storages};
use gridrisk_core::SystemModel;

/// Per device, what happened to its debt over one sample, watt-hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Load shed while borrowing.
    pub borrowed_wh: i64,
    /// Debt added by borrowing (`ceil(borrowed x borrow_eff)` per hour).
    pub owed_wh: i64,
    /// Debt added by interest.
    pub interest_wh: i64,
    /// Load added back while paying back.
    pub paid_back_wh: i64,
    /// Debt removed by paying back (`ceil(paid / payback_eff)` per hour, at most the debt).
    pub repaid_wh: i64,
    /// Debt unserved: above the capacity after interest, or not repaid in time.
    pub unserved_wh: i64,
}

/// The demand response devices of a model and their per-sample state (one per worker).
pub struct DemandResponses {
    region: Vec<usize>,
    quantity: Vec<usize>,
    borrow_w: Vec<i64>,
    payback_w: Vec<i64>,
    energy_wh: Vec<i64>,
    borrow_eff: Vec<f64>,
    payback_eff: Vec<f64>,
    /// Per device: 1 + its interest per step.
    growth: Vec<f64>,
    window_steps: Vec<i64>,
    regions: usize,
    /// Per device: the energy it owes, Wh.
    pub owed_wh: Vec<i64>,
    /// Per device: its payback counter (-1: not counting).
    counter: Vec<i64>,
    /// Per device: what it can borrow and pay back in this hour, W.
    borrow_cap_w: Vec<i64>,
    payback_cap_w: Vec<i64>,
    /// Per device: its borrowing and paying back in this hour, W.
    pub borrowed_w: Vec<i64>,
    /// See [`DemandResponses::borrowed_w`].
    pub paid_w: Vec<i64>,
    /// Per device: its unserved debt in this hour, Wh.
    unserved_wh: Vec<i64>,
    /// Devices by counter, largest first (the borrowing order), then region, then index.
    order: Vec<usize>,
    /// Per region: the unserved debt of its devices in this hour, Wh.
    pub region_unserved_wh: Vec<i64>,
    /// Runs of `order` with one counter and one region, for the network dispatch
    /// ([`DemandResponses::build_runs`]).
    pub runs: Vec<Run>,
    /// Per device: this sample's ledger.
    pub ledger: Vec<Ledger>,
    /// Whether some device owes energy.
    owing: bool,
    /// Scratch of [`DemandResponses::give`], per device, W.
    left_w: Vec<i64>,
    part_w: Vec<i64>,
}

impl DemandResponses {
    /// The devices of `model`, or `None` if it has none.
    pub fn of(model: &SystemModel) -> Option<DemandResponses> {
        let d = model.demand_responses();
        if d.is_empty() {
            return None;
        }
        let q = Quantities::of(model);
        let n = d.len();
        // Energies in watt-steps (module docs, "Time steps").
        let k = model.calendar().steps_per_hour() as i64;
        Some(DemandResponses {
            region: d.iter().map(|x| x.region).collect(),
            quantity: (0..n).map(|i| q.demand_response(i)).collect(),
            borrow_w: d.iter().map(|x| x.borrow_w).collect(),
            payback_w: d.iter().map(|x| x.payback_w).collect(),
            energy_wh: d.iter().map(|x| x.energy_wh * k).collect(),
            borrow_eff: d.iter().map(|x| x.borrow_efficiency).collect(),
            payback_eff: d.iter().map(|x| x.payback_efficiency).collect(),
            growth: d.iter().map(|x| 1.0 + x.interest_per_step).collect(),
            window_steps: d
                .iter()
                .map(|x| i64::from(x.payback_window_steps))
                .collect(),
            regions: model.regions().len(),
            owed_wh: vec![0; n],
            counter: vec![-1; n],
            borrow_cap_w: vec![0; n],
            payback_cap_w: vec![0; n],
            borrowed_w: vec![0; n],
            paid_w: vec![0; n],
            unserved_wh: vec![0; n],
            order: (0..n).collect(),
            runs: Vec::with_capacity(n),
            region_unserved_wh: vec![0; model.regions().len()],
            ledger: vec![Ledger::default(); n],
            owing: false,
            left_w: vec![0; n],
            part_w: vec![0; n],
        })
    }

    /// Number of devices.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// Always false: a model's devices are built only when it has some.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }

    /// A new sample: nothing owed, no counter running (PRAS `Simulations.jl` 186-190).
    pub fn start_sample(&mut self) {
        self.owed_wh.fill(0);
        self.counter.fill(-1);
        self.ledger.fill(Ledger::default());
        self.owing = false;
    }

    /// Whether no device owes energy: then an hour without a shortfall changes nothing
    /// (interest on nothing is nothing, and a counter is reset before it is read), so such
    /// hours need not be visited.
    #[inline]
    pub fn idle(&self) -> bool {
        !self.owing
    }

    /// Start the hour with quantity levels `level`: interest, counters, the hour's limits
    /// and the priority order (steps 1-4 of the module docs).
    pub fn begin_hour(&mut self, level: &[i64]) {
        for i in 0..self.len() {
            let mut owed = self.owed_wh[i];
            if owed > 0 && self.growth[i] != 1.0 {
                let grown = (owed as f64 * self.growth[i]).round_ties_even() as i64;
                self.ledger[i].interest_wh += grown - owed;
                owed = grown;
            }
            self.unserved_wh[i] = (owed - self.energy_wh[i]).max(0);
            owed -= self.unserved_wh[i];
            self.owed_wh[i] = owed;
            if owed <= 0 {
                self.counter[i] = -1;
            } else if self.counter[i] == -1 {
                self.counter[i] = self.window_steps[i] - 1;
            } else {
                self.counter[i] -= 1;
            }
            let (borrow, payback) = if level[self.quantity[i]] > 0 {
                (self.borrow_w[i], self.payback_w[i])
            } else {
                (0, 0)
            };
            let room = (self.energy_wh[i] - owed) as f64 * self.borrow_eff[i];
            self.borrow_cap_w[i] = borrow.min(room.floor() as i64);
            let due = owed as f64 * self.payback_eff[i];
            self.payback_cap_w[i] = payback.min(due.floor() as i64);
        }
        self.borrowed_w.fill(0);
        self.paid_w.fill(0);
        if self.len() > 1 {
            let (counter, region) = (&self.counter, &self.region);
            self.order
                .sort_unstable_by_key(|&i| (std::cmp::Reverse(counter[i]), region[i], i));
        }
    }

    /// Whether some device can pay back in this hour (after
    /// [`DemandResponses::begin_hour`]): then surplus anywhere may go to it.
    pub fn can_pay_back(&self) -> bool {
        self.payback_cap_w.iter().any(|&w| w > 0)
    }

    /// What region `r`'s devices can pay back in this hour, W.
    pub fn payback_cap_w(&self, r: usize) -> i64 {
        (0..self.len())
            .filter(|&i| self.region[i] == r)
            .map(|i| self.payback_cap_w[i])
            .sum()
    }

    /// Region `r` lacks `short_w` of firm demand after generation and storage: its devices
    /// borrow, the largest counter first; returns the load shed, W.
    pub fn borrow_region(&mut self, r: usize, short_w: i64) -> i64 {
        let mut left = short_w;
        let mut k = 0;
        while k < self.order.len() && left > 0 {
            let end = self.group_end(k);
            let members = &self.order[k..end];
            let cap: i64 = members
                .iter()
                .filter(|&&i| self.region[i] == r)
                .map(|&i| self.borrow_cap_w[i])
                .sum();
            if cap > 0 {
                let take = cap.min(left);
                self.give(k, end, r, take, true);
                left -= take;
            }
            k = end;
        }
        short_w - left
    }

    /// Region `r` can give `surplus_w` to paying back: its devices pay back, the smallest
    /// counter first; returns the load added back, W.
    pub fn pay_back_region(&mut self, r: usize, surplus_w: i64) -> i64 {
        let mut left = surplus_w;
        let mut end = self.order.len();
        while end > 0 && left > 0 {
            let start = self.group_start(end);
            let cap: i64 = self.order[start..end]
                .iter()
                .filter(|&&i| self.region[i] == r)
                .map(|&i| self.payback_cap_w[i] - self.paid_w[i])
                .sum();
            if cap > 0 {
                let take = cap.min(left);
                self.give(start, end, r, take, false);
                left -= take;
            }
            end = start;
        }
        surplus_w - left
    }

    /// What region `r`'s devices can still pay back in this hour, W.
    pub fn payback_left_w(&self, r: usize) -> i64 {
        (0..self.len())
            .filter(|&i| self.region[i] == r)
            .map(|i| self.payback_cap_w[i] - self.paid_w[i])
            .sum()
    }

    /// The hour's runs for the network dispatch (after [`DemandResponses::begin_hour`]):
    /// devices with one counter in one region, in the borrowing order; a run's `group` is
    /// 0 for the largest counter of the hour, 1 for the next, ... (every region's devices
    /// with the same counter are in the same group, PRAS's system-wide priority).
    pub fn build_runs(&mut self) {
        self.runs.clear();
        let mut group = 0;
        for (k, &i) in self.order.iter().enumerate() {
            let (c, r) = (self.counter[i], self.region[i]);
            match self.runs.last_mut() {
                Some(run) if self.counter[self.order[run.start]] == c && run.region == r => {
                    run.end = k + 1;
                }
                last => {
                    if last.is_some_and(|run| self.counter[self.order[run.start]] != c) {
                        group += 1;
                    }
                    self.runs.push(Run {
                        start: k,
                        end: k + 1,
                        group,
                        region: r,
                    });
                }
            }
        }
    }

    /// What run `k` can borrow in this hour, W.
    pub fn run_borrow_w(&self, k: usize) -> i64 {
        let run = self.runs[k];
        self.order[run.start..run.end]
            .iter()
            .map(|&i| self.borrow_cap_w[i])
            .sum()
    }

    /// What run `k` can pay back in this hour, W.
    pub fn run_payback_w(&self, k: usize) -> i64 {
        let run = self.runs[k];
        self.order[run.start..run.end]
            .iter()
            .map(|&i| self.payback_cap_w[i])
            .sum()
    }

    /// Run `k` borrows `total_w` (at most [`DemandResponses::run_borrow_w`]), pro rata
    /// among its devices.
    pub fn borrow_run(&mut self, k: usize, total_w: i64) {
        let run = self.runs[k];
        if total_w > 0 {
            self.give(run.start, run.end, run.region, total_w, true);
        }
    }

    /// Run `k` pays back `total_w` (at most [`DemandResponses::run_payback_w`]), pro rata
    /// among its devices.
    pub fn pay_back_run(&mut self, k: usize, total_w: i64) {
        let run = self.runs[k];
        if total_w > 0 {
            self.give(run.start, run.end, run.region, total_w, false);
        }
    }

    /// After a network dispatch: storage pays back what surplus did not (step 5). In each
    /// region whose devices can still pay back, its storage discharges what it has left
    /// beyond what the dispatch took, up to that, as one discharge with the dispatch's
    /// (largest time to empty first), and the devices take it, the smallest counter first.
    /// A region's storage pays back its own devices only: no line carries it.
    pub fn pay_back_from(&mut self, st: &mut Storages) {
        for r in 0..self.regions {
            let due_w = self.payback_left_w(r);
            if due_w == 0 {
                continue;
            }
            let (given_w, can_w) = st.region_discharge_w(r);
            let more_w = (can_w - given_w).min(due_w);
            if more_w > 0 {
                st.serve_region(r, given_w + more_w);
                self.pay_back_region(r, more_w);
            }
        }
    }

    /// The end of the group of equal counters that starts at `order[k]`.
    fn group_end(&self, k: usize) -> usize {
        let c = self.counter[self.order[k]];
        k + self.order[k..]
            .iter()
            .take_while(|&&i| self.counter[i] == c)
            .count()
    }

    /// The start of the group of equal counters that ends before `order[end]`.
    fn group_start(&self, end: usize) -> usize {
        let c = self.counter[self.order[end - 1]];
        end - self.order[..end]
            .iter()
            .rev()
            .take_while(|&&i| self.counter[i] == c)
            .count()
    }

    /// Share `total_w` among the devices of region `r` in `order[start..end]` pro rata to
    /// what each can still borrow (`borrow`) or pay back, adding to their hour's use.
    fn give(&mut self, start: usize, end: usize, r: usize, total_w: i64, borrow: bool) {
        // At most one device per region in most models: no split needed.
        let members = &self.order[start..end];
        let one = members.iter().filter(|&&i| self.region[i] == r).count() == 1;
        let (cap, used) = if borrow {
            (&self.borrow_cap_w, &mut self.borrowed_w)
        } else {
            (&self.payback_cap_w, &mut self.paid_w)
        };
        if one {
            let i = *members.iter().find(|&&i| self.region[i] == r).expect("one");
            used[i] += total_w;
            return;
        }
        // The remaining capacity of each member of `r` (others weigh nothing).
        for &i in members {
            self.left_w[i] = if self.region[i] == r {
                cap[i] - used[i]
            } else {
                0
            };
        }
        split(total_w, members, &self.left_w, &mut self.part_w);
        for &i in members {
            used[i] += self.part_w[i];
        }
    }

    /// End the hour (its `last` of the window or not): apply borrowing and paying back,
    /// forfeit the debts whose counter ran out (step 6), and sum the hour's unserved debt
    /// per region ([`DemandResponses::region_unserved_wh`]).
    pub fn end_hour(&mut self, last: bool) {
        self.region_unserved_wh.fill(0);
        let mut owing = false;
        for i in 0..self.len() {
            let l = &mut self.ledger[i];
            let (b, p) = (self.borrowed_w[i], self.paid_w[i]);
            if b > 0 {
                let add = (b as f64 * self.borrow_eff[i]).ceil() as i64;
                self.owed_wh[i] += add;
                l.borrowed_wh += b;
                l.owed_wh += add;
            }
            if p > 0 {
                let drop = (p as f64 / self.payback_eff[i]).ceil() as i64;
                let removed = drop.min(self.owed_wh[i]);
                self.owed_wh[i] -= removed;
                l.paid_back_wh += p;
                l.repaid_wh += removed;
            }
            if self.counter[i] == 0 || last {
                self.unserved_wh[i] += self.owed_wh[i];
                self.owed_wh[i] = 0;
            }
            l.unserved_wh += self.unserved_wh[i];
            self.region_unserved_wh[self.region[i]] += self.unserved_wh[i];
            owing |= self.owed_wh[i] > 0;
        }
        self.owing = owing;
    }

    /// Per area (regions, then the system) this sample's load borrowed, paid back and
    /// unserved debt, Wh, into `totals_wh` (three runs of areas, in that order).
    pub fn sample_totals(&self, totals_wh: &mut [i64]) {
        totals_wh.fill(0);
        let areas = self.regions + 1;
        for (i, l) in self.ledger.iter().enumerate() {
            for (k, v) in [l.borrowed_wh, l.paid_back_wh, l.unserved_wh]
                .into_iter()
                .enumerate()
            {
                totals_wh[k * areas + self.region[i]] += v;
                totals_wh[k * areas + self.regions] += v;
            }
        }
    }
}
