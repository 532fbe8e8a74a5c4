//! Dispatch of one hour on a transport (pipe-flow) network: least firm shortfall, then
//! least curtailment, then least import, then a sharing rule that splits the shortfall.
//! A scenario that names a ladder of last resorts is dispatched by [`LadderDispatcher`]
//! instead (module `ladder`), whose default ladder is this order.
//!
//! # Model
//!
//! Power is integer watts. Nodes `0..R` are *regions* (they have demand; a region with no
//! demand and no supply is a *hub*, a junction that models a joint limit), nodes `R..R+E`
//! are *externals* (import sources: supply only, no demand, no arc into them). An [`Arc`] is
//! directed and has a limit per hour; a line is two arcs, an import link one arc from the
//! external to a region. No losses, no impedances.
//!
//! A [`Dispatcher`] is built once from a [`Topology`] and a [`SharingRule`] and reused for
//! every hour ([`HourState`] holds the hour's numbers). Its answer, [`Dispatch`], is unique:
//! in strict lexicographic order it has
//!
//! 1. the least total firm shortfall, `sum_r (firm_r - firm_served_r)`;
//! 2. the least total curtailment of interruptible demand;
//! 3. the least import, external by external in index order (first the least use of
//!    external `R`, then of `R + 1`, ...); the use of an external is the flow out of it;
//! 4. the split of shortfall (then of curtailment) among regions fixed by the rule:
//!    * [`SharingRule::Shared`] (ENTSO-E curtailment sharing): lexicographically minimise
//!      the sorted vector of shortfall ratios `firm_short_r / firm_r` (largest first) over
//!      the regions with firm demand, then the same for curtailment ratios;
//!    * [`SharingRule::Local`] (default; PRAS / GE MARS): first the least total transfer
//!      (sum of flows on region-to-region arcs, import arcs excluded), so neighbours pass on
//!      only their surplus and a shortfall stays where it arises; remaining ties as `Shared`.
//!
//! `binding[a]` is true iff one more MW of limit on arc `a` would lower the least total
//! firm shortfall. Line flows are not unique and are not reported.
//!
//! [`Dispatcher::sets_binding`] asks the same of *sets* of arcs (a corridor: the two
//! directions of several lines): would one more watt on every arc of the set lower the least
//! total firm shortfall? With integer limits that is exactly: every minimum cut of the firm
//! max flow crosses an arc of the set (then one watt or one MW lowers it alike). A set
//! can bind when none of its arcs does alone (two parallel lines into a region that are
//! both full); a set that contains a binding arc binds.
//!
//! # Worked example (both rules)
//!
//! Two regions, A (index 0) and B (index 1), and a line from B to A with a limit of
//! 100 MW. A has a firm demand of 100 MW and 40 MW of generation; B has a firm demand of
//! 50 MW and 80 MW of generation. Total demand 150 MW, total supply 120 MW, so the least
//! firm shortfall is 30 MW, and B's 30 MW surplus must flow to A.
//!
//! | rule     | short A | short B | ratio A | ratio B | B -> A flow |
//! |----------|--------:|--------:|--------:|--------:|------------:|
//! | `Local`  | 30 MW   | 0 MW    | 0.30    | 0.00    | 30 MW       |
//! | `Shared` | 20 MW   | 10 MW   | 0.20    | 0.20    | 40 MW       |
//!
//! Under `Local` B passes on only its surplus and the shortfall stays in A, where it
//! arises; under `Shared` both regions lose the same fraction, 30 / 150 = 20 %, of their
//! demand, and B sends 40 MW so that it is itself short by 10 MW. (Unit test
//! `worked_example_two_regions` in `tests/dispatch.rs`.)
//!
//! Under `Shared`, *more tie capacity can raise one region's shortfall while lowering the
//! system's*. Take A with 100 MW of demand and no generation, B with 100 MW of demand and
//! 140 MW of generation, and a line B -> A. With the line at 0 MW, A is short by 100 MW and
//! B by nothing (its 40 MW surplus is stranded); with the line at 100 MW the total shortfall
//! falls to 60 MW, but `Shared` splits it 30 / 30, so B's shortfall rises from 0 to 30 MW
//! (`Local` keeps it at 60 / 0). System EUE is monotone under both rules; a region's LOLE
//! under `Shared` is not. (Unit test `shared_tie_growth_raises_one_region`.)
//!
//! # Integer watts
//!
//! The ratio rules give real shares. The sharing rule is computed as a sequence of *levels*:
//! the regions of a level share one served ratio `p / q`, and the level's total is an exact
//! integer number of watts. Within a level each region gets `floor(p w_r / q)` watts (`w_r`
//! its demand), and the watts left over go one each to the regions with the largest
//! remainders, ties to the lower region index. So totals are exact (the total firm shortfall
//! equals objective 1's optimum to the watt), and a region whose exact share is zero gets
//! zero. If that rounded vector cannot be realised by a flow (possible only when a level
//! contains a smaller set that is itself exactly tight), the realisable integer vector
//! between the floors and ceilings found by a max flow is taken instead; every share is
//! still within 1 W of the exact one.
//!
//! # Algorithm
//!
//! Everything is max flow on a small circulation network with bounded edges (`flow.rs`,
//! Dinic, exact `i128`): source -> node (supply), arcs, region -> firm sink and region ->
//! interruptible sink, sinks -> T -> source. Objectives 1 and 2 maximise the flow into the
//! firm sink, then (that fixed) into the interruptible sink; objective 3 minimises, in
//! order, each external's supply edge by pushing flow around it in the residual graph, and
//! fixes it. `Local` then solves a min-cost circulation (cost 1 per watt on region arcs,
//! negative cycles of the current flow cancelled on a network of at most 64 nodes, the
//! primal-dual with blocking flows on a larger one) and fixes every edge whose reduced cost
//! under the optimal potentials either leaves is not zero, which leaves exactly the
//! least-transfer dispatches. The ratio rule is the decomposition
//! algorithm for the lexicographically optimal base of the resulting base polyhedron:
//! find the largest common served ratio `lambda = p / q` by Newton's (Dinkelbach's)
//! method on violated cuts, testing `lambda` with lower bounds `p w_r` on a network scaled
//! by `q`; freeze the regions that cannot exceed it (not reachable in the residual graph),
//! replacing them by an aggregate edge with their exact integer total; repeat.
//! `binding` comes from the residual graph of the firm max flow: arc `a` is binding iff its
//! tail is reachable from the source and its head can reach an unserved firm demand. A set
//! of arcs binds iff, with one more watt on each of its arcs, the residual graph of a firm
//! max flow has an augmenting path (one search per set, after one max flow per hour).
//!
//! [`Dispatcher::total_firm_shortfall_w`] is the fast path: zero if every region covers its
//! own firm demand; for up to [`CUT_ENUMERATION_MAX_REGIONS`] regions per component the
//! largest `demand(Z) - supply(Z) - inbound limit(Z)` over all sets `Z` of regions
//! (externals folded in as `min(supply, arc limits into Z)`), evaluated incrementally over
//! subsets; otherwise a max flow whose work follows the deficits (`local.rs`: every region
//! serves itself first, and Dinic's algorithm searches backwards from the regions still
//! short, stopping at the first level with spare supply).
//!
//! # Shortcuts, and why they are exact
//!
//! The cost of an hour follows what is short in it, not the size of the network:
//!
//! * **Screening and the imports of a served hour in one pass**
//!   ([`Dispatcher::shortfalls_and_least_imports_w`]): the enumeration that gives the least
//!   shortfall without and with imports also tracks the largest deficit with every import
//!   but the first external's of each component, which is that external's least import when
//!   everything is served (max-flow min-cut: a maximum flow without the external extends to
//!   one with it, and none uses less of it); each later external of the same component
//!   takes one pass over that component's sets, with the earlier ones at their least
//!   import. Tested against sequential exact max flows and the LP oracle.
//! * **Components dispatched on their own**: objectives 1-3 and the least transfer are sums
//!   over components, so when at most one component has unserved demand, each component is
//!   dispatched alone (its levels of the sharing rule are its own: the others are fully
//!   served, ratio 1, and never join a level with a remainder). With two or more short
//!   components the whole network is solved, because levels at equal ratios in different
//!   components share the largest-remainder rounding. Tested bit for bit against the whole
//!   network's flow dispatch.
//! * **Sharing after the `Local` face**: a region whose terminal edge the least-transfer
//!   stage has already fixed leaves the progressive filling at once; its share is exact in
//!   whatever level it would join (remainder zero, so it never takes a leftover watt, and
//!   the other regions' floors, remainders and leftovers are unchanged).
//! * **Large networks by the deficits**: a network with a component too large to enumerate
//!   is screened by the local max flow, which touches only the short regions and the
//!   neighbourhood it must search for spare supply (without imports, then continued with
//!   them; the least imports of a served hour by routing flow away from each source in
//!   turn). Its full dispatch solves only the *cluster* that can reach an unserved firm
//!   demand after that max flow, when the rest has no interruptible demand and no import
//!   (`Dispatcher::dispatch_cluster` gives the argument). Tested bit for bit against the
//!   whole network's flow dispatch, and against independent max flows.
//! * **Corridors from the cuts**: on a network small enough to enumerate, a set of arcs
//!   binds iff in some component every set of largest firm deficit has an arc of the set
//!   entering it (one enumeration for all sets). Tested against re-solving with one more
//!   watt.
//! * The min-cost stage's shortest paths (primal-dual, large networks) use a binary heap
//!   (`O(m log n)`).

