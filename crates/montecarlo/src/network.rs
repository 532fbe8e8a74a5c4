//! The network in one hour: from the levels of outage quantities and the hour's demand and
//! extra supply to a dispatch.
//!
//! Builds the transport problem of [`gridrisk_core::dispatch`] from the model once (nodes:
//! regions, then one external node per import source; arcs: each line in both directions,
//! then each import link), and per hour fills in supplies, demands and arc limits. An arc is
//! in service when its line (or link) is, and no disturbance that trips it is under way.
//!
//! Imports are used only after domestic generation, so an hour whose *domestic* problem
//! (import sources at zero) serves all demand, firm and interruptible, needs no import and
//! has no shortfall: it is not dispatched. When imports serve everything, the import of each
//! source follows from totals alone (the least import of a source is the unserved demand
//! without it minus that with it, sources fixed in order, design section 2; the screening
//! pass of the dispatcher gives them), and no full dispatch is needed either; only hours
//! with unserved demand get one.
//!
//! A source's scheduled import is not an import of the dispatch: it is supply at its link
//! regions in the hourly inputs ([`crate::schedule`]), and the source's available cap in the
//! hour is what is left of its cap above it.
//!
//! A scenario that names a ladder of last resorts is dispatched by it ([`crate::ladder`])
//! in every hour whose domestic problem leaves something unserved (the cheapest rank is not
//! free, so the totals alone no longer give the imports).
//!
//! Storage and demand response take part through ranks of that ladder (or of the default
//! order as a ladder, when the scenario names none; [`crate::ladder::DeviceRanks`]): in
//! every hour in which a device can charge or pay back (surplus anywhere may go to it), and
//! in hours with something unserved.

use crate::demand_response::DemandResponses;
use crate::ladder::{DeviceRanks, LadderInputs, LadderNet};
use crate::outage::Quantities;
use crate::storage::Storages;
use gridrisk_core::dispatch::{Arc, Dispatch, Dispatcher, HourState, SharingRule, Topology};
use gridrisk_core::model::{Sharing, PEAK_BLOCK_H};
use gridrisk_core::SystemModel;

/// Per-worker network state, reused every hour.
pub struct NetworkHour {
    dispatcher: Dispatcher,
    q: Quantities,
    /// Per arc: its gates (a range of `gates`: its line or link, then the disturbances that
    /// trip it, quantities that must all be up) and its limit per unit of its line or link.
    arc_gates: Vec<(usize, usize, i64)>,
    gates: Vec<usize>,
    supply_w: Vec<i64>,
    firm_w: Vec<i64>,
    interruptible_w: Vec<i64>,
    mining_w: Vec<i64>,
    total_w: Vec<i64>,
    zeros: Vec<i64>,
    arc_limit_w: Vec<i64>,
    out: Dispatch,
    /// Per source: its least import in the loaded hour when everything is served.
    served_import_w: Vec<i64>,
    /// Per line: would one more MW lower the least firm shortfall in this hour.
    pub line_binding: Vec<bool>,
    /// Per corridor: its arcs (both directions of each of its lines).
    corridor_arcs: Vec<Vec<usize>>,
    /// Per corridor: would one more MW on every line of it lower the least firm shortfall in
    /// this hour (empty without corridors, and then never computed).
    pub corridor_binding: Vec<bool>,
    /// The ladder of last resorts, if the scenario names one (with storage ranks if the
    /// model has storage).
    pub ladder: Option<LadderNet>,
    /// The default order with the ranks of storage and demand response, for hours in which
    /// they take part, if the model has such devices and names no ladder.
    storage_ladder: Option<LadderNet>,
    /// Day of the loaded hour.
    day: usize,
    /// Supply per node for the corridors' test (with a ladder's extra supply).
    binding_supply_w: Vec<i64>,
    /// Arcs whose limit per unit of their line varies by step: (arc, limit per step, least
    /// limit per block of [`PEAK_BLOCK_H`] steps for the block test).
    stepped: Vec<(usize, Vec<i64>, Vec<i64>)>,
}

/// When the loaded demand is: a step, or a block of [`PEAK_BLOCK_H`] steps (the block test,
/// which takes each line's least limit in the block: a block served with them is served in
/// each of its steps).
#[derive(Clone, Copy, Debug)]
pub enum When {
    /// Step `h` of the window.
    Step(usize),
    /// Block `b` of the window.
    Block(usize),
}

