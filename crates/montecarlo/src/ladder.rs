//! The ladder of last resorts in the hourly loop: from the model's ranks and steps to the
//! resources of [`gridrisk_core::dispatch::Ladder`], their availability in each hour, and
//! the daily budget of public appeals.
//!
//! Each step becomes resources of its rank, in the step's order: an import tier one supply
//! resource at its source's external node (a source's tiers take its available export cap
//! of the hour in ladder order, the last one the rest); an interruptible class one demand
//! resource per region that has it (registered mining is the mining part of a region's
//! interruptible demand, exports the rest: `[[exchanges]]`' and import sources' scheduled
//! exports; a region without the class would only add a resource that is never available,
//! which changes no result); voltage reduction one supply resource at its region, its
//! fraction of the region's demand (firm and interruptible); an appeal one supply resource
//! at its region. Storage and demand response add ranks below and above these
//! ([`DeviceRanks`]).
//!
//! # Appeals limited in hours per day: the rule
//!
//! The rule is non-anticipative: an appeal is available at its full power in an hour
//! unless it has already been used in `hours_per_day` earlier hours of the same day, and
//! then not at all for the rest of the day. An hour counts when the dispatch uses the appeal
//! (use > 0), whatever the amount. It decides with what is known up to the hour: nothing is
//! held back for a worse hour later in the day.
//!
//! The rule is not monotone. More supply (or more line capacity) can make an appeal useful
//! in an early hour in which it was not used before, which spends an hour of the budget that
//! a later, worse hour then lacks: the later hour's shortfall rises by up to the appeal's
//! power while the early hour's falls by less. Test
//! `appeals_budget_is_not_monotone` shows it on two hours of one day; a rule that is
//! monotone needs the whole day's hours (hindsight), which a real operator does not have.

use gridrisk_core::dispatch::{
    Ladder, LadderDispatch, LadderDispatcher, LadderHour, Resource, SharingRule, Topology,
};
use gridrisk_core::model::{Conditions, InterruptibleClass, LadderStep, Network};

/// How a resource's availability is found in an hour.
#[derive(Debug, Clone, Copy)]
enum Avail {
    /// A tier of source `source`: `Some(cap)` the next `cap` W of its cap, `None` the rest.
    Tier {
        source: usize,
        cap_w: Option<i64>,
    },
    Mining {
        region: usize,
    },
    Exports {
        region: usize,
    },
    Voltage {
        region: usize,
        fraction: f64,
    },
    /// Appeal `appeal` (index among the appeals) at region `region`.
    Appeal {
        appeal: usize,
        region: usize,
        cap_w: i64,
    },
    /// All interruptible demand of a region (the default order's rank).
    Interruptible {
        region: usize,
    },
    /// Storage charging of slot `slot` (a demand: its use is what is not charged).
    Charge {
        slot: usize,
    },
    /// Storage discharging of slot `slot` at region `region`.
    Discharge {
        slot: usize,
        region: usize,
    },
    /// Demand response borrowing of slot `slot` at region `region` (load shed).
    Borrow {
        slot: usize,
        region: usize,
    },
    /// Demand response payback of slot `slot` (a demand: its use is what is not paid back).
    Payback {
        slot: usize,
    },
}

/// The priority groups of one kind of energy-limited device (storage, or demand response)
/// in a ladder. A rank holds one resource per region with such devices; slot
/// `g x regions + k` is group `g` at the `k`-th of those regions.
///
/// Where they stand, cheapest rank first (firm shedding is above them all):
///
/// 1. storage charging, one rank per group (the smallest time to empty the costliest, so
///    the first charged);
/// 2. demand response payback, one rank per group (the smallest counter the costliest, so
///    the first paid back): above charging, so surplus pays back before it charges storage,
///    and below every other rank, so that no import, curtailment of interruptible demand
///    or other last resort is used to pay back (their use is fixed before payback's);
/// 3. the default order (imports, interruptible demand) or the scenario's ladder;
/// 4. storage discharging, one rank per group (the largest time to empty the cheapest, so
///    the first discharged): only for firm demand that the ranks below leave short;
/// 5. demand response borrowing, one rank per group (the largest counter the cheapest, so
///    the first to borrow): only for firm demand that storage leaves short.
#[derive(Clone, Debug, Default)]
pub struct DeviceRanks {
    /// Priority groups: the number of devices (at most one group each).
    pub groups: usize,
    /// The regions with devices, in index order.
    pub regions: Vec<usize>,
}