mod cuts;
mod flow;
mod ladder;
mod local;
mod solve;

pub use cuts::CUT_ENUMERATION_MAX_REGIONS;
pub use ladder::{Ladder, LadderDispatch, LadderDispatcher, LadderHour, Resource};

use std::fmt;

/// How the shortfall (and the curtailment) is split among regions once objectives 1-3 are
/// at their optimum. See the [module docs](self).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SharingRule {
    /// Least total line transfer first (a shortfall stays where it arises), then as
    /// [`SharingRule::Shared`]. PRAS and GE MARS convention.
    #[default]
    Local,
    /// ENTSO-E curtailment sharing: lexicographically minimise the sorted shortfall ratios.
    Shared,
}

/// A directed arc of the network; its limit is given per hour in [`HourState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Arc {
    /// Index of the node the power leaves (a region or an external).
    pub from: usize,
    /// Index of the node the power enters (a region; arcs into externals are refused).
    pub to: usize,
}

/// A bad [`Topology`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchError {
    /// Arc `arc` names a node beyond the `nodes` of the topology.
    ArcOutOfRange {
        /// Index of the arc.
        arc: usize,
        /// Number of nodes (regions + externals).
        nodes: usize,
    },
    /// Arc `arc` leaves and enters the same node.
    SelfLoop {
        /// Index of the arc.
        arc: usize,
    },
    /// Arc `arc` enters an external node; externals are import sources only.
    ArcIntoExternal {
        /// Index of the arc.
        arc: usize,
    },
    /// Resource `resource` of a ladder names a node beyond the `nodes` it may name
    /// (regions for a demand resource, regions and externals for a supply resource).
    ResourceOutOfRange {
        /// Index of the resource.
        resource: usize,
        /// Number of nodes it may name.
        nodes: usize,
    },
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DispatchError::ArcOutOfRange { arc, nodes } => {
                write!(f, "arc {arc} names a node beyond the {nodes} nodes")
            }
            DispatchError::SelfLoop { arc } => write!(f, "arc {arc} is a self-loop"),
            DispatchError::ArcIntoExternal { arc } => {
                write!(f, "arc {arc} enters an external (import) node")
            }
            DispatchError::ResourceOutOfRange { resource, nodes } => {
                write!(
                    f,
                    "ladder resource {resource} names a node beyond the {nodes} it may"
                )
            }
        }
    }
}