/// Per-region values of one hour in a table: region `r`'s is `values[r * stride + at]`.
#[derive(Clone, Copy)]
pub struct Column<'a, T> {
    /// The table.
    pub values: &'a [T],
    /// Distance between two regions' (or sources') rows.
    pub stride: usize,
    /// Offset of the hour (or block, or day) in a row.
    pub at: usize,
}

impl<'a, T: Copy> Column<'a, T> {
    /// The same value for every region.
    pub fn constant(value: &'a [T; 1]) -> Column<'a, T> {
        Column {
            values: value,
            stride: 0,
            at: 0,
        }
    }

    #[inline]
    fn get(&self, r: usize) -> T {
        self.values[r * self.stride + self.at]
    }
}

/// The demand and extra supply of one hour, per region.
pub struct HourDemand<'a> {
    /// Firm demand, watts.
    pub firm_w: Column<'a, i64>,
    /// Interruptible demand, watts.
    pub interruptible_w: Column<'a, i64>,
    /// Extra supply (renewables, inflows), watts.
    pub supply_w: Column<'a, i64>,
    /// Export-cap factor of each import source.
    pub source_factor: Column<'a, f64>,
    /// Scheduled import of each import source (the positive part of its schedule), watts:
    /// taken off its available cap, which bounds only what it gives beyond the schedule
    /// (`None` when no source has a schedule).
    pub scheduled_w: Option<Column<'a, i64>>,
    /// Part of the interruptible demand that is registered mining, watts (used by a
    /// ladder).
    pub mining_w: Column<'a, i64>,
    /// Day of the hour.
    pub day: usize,
    /// The step or block of the demand (for lines' limits per step).
    pub when: When,
}

/// What a dispatched hour gives, per region (shortfall, curtailment) and per source.
pub struct HourResult<'a> {
    /// Firm shortfall per region, watts.
    pub short_w: &'a mut [i64],
    /// Curtailed interruptible demand per region, watts.
    pub curtailed_w: &'a mut [i64],
    /// Import per source, watts.
    pub import_w: &'a mut [i64],
}

