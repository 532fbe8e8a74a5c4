//! Dispatch of one hour under a ranked *ladder of last resorts*: which resources the
//! operator calls, in which order, when domestic generation does not serve everything.
//!
//! # Model
//!
//! The network is a [`Topology`] as for [`Dispatcher`](super::Dispatcher). Domestic
//! generation of a region is free and used first. Every other way to close a gap is a
//! [`Resource`] on a *rank* of a [`Ladder`] (rank 0 the cheapest):
//!
//! * [`Resource::Supply`]: extra power into a node, up to what is available in the hour
//!   (an import tier of a source feeds the source's external node; voltage reduction and
//!   public appeals feed a region). Its *use* is the power taken from it.
//! * [`Resource::Demand`]: a class of interruptible demand at a region (registered mining,
//!   a scheduled export). Its *use* is the part of it not served.
//!
//! Shedding firm demand is above every rank. The import of an external is the use of the
//! supply resources that feed it (an external has no supply of its own in a ladder hour).
//!
//! # Objective
//!
//! The answer, [`LadderDispatch`], is unique: in strict lexicographic order it has
//!
//! 1. the least total firm shortfall;
//! 2. the least total use of each rank, from the costliest rank down to the cheapest;
//! 3. under [`SharingRule::Local`], the least total transfer (flow on region-to-region
//!    arcs), minimised once after every rank's total, since it is one quantity of the
//!    whole network (under [`SharingRule::Shared`] there is no such stage);
//! 4. the split of the firm shortfall among regions, the lexicographic min-max of
//!    `short_r / firm_r` (as the default dispatch); then for each rank, from the costliest
//!    down, the lexicographic min-max of `use_j / available_j` among its resources;
//! 5. exact integer watts by the largest-remainder rule of the default dispatch, leftover
//!    watts to the larger remainders, ties to the resource listed first in its rank.
//!
//! The default order of [`Dispatcher`](super::Dispatcher) is one ladder: one rank per
//! external (the last external the cheapest) below one rank of every region's
//! interruptible demand ([`Ladder::default_of`]); the tests check it gives the default
//! dispatch to the watt.
//!
//! # Algorithm
//!
//! One circulation, as in the default dispatch, with a sink per rank: a supply resource
//! `j` is a node `P_j` fed exactly its availability from the source, with a *use* edge into
//! its node and an *unused* edge into its rank's sink; a demand resource is an edge from
//! its region into its rank's sink. Every rank's terminal edges carry what is *not* used,
//! so objective 2 maximises the flow into each rank's sink in turn (and fixes it), and
//! objective 4 is the progressive filling of the default dispatch on the terminal edges
//! of a rank, weighted by availability. `binding` comes from the residual graph of the
//! firm max flow: one more watt on arc `a` opens an augmenting path (one search per
//! saturated arc leaving the reachable set).
//!
//! # Shortcuts, and why they are exact
//!
//! Most hours need no circulation. The network's *components* (nodes joined by arcs,
//! whatever their limits in the hour) share nothing, and every objective above is a sum
//! over components or, for the splits, a progressive filling whose levels in one component
//! do not move another's; a component whose answer is exact without a remainder (every
//! share an integer that takes no leftover watt) can therefore be taken out. Per hour, a
//! local max flow (`local.rs`) routes domestic generation to every region's need (firm
//! demand and the demand resources at it), and each component is then one of:
//!
//! * **served at home**: nothing is left unserved; no resource is used, nothing binds;
//! * **served by a chain**: the ranks are offered cheapest first, each whole (every
//!   resource at its availability, a demand resource as that much supply at its region),
//!   the max flow continued after each; after the flow with the ranks below `k` (*level
//!   k*), let `L_k` be what is left unserved and `B_k` the nodes that can reach it in the
//!   residual graph (the same set for every max flow). If at every level up to the first
//!   `m` with `L_{m+1} = 0` at most one resource of the rank with anything available is in
//!   `B_k`, that resource's use is `L_k - L_{k+1}` and every other resource is unused.
//!   Why: ranks above `m` are unused (serving everything without them is possible); a
//!   flow never serves more than the max flow of what it may use, so rank `k` uses at
//!   least `L_k - L_{k+1}` once the ranks above are at their least, and the continued flow
//!   reaches that, level by level from the top. And every max flow at level `k` fills
//!   the arcs into `B_k`, sends nothing out of it and uses all supply in it, so any flow
//!   that serves everything needs `L_k` from the resources of rank `k` and above inside
//!   `B_k`; the ranks above use `L_{k+1}` in all, so rank `k` uses all of its
//!   `L_k - L_{k+1}` inside `B_k`: on its one resource there. Every share is that exact
//!   integer, so no least-transfer stage or split can move it. One resource at the cheapest
//!   rank that serves the rest is the chain of one level;
//! * **served by a chain with a pair**: as a chain, except that at one level `p` exactly two
//!   resources `a`, `b` (both supply or both demand) of the rank with anything available
//!   are in `B_p`. The argument above holds level by level whatever the other levels are:
//!   every rank uses `L_k - L_{k+1}` in all, each other rank of the chain on its one
//!   resource in `B_k`, rank `p` on `a` and `b` (`L_p - L_{p+1}` between them), every other
//!   resource nothing, and nothing firm is short (no firm split, nothing binds). So every
//!   circulation that meets objectives 1 and 2 has these uses, and the least-transfer
//!   stage leaves the least-transfer circulations of the regions, externals and arcs with
//!   those uses fixed and the pair's sum fixed; every split but rank `p`'s is of exact
//!   integers. On that set `a`'s use ranges over an integer interval (the projection of a
//!   face of an integral network polytope), found by the largest flow around `a`'s edge
//!   each way. Rank `p`'s split fills the unused parts `x_a + x_b = U` (every other
//!   resource of the rank is unused, at ratio 1, above the pair's first level since
//!   `U < A_a + A_b`): if `a`'s proportional part `U A_a / (A_a + A_b)` lies in its
//!   interval of unused parts, both share that ratio, rounded by the largest remainder
//!   (the leftover watt to the larger remainder, a tie to `a`, listed first), and floor
//!   and ceiling both lie in the integer interval, so the rounded shares are realisable;
//!   otherwise the end of the interval that binds is `a`'s part and `b` takes the rest.
//!   That is the progressive filling of the circulation, bit for bit, without the
//!   circulation (a supply and a demand resource as a pair are left to it);
//! * otherwise **solved**: the circulation above, of the component alone (its regions,
//!   externals, arcs and resources, in their order in the whole network), when the network
//!   has other components; the answer is unique, and another component takes part in no
//!   level of it (it would carry zeros only), so this is the whole network's answer there.
//!   When a rank with three resources that reach the need (or the second rank with two)
//!   offered whole leaves nothing unserved (`L_{k+1} = 0`), and when a pair is left to the
//!   circulation, the ranks above are unused (as in a chain): their
//!   supply resources are left out and their demand resources served as firm demand.
//!   That changes no feasible flow with those ranks unused (a demand resource fully
//!   served is a firm demand served), no objective (nothing firm is short in either, so
//!   neither has a firm split or a binding arc) and no split of rank `k` or below.
//!
//! Tested bit for bit against the circulation of the whole network on random ladders (up to
//! 40 regions and six ranks of four resources).