impl DeviceRanks {
    /// The ranks of devices at `regions` (one entry per device), or `None` without devices.
    pub fn of(regions: impl Iterator<Item = usize>) -> Option<DeviceRanks> {
        let mut regions: Vec<usize> = regions.collect();
        let groups = regions.len();
        regions.sort_unstable();
        regions.dedup();
        (groups > 0).then_some(DeviceRanks { groups, regions })
    }

    fn slots(&self) -> usize {
        self.groups * self.regions.len()
    }

    /// Per region: its slot offset `k`, `usize::MAX` without devices.
    fn region_slot(&self, regions: usize) -> Vec<usize> {
        let mut slot = vec![usize::MAX; regions];
        for (k, &r) in self.regions.iter().enumerate() {
            slot[r] = k;
        }
        slot
    }
}

/// The ranks, resources and rank labels of a ladder being built.
type Lists<'a> = (
    &'a mut Vec<Vec<Resource>>,
    &'a mut Vec<Avail>,
    &'a mut Vec<Option<usize>>,
);

/// Push one rank per priority group of `devices` (group 0 first), each with one resource
/// per region with devices: `kind(slot, region)`.
fn device_ranks(
    devices: &DeviceRanks,
    (ranks, avail, rank): &mut Lists,
    kind: impl Fn(usize, usize) -> (Resource, Avail),
) {
    let n = devices.regions.len();
    for g in 0..devices.groups {
        let mut res = Vec::new();
        for (k, &region) in devices.regions.iter().enumerate() {
            let (resource, a) = kind(g * n + k, region);
            res.push(resource);
            avail.push(a);
            rank.push(None);
        }
        ranks.push(res);
    }
}

/// The ladder of a network in the hourly loop (one per worker).
pub struct LadderNet {
    dispatcher: LadderDispatcher,
    out: LadderDispatch,
    avail: Vec<Avail>,
    available_w: Vec<i64>,
    /// Per resource: its rank in the scenario's ladder (`None` for storage and the default
    /// order's ranks).
    rank: Vec<Option<usize>>,
    /// Per source: what is left of its cap while tiers are filled.
    left_w: Vec<i64>,
    /// Per appeal: its hours per day, and the hours used so far on `day`.
    appeal_hours: Vec<u32>,
    appeal_used: Vec<u32>,
    day: usize,
    /// Per rank: its use in the last dispatched hour, W.
    pub rank_use_w: Vec<i64>,
    /// Per region: registered mining curtailed in the last dispatched hour, W.
    pub mining_curtailed_w: Vec<i64>,
    /// Per region: what the supply resources at it (voltage reduction, appeals, storage
    /// discharge, demand response borrowing) could give in the last dispatched hour, W.
    pub region_extra_w: Vec<i64>,
    /// Per region: its storage slot offset `k` (see [`DeviceRanks`]), `usize::MAX` without
    /// storage.
    pub region_slot: Vec<usize>,
    /// Regions with storage.
    pub slot_regions: usize,
    /// Per storage slot: what it can charge and discharge in the hour to dispatch, W (set
    /// by the caller, zero when storage takes no part).
    pub charge_w: Vec<i64>,
    /// See [`LadderNet::charge_w`].
    pub discharge_w: Vec<i64>,
    /// Per storage slot: its charge and discharge in the last dispatched hour, W.
    pub charged_w: Vec<i64>,
    /// See [`LadderNet::charged_w`].
    pub discharged_w: Vec<i64>,
    /// Per region: its demand response slot offset `k` (see [`DeviceRanks`]),
    /// `usize::MAX` without demand response.
    pub dr_region_slot: Vec<usize>,
    /// Regions with demand response.
    pub dr_slot_regions: usize,
    /// Per demand response slot: what it can borrow and pay back in the hour to dispatch,
    /// W (set by the caller, zero when demand response takes no part).
    pub borrow_w: Vec<i64>,
    /// See [`LadderNet::borrow_w`].
    pub payback_w: Vec<i64>,
    /// Per demand response slot: its borrowing and payback in the last dispatched hour, W.
    pub borrowed_w: Vec<i64>,
    /// See [`LadderNet::borrowed_w`].
    pub paid_w: Vec<i64>,
}

