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
//! call, and only the demand and supply terms are summed per call. The tables have a fixed
//! size (`2^8` sets), so the loops index them without bounds checks.
//!
//! The same pass gives the least import of a component's first external when everything is
//! served (the largest deficit with every import but that one), and the set deficits it
//! keeps give the later externals' in one more pass each ([`quick_screen`]). When the
//! component's last region is a hub in the hour (no demand, no supply, no external feeding
//! it), a set and the set with the hub differ only in their inbound limit, so the screening
//! enumerates the sets without the hub against the lesser of the two limits: the same
//! maxima from half the sets (Kazakhstan's South hub).

use super::{HourState, Topology};

/// Largest number of regions in one component for which
/// [`super::Dispatcher::total_firm_shortfall_w`] enumerates cuts (`2^R` sets); beyond it,
/// it runs the local max flow, whose cost follows the deficits rather than the network.
pub const CUT_ENUMERATION_MAX_REGIONS: usize = 8;

/// Largest number of externals of one component handled by the enumeration.
const MAX_EXTERNALS: usize = 4;

/// One value per set of a component's regions (a bit mask below `2^R`): fixed-size, so
/// that indexing by a mask needs no bounds check in the enumeration loops.
type Sets = [i64; 1 << CUT_ENUMERATION_MAX_REGIONS];

/// The largest set mask, to index a [`Sets`].
const ALL: usize = (1 << CUT_ENUMERATION_MAX_REGIONS) - 1;

/// One component: its regions and externals (global indices), its arcs, and its tables.
#[derive(Clone, Debug)]
struct Component {
    regions: Vec<usize>,
    externals: Vec<usize>,
    /// In increasing arc index: (arc index, local tail: a region index below
    /// `regions.len()`, or `regions.len() + e` for external `e` of the component, local
    /// head region).
    arcs: Vec<(usize, usize, usize)>,
    /// `cin[x]`: limit of the arcs from the component's regions outside set `x` into it.
    cin: Box<Sets>,
    /// `ein[e][x]`: limit of external `e`'s arcs into set `x`.
    ein: Box<[Sets; MAX_EXTERNALS]>,
    /// `fs[x]`: firm demand minus supply of set `x` (per call).
    fs: Box<Sets>,
    /// `base[x]`: `fs[x] - cin[x]`, the deficit of set `x` without imports (per call, kept
    /// for the passes that fix imports in order).
    base: Box<Sets>,
    /// The arc limits `cin` and `ein` were built for.
    limits: Vec<i64>,
    /// Whether the last local region is fed by no external: then, in a call where it has
    /// neither demand nor supply (a hub), a set and the set with it differ only in their
    /// inbound limit, and the screening enumerates the sets without it against
    /// `cin_hub[x] = min(cin[x], cin[x + hub])`, half as many.
    hub_last: bool,
    /// See `hub_last`.
    cin_hub: Box<Sets>,
    /// Number of sets the last [`scan_first`] enumerated (what `base` holds).
    scanned: usize,
}

/// Per-dispatcher components and tables, sized once, so a call neither allocates nor
/// clears memory.
#[derive(Clone, Debug, Default)]
pub(crate) struct CutTables {
    components: Vec<Component>,
    /// Scratch: the sets that attain a maximum.
    maximizers: Vec<usize>,
    /// Scratch: node supplies while imports are fixed in order.
    supply: Vec<i64>,
    /// Scratch: each component's least unserved demand.
    best: Vec<i64>,
    /// Scratch: per component, its largest deficit without imports and with them, and with
    /// every import but its first external's.
    screen: Vec<(i64, i64, i64)>,
    /// The arc limits (all arcs) the components' tables were last checked against.
    limits: Vec<i64>,
}

impl CutTables {
    /// Whether the network is too large to enumerate (no tables).
    pub(crate) fn is_empty(&self) -> bool {
        self.components.is_empty()
    }

    /// Bring the components' inbound limits up to `arc_limit_w`: one comparison of the
    /// whole slice in the usual hour (no outage change), a per-component check otherwise.
    fn sync(&mut self, arc_limit_w: &[i64]) {
        if self.limits != arc_limit_w {
            self.limits.clear();
            self.limits.extend_from_slice(arc_limit_w);
            for c in &mut self.components {
                refresh(c, arc_limit_w);
            }
        }
    }

