//! Fast path of the least total firm shortfall: max-flow min-cut evaluated directly over the
//! sets of regions of a small network, without building a flow.
//!
//! Shortfall `= max over sets Z of regions of firm(Z) - supply(Z) - inbound(Z)`, where the
//! inbound limit counts arcs from regions outside `Z` and, per external `e`,
//! `min(supply_e, limits of e's arcs into Z)` (the external is on whichever side of the cut
//! is cheaper); without imports the external terms are zero.
//!
//! The network is first cut into *components*: regions joined by arcs, an external joining
//! every region it feeds. A set's cut value is the sum of its parts' values in each
//! component, so the maximum is the sum of the components' maxima, and each component is
//! enumerated on its own (`2^R_c` sets instead of `2^R`: Kazakhstan's isolated West costs 4
//! sets, not a factor of 4). Within a component, the inbound limit of every set depends only
//! on the arc limits, which change only with outages: it is kept for the limits of the last
//! call, and only the demand and supply terms are summed per call.

use super::{HourState, Topology};

/// Largest number of regions in one component for which
/// [`super::Dispatcher::total_firm_shortfall_w`] enumerates cuts (`2^R` sets); beyond it,
/// it runs one max flow.
pub const CUT_ENUMERATION_MAX_REGIONS: usize = 8;

/// Largest number of externals of one component handled by the enumeration.
const MAX_EXTERNALS: usize = 4;

/// One component: its regions and externals (global indices), its arcs, and its tables.
#[derive(Clone, Debug, Default)]
struct Component {
    regions: Vec<usize>,
    externals: Vec<usize>,
    /// (arc index, local tail: a region index below `regions.len()`, or `regions.len() + e`
    /// for external `e` of the component, local head region).
    arcs: Vec<(usize, usize, usize)>,
    /// `cin[x]`: limit of the arcs from the component's regions outside set `x` into it.
    cin: Vec<i64>,
    /// `ein[e * 2^R + x]`: limit of external `e`'s arcs into set `x`.
    ein: Vec<i64>,
    /// `fs[x]`: firm demand minus supply of set `x` (per call).
    fs: Vec<i64>,
    /// The arc limits `cin` and `ein` were built for.
    limits: Vec<i64>,
}

/// Per-dispatcher components and tables, sized once, so a call neither allocates nor
/// clears memory.
#[derive(Clone, Debug, Default)]
pub(crate) struct CutTables {
    components: Vec<Component>,
}

impl CutTables {
    /// Tables for `topology` (none when a component is too large to enumerate).
    pub(crate) fn new(topology: &Topology) -> CutTables {
        let (r_n, nodes) = (topology.regions, topology.regions + topology.externals);
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
        let mut components: Vec<Component> = Vec::new();
        let mut of_root = vec![usize::MAX; nodes];
        for node in 0..nodes {
            let r = root(&mut parent, node);
            if of_root[r] == usize::MAX {
                of_root[r] = components.len();
                components.push(Component::default());
            }
            let c = &mut components[of_root[r]];
            if node < r_n {
                c.regions.push(node);
            } else {
                c.externals.push(node - r_n);
            }
        }
        components.retain(|c| !c.regions.is_empty());
        for c in &mut components {
            if c.regions.len() > CUT_ENUMERATION_MAX_REGIONS || c.externals.len() > MAX_EXTERNALS {
                return CutTables::default();
            }
            let local = |node: usize| -> Option<usize> {
                if node < r_n {
                    c.regions.iter().position(|&r| r == node)
                } else {
                    let e = c.externals.iter().position(|&e| e == node - r_n)?;
                    Some(c.regions.len() + e)
                }
            };
            let arcs: Vec<_> = topology
                .arcs
                .iter()
                .enumerate()
                .filter_map(|(i, arc)| Some((i, local(arc.from)?, local(arc.to)?)))
                .collect();
            let sets = 1 << c.regions.len();
            c.arcs = arcs;
            c.cin = vec![0; sets];
            c.fs = vec![0; sets];
            c.ein = vec![0; sets * c.externals.len()];
        }
        CutTables { components }
    }
}