/// The hour's per-region numbers a ladder needs, watts.
pub struct LadderInputs<'a> {
    /// Per node: domestic generation (regions), available export cap (sources).
    pub supply_w: &'a [i64],
    /// Per region: firm demand.
    pub firm_w: &'a [i64],
    /// Per region: interruptible demand.
    pub interruptible_w: &'a [i64],
    /// Part of `interruptible_w` that is registered mining.
    pub mining_w: &'a [i64],
    /// Per arc: available limit.
    pub arc_limit_w: &'a [i64],
}

impl LadderNet {
    /// The ladder of `net` on `topology` (with the interruptible demand of `conditions`), or
    /// `None` if it names none.
    pub fn of(
        net: &Network,
        conditions: &Conditions,
        topology: &Topology,
        rule: SharingRule,
        storage: Option<&DeviceRanks>,
        demand_response: Option<&DeviceRanks>,
    ) -> Option<LadderNet> {
        if net.ladder.is_empty() && storage.is_none() && demand_response.is_none() {
            return None;
        }
        let (r_n, s_n) = (topology.regions(), topology.externals());
        let (mut ranks, mut avail, mut rank, mut appeal_hours) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let none = DeviceRanks::default();
        let (storage, demand_response) =
            (storage.unwrap_or(&none), demand_response.unwrap_or(&none));
        // Charging: the largest time to empty on the cheapest rank (charged last); payback
        // above it: the largest counter on the cheapest of these ranks (paid back last).
        let mut lists = (&mut ranks, &mut avail, &mut rank);
        device_ranks(storage, &mut lists, |slot, region| {
            (Resource::Demand { region }, Avail::Charge { slot })
        });
        device_ranks(demand_response, &mut lists, |slot, region| {
            (Resource::Demand { region }, Avail::Payback { slot })
        });
        if net.ladder.is_empty() {
            // The default order as ranks (`Ladder::default_of`): one per import source,
            // the last source the cheapest, then every region's interruptible demand.
            for source in (0..s_n).rev() {
                ranks.push(vec![Resource::Supply { node: r_n + source }]);
                avail.push(Avail::Tier {
                    source,
                    cap_w: None,
                });
                rank.push(None);
            }
            ranks.push((0..r_n).map(|region| Resource::Demand { region }).collect());
            avail.extend((0..r_n).map(|region| Avail::Interruptible { region }));
            rank.extend((0..r_n).map(|_| None));
        }
        for (k, r) in net.ladder.iter().enumerate() {
            let mut res = Vec::new();
            for step in &r.steps {
                let mut push = |resource, a| {
                    res.push(resource);
                    avail.push(a);
                    rank.push(Some(k));
                };
                match *step {
                    LadderStep::Import { source, cap_w } => push(
                        Resource::Supply { node: r_n + source },
                        Avail::Tier { source, cap_w },
                    ),
                    LadderStep::Interruptible(class) => {
                        for region in 0..r_n {
                            let (a, has) = match class {
                                InterruptibleClass::Mining => (
                                    Avail::Mining { region },
                                    conditions
                                        .mining
                                        .registered
                                        .iter()
                                        .any(|m| m.region == region),
                                ),
                                InterruptibleClass::Exports => (
                                    Avail::Exports { region },
                                    conditions.exchanges.iter().any(|x| x.region == region)
                                        || net.imports.iter().any(|s| {
                                            s.schedule_w.iter().any(|&w| w < 0)
                                                && s.links.iter().any(|k| k.region == region)
                                        }),
                                ),
                            };
                            if has {
                                push(Resource::Demand { region }, a);
                            }
                        }
                    }
                    LadderStep::VoltageReduction { region, fraction } => push(
                        Resource::Supply { node: region },
                        Avail::Voltage { region, fraction },
                    ),
                    LadderStep::Appeal {
                        region,
                        cap_w,
                        hours_per_day,
                    } => {
                        let appeal = appeal_hours.len();
                        appeal_hours.push(hours_per_day);
                        push(
                            Resource::Supply { node: region },
                            Avail::Appeal {
                                appeal,
                                region,
                                cap_w,
                            },
                        );
                    }
                }
            }
            ranks.push(res);
        }
        // Discharging: the largest time to empty on the cheapest of these ranks (the
        // first discharged), above every other rank; borrowing above it: the largest
        // counter on the cheapest of these ranks (the first to borrow).
        let mut lists = (&mut ranks, &mut avail, &mut rank);
        device_ranks(storage, &mut lists, |slot, region| {
            (
                Resource::Supply { node: region },
                Avail::Discharge { slot, region },
            )
        });
        device_ranks(demand_response, &mut lists, |slot, region| {
            (
                Resource::Supply { node: region },
                Avail::Borrow { slot, region },
            )
        });
        let ladder = Ladder::new(topology, ranks).expect("a validated ladder names valid nodes");
        let out = LadderDispatch::new(topology, &ladder);
        Some(LadderNet {
            dispatcher: LadderDispatcher::new(topology.clone(), ladder, rule),
            out,
            available_w: vec![0; avail.len()],
            avail,
            rank,
            left_w: vec![0; s_n],
            appeal_used: vec![0; appeal_hours.len()],
            appeal_hours,
            day: usize::MAX,
            rank_use_w: vec![0; net.ladder.len()],
            mining_curtailed_w: vec![0; r_n],
            region_extra_w: vec![0; r_n],
            region_slot: storage.region_slot(r_n),
            slot_regions: storage.regions.len(),
            charge_w: vec![0; storage.slots()],
            discharge_w: vec![0; storage.slots()],
            charged_w: vec![0; storage.slots()],
            discharged_w: vec![0; storage.slots()],
            dr_region_slot: demand_response.region_slot(r_n),
            dr_slot_regions: demand_response.regions.len(),
            borrow_w: vec![0; demand_response.slots()],
            payback_w: vec![0; demand_response.slots()],
            borrowed_w: vec![0; demand_response.slots()],
            paid_w: vec![0; demand_response.slots()],
        })
    }