use super::flow::Net;
use super::local::LocalFlow;
use super::solve::{self, Work};
use super::{Arc, DispatchError, HourState, SharingRule, Topology};

/// A last-resort resource of a [`Ladder`]; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// Extra power into node `node` (a region, or an external for an import tier).
    Supply {
        /// The node it feeds.
        node: usize,
    },
    /// A class of interruptible demand at region `region`; its use is what is not served.
    Demand {
        /// The region.
        region: usize,
    },
}

/// The ranks of last resorts of a network, cheapest first; firm shedding is above them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder {
    /// The resources, rank by rank (rank 0 first), each rank in its own order.
    resources: Vec<Resource>,
    /// Per rank: its range of `resources`.
    ranks: Vec<std::ops::Range<usize>>,
}

impl Ladder {
    /// A ladder of `ranks` (cheapest first, each a list of resources) on `topology`: every
    /// node must exist, a demand resource must be at a region.
    pub fn new(topology: &Topology, ranks: Vec<Vec<Resource>>) -> Result<Ladder, DispatchError> {
        let mut resources = Vec::new();
        let mut ranges = Vec::new();
        for rank in ranks {
            let start = resources.len();
            for res in rank {
                let (node, limit) = match res {
                    Resource::Supply { node } => (node, topology.nodes()),
                    Resource::Demand { region } => (region, topology.regions()),
                };
                if node >= limit {
                    return Err(DispatchError::ResourceOutOfRange {
                        resource: resources.len(),
                        nodes: limit,
                    });
                }
                resources.push(res);
            }
            ranges.push(start..resources.len());
        }
        Ok(Ladder {
            resources,
            ranks: ranges,
        })
    }

    /// The default order of the dispatcher as a ladder: rank `k < E` is external
    /// `E - 1 - k` (the first external the costliest), rank `E` every region's
    /// interruptible demand (resource `E + r` is region `r`'s).
    pub fn default_of(topology: &Topology) -> Ladder {
        let (r, e) = (topology.regions(), topology.externals());
        let mut ranks: Vec<Vec<Resource>> = (0..e)
            .rev()
            .map(|x| vec![Resource::Supply { node: r + x }])
            .collect();
        ranks.push((0..r).map(|region| Resource::Demand { region }).collect());
        Ladder::new(topology, ranks).expect("the default ladder names existing nodes")
    }

    /// The resources, rank by rank, cheapest rank first.
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Number of ranks.
    pub fn ranks(&self) -> usize {
        self.ranks.len()
    }

    /// The rank of resource `j`.
    pub fn rank_of(&self, j: usize) -> usize {
        self.ranks.partition_point(|r| r.end <= j)
    }
}

/// The numbers of one hour under a ladder, all in watts and all `>= 0`.
#[derive(Debug, Clone, Copy)]
pub struct LadderHour<'a> {
    /// Per region: domestic generation (free).
    pub supply_w: &'a [i64],
    /// Per region: firm demand.
    pub firm_w: &'a [i64],
    /// Per arc: available limit.
    pub arc_limit_w: &'a [i64],
    /// Per resource of the ladder: what it can give (supply) or its demand (demand).
    pub available_w: &'a [i64],
}

/// The unique outcome of one hour under a ladder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LadderDispatch {
    /// Per region: firm demand not served, W.
    pub firm_short_w: Vec<i64>,
    /// Per resource: its use, W (power taken, or interruptible demand not served).
    pub use_w: Vec<i64>,
    /// Per external: power imported from it, W.
    pub import_w: Vec<i64>,
    /// Per arc: one more watt of limit would lower the least total firm shortfall.
    pub binding: Vec<bool>,
}

impl LadderDispatch {
    /// An empty outcome for `topology` and `ladder`.
    pub fn new(topology: &Topology, ladder: &Ladder) -> LadderDispatch {
        LadderDispatch {
            firm_short_w: vec![0; topology.regions()],
            use_w: vec![0; ladder.resources.len()],
            import_w: vec![0; topology.externals()],
            binding: vec![false; topology.arcs().len()],
        }
    }
}

const S: usize = 0;
const T: usize = 1;
const TF: usize = 2;
/// First rank sink.
const K0: usize = 3;

/// Node and edge numbering of the circulation of one hour.
#[derive(Debug, Clone, Copy, Default)]
struct Layout {
    /// First level-aggregate node, the super source (the super sink follows it).
    agg0: usize,
    ss: usize,
    n: usize,
    /// First arc edge, first firm edge, first terminal edge, first rank edge, the firm
    /// return edge.
    arc0: usize,
    firm0: usize,
    term0: usize,
    rank0: usize,
    tf: usize,
}

/// Dispatches hours of one network under one ladder and sharing rule; reuse it for every
/// hour (its workspace is allocated on the first calls).
#[derive(Debug, Clone)]
pub struct LadderDispatcher {
    topology: Topology,
    ladder: Ladder,
    rule: SharingRule,
    net: Net,
    work: Work,
    /// Per region: firm demand plus the demand resources at it (the trivial-hour test).
    need_w: Vec<i64>,
    /// Per arc: a candidate for `binding` in this hour.
    candidate: Vec<bool>,
    /// Per node: the balance of the start of [`LadderDispatcher::split_pair`].
    balance_w: Vec<i128>,
    /// The shortcuts' state (module docs).
    parts: Components,
}

/// What a component is in an hour (module docs, Shortcuts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ServedAtHome,
    /// Served by a chain of single resources, whose uses are [`Components::use_w`].
    Chained,
    Solved,
    /// Still being classified after a rank with two resources that can reach the need (a
    /// [`Pair`]): something is left unserved after the ranks so far.
    Paired,
    /// Still being classified: something is left unserved after the ranks so far.
    Open,
}

/// [`Components::pick`]: no resource of the rank can reach an unserved need, or more than one.
const NONE: usize = usize::MAX;
const MANY: usize = usize::MAX - 1;

/// The network's components and the buffers of the shortcuts.
#[derive(Debug, Clone, Default)]
struct Components {
    /// Per node: its component.
    of_node: Vec<usize>,
    /// Per resource: its component, and the node it feeds or takes from.
    of_resource: Vec<usize>,
    node_of: Vec<usize>,
    local: LocalFlow,
    /// Per component: its kind in the hour, its need left unserved by the flow so far,
    /// and the one resource of the current rank that can reach it (or [`NONE`], [`MANY`]).
    kind: Vec<Kind>,
    left_w: Vec<i64>,
    before_w: Vec<i64>,
    pick: Vec<usize>,
    /// Per solved component: the rank at which two of its resources could reach its need,
    /// if that rank offered whole serves everything (the ranks above are then unused), else
    /// [`NONE`]; then that rank's total use, and its two resources that could reach the
    /// need (`(NONE, NONE)` if there were more).
    top: Vec<usize>,
    pair_use_w: Vec<i64>,
    pair: Vec<(usize, usize)>,
    /// Per component: the first two resources of the current rank that can reach its need.
    duo: Vec<(usize, usize)>,
    /// Per resource: its use in a chained component (zero except on `used`).
    use_w: Vec<i64>,
    used: Vec<usize>,
    /// Per component: the dispatcher of it alone, if the network has other components
    /// and it has a region (a component without one is always served at home).
    subs: Vec<Option<Sub>>,
}