    /// Tables for `topology` (none when a component is too large to enumerate).
    pub(crate) fn new(topology: &Topology) -> CutTables {
        let r_n = topology.regions;
        let mut components: Vec<Component> = super::components(topology)
            .into_iter()
            .map(|(regions, externals)| Component {
                regions,
                externals,
                arcs: Vec::new(),
                cin: Box::new([0; 1 << CUT_ENUMERATION_MAX_REGIONS]),
                ein: Box::new([[0; 1 << CUT_ENUMERATION_MAX_REGIONS]; MAX_EXTERNALS]),
                fs: Box::new([0; 1 << CUT_ENUMERATION_MAX_REGIONS]),
                base: Box::new([0; 1 << CUT_ENUMERATION_MAX_REGIONS]),
                limits: Vec::new(),
                hub_last: false,
                cin_hub: Box::new([0; 1 << CUT_ENUMERATION_MAX_REGIONS]),
                scanned: 0,
            })
            .collect();
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
            let last = c.regions.len() - 1;
            c.hub_last = c.regions.len() > 1
                && arcs
                    .iter()
                    .all(|&(_, from, to)| to != last || from < c.regions.len());
            c.arcs = arcs;
        }
        CutTables {
            components,
            ..CutTables::default()
        }
    }
}

/// `Some((least total firm shortfall without imports, with imports))` when it is cheap:
/// zero if every region covers its own firm demand, else by cut enumeration per component;
/// `None` when a component is too large. With `import_w`, and when every component can
/// serve everything (the least unserved demand with imports is zero), also the least
/// import of every external, external by external in index order, each earlier one fixed
/// at its least import and each later one at its supply.
///
/// Exact: the least use of external `e` among the flows that serve everything is the
/// component's deficit without `e` minus that with it (max-flow min-cut: the flow without
/// `e` extends to a maximum flow with it, and no maximum flow uses less of `e`). So
/// the first external's least import comes from the same enumeration as the screening
/// (it also tracks the largest deficit with every import but the first), and each later
/// external takes one more pass over the sets of its component only, from the kept
/// `fs - cin` of every set: a component with one external (or none short) needs no pass at
/// all, where the sequential form took one enumeration of the whole network per external.
#[inline]
pub(crate) fn quick_screen(
    topology: &Topology,
    state: &HourState,
    tables: &mut CutTables,
    import_w: Option<&mut [i64]>,
) -> Option<(i64, i64)> {
    let r_n = topology.regions;
    if (0..r_n).all(|r| state.firm_w[r] <= state.supply_w[r]) {
        if let Some(import_w) = import_w {
            import_w.fill(0);
        }
        return Some((0, 0));
    }
    if tables.components.is_empty() {
        return None;
    }
    tables.sync(state.arc_limit_w);
    let CutTables {
        components, screen, ..
    } = tables;
    screen.clear();
    let (mut domestic, mut with) = (0, 0);
    for c in components.iter_mut() {
        let covered = c
            .regions
            .iter()
            .all(|&r| state.firm_w[r] <= state.supply_w[r]);
        let triple = if covered {
            (0, 0, 0)
        } else {
            scan_first(c, state, r_n)
        };
        domestic += triple.0;
        with += triple.1;
        screen.push(triple);
    }
    if let Some(import_w) = import_w {
        if with == 0 {
            // Externals without arcs, and those of components served by their own supply,
            // import nothing.
            import_w.fill(0);
            for (c, &(d, _, first)) in components.iter().zip(screen.iter()) {
                if d > 0 {
                    later_imports(c, state, r_n, first, import_w);
                }
            }
        }
    }
    Some((domestic, with))
}