/// `Some((least total firm shortfall without imports, with imports))` when it is cheap:
/// zero if every region covers its own firm demand, else by cut enumeration per component;
/// `None` when a component is too large.
#[inline]
pub(crate) fn quick_shortfalls(
    topology: &Topology,
    state: &HourState,
    tables: &mut CutTables,
) -> Option<(i64, i64)> {
    let r_n = topology.regions;
    if (0..r_n).all(|r| state.firm_w[r] <= state.supply_w[r]) {
        return Some((0, 0));
    }
    if tables.components.is_empty() {
        return None;
    }
    let (mut domestic, mut with) = (0, 0);
    for c in &mut tables.components {
        if c.regions
            .iter()
            .all(|&r| state.firm_w[r] <= state.supply_w[r])
        {
            continue;
        }
        let (d, w) = component_shortfalls(c, state, r_n);
        domestic += d;
        with += w;
    }
    Some((domestic, with))
}

/// The two maxima of one component.
fn component_shortfalls(c: &mut Component, state: &HourState, r_n: usize) -> (i64, i64) {
    let stale = c.limits.len() != c.arcs.len()
        || c.arcs
            .iter()
            .zip(&c.limits)
            .any(|(&(i, _, _), &l)| state.arc_limit_w[i] != l);
    if stale {
        c.limits.clear();
        c.limits
            .extend(c.arcs.iter().map(|&(i, _, _)| state.arc_limit_w[i]));
        inbound_limits(c);
    }
    let sets = 1usize << c.regions.len();
    let Component {
        regions,
        externals,
        cin,
        ein,
        fs,
        ..
    } = c;
    fs[0] = 0;
    let (mut best_domestic, mut best) = (0i64, 0i64);
    for x in 1..sets {
        let v = regions[x.trailing_zeros() as usize];
        fs[x] = fs[x & (x - 1)] + state.firm_w[v] - state.supply_w[v];
        let domestic = fs[x] - cin[x];
        let mut val = domestic;
        for (k, &e) in externals.iter().enumerate() {
            val -= ein[k * sets + x].min(state.supply_w[r_n + e]);
        }
        best_domestic = best_domestic.max(domestic);
        best = best.max(val);
    }
    (best_domestic, best)
}

/// Fill `cin` and `ein` of component `c` for its current `limits`.
fn inbound_limits(c: &mut Component) {
    const R: usize = CUT_ENUMERATION_MAX_REGIONS;
    let r_n = c.regions.len();
    // sym[v * R + u] = m[u][v] + m[v][u]; inbound[v] = Σ_u m[u][v]; me[e * R + v]: from
    // external e; nb[v]: bit mask of v's neighbours.
    let mut sym = [0i64; R * R];
    let mut inbound = [0i64; R];
    let mut nb = [0usize; R];
    let mut me = [0i64; MAX_EXTERNALS * R];
    for (&(_, from, v), &lim) in c.arcs.iter().zip(&c.limits) {
        if from < r_n {
            sym[v * R + from] += lim;
            sym[from * R + v] += lim;
            inbound[v] += lim;
            nb[v] |= 1 << from;
            nb[from] |= 1 << v;
        } else {
            me[(from - r_n) * R + v] += lim;
        }
    }
    let sets = 1usize << r_n;
    c.cin[0] = 0;
    for e in 0..c.externals.len() {
        c.ein[e * sets] = 0;
    }
    for x in 1..sets {
        let v = x.trailing_zeros() as usize;
        let xp = x & (x - 1);
        let mut cut = c.cin[xp] + inbound[v];
        let mut inside = xp & nb[v];
        while inside != 0 {
            cut -= sym[v * R + inside.trailing_zeros() as usize];
            inside &= inside - 1;
        }
        c.cin[x] = cut;
        for e in 0..c.externals.len() {
            c.ein[e * sets + x] = c.ein[e * sets + xp] + me[e * R + v];
        }
    }
}