/// One component of a network with several, as a network of its own (module docs,
/// Shortcuts: solved); its parts are listed in their order in the whole network, so that
/// the ties of the splits fall the same way.
#[derive(Debug, Clone)]
struct Sub {
    dispatcher: LadderDispatcher,
    out: LadderDispatch,
    /// Its regions, externals, arcs and resources in the whole network.
    regions: Vec<usize>,
    externals: Vec<usize>,
    arcs: Vec<usize>,
    resources: Vec<usize>,
    /// Per resource of the component: its rank, and its region if it is a demand.
    rank: Vec<usize>,
    demand_at: Vec<Option<usize>>,
    /// Its part of the hour.
    supply_w: Vec<i64>,
    firm_w: Vec<i64>,
    arc_limit_w: Vec<i64>,
    available_w: Vec<i64>,
    /// Per resource of the component: its use known from the shortcuts (a [`Pair`]); per
    /// arc of it: its flow in the chain's local flow.
    known_use_w: Vec<i64>,
    arc_flow_w: Vec<i64>,
}

/// What the shortcuts know of a solved component served by a chain in which one rank has
/// exactly two resources that can reach the need (module docs, Shortcuts: a pair).
#[derive(Debug, Clone, Copy)]
struct Pair<'a> {
    /// The two resources, in ladder order.
    resources: (usize, usize),
    /// Their use in all.
    use_w: i64,
    /// Per resource of the ladder other than the pair: its use in the chain (zero above
    /// the last rank used).
    chain_use_w: &'a [i64],
    /// Per arc of the network: its flow in the chain's local flow (a start close to the
    /// answer).
    arc_flow_w: &'a [i64],
}

impl Sub {
    /// Component `c` of `t` (nodes in it where `of_node` is `c`) under `ladder`, or `None`
    /// if it has no region.
    fn of(
        t: &Topology,
        ladder: &Ladder,
        rule: SharingRule,
        of_node: &[usize],
        c: usize,
    ) -> Option<Sub> {
        let r_n = t.regions();
        let regions: Vec<usize> = (0..r_n).filter(|&r| of_node[r] == c).collect();
        if regions.is_empty() {
            return None;
        }
        let externals: Vec<usize> = (0..t.externals())
            .filter(|&x| of_node[r_n + x] == c)
            .collect();
        // Node numbers in the component: its regions, then its externals.
        let mut local = vec![usize::MAX; t.nodes()];
        for (i, &r) in regions.iter().enumerate() {
            local[r] = i;
        }
        for (i, &x) in externals.iter().enumerate() {
            local[r_n + x] = regions.len() + i;
        }
        let arcs: Vec<usize> = (0..t.arcs().len())
            .filter(|&a| of_node[t.arcs()[a].from] == c)
            .collect();
        let sub_arcs = arcs
            .iter()
            .map(|&a| Arc {
                from: local[t.arcs()[a].from],
                to: local[t.arcs()[a].to],
            })
            .collect();
        let topology = Topology::new(regions.len(), externals.len(), sub_arcs)
            .expect("a component of a valid topology is valid");
        let (mut resources, mut rank_of, mut demand_at) = (Vec::new(), Vec::new(), Vec::new());
        let ranks = ladder
            .ranks
            .iter()
            .enumerate()
            .map(|(k, range)| {
                let mut rank = Vec::new();
                for j in range.clone() {
                    let res = match ladder.resources[j] {
                        Resource::Supply { node } if of_node[node] == c => {
                            Resource::Supply { node: local[node] }
                        }
                        Resource::Demand { region } if of_node[region] == c => Resource::Demand {
                            region: local[region],
                        },
                        _ => continue,
                    };
                    resources.push(j);
                    rank_of.push(k);
                    demand_at.push(match res {
                        Resource::Demand { region } => Some(region),
                        Resource::Supply { .. } => None,
                    });
                    rank.push(res);
                }
                rank
            })
            .collect();
        let sub_ladder = Ladder::new(&topology, ranks).expect("a component's resources are in it");
        Some(Sub {
            out: LadderDispatch::new(&topology, &sub_ladder),
            supply_w: vec![0; regions.len()],
            firm_w: vec![0; regions.len()],
            arc_limit_w: vec![0; arcs.len()],
            available_w: vec![0; resources.len()],
            known_use_w: vec![0; resources.len()],
            arc_flow_w: vec![0; arcs.len()],
            dispatcher: LadderDispatcher::new(topology, sub_ladder, rule),
            regions,
            externals,
            arcs,
            resources,
            rank: rank_of,
            demand_at,
        })
    }

    /// The circulation of the component in `hour` (of the whole network), written into its
    /// entries of `out`; the ranks above `top` are known to be unused ([`NONE`]: nothing
    /// known), so their supply resources are left out and their demand resources served as
    /// firm demand (module docs, Shortcuts: solved); with a `pair` at `top`, its split
    /// instead of the circulation (a pair).
    fn solve(
        &mut self,
        hour: &LadderHour,
        out: &mut LadderDispatch,
        top: usize,
        pair: Option<Pair>,
    ) {
        for (i, &r) in self.regions.iter().enumerate() {
            self.supply_w[i] = hour.supply_w[r];
            self.firm_w[i] = hour.firm_w[r];
        }
        for (i, &a) in self.arcs.iter().enumerate() {
            self.arc_limit_w[i] = hour.arc_limit_w[a];
        }
        for (i, &j) in self.resources.iter().enumerate() {
            let a = hour.available_w[j];
            self.available_w[i] = if top != NONE && self.rank[i] > top {
                if let Some(r) = self.demand_at[i] {
                    self.firm_w[r] += a;
                }
                0
            } else {
                a
            };
        }
        let part = LadderHour {
            supply_w: &self.supply_w,
            firm_w: &self.firm_w,
            arc_limit_w: &self.arc_limit_w,
            available_w: &self.available_w,
        };
        let split = pair.is_some_and(|p| {
            for (i, &j) in self.resources.iter().enumerate() {
                self.known_use_w[i] = p.chain_use_w[j];
            }
            for (i, &a) in self.arcs.iter().enumerate() {
                self.arc_flow_w[i] = p.arc_flow_w[a];
            }
            let local = |j| {
                self.resources
                    .binary_search(&j)
                    .expect("a pair's resources are in its component")
            };
            let (a, b) = (local(p.resources.0), local(p.resources.1));
            let known = (&self.known_use_w[..], &self.arc_flow_w[..]);
            self.dispatcher
                .split_pair(&part, known, (a, b), p.use_w, &mut self.out)
        });
        if !split {
            self.dispatcher.solve(&part, &mut self.out);
        }
        for (i, &r) in self.regions.iter().enumerate() {
            out.firm_short_w[r] = self.out.firm_short_w[i];
        }
        for (i, &x) in self.externals.iter().enumerate() {
            out.import_w[x] = self.out.import_w[i];
        }
        for (i, &a) in self.arcs.iter().enumerate() {
            out.binding[a] = self.out.binding[i];
        }
        for (i, &j) in self.resources.iter().enumerate() {
            out.use_w[j] = self.out.use_w[i];
        }
    }
}