    /// A new sample starts: every appeal's budget is whole again.
    pub fn start_sample(&mut self) {
        self.day = usize::MAX;
    }

    /// Dispatch the hour on day `day` into `short_w`, `curtailed_w` and `import_w`, and
    /// [`LadderNet::rank_use_w`] and [`LadderNet::mining_curtailed_w`]; returns the per-arc
    /// binding flags.
    pub fn dispatch(
        &mut self,
        day: usize,
        hour: &LadderInputs,
        short_w: &mut [i64],
        curtailed_w: &mut [i64],
        import_w: &mut [i64],
    ) -> &[bool] {
        let r_n = hour.firm_w.len();
        if day != self.day {
            self.day = day;
            self.appeal_used.fill(0);
        }
        self.left_w.copy_from_slice(&hour.supply_w[r_n..]);
        for (a, kind) in self.available_w.iter_mut().zip(&self.avail) {
            *a = match *kind {
                Avail::Tier { source, cap_w } => {
                    let left = &mut self.left_w[source];
                    let take = cap_w.map_or(*left, |c| c.min(*left));
                    *left -= take;
                    take
                }
                Avail::Mining { region } => hour.mining_w[region],
                Avail::Exports { region } => hour.interruptible_w[region] - hour.mining_w[region],
                Avail::Voltage { region, fraction } => {
                    let demand = hour.firm_w[region] + hour.interruptible_w[region];
                    (demand as f64 * fraction).round() as i64
                }
                Avail::Appeal { appeal, cap_w, .. } => {
                    if self.appeal_used[appeal] < self.appeal_hours[appeal] {
                        cap_w
                    } else {
                        0
                    }
                }
                Avail::Interruptible { region } => hour.interruptible_w[region],
                Avail::Charge { slot } => self.charge_w[slot],
                Avail::Discharge { slot, .. } => self.discharge_w[slot],
                Avail::Borrow { slot, .. } => self.borrow_w[slot],
                Avail::Payback { slot } => self.payback_w[slot],
            };
        }
        self.dispatcher.dispatch(
            &LadderHour {
                supply_w: &hour.supply_w[..r_n],
                firm_w: hour.firm_w,
                arc_limit_w: hour.arc_limit_w,
                available_w: &self.available_w,
            },
            &mut self.out,
        );
        short_w[..r_n].copy_from_slice(&self.out.firm_short_w);
        import_w.copy_from_slice(&self.out.import_w);
        curtailed_w[..r_n].fill(0);
        self.mining_curtailed_w.fill(0);
        self.region_extra_w.fill(0);
        self.rank_use_w.fill(0);
        for (j, kind) in self.avail.iter().enumerate() {
            let used = self.out.use_w[j];
            if let Some(k) = self.rank[j] {
                self.rank_use_w[k] += used;
            }
            match *kind {
                Avail::Mining { region } => {
                    curtailed_w[region] += used;
                    self.mining_curtailed_w[region] += used;
                }
                Avail::Exports { region } => curtailed_w[region] += used,
                Avail::Voltage { region, .. } => {
                    self.region_extra_w[region] += self.available_w[j];
                }
                Avail::Appeal { appeal, region, .. } => {
                    self.region_extra_w[region] += self.available_w[j];
                    self.appeal_used[appeal] += u32::from(used > 0);
                }
                Avail::Interruptible { region } => curtailed_w[region] += used,
                Avail::Charge { slot } => self.charged_w[slot] = self.available_w[j] - used,
                Avail::Discharge { slot, region } => {
                    self.discharged_w[slot] = used;
                    self.region_extra_w[region] += self.available_w[j];
                }
                Avail::Borrow { slot, region } => {
                    self.borrowed_w[slot] = used;
                    self.region_extra_w[region] += self.available_w[j];
                }
                Avail::Payback { slot } => self.paid_w[slot] = self.available_w[j] - used,
                Avail::Tier { .. } => {}
            }
        }
        &self.out.binding
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::dispatch::Arc;
    use gridrisk_core::model::LadderRank;

    const MW: i64 = 1_000_000;

    /// Two regions, B -> A; an appeal of 50 MW in B, one hour a day. Hour 1: A short by
    /// 10 MW; hour 2: B short by 50 MW. With the line out in hour 1 the appeal cannot help
    /// A, stays unused and serves B in hour 2 (10 MW short in all); with the line in, hour 1
    /// spends the budget on 10 MW and hour 2 is short by 50 MW (50 MW in all).
    #[test]
    fn appeals_budget_is_not_monotone() {
        let topology = Topology::new(2, 0, vec![Arc { from: 1, to: 0 }]).unwrap();
        let net = Network {
            ladder: vec![LadderRank {
                name: "appeals".into(),
                steps: vec![LadderStep::Appeal {
                    region: 1,
                    cap_w: 50 * MW,
                    hours_per_day: 1,
                }],
            }],
            ..Network::default()
        };
        let total_short = |line_mw: i64| {
            let mut l = LadderNet::of(
                &net,
                &Conditions::default(),
                &topology,
                SharingRule::Local,
                None,
                None,
            )
            .unwrap();
            l.start_sample();
            let (mut short, mut curt, mut imp) = ([0; 2], [0; 2], [0; 0]);
            let mut total = 0;
            for (supply, firm, line) in [
                ([90 * MW, 100 * MW], [100 * MW, 100 * MW], line_mw * MW),
                ([100 * MW, 50 * MW], [100 * MW, 100 * MW], 0),
            ] {
                l.dispatch(
                    0,
                    &LadderInputs {
                        supply_w: &supply,
                        firm_w: &firm,
                        interruptible_w: &[0, 0],
                        mining_w: &[0, 0],
                        arc_limit_w: &[line],
                    },
                    &mut short,
                    &mut curt,
                    &mut imp,
                );
                total += short.iter().sum::<i64>();
            }
            total
        };
        assert_eq!(total_short(0), 10 * MW);
        assert_eq!(total_short(100), 50 * MW);
    }

    /// Tiers take the source's cap in ladder order; an appeal's budget renews each day.
    #[test]
    fn tiers_fill_in_order_and_appeals_renew_daily() {
        let topology = Topology::new(1, 1, vec![Arc { from: 1, to: 0 }]).unwrap();
        let net = Network {
            ladder: vec![
                LadderRank {
                    name: "scheduled".into(),
                    steps: vec![LadderStep::Import {
                        source: 0,
                        cap_w: Some(30 * MW),
                    }],
                },
                LadderRank {
                    name: "appeals".into(),
                    steps: vec![LadderStep::Appeal {
                        region: 0,
                        cap_w: 20 * MW,
                        hours_per_day: 1,
                    }],
                },
                LadderRank {
                    name: "emergency".into(),
                    steps: vec![LadderStep::Import {
                        source: 0,
                        cap_w: None,
                    }],
                },
            ],
            ..Network::default()
        };
        let mut l = LadderNet::of(
            &net,
            &Conditions::default(),
            &topology,
            SharingRule::Local,
            None,
            None,
        )
        .unwrap();
        let (mut short, mut curt, mut imp) = ([0; 1], [0; 1], [0; 1]);
        let mut hour = |l: &mut LadderNet, day| {
            l.dispatch(
                day,
                &LadderInputs {
                    supply_w: &[100 * MW, 80 * MW],
                    firm_w: &[160 * MW],
                    interruptible_w: &[0],
                    mining_w: &[0],
                    arc_limit_w: &[1000 * MW],
                },
                &mut short,
                &mut curt,
                &mut imp,
            );
            (l.rank_use_w.clone(), short[0])
        };
        assert_eq!(hour(&mut l, 0), (vec![30 * MW, 20 * MW, 10 * MW], 0));
        assert_eq!(hour(&mut l, 0), (vec![30 * MW, 0, 30 * MW], 0));
        assert_eq!(hour(&mut l, 1), (vec![30 * MW, 20 * MW, 10 * MW], 0));
    }

    /// Where storage stands in the default order, hour by hour: imports and curtailment of
    /// interruptible demand come before discharge (which serves firm demand only); only
    /// domestic surplus charges, through lines, never an import; the largest time to empty
    /// discharges first and the smallest charges first.
    #[test]
    fn storage_ranks_in_the_default_order() {
        // A (0) and B (1), a 100 MW line both ways, an import source into A.
        let topology = Topology::new(
            2,
            1,
            vec![
                Arc { from: 0, to: 1 },
                Arc { from: 1, to: 0 },
                Arc { from: 2, to: 0 },
            ],
        )
        .unwrap();
        let ranks = DeviceRanks {
            groups: 2,
            regions: vec![0, 1],
        };
        let mut l = LadderNet::of(
            &Network::default(),
            &Conditions::default(),
            &topology,
            SharingRule::Local,
            Some(&ranks),
            None,
        )
        .unwrap();
        // Slot g x 2 + k: group g at A (k = 0) or B (k = 1).
        let mut hour =
            |supply: [i64; 3], firm: [i64; 2], int_a: i64, dis: [i64; 4], chg: [i64; 4]| {
                l.discharge_w.copy_from_slice(&dis.map(|x| x * MW));
                l.charge_w.copy_from_slice(&chg.map(|x| x * MW));
                let (mut short, mut curt, mut imp) = ([0; 2], [0; 2], [0; 1]);
                l.dispatch(
                    0,
                    &LadderInputs {
                        supply_w: &supply.map(|x| x * MW),
                        firm_w: &firm.map(|x| x * MW),
                        interruptible_w: &[int_a * MW, 0],
                        mining_w: &[0, 0],
                        arc_limit_w: &[100 * MW, 100 * MW, 100 * MW],
                    },
                    &mut short,
                    &mut curt,
                    &mut imp,
                );
                (
                    short.map(|x| x / MW),
                    curt[0] / MW,
                    imp[0] / MW,
                    l.discharged_w
                        .clone()
                        .iter()
                        .map(|x| x / MW)
                        .collect::<Vec<_>>(),
                    l.charged_w
                        .clone()
                        .iter()
                        .map(|x| x / MW)
                        .collect::<Vec<_>>(),
                )
            };
        // A lacks 10 MW: the 5 MW import first, then 5 MW of A's storage.
        let h = hour([90, 50, 5], [100, 50], 0, [20, 0, 0, 0], [0; 4]);
        assert_eq!((h.0, h.2, h.3), ([0, 0], 5, vec![5, 0, 0, 0]));
        // Interruptible demand is curtailed rather than served from storage.
        let h = hour([100, 50, 0], [100, 50], 10, [20, 0, 0, 0], [0; 4]);
        assert_eq!((h.0, h.1, h.3), ([0, 0], 10, vec![0, 0, 0, 0]));
        // A's 20 MW surplus charges B's storage through the line; the import does not.
        let h = hour([120, 50, 30], [100, 50], 0, [0; 4], [0, 30, 0, 0]);
        assert_eq!((h.2, h.4), (0, vec![0, 20, 0, 0]));
        // A lacks 15 MW: group 0 (largest time to empty) gives all its 10 MW first.
        let h = hour([85, 50, 0], [100, 50], 0, [10, 0, 10, 0], [0; 4]);
        assert_eq!((h.0, h.3), ([0, 0], vec![10, 0, 5, 0]));
        // A's 15 MW surplus: group 1 (smallest time to empty) charges its 10 MW first.
        let h = hour([115, 50, 0], [100, 50], 0, [0; 4], [10, 0, 10, 0]);
        assert_eq!(h.4, vec![5, 0, 10, 0]);
        // Discharge never charges another device, and B's storage serves A through the
        // line when A's own is empty.
        let h = hour([80, 50, 0], [100, 50], 0, [0, 30, 0, 0], [10, 0, 0, 0]);
        assert_eq!(
            (h.0, h.3, h.4),
            ([0, 0], vec![0, 20, 0, 0], vec![0, 0, 0, 0])
        );
    }
}