impl std::error::Error for DispatchError {}

/// The nodes and arcs of a network: regions `0..regions`, then externals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    regions: usize,
    externals: usize,
    arcs: Vec<Arc>,
}

impl Topology {
    /// Checks the arcs: both ends in range, no self-loop, none entering an external.
    pub fn new(
        regions: usize,
        externals: usize,
        arcs: Vec<Arc>,
    ) -> Result<Topology, DispatchError> {
        let nodes = regions + externals;
        for (a, arc) in arcs.iter().enumerate() {
            if arc.from >= nodes || arc.to >= nodes {
                return Err(DispatchError::ArcOutOfRange { arc: a, nodes });
            }
            if arc.from == arc.to {
                return Err(DispatchError::SelfLoop { arc: a });
            }
            if arc.to >= regions {
                return Err(DispatchError::ArcIntoExternal { arc: a });
            }
        }
        Ok(Topology {
            regions,
            externals,
            arcs,
        })
    }

    /// Number of regions (nodes `0..regions`).
    pub fn regions(&self) -> usize {
        self.regions
    }

    /// Number of externals (nodes `regions..regions + externals`).
    pub fn externals(&self) -> usize {
        self.externals
    }

    /// Number of nodes, regions and externals.
    pub fn nodes(&self) -> usize {
        self.regions + self.externals
    }

    /// The arcs, in the order their limits are given.
    pub fn arcs(&self) -> &[Arc] {
        &self.arcs
    }
}

/// The numbers of one hour, all in watts and all `>= 0`.
#[derive(Debug, Clone, Copy)]
pub struct HourState<'a> {
    /// Per node: available generation (regions) or available export cap (externals).
    pub supply_w: &'a [i64],
    /// Per region: firm demand.
    pub firm_w: &'a [i64],
    /// Per region: interruptible demand (served after all firm demand is served as well as
    /// possible).
    pub interruptible_w: &'a [i64],
    /// Per arc: available limit (0 when the line is out).
    pub arc_limit_w: &'a [i64],
}

/// The unique outcome of one hour.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispatch {
    /// Per region: firm demand not served, W.
    pub firm_short_w: Vec<i64>,
    /// Per region: interruptible demand not served, W.
    pub curtailed_w: Vec<i64>,
    /// Per external: power imported from it (flow out of it), W.
    pub import_w: Vec<i64>,
    /// Per arc: one more MW of limit would lower the least total firm shortfall.
    pub binding: Vec<bool>,
}

impl Dispatch {
    /// An empty outcome sized for `topology` (reuse it across hours).
    pub fn new(topology: &Topology) -> Dispatch {
        Dispatch {
            firm_short_w: vec![0; topology.regions],
            curtailed_w: vec![0; topology.regions],
            import_w: vec![0; topology.externals],
            binding: vec![false; topology.arcs.len()],
        }
    }

    /// Total firm shortfall, W.
    pub fn total_firm_short_w(&self) -> i64 {
        self.firm_short_w.iter().sum()
    }

    /// Total curtailment, W.
    pub fn total_curtailed_w(&self) -> i64 {
        self.curtailed_w.iter().sum()
    }
}