impl Components {
    fn new(t: &Topology, ladder: &Ladder, rule: SharingRule) -> Components {
        // The components with regions (as the default dispatcher finds them); an external
        // that feeds no region is a component of its own.
        let mut of_node = vec![usize::MAX; t.nodes()];
        let parts = super::components(t);
        for (c, (regions, externals)) in parts.iter().enumerate() {
            for &r in regions {
                of_node[r] = c;
            }
            for &e in externals {
                of_node[t.regions() + e] = c;
            }
        }
        let mut count = parts.len();
        for c in of_node.iter_mut().filter(|c| **c == usize::MAX) {
            *c = count;
            count += 1;
        }
        let node_of: Vec<usize> = ladder
            .resources
            .iter()
            .map(|res| match *res {
                Resource::Supply { node } => node,
                Resource::Demand { region } => region,
            })
            .collect();
        let subs = if count > 1 {
            (0..count)
                .map(|c| Sub::of(t, ladder, rule, &of_node, c))
                .collect()
        } else {
            Vec::new()
        };
        Components {
            of_resource: node_of.iter().map(|&v| of_node[v]).collect(),
            node_of,
            of_node,
            local: LocalFlow::new(t),
            kind: vec![Kind::Solved; count],
            left_w: vec![0; count],
            before_w: vec![0; count],
            pick: vec![NONE; count],
            top: vec![NONE; count],
            pair_use_w: vec![0; count],
            pair: vec![(NONE, NONE); count],
            duo: vec![(NONE, NONE); count],
            use_w: vec![0; ladder.resources.len()],
            used: Vec::with_capacity(ladder.resources.len()),
            subs,
        }
    }

    /// The pair of solved component `c`, if it has one (module docs, Shortcuts: a pair).
    fn pair(&self, c: usize) -> Option<Pair<'_>> {
        (self.top[c] != NONE && self.pair[c].0 != NONE).then(|| Pair {
            resources: self.pair[c],
            use_w: self.pair_use_w[c],
            chain_use_w: &self.use_w,
            arc_flow_w: self.local.flow_w(),
        })
    }

    /// Per component, the need the local flow leaves unserved, into `left_w`.
    fn sum_left(&mut self, regions: usize) {
        self.left_w.fill(0);
        for r in 0..regions {
            self.left_w[self.of_node[r]] += self.local.need[r];
        }
    }

    /// Each component's kind in `hour`, whose per-region needs are `need_w` (module docs,
    /// Shortcuts); `true` if some component must be solved.
    fn classify(&mut self, t: &Topology, lad: &Ladder, hour: &LadderHour, need_w: &[i64]) -> bool {
        let state = HourState {
            supply_w: hour.supply_w,
            firm_w: hour.firm_w,
            interruptible_w: &[],
            arc_limit_w: hour.arc_limit_w,
        };
        self.local.start(t, &state, need_w);
        self.local.route(hour.arc_limit_w);
        self.sum_left(t.regions());
        for (kind, &left) in self.kind.iter_mut().zip(&self.left_w) {
            *kind = if left == 0 {
                Kind::ServedAtHome
            } else {
                Kind::Open
            };
        }
        for &j in &self.used {
            self.use_w[j] = 0;
        }
        self.used.clear();
        self.top.fill(NONE);
        self.pair.fill((NONE, NONE));
        let open = |kind: Kind| matches!(kind, Kind::Open | Kind::Paired);
        for (k, range) in lad.ranks.iter().enumerate() {
            if !self.kind.iter().any(|&kind| open(kind)) {
                break;
            }
            // The resources of the rank that can reach an unserved need, per component.
            self.pick.fill(NONE);
            for j in range.clone() {
                let c = self.of_resource[j];
                if open(self.kind[c])
                    && hour.available_w[j] > 0
                    && self.local.reaches_need(self.node_of[j])
                {
                    self.duo[c] = match self.pick[c] {
                        NONE | MANY => (NONE, NONE),
                        first => (first, j),
                    };
                    self.pick[c] = if self.pick[c] == NONE { j } else { MANY };
                }
            }
            let mut single = false;
            for c in 0..self.kind.len() {
                if self.pick[c] == MANY {
                    if self.kind[c] == Kind::Open && self.duo[c].0 != NONE {
                        // The first rank with two: a pair, the chain goes on above it.
                        self.kind[c] = Kind::Paired;
                        self.pair[c] = self.duo[c];
                    } else {
                        // Solved; offered this rank all the same, to learn whether the
                        // ranks above are unused.
                        self.kind[c] = Kind::Solved;
                        self.top[c] = k;
                        self.pair[c] = (NONE, NONE);
                    }
                }
                single |= open(self.kind[c]) && self.pick[c] != NONE || self.top[c] == k;
            }
            // The whole rank is offered (the cut argument needs every cheaper resource at
            // its full availability); a demand resource as supply at its region.
            self.before_w.copy_from_slice(&self.left_w);
            for j in range.clone() {
                let c = self.of_resource[j];
                if open(self.kind[c]) || self.top[c] == k {
                    self.local.offer(self.node_of[j], hour.available_w[j]);
                }
            }
            if !single {
                // Nothing offered can reach a need: the flow cannot grow.
                continue;
            }
            self.local.route(hour.arc_limit_w);
            self.sum_left(t.regions());
            for c in 0..self.kind.len() {
                if self.top[c] == k && self.left_w[c] > 0 {
                    self.top[c] = NONE;
                }
                let (j, used_w) = (self.pick[c], self.before_w[c] - self.left_w[c]);
                if !open(self.kind[c]) || j == NONE {
                    continue;
                }
                if j == MANY {
                    self.pair_use_w[c] = used_w;
                } else {
                    self.use_w[j] = used_w;
                    self.used.push(j);
                }
                if self.left_w[c] == 0 {
                    if self.kind[c] == Kind::Open {
                        self.kind[c] = Kind::Chained;
                    } else {
                        // Served with the pair: the ranks above are unused.
                        self.kind[c] = Kind::Solved;
                        self.top[c] = k;
                    }
                }
            }
        }
        for kind in &mut self.kind {
            if open(*kind) {
                *kind = Kind::Solved;
            }
        }
        self.kind.contains(&Kind::Solved)
    }
}

impl LadderDispatcher {
    /// A dispatcher for `topology` under `ladder` and `rule`.
    pub fn new(topology: Topology, ladder: Ladder, rule: SharingRule) -> LadderDispatcher {
        let work = Work::new(&topology);
        LadderDispatcher {
            need_w: vec![0; topology.regions()],
            candidate: vec![false; topology.arcs().len()],
            balance_w: Vec::with_capacity(topology.nodes()),
            parts: Components::new(&topology, &ladder, rule),
            topology,
            ladder,
            rule,
            net: Net::default(),
            work,
        }
    }

