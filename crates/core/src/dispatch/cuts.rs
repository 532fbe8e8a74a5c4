//! Fast path of the least total firm shortfall: max-flow min-cut evaluated directly over the
//! sets of regions of a small network, without building a flow.

use super::{HourState, Topology};

/// Largest number of regions for which [`super::Dispatcher::total_firm_shortfall_w`]
/// enumerates cuts (`2^R` sets); beyond it, it runs one max flow.
pub const CUT_ENUMERATION_MAX_REGIONS: usize = 6;

/// Largest number of externals handled by the enumeration.
const MAX_EXTERNALS: usize = 4;

const SETS: usize = 1 << CUT_ENUMERATION_MAX_REGIONS;

/// `Some(least total firm shortfall)` when it is cheap: zero if every region covers its own
/// firm demand, else by cut enumeration on small networks; `None` otherwise.
///
/// Shortfall `= max over sets Z of regions of firm(Z) - supply(Z) - inbound(Z)`, where the
/// inbound limit counts arcs from regions outside `Z` and, per external `e`,
/// `min(supply_e, limits of e's arcs into Z)` (the external is on whichever side of the cut
/// is cheaper).
#[inline]
pub(crate) fn quick_shortfall(topology: &Topology, state: &HourState) -> Option<i64> {
    let r_n = topology.regions;
    if (0..r_n).all(|r| state.firm_w[r] <= state.supply_w[r]) {
        return Some(0);
    }
    if r_n > CUT_ENUMERATION_MAX_REGIONS || topology.externals > MAX_EXTERNALS {
        return None;
    }
    // m[u * R + v]: limit from region u into region v; me[e * R + v]: from external e.
    let mut m = [0i64; CUT_ENUMERATION_MAX_REGIONS * CUT_ENUMERATION_MAX_REGIONS];
    let mut me = [0i64; MAX_EXTERNALS * CUT_ENUMERATION_MAX_REGIONS];
    for (arc, &lim) in topology.arcs.iter().zip(state.arc_limit_w) {
        if arc.from < r_n {
            m[arc.from * r_n + arc.to] += lim;
        } else {
            me[(arc.from - r_n) * r_n + arc.to] += lim;
        }
    }
    let e_n = topology.externals;
    let ext_supply = &state.supply_w[r_n..];
    let mut cin = [0i64; SETS];
    let mut fs = [0i64; SETS];
    let mut ein = [[0i64; SETS]; MAX_EXTERNALS];
    let mut best = 0i64;
    for x in 1..(1usize << r_n) {
        let v = x.trailing_zeros() as usize;
        let xp = x & (x - 1);
        fs[x] = fs[xp] + state.firm_w[v] - state.supply_w[v];
        let mut c = cin[xp];
        for u in 0..r_n {
            if x >> u & 1 == 0 {
                c += m[u * r_n + v];
            } else if u != v {
                c -= m[v * r_n + u];
            }
        }
        cin[x] = c;
        let mut val = fs[x] - c;
        for e in 0..e_n {
            let inflow = ein[e][xp] + me[e * r_n + v];
            ein[e][x] = inflow;
            val -= inflow.min(ext_supply[e]);
        }
        best = best.max(val);
    }
    Some(best)
}