/// The components of `topology` that have regions: regions joined by arcs, an external
/// joining every region it feeds; each as (regions, externals), in increasing node order.
fn components(topology: &Topology) -> Vec<(Vec<usize>, Vec<usize>)> {
    let (r_n, nodes) = (topology.regions, topology.nodes());
    // Union-find over nodes; every arc joins its ends.
    let mut parent: Vec<usize> = (0..nodes).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for arc in &topology.arcs {
        let (a, b) = (root(&mut parent, arc.from), root(&mut parent, arc.to));
        parent[a] = b;
    }
    let mut components: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let mut of_root = vec![usize::MAX; nodes];
    for node in 0..nodes {
        let r = root(&mut parent, node);
        if of_root[r] == usize::MAX {
            of_root[r] = components.len();
            components.push((Vec::new(), Vec::new()));
        }
        let c = &mut components[of_root[r]];
        if node < r_n {
            c.0.push(node);
        } else {
            c.1.push(node - r_n);
        }
    }
    components.retain(|c| !c.0.is_empty());
    components
}

/// One component of a network with several, dispatched on its own (see
/// [`Dispatcher::dispatch`]): its nodes and arcs in the whole network, a dispatcher of its
/// own topology, and the buffers of its hour.
#[derive(Debug, Clone)]
struct Part {
    regions: Vec<usize>,
    externals: Vec<usize>,
    arcs: Vec<usize>,
    dispatcher: Dispatcher,
    supply_w: Vec<i64>,
    firm_w: Vec<i64>,
    interruptible_w: Vec<i64>,
    arc_limit_w: Vec<i64>,
    out: Dispatch,
}

impl Part {
    /// The parts of `topology` under `rule`: none when it is a single component.
    fn of(topology: &Topology, rule: SharingRule) -> Vec<Part> {
        let components = components(topology);
        if components.len() < 2 {
            return Vec::new();
        }
        let r_n = topology.regions;
        components
            .into_iter()
            .map(|(regions, externals)| {
                let local = |node: usize| {
                    if node < r_n {
                        regions.iter().position(|&r| r == node)
                    } else {
                        let e = externals.iter().position(|&e| e == node - r_n)?;
                        Some(regions.len() + e)
                    }
                };
                let (mut arcs, mut local_arcs) = (Vec::new(), Vec::new());
                for (a, arc) in topology.arcs.iter().enumerate() {
                    if let (Some(from), Some(to)) = (local(arc.from), local(arc.to)) {
                        arcs.push(a);
                        local_arcs.push(Arc { from, to });
                    }
                }
                let sub = Topology::new(regions.len(), externals.len(), local_arcs)
                    .expect("a component of a valid topology is valid");
                Part {
                    supply_w: vec![0; sub.nodes()],
                    firm_w: vec![0; sub.regions],
                    interruptible_w: vec![0; sub.regions],
                    arc_limit_w: vec![0; sub.arcs.len()],
                    out: Dispatch::new(&sub),
                    dispatcher: Dispatcher::whole(sub, rule),
                    regions,
                    externals,
                    arcs,
                }
            })
            .collect()
    }

    /// Dispatch this part's share of the hour `state` of the whole network; `true` if
    /// anything in it is unserved.
    fn dispatch(&mut self, state: &HourState) -> bool {
        let r = self.regions.len();
        for (k, &v) in self.regions.iter().enumerate() {
            self.supply_w[k] = state.supply_w[v];
            self.firm_w[k] = state.firm_w[v];
            self.interruptible_w[k] = state.interruptible_w[v];
        }
        for (k, &e) in self.externals.iter().enumerate() {
            self.supply_w[r + k] = state.supply_w[state.firm_w.len() + e];
        }
        for (k, &a) in self.arcs.iter().enumerate() {
            self.arc_limit_w[k] = state.arc_limit_w[a];
        }
        let sub = HourState {
            supply_w: &self.supply_w,
            firm_w: &self.firm_w,
            interruptible_w: &self.interruptible_w,
            arc_limit_w: &self.arc_limit_w,
        };
        self.dispatcher.dispatch(&sub, &mut self.out);
        self.out.total_firm_short_w() > 0 || self.out.total_curtailed_w() > 0
    }

    /// Write this part's dispatch into the whole network's `out`.
    fn scatter(&self, out: &mut Dispatch) {
        for (k, &v) in self.regions.iter().enumerate() {
            out.firm_short_w[v] = self.out.firm_short_w[k];
            out.curtailed_w[v] = self.out.curtailed_w[k];
        }
        for (k, &e) in self.externals.iter().enumerate() {
            out.import_w[e] = self.out.import_w[k];
        }
        for (k, &a) in self.arcs.iter().enumerate() {
            out.binding[a] = self.out.binding[k];
        }
    }
}

/// The cluster of a network too large to enumerate that a full dispatch solves: the nodes
/// that can reach an unserved firm demand after a firm max flow, as a network of its own
/// (see `Dispatcher::dispatch_cluster`), with the buffers of its hour.
#[derive(Debug, Clone)]
struct Cluster {
    /// Per node of the whole network: its index in the cluster, or `usize::MAX`.
    local: Vec<usize>,
    /// The cluster's regions, then its externals (whole-network indices, increasing).
    nodes: Vec<usize>,
    /// The cluster's arcs (whole-network indices, increasing).
    arcs: Vec<usize>,
    /// The arcs into the cluster from outside it.
    inbound: Vec<usize>,
    topology: Topology,
    work: solve::Work,
    supply_w: Vec<i64>,
    firm_w: Vec<i64>,
    interruptible_w: Vec<i64>,
    arc_limit_w: Vec<i64>,
    out: Dispatch,
}