    /// The ladder.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The full dispatch of the hour, written into `out` (resized if needed).
    ///
    /// # Panics
    ///
    /// If a slice of `hour` has the wrong length.
    pub fn dispatch(&mut self, hour: &LadderHour, out: &mut LadderDispatch) {
        let t = &self.topology;
        let (r_n, lad) = (t.regions(), &self.ladder);
        assert_eq!(hour.supply_w.len(), r_n, "supply_w: one per region");
        assert_eq!(hour.firm_w.len(), r_n, "firm_w: one per region");
        assert_eq!(
            hour.arc_limit_w.len(),
            t.arcs().len(),
            "arc_limit_w: one per arc"
        );
        assert_eq!(
            hour.available_w.len(),
            lad.resources.len(),
            "available_w: one per resource"
        );
        out.firm_short_w.resize(r_n, 0);
        out.use_w.resize(lad.resources.len(), 0);
        out.import_w.resize(t.externals(), 0);
        out.binding.resize(t.arcs().len(), false);
        // Every region serves its own firm and interruptible demand: nothing is used.
        self.need_w.copy_from_slice(hour.firm_w);
        for (res, &a) in lad.resources.iter().zip(hour.available_w) {
            if let Resource::Demand { region } = *res {
                self.need_w[region] += a;
            }
        }
        if self.need_w.iter().zip(hour.supply_w).all(|(n, s)| n <= s) {
            out.firm_short_w.fill(0);
            out.use_w.fill(0);
            out.import_w.fill(0);
            out.binding.fill(false);
            return;
        }
        let mut parts = std::mem::take(&mut self.parts);
        if !parts.classify(&self.topology, &self.ladder, hour, &self.need_w) {
            out.firm_short_w.fill(0);
            out.use_w.fill(0);
            out.import_w.fill(0);
            out.binding.fill(false);
        } else if parts.subs.is_empty() {
            // One component: the whole network.
            let split = parts.pair(0).is_some_and(|p| {
                let known = (p.chain_use_w, p.arc_flow_w);
                self.split_pair(hour, known, p.resources, p.use_w, out)
            });
            if !split {
                self.solve(hour, out);
            }
        } else if parts.kind.iter().all(|&k| k == Kind::Solved) {
            self.solve(hour, out);
        } else {
            // Each component to solve alone; the others have no shortfall and bind nothing.
            out.firm_short_w.fill(0);
            out.use_w.fill(0);
            out.import_w.fill(0);
            out.binding.fill(false);
            let mut subs = std::mem::take(&mut parts.subs);
            for (c, sub) in subs.iter_mut().enumerate() {
                if parts.kind[c] == Kind::Solved {
                    sub.as_mut()
                        .expect("a component with something to solve has a region")
                        .solve(hour, out, parts.top[c], parts.pair(c));
                }
            }
            parts.subs = subs;
        }
        // The chained components (at zero above): their uses from the chain.
        let r_n = self.topology.regions();
        for (j, res) in self.ladder.resources.iter().enumerate() {
            if parts.kind[parts.of_resource[j]] == Kind::Chained {
                let used = parts.use_w[j];
                out.use_w[j] = used;
                if let Resource::Supply { node } = *res {
                    if node >= r_n {
                        out.import_w[node - r_n] += used;
                    }
                }
            }
        }
        self.parts = parts;
    }