/// One pass over the sets of `c` for demand `state.firm_w`: its largest deficit without
/// imports, with them, and with every import but the first external's (the deficit itself
/// when `c` has no external). Keeps `fs - cin` of every set in `c.base`.
fn scan_first(c: &mut Component, state: &HourState, r_n: usize) -> (i64, i64, i64) {
    let mut net = [0i64; CUT_ENUMERATION_MAX_REGIONS];
    for (n, &v) in net.iter_mut().zip(&c.regions) {
        *n = state.firm_w[v] - state.supply_w[v];
    }
    let mut ext = [0i64; MAX_EXTERNALS];
    for (s, &e) in ext.iter_mut().zip(&c.externals) {
        *s = state.supply_w[r_n + e];
    }
    let regions = c.regions.len();
    c.scanned = if c.hub_last && net[regions - 1] == 0 {
        1 << (regions - 1)
    } else {
        1 << regions
    };
    match c.externals.len() {
        0 => scan_sets::<0>(c, &net, &ext),
        1 => scan_sets::<1>(c, &net, &ext),
        2 => scan_sets::<2>(c, &net, &ext),
        3 => scan_sets::<3>(c, &net, &ext),
        _ => scan_sets::<MAX_EXTERNALS>(c, &net, &ext),
    }
}

/// The loop of [`scan_first`] for a component with `E` externals (a constant, so that the
/// loop over externals unrolls): `net` per local region, `ext` per local external.
#[inline(always)]
fn scan_sets<const E: usize>(
    c: &mut Component,
    net: &[i64; CUT_ENUMERATION_MAX_REGIONS],
    ext: &[i64; MAX_EXTERNALS],
) -> (i64, i64, i64) {
    const R: usize = CUT_ENUMERATION_MAX_REGIONS;
    let sets = c.scanned;
    let Component {
        cin,
        cin_hub,
        ein,
        fs,
        base,
        ..
    } = c;
    let cin = if sets < 1 << c.regions.len() {
        cin_hub
    } else {
        cin
    };
    fs[0] = 0;
    base[0] = 0;
    let (mut best_domestic, mut best, mut best_but_first) = (0i64, 0i64, 0i64);
    for x in 1..sets {
        let f = fs[x & (x - 1) & ALL] + net[x.trailing_zeros() as usize % R];
        fs[x & ALL] = f;
        let domestic = f - cin[x & ALL];
        base[x & ALL] = domestic;
        let mut later = 0;
        for k in 1..E {
            later += ein[k][x & ALL].min(ext[k]);
        }
        let first = if E > 0 {
            ein[0][x & ALL].min(ext[0])
        } else {
            0
        };
        best_domestic = best_domestic.max(domestic);
        best_but_first = best_but_first.max(domestic - later);
        best = best.max(domestic - later - first);
    }
    (best_domestic, best, best_but_first)
}

/// The least imports of `c`'s externals in order, given the first one's (`first`), from
/// `c.base` of the last [`scan_first`], when the component serves everything with imports.
fn later_imports(c: &Component, state: &HourState, r_n: usize, first: i64, import_w: &mut [i64]) {
    let e_n = c.externals.len();
    if e_n == 0 {
        return;
    }
    let sets = c.scanned;
    // Each external's limit: its least import once fixed, its supply until then.
    let mut cap = [0i64; MAX_EXTERNALS];
    for (s, &e) in cap.iter_mut().zip(&c.externals) {
        *s = state.supply_w[r_n + e];
    }
    cap[0] = first;
    import_w[c.externals[0]] = first;
    for k in 1..e_n {
        let mut least = 0i64;
        for x in 1..sets {
            let mut val = c.base[x & ALL];
            for (j, &limit) in cap[..e_n].iter().enumerate() {
                if j != k {
                    val -= c.ein[j][x & ALL].min(limit);
                }
            }
            least = least.max(val);
        }
        cap[k] = least;
        import_w[c.externals[k]] = least;
    }
}

/// Rebuild the inbound limits of `c` if its arcs' limits changed since the last call.
fn refresh(c: &mut Component, arc_limit_w: &[i64]) {
    let stale = c.limits.len() != c.arcs.len()
        || c.arcs
            .iter()
            .zip(&c.limits)
            .any(|(&(i, _, _), &l)| arc_limit_w[i] != l);
    if stale {
        c.limits.clear();
        c.limits
            .extend(c.arcs.iter().map(|&(i, _, _)| arc_limit_w[i]));
        inbound_limits(c);
    }
}