impl Cluster {
    /// Buffers for the clusters of `topology`, sized for the whole network.
    fn new(topology: &Topology, work: &solve::Work) -> Cluster {
        Cluster {
            local: vec![usize::MAX; topology.nodes()],
            nodes: Vec::with_capacity(topology.nodes()),
            arcs: Vec::with_capacity(topology.arcs.len()),
            inbound: Vec::with_capacity(topology.arcs.len()),
            topology: Topology {
                arcs: Vec::with_capacity(topology.arcs.len()),
                ..topology.clone()
            },
            work: work.clone(),
            supply_w: Vec::with_capacity(topology.nodes()),
            firm_w: Vec::with_capacity(topology.regions),
            interruptible_w: Vec::with_capacity(topology.regions),
            arc_limit_w: Vec::with_capacity(topology.arcs.len()),
            out: Dispatch::new(topology),
        }
    }
}

/// Dispatches hours of one network under one sharing rule. Build once, reuse for every
/// hour (one per worker thread): its workspace is allocated on the first calls and reused.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    topology: Topology,
    rule: SharingRule,
    net: flow::Net,
    work: solve::Work,
    cuts: cuts::CutTables,
    local: local::LocalFlow,
    cluster: Cluster,
    /// The components, when there are several.
    parts: Vec<Part>,
}

impl Dispatcher {
    /// A dispatcher for `topology` under `rule`.
    pub fn new(topology: Topology, rule: SharingRule) -> Dispatcher {
        let parts = Part::of(&topology, rule);
        Dispatcher {
            parts,
            ..Dispatcher::whole(topology, rule)
        }
    }

    /// A dispatcher that solves `topology` as one network.
    fn whole(topology: Topology, rule: SharingRule) -> Dispatcher {
        let work = solve::Work::new(&topology);
        let cuts = cuts::CutTables::new(&topology);
        let local = local::LocalFlow::new(&topology);
        let cluster = Cluster::new(&topology, &work);
        Dispatcher {
            topology,
            rule,
            net: flow::Net::default(),
            work,
            cluster,
            cuts,
            local,
            parts: Vec::new(),
        }
    }

    /// The network.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    /// The sharing rule.
    pub fn rule(&self) -> SharingRule {
        self.rule
    }

    /// Least total firm shortfall of the hour, W (objective 1 only; the fast path).
    ///
    /// # Panics
    ///
    /// If a slice of `state` has the wrong length.
    pub fn total_firm_shortfall_w(&mut self, state: &HourState) -> i64 {
        self.check(state);
        if let Some((_, v)) = cuts::quick_screen(&self.topology, state, &mut self.cuts, None) {
            return v;
        }
        let (t, local) = (&self.topology, &mut self.local);
        let need = local.start(t, state, state.firm_w);
        local.open_imports(t, state);
        need - local.route(state.arc_limit_w)
    }

    /// Least total firm shortfall of the hour without imports (every external's supply at
    /// zero) and with them, W, in one pass where the network is small enough to enumerate
    /// its cuts. With `import_w`, and when the shortfall with imports is zero, also the
    /// least import of every external, in index order (each earlier one fixed at its least
    /// import, each later one at its supply): the imports of objective 3 in an hour with no
    /// shortfall, in the same pass (see `cuts::quick_screen`).
    ///
    /// # Panics
    ///
    /// If a slice of `state` has the wrong length, or `import_w` is not one per external.
    pub fn shortfalls_and_least_imports_w(
        &mut self,
        state: &HourState,
        mut import_w: Option<&mut [i64]>,
    ) -> (i64, i64) {
        self.check(state);
        if let Some(import_w) = import_w.as_deref() {
            assert_eq!(
                import_w.len(),
                self.topology.externals,
                "import_w: one per external"
            );
        }
        let quick = cuts::quick_screen(
            &self.topology,
            state,
            &mut self.cuts,
            import_w.as_deref_mut(),
        );
        if let Some(pair) = quick {
            return pair;
        }
        let (t, local) = (&self.topology, &mut self.local);
        let need = local.start(t, state, state.firm_w);
        let without = need - local.route(state.arc_limit_w);
        local.open_imports(t, state);
        let with = without - local.route(state.arc_limit_w);
        if let (Some(import_w), 0) = (import_w, with) {
            // Fix the externals in order: each one's least import with the earlier ones at
            // their least import and the later ones at their supply.
            for (e, least_w) in import_w.iter_mut().enumerate() {
                *least_w = local.least_use(t.regions + e, state.arc_limit_w);
            }
        }
        (without, with)
    }