    /// The hour when the shortcuts found a pair (module docs, Shortcuts: a pair): resources
    /// `a < b` of one rank use `pair_use_w` in all, every other resource `known_use_w`;
    /// `arc_flow_w`, the chain's local flow per arc, is where the search starts.
    /// Writes the unique answer into `out` and returns `true`; `false` (nothing written) if
    /// the pair is a supply and a demand resource, left to the circulation.
    ///
    /// The least-transfer circulations with these uses fixed and the pair's total fixed
    /// are found on a network of the regions, externals and arcs alone (a node `G` feeds
    /// the pair's supply resources their total, or takes the pair's demand resources'
    /// served total); the range of `a`'s use among them is one search each way, and the
    /// split is the progressive filling of that range in closed form.
    fn split_pair(
        &mut self,
        hour: &LadderHour,
        (known_use_w, arc_flow_w): (&[i64], &[i64]),
        (a, b): (usize, usize),
        pair_use_w: i64,
        out: &mut LadderDispatch,
    ) -> bool {
        let t = &self.topology;
        let lad = &self.ladder;
        let at = |res: Resource| match res {
            Resource::Supply { node } => node,
            Resource::Demand { region } => region,
        };
        let (res_a, res_b) = (lad.resources[a], lad.resources[b]);
        let supply_pair = match (res_a, res_b) {
            (Resource::Supply { .. }, Resource::Supply { .. }) => true,
            (Resource::Demand { .. }, Resource::Demand { .. }) => false,
            _ => return false,
        };
        // S, T as in the circulation; `G` the pair's node, then the nodes, the super
        // source and sink, and `X`, the tail of the capped edge of the range searches.
        const G: usize = 2;
        let r_n = t.regions();
        let v0 = G + 1;
        let (ss, tt, x) = (v0 + t.nodes(), v0 + t.nodes() + 1, v0 + t.nodes() + 2);
        // A start close to a feasible circulation: the arcs as in the chain's local flow,
        // the pair's edges and then each region's own supply making up what a node
        // lacks (`balance_w`, per node: what flows in minus what flows out so far).
        let balance_w = &mut self.balance_w;
        balance_w.clear();
        balance_w.resize(t.nodes(), 0);
        for (arc, &f) in t.arcs().iter().zip(arc_flow_w) {
            balance_w[arc.to] += f as i128;
            balance_w[arc.from] -= f as i128;
        }
        for (r, &f) in hour.firm_w.iter().enumerate() {
            balance_w[r] -= f as i128;
        }
        for (j, &res) in lad.resources.iter().enumerate() {
            if j != a && j != b {
                let used = known_use_w[j] as i128;
                match res {
                    Resource::Supply { node } => balance_w[node] += used,
                    Resource::Demand { region } => {
                        balance_w[region] -= hour.available_w[j] as i128 - used
                    }
                }
            }
        }
        let (avail_a, avail_b) = (hour.available_w[a] as i128, hour.available_w[b] as i128);
        let mut pair_start = |v: usize, avail: i128| {
            let f = if supply_pair {
                (-balance_w[v]).clamp(0, avail)
            } else {
                balance_w[v].clamp(0, avail)
            };
            balance_w[v] += if supply_pair { f } else { -f };
            f
        };
        let (start_a, start_b) = (
            pair_start(at(res_a), avail_a),
            pair_start(at(res_b), avail_b),
        );
        let net = &mut self.net;
        net.reset(x + 1);
        let mut through = 0i128;
        let mut into_t = 0i128;
        for (r, &s) in hour.supply_w.iter().enumerate() {
            let e = net.add(S, v0 + r, 0, s as i128, 0);
            net.x[e] = (-balance_w[r]).clamp(0, s as i128);
            through += s as i128;
        }
        let arc0 = net.m();
        for ((arc, &lim), &f) in t.arcs().iter().zip(hour.arc_limit_w).zip(arc_flow_w) {
            let cost = i64::from(self.rule == SharingRule::Local && arc.from < r_n && arc.to < r_n);
            let e = net.add(v0 + arc.from, v0 + arc.to, 0, lim as i128, cost);
            net.x[e] = f as i128;
        }
        for (r, &f) in hour.firm_w.iter().enumerate() {
            let e = net.add(v0 + r, T, f as i128, f as i128, 0);
            net.x[e] = f as i128;
            into_t += f as i128;
        }
        for (j, &res) in lad.resources.iter().enumerate() {
            if j == a || j == b {
                continue;
            }
            let used = known_use_w[j] as i128;
            match res {
                Resource::Supply { node } => {
                    let e = net.add(S, v0 + node, used, used, 0);
                    net.x[e] = used;
                    through += used;
                }
                Resource::Demand { region } => {
                    let served = hour.available_w[j] as i128 - used;
                    let e = net.add(v0 + region, T, served, served, 0);
                    net.x[e] = served;
                    into_t += served;
                }
            }
        }
        let total = pair_use_w as i128;
        // The pair's edges carry their uses (supply) or what they serve (demand).
        let e_a = if supply_pair {
            let e = net.add(S, G, total, total, 0);
            net.x[e] = start_a + start_b;
            through += total;
            let e_a = net.add(G, v0 + at(res_a), 0, avail_a, 0);
            let e_b = net.add(G, v0 + at(res_b), 0, avail_b, 0);
            (net.x[e_a], net.x[e_b]) = (start_a, start_b);
            e_a
        } else {
            let served = avail_a + avail_b - total;
            let e_a = net.add(v0 + at(res_a), G, 0, avail_a, 0);
            let e_b = net.add(v0 + at(res_b), G, 0, avail_b, 0);
            (net.x[e_a], net.x[e_b]) = (start_a, start_b);
            let e = net.add(G, T, served, served, 0);
            net.x[e] = start_a + start_b;
            into_t += start_a + start_b;
            e_a
        };
        let back = net.add(T, S, 0, through, 0);
        net.x[back] = into_t;
        if !net.settle(ss, tt) {
            debug_assert!(false, "the chain with the pair serves everything");
            return false;
        }
        if self.rule == SharingRule::Local {
            net.least_transfer(arc0..arc0 + t.arcs().len(), ss, tt);
        }
        // The range of `e_a`'s flow on that face: as far up, then down, as a path from
        // its head to its tail (or back) allows, through an edge from `X` capped at what
        // `e_a` itself allows.
        let (u, v) = (net.eu[e_a], net.ev[e_a]);
        let m = net.m();
        net.add(x, v, 0, net.hi[e_a] - net.x[e_a], 0);
        let up = net.augment(x, u, Some(e_a));
        net.truncate(m);
        net.x[e_a] += up;
        let flow_hi = net.x[e_a];
        net.add(x, u, 0, net.x[e_a] - net.lo[e_a], 0);
        let down = net.augment(x, v, Some(e_a));
        net.truncate(m);
        let flow_lo = flow_hi - down;
        // `a`'s unused part (what the rank's split shares, weighted by availability).
        let (unused_lo, unused_hi) = if supply_pair {
            (avail_a - flow_hi, avail_a - flow_lo)
        } else {
            (flow_lo, flow_hi)
        };
        let (unused, weight) = (avail_a + avail_b - total, avail_a + avail_b);
        let unused_a = if unused_hi * weight < unused * avail_a {
            unused_hi
        } else if unused_lo * weight > unused * avail_a {
            unused_lo
        } else {
            // Both at the same ratio: floors, and the leftover watt (if any) to the larger
            // remainder, a tie to `a` (listed first).
            let (floor_a, rem_a) = ((unused * avail_a) / weight, (unused * avail_a) % weight);
            let (floor_b, rem_b) = ((unused * avail_b) / weight, (unused * avail_b) % weight);
            floor_a + i128::from(unused > floor_a + floor_b && rem_a >= rem_b)
        };
        let use_a = (avail_a - unused_a) as i64;
        out.firm_short_w.fill(0);
        out.binding.fill(false);
        out.import_w.fill(0);
        for (j, &res) in lad.resources.iter().enumerate() {
            let used = match j {
                _ if j == a => use_a,
                _ if j == b => pair_use_w - use_a,
                _ => known_use_w[j],
            };
            out.use_w[j] = used;
            if let Resource::Supply { node } = res {
                if node >= r_n {
                    out.import_w[node - r_n] += used;
                }
            }
        }
        true
    }

    fn build(&mut self, hour: &LadderHour) -> Layout {
        let t = &self.topology;
        let lad = &self.ladder;
        let (r_n, nodes, j_n, k_n) = (t.regions(), t.nodes(), lad.resources.len(), lad.ranks.len());
        let v0 = K0 + k_n;
        let p0 = v0 + nodes;
        let agg0 = p0 + j_n;
        let ss = agg0 + r_n + j_n;
        let mut l = Layout {
            agg0,
            ss,
            n: ss + 2,
            ..Layout::default()
        };
        let net = &mut self.net;
        net.reset(l.n);
        for r in 0..r_n {
            net.add(S, v0 + r, 0, hour.supply_w[r] as i128, 0);
        }
        l.arc0 = net.m();
        for (arc, &lim) in t.arcs().iter().zip(hour.arc_limit_w) {
            let cost = i64::from(self.rule == SharingRule::Local && arc.from < r_n && arc.to < r_n);
            net.add(v0 + arc.from, v0 + arc.to, 0, lim as i128, cost);
        }
        l.firm0 = net.m();
        let mut firm = 0i128;
        for r in 0..r_n {
            net.add(v0 + r, TF, 0, hour.firm_w[r] as i128, 0);
            firm += hour.firm_w[r] as i128;
        }
        // Supply resources: fed exactly their availability, which starts unused.
        let mut total = firm;
        for (j, res) in lad.resources.iter().enumerate() {
            if let Resource::Supply { node } = *res {
                let a = hour.available_w[j] as i128;
                let k = net.add(S, p0 + j, a, a, 0);
                net.x[k] = a;
                net.add(p0 + j, v0 + node, 0, a, 0);
            }
        }
        l.term0 = net.m();
        for (j, res) in lad.resources.iter().enumerate() {
            let a = hour.available_w[j] as i128;
            let sink = K0 + lad.rank_of(j);
            total += a;
            match *res {
                Resource::Supply { .. } => {
                    let k = net.add(p0 + j, sink, 0, a, 0);
                    net.x[k] = a;
                }
                Resource::Demand { region } => {
                    net.add(v0 + region, sink, 0, a, 0);
                }
            }
        }
        l.rank0 = net.m();
        let mut unused = 0;
        for (k, range) in lad.ranks.iter().enumerate() {
            let (mut avail, mut supplied) = (0i128, 0i128);
            for j in range.clone() {
                avail += hour.available_w[j] as i128;
                if matches!(lad.resources[j], Resource::Supply { .. }) {
                    supplied += hour.available_w[j] as i128;
                }
            }
            let e = net.add(K0 + k, T, 0, avail, 0);
            net.x[e] = supplied;
            unused += supplied;
        }
        l.tf = net.add(TF, T, 0, firm, 0);
        let back = net.add(T, S, 0, total, 0);
        net.x[back] = unused;
        l
    }