/// The largest deficit of a set of `c`'s regions without imports and with imports from
/// `supply_w`'s externals, for demand `demand(v)`; with `maximizers`, also every set (as a
/// bit mask of local indices) that attains the largest deficit with imports.
fn scan(
    c: &mut Component,
    supply_w: &[i64],
    r_n: usize,
    demand: impl Fn(usize) -> i64,
    maximizers: Option<&mut Vec<usize>>,
) -> (i64, i64) {
    let sets = 1usize << c.regions.len();
    const R: usize = CUT_ENUMERATION_MAX_REGIONS;
    // Per local region: demand minus supply; per local external: its supply.
    let mut net = [0i64; R];
    for (n, &v) in net.iter_mut().zip(&c.regions) {
        *n = demand(v) - supply_w[v];
    }
    let mut ext = [0i64; MAX_EXTERNALS];
    for (s, &e) in ext.iter_mut().zip(&c.externals) {
        *s = supply_w[r_n + e];
    }
    let e_n = c.externals.len();
    let Component { cin, ein, fs, .. } = c;
    let mut maximizers = maximizers;
    if let Some(m) = maximizers.as_deref_mut() {
        m.clear();
        m.push(0);
    }
    fs[0] = 0;
    let (mut best_domestic, mut best) = (0i64, 0i64);
    for x in 1..sets {
        let f = fs[x & (x - 1) & ALL] + net[x.trailing_zeros() as usize % R];
        fs[x & ALL] = f;
        let domestic = f - cin[x & ALL];
        let mut val = domestic;
        for (k, &supply) in ext[..e_n].iter().enumerate() {
            val -= ein[k][x & ALL].min(supply);
        }
        best_domestic = best_domestic.max(domestic);
        if let Some(m) = maximizers.as_deref_mut() {
            if val > best {
                m.clear();
            }
            if val >= best {
                m.push(x);
            }
        }
        best = best.max(val);
    }
    (best_domestic, best)
}

/// The full dispatch when it is forced by the cuts, or `false` to leave it to the flow
/// algorithm: when, in every component with unserved demand, a set of largest deficit has
/// a single region `v` with demand (the others, hubs, have none), that region must take the
/// whole deficit (the set's deficit is a lower bound on what its regions lack, and the
/// component's total is the same; only `v` can lack anything), so
/// every optimal dispatch, under either sharing rule, leaves `v` short by exactly that, with
/// its interruptible demand curtailed first, and serves everything else. Imports follow from
/// totals in the order of use; an arc binds when every set of largest firm deficit has its
/// head inside and its tail outside (or, from an external, the arc rather than the
/// external's supply limits the set).
pub(crate) fn quick_dispatch(
    topology: &Topology,
    state: &HourState,
    tables: &mut CutTables,
    out: &mut super::Dispatch,
) -> bool {
    let r_n = topology.regions;
    if tables.components.is_empty() {
        return false;
    }
    tables.sync(state.arc_limit_w);
    let CutTables {
        components,
        maximizers,
        supply,
        best,
        ..
    } = tables;
    best.clear();
    out.firm_short_w.fill(0);
    out.curtailed_w.fill(0);
    out.import_w.fill(0);
    for c in components.iter_mut() {
        let total = |v: usize| state.firm_w[v] + state.interruptible_w[v];
        let (_, unserved) = scan(c, state.supply_w, r_n, total, Some(maximizers));
        best.push(unserved);
        if unserved == 0 {
            continue;
        }
        // The regions of the component with demand: a set's other regions can be short of
        // nothing.
        let demand_mask = c
            .regions
            .iter()
            .enumerate()
            .filter(|&(_, &v)| total(v) > 0)
            .fold(0usize, |m, (k, _)| m | 1 << k);
        let Some(k) = maximizers
            .iter()
            .map(|&x| x & demand_mask)
            .find(|x| x.count_ones() == 1)
        else {
            return false;
        };
        let v = c.regions[k.trailing_zeros() as usize];
        let curtailed = state.interruptible_w[v].min(unserved);
        out.curtailed_w[v] = curtailed;
        out.firm_short_w[v] = unserved - curtailed;
    }
    // Imports: the least use of each external, in order, with the earlier ones fixed at
    // their least use and the later ones at their supply.
    supply.clear();
    supply.extend_from_slice(state.supply_w);
    for (ci, c) in components.iter_mut().enumerate() {
        for k in 0..c.externals.len() {
            let e = c.externals[k];
            supply[r_n + e] = 0;
            let total = |v: usize| state.firm_w[v] + state.interruptible_w[v];
            let (_, without) = scan(c, supply, r_n, total, None);
            let least = without - best[ci];
            supply[r_n + e] = least;
            out.import_w[e] = least;
        }
    }
    // Binding arcs, from the sets of largest firm deficit.
    out.binding.fill(false);
    for c in components.iter_mut() {
        let firm = |v: usize| state.firm_w[v];
        let (_, short) = scan(c, state.supply_w, r_n, firm, Some(maximizers));
        if short == 0 {
            continue;
        }
        for &(i, from, to) in &c.arcs {
            out.binding[i] = maximizers
                .iter()
                .all(|&z| lifts(c, state, r_n, (from, to), z));
        }
    }
    true
}