    /// The full dispatch of the hour, written into `out` (resized if needed).
    ///
    /// # Panics
    ///
    /// If a slice of `state` has the wrong length.
    pub fn dispatch(&mut self, state: &HourState, out: &mut Dispatch) {
        self.check(state);
        let t = &self.topology;
        out.firm_short_w.resize(t.regions, 0);
        out.curtailed_w.resize(t.regions, 0);
        out.import_w.resize(t.externals, 0);
        out.binding.resize(t.arcs.len(), false);
        if cuts::quick_dispatch(t, state, &mut self.cuts, out) {
            return;
        }
        if !self.parts.is_empty() {
            let mut short = 0;
            for p in &mut self.parts {
                short += usize::from(p.dispatch(state));
            }
            if short <= 1 {
                for p in &self.parts {
                    p.scatter(out);
                }
                return;
            }
        }
        if self.cuts.is_empty() && self.dispatch_cluster(state, out) {
            return;
        }
        let t = &self.topology;
        solve::dispatch(t, self.rule, state, &mut self.net, &mut self.work, out);
    }

    /// The full dispatch of a network too large to enumerate by solving only the cluster
    /// that can reach an unserved firm demand, or `false` to leave it to the whole network.
    ///
    /// After a firm max flow (imports open), let `B` be the nodes from which an unserved
    /// firm demand is reachable in the residual graph (the same set for every max flow).
    /// Every max flow saturates the arcs into `B`, sends nothing out of it, uses all of its
    /// supply and serves all firm demand outside it (max-flow min-cut), and every flow that
    /// also serves interruptible demand but keeps the firm maximum does the same and serves
    /// no interruptible demand in `B`. So once objective 1 is at its optimum, `B` and the
    /// rest are separate problems joined by fixed flows, and objectives 2-4 are sums of
    /// their parts (or, for the ratio rule, the rest is at served ratio 1 for firm demand,
    /// remainder zero, and `B` at 0 for interruptible demand, exact shares that never take
    /// a leftover watt). When the rest can have no curtailment (no interruptible demand)
    /// and no import (no external supply), its outcome is all zero, and `B` is dispatched
    /// alone, its inbound arcs turned into supply at their heads. An arc binds iff its head
    /// is in `B` and its tail is reachable from spare supply: only arcs into `B` can.
    fn dispatch_cluster(&mut self, state: &HourState, out: &mut Dispatch) -> bool {
        let (t, lf, c) = (&self.topology, &mut self.local, &mut self.cluster);
        let r_n = t.regions;
        let limit_w = state.arc_limit_w;
        let need = lf.start(t, state, state.firm_w);
        lf.open_imports(t, state);
        if need - lf.route(limit_w) == 0 {
            return false;
        }
        for &v in &c.nodes {
            c.local[v] = usize::MAX;
        }
        c.nodes.clear();
        c.nodes.extend_from_slice(&lf.seen);
        for &v in &c.nodes {
            c.local[v] = 0;
        }
        let rest_is_idle = (0..r_n).all(|r| c.local[r] == 0 || state.interruptible_w[r] == 0)
            && (r_n..t.nodes()).all(|v| c.local[v] == 0 || state.supply_w[v] == 0);
        if !rest_is_idle {
            return false;
        }
        c.nodes.sort_unstable();
        let regions = c.nodes.partition_point(|&v| v < r_n);
        for (k, &v) in c.nodes.iter().enumerate() {
            c.local[v] = k;
        }
        c.arcs.clear();
        c.inbound.clear();
        for &v in &c.nodes[..regions] {
            for &a in lf.arcs_of(v) {
                let arc = t.arcs[a];
                if arc.to != v {
                    continue;
                }
                if c.local[arc.from] == usize::MAX {
                    c.inbound.push(a);
                } else {
                    c.arcs.push(a);
                }
            }
        }
        c.arcs.sort_unstable();
        let sub = &mut c.topology;
        sub.regions = regions;
        sub.externals = c.nodes.len() - regions;
        sub.arcs.clear();
        sub.arcs.extend(c.arcs.iter().map(|&a| Arc {
            from: c.local[t.arcs[a].from],
            to: c.local[t.arcs[a].to],
        }));
        c.supply_w.clear();
        c.supply_w
            .extend(c.nodes.iter().map(|&v| state.supply_w[v]));
        for &a in &c.inbound {
            c.supply_w[c.local[t.arcs[a].to]] += limit_w[a];
        }
        c.firm_w.clear();
        c.firm_w
            .extend(c.nodes[..regions].iter().map(|&v| state.firm_w[v]));
        c.interruptible_w.clear();
        c.interruptible_w
            .extend(c.nodes[..regions].iter().map(|&v| state.interruptible_w[v]));
        c.arc_limit_w.clear();
        c.arc_limit_w.extend(c.arcs.iter().map(|&a| limit_w[a]));
        let sub_state = HourState {
            supply_w: &c.supply_w,
            firm_w: &c.firm_w,
            interruptible_w: &c.interruptible_w,
            arc_limit_w: &c.arc_limit_w,
        };
        c.out.firm_short_w.resize(sub.regions, 0);
        c.out.curtailed_w.resize(sub.regions, 0);
        c.out.import_w.resize(sub.externals, 0);
        c.out.binding.resize(sub.arcs.len(), false);
        c.work.fit(sub);
        solve::dispatch(
            sub,
            self.rule,
            &sub_state,
            &mut self.net,
            &mut c.work,
            &mut c.out,
        );
        out.firm_short_w.fill(0);
        out.curtailed_w.fill(0);
        out.import_w.fill(0);
        out.binding.fill(false);
        for (k, &v) in c.nodes.iter().enumerate() {
            if k < regions {
                out.firm_short_w[v] = c.out.firm_short_w[k];
                out.curtailed_w[v] = c.out.curtailed_w[k];
            } else {
                out.import_w[v - r_n] = c.out.import_w[k - regions];
            }
        }
        for (k, &a) in c.arcs.iter().enumerate() {
            out.binding[a] = c.out.binding[k];
        }
        for &a in &c.inbound {
            out.binding[a] = lf.fed(t.arcs[a].from, limit_w);
        }
        true
    }