impl NetworkHour {
    /// The network of `model`, or `None` if its regions are isolated.
    pub fn of(model: &SystemModel) -> Option<NetworkHour> {
        let net = model.network();
        if net.is_empty() {
            return None;
        }
        let q = Quantities::of(model);
        let disturbances = &model.conditions().disturbances;
        let mut arcs = Vec::new();
        let mut arc_gates = Vec::new();
        let mut gates = Vec::new();
        for (l, line) in net.lines.iter().enumerate() {
            let start = gates.len();
            gates.push(q.line(l));
            gates.extend(
                disturbances
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.lines.contains(&l))
                    .map(|(d, _)| q.disturbance(d)),
            );
            arcs.push(Arc {
                from: line.from,
                to: line.to,
            });
            arc_gates.push((start, gates.len(), line.forward_w));
            arcs.push(Arc {
                from: line.to,
                to: line.from,
            });
            arc_gates.push((start, gates.len(), line.backward_w));
        }
        let mut k = 0;
        for (s, source) in net.imports.iter().enumerate() {
            for link in &source.links {
                arcs.push(Arc {
                    from: q.regions + s,
                    to: link.region,
                });
                arc_gates.push((gates.len(), gates.len() + 1, link.cap_w));
                gates.push(q.link(k));
                k += 1;
            }
        }
        let topology = Topology::new(q.regions, q.sources, arcs)
            .expect("a validated network gives a valid topology");
        let rule = match net.sharing {
            Sharing::Local => SharingRule::Local,
            Sharing::Shared => SharingRule::Shared,
        };
        // Line `l` is arcs `2l` (forward) and `2l + 1` (backward).
        let corridor_arcs: Vec<Vec<usize>> = net
            .corridors
            .iter()
            .map(|c| c.lines.iter().flat_map(|&l| [2 * l, 2 * l + 1]).collect())
            .collect();
        let out = Dispatch::new(&topology);
        let storage = DeviceRanks::of(model.storages().iter().map(|s| s.region));
        let demand_response = DeviceRanks::of(model.demand_responses().iter().map(|d| d.region));
        let ladder = LadderNet::of(
            net,
            model.conditions(),
            &topology,
            rule,
            storage.as_ref(),
            demand_response.as_ref(),
        );
        // Without a named ladder, the ladder built is the default order with the ranks of
        // storage and demand response, used only in hours in which they take part.
        let (ladder, storage_ladder) = if net.ladder.is_empty() {
            (None, ladder)
        } else {
            (ladder, None)
        };
        // Line `l` is arcs `2l` (forward) and `2l + 1` (backward).
        let mut stepped = Vec::new();
        for limits in &model.conditions().line_limits {
            let l = (net.lines.iter())
                .position(|line| line.name == limits.line)
                .expect("a validated model's limits name its lines");
            for (arc, series) in [(2 * l, &limits.forward_w), (2 * l + 1, &limits.backward_w)] {
                if let Some(w) = series {
                    let least = w
                        .chunks(PEAK_BLOCK_H)
                        .map(|b| b.iter().copied().min().unwrap_or(0));
                    stepped.push((arc, w.clone(), least.collect()));
                }
            }
        }
        let dispatcher = Dispatcher::new(topology, rule);
        let nodes = q.regions + q.sources;
        Some(NetworkHour {
            out,
            dispatcher,
            q,
            supply_w: vec![0; nodes],
            firm_w: vec![0; q.regions],
            interruptible_w: vec![0; q.regions],
            mining_w: vec![0; q.regions],
            total_w: vec![0; q.regions],
            zeros: vec![0; q.regions],
            arc_limit_w: vec![0; arc_gates.len()],
            served_import_w: vec![0; q.sources],
            arc_gates,
            gates,
            line_binding: vec![false; q.lines],
            corridor_binding: vec![false; corridor_arcs.len()],
            corridor_arcs,
            ladder,
            storage_ladder,
            day: 0,
            binding_supply_w: vec![0; nodes],
            stepped,
        })
    }

    /// Per import source: what it can deliver in the loaded hour, watts.
    pub fn source_w(&self) -> &[i64] {
        &self.supply_w[self.q.regions..]
    }

    /// Per arc: its limit in the loaded hour, watts (line `l` is arcs `2l` and `2l + 1`).
    pub fn arc_limit_w(&self) -> &[i64] {
        &self.arc_limit_w
    }

    /// Per quantity: whether an arc limit depends on it (a line, a link, a disturbance).
    pub fn gates_arcs(&self) -> Vec<bool> {
        let mut gate = vec![false; self.q.count()];
        for &g in &self.gates {
            gate[g] = true;
        }
        gate
    }

    /// Load quantity levels `level` and the hour's demand and extra supply; with
    /// `same_gates`, the quantities that gate arcs ([`NetworkHour::gates_arcs`]) are at the
    /// levels of the last call, so the arc limits are kept.
    pub fn load(&mut self, level: &[i64], hour: &HourDemand, same_gates: bool) {
        let (r, s) = (self.q.regions, self.q.sources);
        self.day = hour.day;
        for (i, &generation) in level[..r].iter().enumerate() {
            self.supply_w[i] = generation + hour.supply_w.get(i);
            self.firm_w[i] = hour.firm_w.get(i);
            self.interruptible_w[i] = hour.interruptible_w.get(i);
            self.total_w[i] = self.firm_w[i] + self.interruptible_w[i];
        }
        if self.ladder.is_some() {
            for (i, m) in self.mining_w.iter_mut().enumerate() {
                *m = hour.mining_w.get(i);
            }
        }
        for j in 0..s {
            let factor = hour.source_factor.get(j);
            let cap = level[r + j];
            self.supply_w[r + j] = if factor == 1.0 {
                cap
            } else {
                (cap as f64 * factor).round() as i64
            };
        }
        if let Some(scheduled) = &hour.scheduled_w {
            for j in 0..s {
                self.supply_w[r + j] = (self.supply_w[r + j] - scheduled.get(j)).max(0);
            }
        }
        let gated = |(start, end): (usize, usize), w: i64| {
            let gates = &self.gates[start..end];
            if gates.iter().all(|&g| level[g] > 0) {
                level[gates[0]] * w
            } else {
                0
            }
        };
        if !same_gates {
            for (limit, &(start, end, w)) in self.arc_limit_w.iter_mut().zip(&self.arc_gates) {
                *limit = gated((start, end), w);
            }
        }
        // Limits per step change with the step whatever the gates do.
        for (arc, steps, blocks) in &self.stepped {
            let w = match hour.when {
                When::Step(h) => steps[h],
                When::Block(b) => blocks[b],
            };
            let (start, end, _) = self.arc_gates[*arc];
            self.arc_limit_w[*arc] = gated((start, end), w);
        }
    }

    /// Least unserved demand (firm and interruptible together) of the loaded hour without
    /// imports and with them; one pass on small networks, which also gives the least import
    /// of each source when everything is served.
    pub fn unserved_w(&mut self) -> (i64, i64) {
        let state = HourState {
            supply_w: &self.supply_w,
            firm_w: &self.total_w,
            interruptible_w: &self.zeros,
            arc_limit_w: &self.arc_limit_w,
        };
        // A ladder finds its own imports: only the unserved demand is needed.
        let import_w = self
            .ladder
            .is_none()
            .then_some(&mut self.served_import_w[..]);
        self.dispatcher
            .shortfalls_and_least_imports_w(&state, import_w)
    }

    /// Dispatch the loaded hour into `result`, [`NetworkHour::line_binding`] and
    /// [`NetworkHour::corridor_binding`], given its unserved demand without and with imports
    /// ([`NetworkHour::unserved_w`]).
    pub fn dispatch(&mut self, result: HourResult, unserved: (i64, i64)) {
        if self.ladder.is_some() {
            self.dispatch_ladder(result, false);
            return;
        }
        let r = self.q.regions;
        if unserved.1 == 0 {
            // Everything served: the imports are the least ones found with the screening.
            result.short_w[..r].fill(0);
            result.curtailed_w[..r].fill(0);
            self.line_binding.fill(false);
            self.corridor_binding.fill(false);
            result.import_w.copy_from_slice(&self.served_import_w);
            return;
        }
        let state = HourState {
            supply_w: &self.supply_w,
            firm_w: &self.firm_w,
            interruptible_w: &self.interruptible_w,
            arc_limit_w: &self.arc_limit_w,
        };
        self.dispatcher.dispatch(&state, &mut self.out);
        result.short_w[..r].copy_from_slice(&self.out.firm_short_w);
        result.curtailed_w[..r].copy_from_slice(&self.out.curtailed_w);
        result.import_w.copy_from_slice(&self.out.import_w);
        for l in 0..self.q.lines {
            self.line_binding[l] = self.out.binding[2 * l] || self.out.binding[2 * l + 1];
        }
        self.binding_sets(self.out.total_firm_short_w(), false);
    }

    /// Dispatch the loaded hour under the scenario's ladder (or, with `storage`, the storage
    /// ladder when the scenario names none) into `result` and the binding flags.
    fn dispatch_ladder(&mut self, result: HourResult, storage: bool) {
        let r = self.q.regions;
        let ladder = match (storage, self.ladder.as_mut()) {
            (_, Some(l)) => l,
            (true, None) => self.storage_ladder.as_mut().expect("storage ladder"),
            (false, None) => unreachable!("a ladder dispatch needs a ladder"),
        };
        let binding = ladder.dispatch(
            self.day,
            &LadderInputs {
                supply_w: &self.supply_w,
                firm_w: &self.firm_w,
                interruptible_w: &self.interruptible_w,
                mining_w: &self.mining_w,
                arc_limit_w: &self.arc_limit_w,
            },
            result.short_w,
            result.curtailed_w,
            result.import_w,
        );
        for l in 0..self.q.lines {
            self.line_binding[l] = binding[2 * l] || binding[2 * l + 1];
        }
        let short = result.short_w[..r].iter().sum();
        self.binding_sets(short, storage);
    }

    /// Dispatch the loaded hour with storage `st` (which can discharge and charge as
    /// `can` says) and demand response `dr`, if the model has them, into `result`, the
    /// binding flags and the devices' hour. A device that can charge or pay back may take
    /// surplus anywhere, so the hour is dispatched whatever is unserved; otherwise an hour
    /// served without imports needs no dispatch: returns false for such an hour without
    /// demand response (nothing to record; the caller ends the storage hour), and with
    /// demand response sets it served (its devices' hour goes on). With `show_served` (a
    /// traced hour, `crate::worst_day`) such an hour is dispatched all the same.
    pub fn dispatch_hour(
        &mut self,
        result: HourResult,
        st: Option<&mut Storages>,
        (discharge, charge): (bool, bool),
        dr: Option<&mut DemandResponses>,
        show_served: bool,
    ) -> bool {
        let st = st.filter(|_| discharge || charge);
        if let Some(dr) = dr {
            if charge || dr.can_pay_back() || self.unserved_w().0 > 0 {
                dr.build_runs();
                self.dispatch_devices(result, st, Some(dr));
            } else {
                self.served_at_home(result);
            }
            return true;
        }
        if charge {
            self.dispatch_devices(result, st, None);
            return true;
        }
        let unserved = self.unserved_w();
        if unserved.0 == 0 && !show_served {
            return false;
        }
        match st.filter(|_| discharge && unserved.0 > 0) {
            Some(st) => self.dispatch_devices(result, Some(st), None),
            None => self.dispatch(result, unserved),
        }
        true
    }

    /// The loaded hour is served at home ([`NetworkHour::unserved_w`] is 0 without imports):
    /// nothing short, curtailed, imported or binding.
    fn served_at_home(&mut self, result: HourResult) {
        let r = self.q.regions;
        result.short_w[..r].fill(0);
        result.curtailed_w[..r].fill(0);
        result.import_w.fill(0);
        self.line_binding.fill(false);
        self.corridor_binding.fill(false);
    }

    /// Dispatch the loaded hour with energy-limited devices taking part, into `result`, the
    /// binding flags and the devices' hour: storage `st` (its runs as the resources of the
    /// storage ranks) and demand response `dr` (its runs, [`DemandResponses::build_runs`],
    /// as the resources of the demand response ranks), each if given. Then storage pays
    /// back what surplus did not, in its own region ([`DemandResponses::pay_back_from`]).
    fn dispatch_devices(
        &mut self,
        result: HourResult,
        mut st: Option<&mut Storages>,
        dr: Option<&mut DemandResponses>,
    ) {
        let ladder = self
            .ladder
            .as_mut()
            .or(self.storage_ladder.as_mut())
            .expect("a model with storage or demand response has a device ladder");
        let slot = |l: &LadderNet, run: crate::storage::Run| {
            run.group * l.slot_regions + l.region_slot[run.region]
        };
        let dr_slot = |l: &LadderNet, run: crate::storage::Run| {
            run.group * l.dr_slot_regions + l.dr_region_slot[run.region]
        };
        if let Some(st) = st.as_deref() {
            for k in 0..st.runs.len() {
                let j = slot(ladder, st.runs[k]);
                ladder.charge_w[j] = st.run_charge_w(k);
                ladder.discharge_w[j] = st.run_discharge_w(k);
            }
        }
        if let Some(dr) = dr.as_deref() {
            for k in 0..dr.runs.len() {
                let j = dr_slot(ladder, dr.runs[k]);
                ladder.borrow_w[j] = dr.run_borrow_w(k);
                ladder.payback_w[j] = dr.run_payback_w(k);
            }
        }
        self.dispatch_ladder(result, true);
        let ladder = self
            .ladder
            .as_mut()
            .or(self.storage_ladder.as_mut())
            .expect("a model with storage or demand response has a device ladder");
        if let Some(st) = st.as_deref_mut() {
            for k in 0..st.runs.len() {
                let j = slot(ladder, st.runs[k]);
                st.discharge_run(k, ladder.discharged_w[j]);
                st.charge_run(k, ladder.charged_w[j]);
            }
        }
        if let Some(dr) = dr {
            for k in 0..dr.runs.len() {
                let j = dr_slot(ladder, dr.runs[k]);
                dr.borrow_run(k, ladder.borrowed_w[j]);
                dr.pay_back_run(k, ladder.paid_w[j]);
            }
            if let Some(st) = st {
                dr.pay_back_from(st);
            }
        }
        // A later hour without these devices sees none.
        ladder.charge_w.fill(0);
        ladder.discharge_w.fill(0);
        ladder.borrow_w.fill(0);
        ladder.payback_w.fill(0);
    }

    /// [`NetworkHour::corridor_binding`] of the loaded hour, whose least total firm
    /// shortfall is `short_w`: corridors bind only when something is short.
    fn binding_sets(&mut self, short_w: i64, storage: bool) {
        if self.corridor_arcs.is_empty() {
            return;
        }
        if short_w == 0 {
            self.corridor_binding.fill(false);
            return;
        }
        // Under a ladder every last resort that feeds a region counts as its supply.
        self.binding_supply_w.copy_from_slice(&self.supply_w);
        let ladder = match (&self.ladder, storage) {
            (Some(l), _) => Some(l),
            (None, true) => self.storage_ladder.as_ref(),
            (None, false) => None,
        };
        if let Some(ladder) = ladder {
            for (s, extra) in self.binding_supply_w.iter_mut().zip(&ladder.region_extra_w) {
                *s += extra;
            }
        }
        let state = HourState {
            supply_w: &self.binding_supply_w,
            firm_w: &self.firm_w,
            interruptible_w: &self.interruptible_w,
            arc_limit_w: &self.arc_limit_w,
        };
        self.dispatcher
            .sets_binding(&state, &self.corridor_arcs, &mut self.corridor_binding);
    }
}