    fn solve(&mut self, hour: &LadderHour, out: &mut LadderDispatch) {
        let l = self.build(hour);
        let (r_n, a_n) = (self.topology.regions(), self.topology.arcs().len());
        let net = &mut self.net;
        // 1. Most firm demand served.
        net.keep_residual();
        let served = net.augment_kept(T, TF, l.tf);
        net.x[l.tf] += served;
        net.fix_kept(l.tf);
        let short_total = net.hi[l.firm0..l.firm0 + r_n].iter().sum::<i128>() - served;
        if short_total > 0 {
            binding(net, &l, &mut self.candidate, out);
            // The binding test searched other residual graphs.
            net.keep_residual();
        } else {
            out.binding.fill(false);
        }
        // 2. Least use of each rank, costliest first: most flow into its sink.
        let lad = &self.ladder;
        for k in (0..lad.ranks.len()).rev() {
            let e = l.rank0 + k;
            if net.x[e] < net.hi[e] {
                let more = net.augment_kept(T, K0 + k, e);
                net.x[e] += more;
            }
            net.fix_kept(e);
        }
        // A rank needs a split when it is partly used and has two resources to share it.
        let split = |net: &Net, k: usize| {
            let avail = &hour.available_w[lad.ranks[k].clone()];
            net.x[l.rank0 + k] < avail.iter().map(|&a| a as i128).sum::<i128>()
                && avail.iter().filter(|&&a| a > 0).nth(1).is_some()
        };
        let any_split = short_total > 0 || (0..lad.ranks.len()).any(|k| split(net, k));
        if any_split {
            // 3. Local: least total transfer.
            if self.rule == SharingRule::Local {
                net.least_transfer(l.arc0..l.arc0 + a_n, l.ss, l.ss + 1);
            }
            // 4. The splits: firm, then each rank from the costliest down.
            let mut next = l.agg0;
            let w = &mut self.work;
            if short_total > 0 {
                solve::share(
                    net,
                    w,
                    (l.ss, l.ss + 1),
                    TF,
                    l.firm0,
                    hour.firm_w,
                    &mut next,
                );
            }
            for k in (0..lad.ranks.len()).rev() {
                if split(net, k) {
                    let range = lad.ranks[k].clone();
                    let avail = &hour.available_w[range.clone()];
                    let term = l.term0 + range.start;
                    solve::share(net, w, (l.ss, l.ss + 1), K0 + k, term, avail, &mut next);
                }
            }
        }
        // Every terminal edge is now at its unique value (fixed by a split, or by its
        // rank's total when no split is needed).
        for r in 0..r_n {
            out.firm_short_w[r] = hour.firm_w[r] - net.x[l.firm0 + r] as i64;
        }
        out.import_w.fill(0);
        for (j, res) in lad.resources.iter().enumerate() {
            let used = hour.available_w[j] - net.x[l.term0 + j] as i64;
            out.use_w[j] = used;
            if let Resource::Supply { node } = *res {
                if node >= r_n {
                    out.import_w[node - r_n] += used;
                }
            }
        }
    }
}