    /// Per set of arcs (`sets[i]`, arc indices): `out[i]` is true iff one more watt of limit
    /// on every arc of the set would lower the least total firm shortfall of the hour (all
    /// false without a shortfall). Separate from [`Dispatcher::dispatch`] (it solves the
    /// firm max flow again), so an hour pays for it only when sets are asked about.
    ///
    /// # Panics
    ///
    /// If a slice of `state` has the wrong length, `out` is not one per set, or a set names
    /// an arc beyond the topology's.
    pub fn sets_binding(&mut self, state: &HourState, sets: &[Vec<usize>], out: &mut [bool]) {
        self.check(state);
        let t = &self.topology;
        assert_eq!(out.len(), sets.len(), "out: one per set");
        assert!(
            sets.iter().flatten().all(|&a| a < t.arcs.len()),
            "sets: arc indices within the topology"
        );
        if !cuts::sets_binding(t, state, &mut self.cuts, sets, out) {
            solve::sets_binding(t, state, sets, &mut self.net, out);
        }
    }

    fn check(&self, state: &HourState) {
        let t = &self.topology;
        assert_eq!(state.supply_w.len(), t.nodes(), "supply_w: one per node");
        assert_eq!(state.firm_w.len(), t.regions, "firm_w: one per region");
        assert_eq!(
            state.interruptible_w.len(),
            t.regions,
            "interruptible_w: one per region"
        );
        assert_eq!(
            state.arc_limit_w.len(),
            t.arcs.len(),
            "arc_limit_w: one per arc"
        );
        debug_assert!(state.supply_w.iter().all(|&v| v >= 0));
        debug_assert!(state.firm_w.iter().all(|&v| v >= 0));
        debug_assert!(state.interruptible_w.iter().all(|&v| v >= 0));
        debug_assert!(state.arc_limit_w.iter().all(|&v| v >= 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Two random components side by side: (topology, supply, firm, interruptible, limits).
    fn two_components() -> impl Strategy<Value = (Topology, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>)>
    {
        let mw = || {
            prop_oneof![
                Just(0i64),
                (0i64..=300).prop_map(|m| m * 1_000_000),
                0i64..=300_000_000
            ]
        };
        (1usize..=4, 1usize..=4, 0usize..=2, 0usize..=2).prop_flat_map(move |(ra, rb, ea, eb)| {
            let (r, e) = (ra + rb, ea + eb);
            (
                proptest::collection::vec(mw(), r + e),
                proptest::collection::vec(mw(), r),
                proptest::collection::vec(prop_oneof![2 => Just(0i64), 1 => mw()], r),
                proptest::collection::vec((any::<bool>(), 0usize..8, 0usize..8, mw()), 0..=12),
            )
                .prop_map(move |(supply, firm, intr, raw)| {
                    // Regions 0..ra and externals 0..ea form component A, the rest B.
                    let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                    for (in_a, from, to, lim) in raw {
                        let (r0, rn, e0, en) = if in_a {
                            (0, ra, 0, ea)
                        } else {
                            (ra, rb, ea, eb)
                        };
                        let to = r0 + to % rn;
                        let from = if from % (rn + en) < rn {
                            r0 + from % (rn + en)
                        } else {
                            r + e0 + (from % (rn + en) - rn)
                        };
                        if from != to {
                            arcs.push(Arc { from, to });
                            limit.push(lim);
                        }
                    }
                    let topology = Topology::new(r, e, arcs).unwrap();
                    (topology, supply.clone(), firm.clone(), intr.clone(), limit)
                })
        })
    }

    /// A network too large to enumerate (`CUT_ENUMERATION_MAX_REGIONS + 1` to 40 regions,
    /// a ring plus random arcs, up to two externals), mostly without interruptible demand
    /// or import so that the cluster dispatch applies: (topology, supply, firm,
    /// interruptible, limits).
    fn large() -> impl Strategy<Value = (Topology, Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>)> {
        let mw = |max: i64| (0..=max).prop_map(|m| m * 1_000_000);
        (CUT_ENUMERATION_MAX_REGIONS + 1..=40, 0usize..=2).prop_flat_map(move |(r, e)| {
            (
                proptest::collection::vec(mw(300), r + e),
                proptest::collection::vec(mw(300), r),
                prop_oneof![
                    3 => Just(vec![0i64; r]),
                    1 => proptest::collection::vec(prop_oneof![3 => Just(0i64), 1 => mw(100)], r),
                ],
                proptest::collection::vec(mw(150), r),
                proptest::collection::vec((0usize..64, 0usize..64, mw(150)), 0..=r),
                any::<bool>(),
            )
                .prop_map(move |(mut supply, firm, intr, ring, raw, imports)| {
                    let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                    for (v, lim) in ring.into_iter().enumerate() {
                        arcs.push(Arc {
                            from: v,
                            to: (v + 1) % r,
                        });
                        limit.push(lim);
                    }
                    for (from, to, lim) in raw {
                        let (from, to) = (from % (r + e), to % r);
                        if from != to {
                            arcs.push(Arc { from, to });
                            limit.push(lim);
                        }
                    }
                    if !imports {
                        supply[r..].fill(0);
                    }
                    let topology = Topology::new(r, e, arcs).unwrap();
                    (topology, supply, firm, intr, limit)
                })
        })
    }

    /// A ring of 12 regions, one of them short behind full lines: the cluster dispatch
    /// applies, solves that region alone (its two inbound lines turned into supply), and
    /// gives the whole network's dispatch.
    #[test]
    fn cluster_of_one_short_region() {
        let r = 12;
        let mut arcs = Vec::new();
        for v in 0..r {
            arcs.push(Arc {
                from: v,
                to: (v + 1) % r,
            });
            arcs.push(Arc {
                from: (v + 1) % r,
                to: v,
            });
        }
        let t = Topology::new(r, 0, arcs).unwrap();
        let mw = 1_000_000;
        let mut supply = vec![500 * mw; r];
        supply[5] = 100 * mw;
        let firm = vec![400 * mw; r];
        let intr = vec![0; r];
        let limit = vec![50 * mw; 2 * r];
        let state = HourState {
            supply_w: &supply,
            firm_w: &firm,
            interruptible_w: &intr,
            arc_limit_w: &limit,
        };
        for rule in [SharingRule::Local, SharingRule::Shared] {
            let mut fast = Dispatcher::new(t.clone(), rule);
            let (mut a, mut b) = (Dispatch::new(&t), Dispatch::new(&t));
            assert!(fast.dispatch_cluster(&state, &mut a));
            assert_eq!(fast.cluster.nodes, vec![5]);
            assert_eq!(fast.cluster.inbound, vec![8, 11]);
            let mut whole = Dispatcher::whole(t.clone(), rule);
            solve::dispatch(&t, rule, &state, &mut whole.net, &mut whole.work, &mut b);
            assert_eq!(a, b);
            assert_eq!(a.firm_short_w[5], 200 * mw);
            // The two lines into region 5 bind (their tails have spare supply).
            let binding: Vec<usize> = (0..2 * r).filter(|&k| a.binding[k]).collect();
            assert_eq!(binding, vec![8, 11]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 300 } else { 3000 }))]

        /// The dispatch of a large network (its short cluster alone where that applies)
        /// gives, bit for bit, the whole network's flow dispatch; its screening gives the
        /// whole network's least shortfalls.
        #[test]
        fn cluster_dispatch_as_the_whole((t, supply, firm, intr, limit) in large()) {
            let state = HourState {
                supply_w: &supply,
                firm_w: &firm,
                interruptible_w: &intr,
                arc_limit_w: &limit,
            };
            for rule in [SharingRule::Local, SharingRule::Shared] {
                let mut fast = Dispatcher::new(t.clone(), rule);
                let mut whole = Dispatcher::whole(t.clone(), rule);
                let (mut a, mut b) = (Dispatch::new(&t), Dispatch::new(&t));
                fast.dispatch(&state, &mut a);
                solve::dispatch(&t, rule, &state, &mut whole.net, &mut whole.work, &mut b);
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(fast.total_firm_shortfall_w(&state), b.total_firm_short_w());
                let mut c = Dispatch::new(&t);
                if fast.dispatch_cluster(&state, &mut c) {
                    prop_assert_eq!(&c, &b);
                }
            }
        }

        /// Dispatching the components one by one gives, bit for bit, the dispatch of the
        /// whole network whenever the parts are used (at most one component short).
        #[test]
        fn parts_dispatch_as_the_whole((t, supply, firm, intr, limit) in two_components()) {
            let state = HourState {
                supply_w: &supply,
                firm_w: &firm,
                interruptible_w: &intr,
                arc_limit_w: &limit,
            };
            for rule in [SharingRule::Local, SharingRule::Shared] {
                let mut parts = Dispatcher::new(t.clone(), rule);
                let mut whole = Dispatcher::whole(t.clone(), rule);
                let (mut a, mut b) = (Dispatch::new(&t), Dispatch::new(&t));
                parts.dispatch(&state, &mut a);
                whole.net = flow::Net::default();
                solve::dispatch(&t, rule, &state, &mut whole.net, &mut whole.work, &mut b);
                prop_assert_eq!(a, b);
            }
        }
    }
}