/// Whether one more watt on the arc from local node `ends.0` to local region `ends.1` of
/// `c` lowers the deficit of set `z`: its head is inside and its tail outside, or, from
/// an external, the arc rather than the external's supply limits what enters `z`.
#[inline]
fn lifts(c: &Component, state: &HourState, r_n: usize, ends: (usize, usize), z: usize) -> bool {
    let (from, to) = ends;
    let r_c = c.regions.len();
    let head_in = z >> to & 1 == 1;
    let tail_out = if from < r_c {
        z >> from & 1 == 0
    } else {
        let e = from - r_c;
        c.ein[e][z & ALL] < state.supply_w[r_n + c.externals[e]]
    };
    head_in && tail_out
}

/// [`super::Dispatcher::sets_binding`] from the cuts, or `false` to leave it to the flow
/// algorithm: one more watt on every arc of a set lowers the least firm shortfall iff, in
/// some component, it lowers the deficit of every set of largest firm deficit (integer
/// deficits: the others are at least one watt below the largest), that is, every such set
/// has an arc of the set lifting it ([`lifts`]). One enumeration per component, however
/// many sets are asked about.
pub(crate) fn sets_binding(
    topology: &Topology,
    state: &HourState,
    tables: &mut CutTables,
    sets: &[Vec<usize>],
    out: &mut [bool],
) -> bool {
    let r_n = topology.regions;
    if tables.components.is_empty() {
        return false;
    }
    out.fill(false);
    tables.sync(state.arc_limit_w);
    let CutTables {
        components,
        maximizers,
        ..
    } = tables;
    for c in components.iter_mut() {
        let firm = |v: usize| state.firm_w[v];
        let (_, short) = scan(c, state.supply_w, r_n, firm, Some(maximizers));
        if short == 0 {
            continue;
        }
        let c = &*c;
        for (binds, set) in out.iter_mut().zip(sets) {
            *binds = *binds
                || maximizers.iter().all(|&z| {
                    set.iter().any(|&a| {
                        c.arcs
                            .binary_search_by_key(&a, |&(i, _, _)| i)
                            .is_ok_and(|k| lifts(c, state, r_n, (c.arcs[k].1, c.arcs[k].2), z))
                    })
                });
        }
    }
    true
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
        c.ein[e][0] = 0;
    }
    for x in 1..sets {
        let v = x.trailing_zeros() as usize;
        let xp = x & (x - 1);
        let mut cut = c.cin[xp & ALL] + inbound[v];
        let mut inside = xp & nb[v];
        while inside != 0 {
            cut -= sym[v * R + inside.trailing_zeros() as usize];
            inside &= inside - 1;
        }
        c.cin[x & ALL] = cut;
        for e in 0..c.externals.len() {
            c.ein[e][x & ALL] = c.ein[e][xp & ALL] + me[e * R + v];
        }
    }
    if c.hub_last {
        let hub = sets >> 1;
        for x in 0..hub {
            c.cin_hub[x & ALL] = c.cin[x & ALL].min(c.cin[(x | hub) & ALL]);
        }
    }
}