/// `out.binding[a]` after the firm max flow (its return edge fixed): one more watt on arc
/// `a` opens an augmenting path from `T` to the firm sink. Only an arc from the set
/// reachable from `T` to its complement can (it is saturated, or its head would be
/// reachable), so only those are searched again.
fn binding(net: &mut Net, l: &Layout, candidate: &mut [bool], out: &mut LadderDispatch) {
    net.reach_from(T);
    for (a, c) in candidate.iter_mut().enumerate() {
        let k = l.arc0 + a;
        *c = net.mark[net.eu[k]] && !net.mark[net.ev[k]];
    }
    for (a, &c) in candidate.iter().enumerate() {
        let k = l.arc0 + a;
        out.binding[a] = c && {
            net.hi[k] += 1;
            net.reach_from(T);
            net.hi[k] -= 1;
            net.mark[TF]
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::Arc;
    use proptest::prelude::*;

    /// The ladder of `ranks` (per resource: supply or demand, a node, its available W) on
    /// `t` with `r` regions (a demand resource sits at region `node % r`), and the
    /// resources' availability in ladder order.
    fn random_ladder(
        t: &Topology,
        r: usize,
        ranks: &[Vec<(bool, usize, i64)>],
    ) -> (Ladder, Vec<i64>) {
        let mut avail = Vec::new();
        let lad = ranks
            .iter()
            .map(|rank| {
                rank.iter()
                    .map(|&(s, node, a)| {
                        avail.push(a);
                        if s {
                            Resource::Supply { node }
                        } else {
                            Resource::Demand { region: node % r }
                        }
                    })
                    .collect()
            })
            .collect();
        (Ladder::new(t, lad).unwrap(), avail)
    }

    const MW: i64 = 1_000_000;

    /// A random hour on a network of two or three groups of nodes with arcs only within a
    /// group (so several components), and a random ladder: (topology, ladder, supply, firm,
    /// arc limits, availability).
    #[allow(clippy::type_complexity)]
    fn grouped() -> impl Strategy<Value = (Topology, Ladder, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>)>
    {
        let w = || {
            prop_oneof![
                Just(0i64),
                (0i64..=200).prop_map(|m| m * MW),
                0i64..=200_000_000
            ]
        };
        (3usize..=7, 0usize..=3, 2usize..=3, 1usize..=4).prop_flat_map(move |(r, e, g, k)| {
            let n = r + e;
            let res = (any::<bool>(), 0..n, w());
            (
                proptest::collection::vec(w(), r),
                proptest::collection::vec(w(), r),
                proptest::collection::vec((0..n, 0..n, w()), 0..=10),
                proptest::collection::vec(proptest::collection::vec(res, 1..=3), k),
            )
                .prop_map(move |(supply, firm, raw, ranks)| {
                    let group = |v: usize| if v < r { v % g } else { (v - r) % g };
                    let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                    for (from, to, lim) in raw {
                        // No arc into an external, none between groups.
                        if from != to && to < r && group(from) == group(to) {
                            arcs.push(Arc { from, to });
                            limit.push(lim);
                        }
                    }
                    let t = Topology::new(r, e, arcs).unwrap();
                    let (ladder, avail) = random_ladder(&t, r, &ranks);
                    (t, ladder, supply, firm, limit, avail)
                })
        })
    }

    /// A random hour on a larger network (10 to 40 regions in one to three groups, each a
    /// path with random chords, arcs only within a group) under a ladder of up to six ranks
    /// of up to four resources, many of them demand resources (so that chains of ranks, a
    /// demand resource among them, are exercised): as [`grouped`].
    #[allow(clippy::type_complexity)]
    fn large() -> impl Strategy<Value = (Topology, Ladder, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>)>
    {
        let w = || {
            prop_oneof![
                Just(0i64),
                (0i64..=100).prop_map(|m| m * MW),
                0i64..=100_000_000
            ]
        };
        (10usize..=40, 0usize..=4, 1usize..=3, 1usize..=6).prop_flat_map(move |(r, e, g, k)| {
            let n = r + e;
            let res = (any::<bool>(), 0..n, w());
            (
                proptest::collection::vec(w(), r),
                proptest::collection::vec(w(), r),
                proptest::collection::vec(w(), 2 * r + e),
                proptest::collection::vec((0..n, 0..r, w()), 0..=2 * r),
                proptest::collection::vec(proptest::collection::vec(res, 1..=4), k),
            )
                .prop_map(move |(supply, firm, path_w, raw, ranks)| {
                    let group = |v: usize| if v < r { v % g } else { (v - r) % g };
                    let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                    // Each group a path both ways (regions g apart), each external into
                    // the first region of its group.
                    for v in g..r {
                        arcs.push(Arc { from: v - g, to: v });
                        arcs.push(Arc { from: v, to: v - g });
                        limit.push(path_w[2 * v]);
                        limit.push(path_w[2 * v + 1]);
                    }
                    for x in 0..e {
                        arcs.push(Arc {
                            from: r + x,
                            to: x % g,
                        });
                        limit.push(path_w[2 * r + x]);
                    }
                    for (from, to, lim) in raw {
                        if from != to && group(from) == group(to) {
                            arcs.push(Arc { from, to });
                            limit.push(lim);
                        }
                    }
                    let t = Topology::new(r, e, arcs).unwrap();
                    let (ladder, avail) = random_ladder(&t, r, &ranks);
                    (t, ladder, supply, firm, limit, avail)
                })
        })
    }

    /// A random hour in which a pair is likely (module docs, Shortcuts: a pair): 3 to 6
    /// regions on a path with random chords, two externals (each into a random region),
    /// and the ladder [both externals], [a demand resource], [the first external again]:
    /// as [`grouped`].
    #[allow(clippy::type_complexity)]
    fn paired() -> impl Strategy<Value = (Topology, Ladder, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>)>
    {
        let w = || {
            prop_oneof![
                Just(0i64),
                (0i64..=200).prop_map(|m| m * MW),
                0i64..=200_000_000
            ]
        };
        (3usize..=6).prop_flat_map(move |r| {
            (
                proptest::collection::vec(w(), r),
                proptest::collection::vec(w(), r),
                proptest::collection::vec(w(), 2 * r + 2),
                proptest::collection::vec((0..r, 0..r, w()), 0..=4),
                (0..r, 0..r),
                (w(), w(), (any::<bool>(), 0..r, w()), w()),
            )
                .prop_map(
                    move |(supply, firm, path_w, raw, (into0, into1), (a0, a1, mid, a2))| {
                        let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                        for v in 1..r {
                            arcs.push(Arc { from: v - 1, to: v });
                            arcs.push(Arc { from: v, to: v - 1 });
                            limit.push(path_w[2 * v]);
                            limit.push(path_w[2 * v + 1]);
                        }
                        for (x, to) in [into0, into1].into_iter().enumerate() {
                            arcs.push(Arc { from: r + x, to });
                            limit.push(path_w[x]);
                        }
                        for (from, to, lim) in raw {
                            if from != to {
                                arcs.push(Arc { from, to });
                                limit.push(lim);
                            }
                        }
                        let t = Topology::new(r, 2, arcs).unwrap();
                        let ranks = [
                            vec![(true, r, a0), (true, r + 1, a1)],
                            vec![mid],
                            vec![(true, r, a2)],
                        ];
                        let (ladder, avail) = random_ladder(&t, r, &ranks);
                        (t, ladder, supply, firm, limit, avail)
                    },
                )
        })
    }

    /// The hour of a generated case.
    fn hour<'a>(
        supply_w: &'a [i64],
        firm_w: &'a [i64],
        arc_limit_w: &'a [i64],
        available_w: &'a [i64],
    ) -> LadderHour<'a> {
        LadderHour {
            supply_w,
            firm_w,
            arc_limit_w,
            available_w,
        }
    }

    /// [`LadderDispatcher::dispatch`] and the circulation of the whole hour, both rules.
    fn same_as_whole(
        t: &Topology,
        ladder: &Ladder,
        hour: &LadderHour,
    ) -> Result<(), TestCaseError> {
        for rule in [SharingRule::Local, SharingRule::Shared] {
            let mut d = LadderDispatcher::new(t.clone(), ladder.clone(), rule);
            let mut fast = LadderDispatch::new(t, ladder);
            d.dispatch(hour, &mut fast);
            let mut whole = LadderDispatch::new(t, ladder);
            d.solve(hour, &mut whole);
            prop_assert_eq!(&fast, &whole);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 30 } else { 400 }))]

        /// The shortcuts give the circulation of the whole network, bit for bit, on large
        /// networks and long ladders.
        #[test]
        fn shortcuts_are_the_whole_circulation_on_large_networks(
            (t, ladder, supply, firm, limit, avail) in large(),
        ) {
            same_as_whole(&t, &ladder, &hour(&supply, &firm, &limit, &avail))?;
        }
    }

    /// Every component solved alone (whatever its kind in the hour) gives, in its entries,
    /// the circulation of the whole network, bit for bit, under both rules (a network of
    /// one component has no sub-networks: nothing to compare).
    fn components_alone_are_the_whole(
        t: &Topology,
        ladder: &Ladder,
        hour: &LadderHour,
    ) -> Result<(), TestCaseError> {
        for rule in [SharingRule::Local, SharingRule::Shared] {
            let mut d = LadderDispatcher::new(t.clone(), ladder.clone(), rule);
            if d.parts.subs.is_empty() {
                // One component: the dispatcher solves the whole network itself.
                continue;
            }
            let mut whole = LadderDispatch::new(t, ladder);
            d.solve(hour, &mut whole);
            // Entries of components without a region keep these: nothing at all.
            let mut alone = LadderDispatch::new(t, ladder);
            for sub in d.parts.subs.iter_mut().flatten() {
                sub.solve(hour, &mut alone, NONE, None);
            }
            prop_assert_eq!(&alone, &whole);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 30 } else { 400 }))]

        /// A component solved as a network of its own is the whole circulation there, on
        /// small networks of several components (shortcuts or not).
        #[test]
        fn a_component_alone_is_the_whole_circulation(
            (t, ladder, supply, firm, limit, avail) in grouped(),
        ) {
            components_alone_are_the_whole(&t, &ladder, &hour(&supply, &firm, &limit, &avail))?;
        }

        /// The same on large networks (one to three components of 10 to 40 regions).
        #[test]
        fn a_component_alone_is_the_whole_circulation_on_large_networks(
            (t, ladder, supply, firm, limit, avail) in large(),
        ) {
            components_alone_are_the_whole(&t, &ladder, &hour(&supply, &firm, &limit, &avail))?;
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// A pair's split (module docs, Shortcuts: a pair) is the whole circulation's, bit
        /// for bit, under both rules, on networks where pairs are frequent.
        #[test]
        fn a_pair_is_the_whole_circulation(
            (t, ladder, supply, firm, limit, avail) in paired(),
        ) {
            same_as_whole(&t, &ladder, &hour(&supply, &firm, &limit, &avail))?;
        }

        /// The shortcuts (components served at home or by one resource taken out) give the
        /// circulation of the whole network, bit for bit, under both rules.
        #[test]
        fn shortcuts_are_the_whole_circulation(
            (t, ladder, supply, firm, limit, avail) in grouped(),
        ) {
            same_as_whole(&t, &ladder, &hour(&supply, &firm, &limit, &avail))?;
        }
    }
}
