//! The stages of a full dispatch on the circulation network: objectives 1-3 by max flow,
//! the `Local` least-transfer face by min-cost flow, and the ratio rule by the
//! decomposition (progressive filling) algorithm with exact integer levels.

use super::flow::Net;
use super::{Dispatch, HourState, SharingRule, Topology};

/// Source.
const S: usize = 0;
/// Sink.
const T: usize = 1;
/// Firm sink (all firm terminal edges end here or in a level aggregate).
const TF: usize = 2;
/// Interruptible sink.
const TI: usize = 3;
/// First network node.
const V0: usize = 4;

/// Edge and node numbering of the circulation network of a topology.
#[derive(Debug, Clone, Copy)]
struct Layout {
    r: usize,
    e: usize,
    a: usize,
}

impl Layout {
    fn new(t: &Topology) -> Layout {
        Layout {
            r: t.regions,
            e: t.externals,
            a: t.arcs.len(),
        }
    }
    fn nodes(&self) -> usize {
        self.r + self.e
    }
    /// Supply edge `S -> v`.
    fn sup(&self, v: usize) -> usize {
        v
    }
    fn arc(&self, a: usize) -> usize {
        self.nodes() + a
    }
    fn firm(&self, r: usize) -> usize {
        self.nodes() + self.a + r
    }
    fn intr(&self, r: usize) -> usize {
        self.nodes() + self.a + self.r + r
    }
    fn tf(&self) -> usize {
        self.nodes() + self.a + 2 * self.r
    }
    fn ti(&self) -> usize {
        self.tf() + 1
    }
    /// First level-aggregate node (2R of them).
    fn agg0(&self) -> usize {
        V0 + self.nodes()
    }
    fn ss(&self) -> usize {
        self.agg0() + 2 * self.r
    }
    fn tt(&self) -> usize {
        self.ss() + 1
    }
    fn n(&self) -> usize {
        self.tt() + 1
    }
}

/// Reusable scratch of the full dispatch.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    save_lo: Vec<i128>,
    save_hi: Vec<i128>,
    save_x: Vec<i128>,
    active: Vec<bool>,
    in_stage: Vec<bool>,
    weight: Vec<i128>,
    value: Vec<i128>,
    floor: Vec<i128>,
    ceil: Vec<i128>,
    rem: Vec<i128>,
    level: Vec<usize>,
    reach_s: Vec<bool>,
    reach_t: Vec<bool>,
}

impl Work {
    pub(crate) fn new(t: &Topology) -> Work {
        let r = t.regions;
        let n = t.nodes();
        Work {
            active: vec![false; r],
            in_stage: vec![false; r],
            weight: vec![0; r],
            value: vec![0; r],
            floor: vec![0; r],
            ceil: vec![0; r],
            rem: vec![0; r],
            level: Vec::with_capacity(r),
            reach_s: vec![false; n],
            reach_t: vec![false; n],
            ..Work::default()
        }
    }

    /// Sizes the scratch for `t` (a cluster of a larger network: within the capacity
    /// reserved for the whole, so nothing is allocated).
    pub(crate) fn fit(&mut self, t: &Topology) {
        self.size_terms(t.regions);
        for v in [&mut self.reach_s, &mut self.reach_t] {
            v.resize(t.nodes(), false);
        }
    }

    /// Sizes the per-terminal scratch for `n` terminal edges of one sharing stage.
    pub(crate) fn reserve_terms(&mut self, n: usize) {
        if self.weight.len() < n {
            self.size_terms(n);
        }
    }

    /// The per-terminal scratch resized to `n` terminal edges.
    fn size_terms(&mut self, n: usize) {
        for v in [
            &mut self.weight,
            &mut self.value,
            &mut self.floor,
            &mut self.ceil,
            &mut self.rem,
        ] {
            v.resize(n, 0);
        }
        for v in [&mut self.active, &mut self.in_stage] {
            v.resize(n, false);
        }
    }

    fn save(&mut self, net: &Net) {
        self.save_lo.clear();
        self.save_lo.extend_from_slice(&net.lo);
        self.save_hi.clear();
        self.save_hi.extend_from_slice(&net.hi);
        self.save_x.clear();
        self.save_x.extend_from_slice(&net.x);
    }

    /// Restores the saved bounds and flow, each multiplied by `q`.
    fn restore_scaled(&self, net: &mut Net, q: i128) {
        let m = self.save_x.len();
        net.truncate(m);
        for k in 0..m {
            net.lo[k] = self.save_lo[k] * q;
            net.hi[k] = self.save_hi[k] * q;
            net.x[k] = self.save_x[k] * q;
        }
    }
}

/// The network with supply, arc, terminal and return edges, all flows zero.
fn build(t: &Topology, rule: SharingRule, st: &HourState, net: &mut Net) -> Layout {
    let l = Layout::new(t);
    net.reset(l.n());
    for (v, &s) in st.supply_w.iter().enumerate() {
        net.add(S, V0 + v, 0, s as i128, 0);
    }
    for (arc, &lim) in t.arcs.iter().zip(st.arc_limit_w) {
        let cost = i64::from(rule == SharingRule::Local && arc.from < l.r && arc.to < l.r);
        net.add(V0 + arc.from, V0 + arc.to, 0, lim as i128, cost);
    }
    let mut firm = 0i128;
    for r in 0..l.r {
        net.add(V0 + r, TF, 0, st.firm_w[r] as i128, 0);
        firm += st.firm_w[r] as i128;
    }
    let mut intr = 0i128;
    for r in 0..l.r {
        net.add(V0 + r, TI, 0, st.interruptible_w[r] as i128, 0);
        intr += st.interruptible_w[r] as i128;
    }
    net.add(TF, T, 0, firm, 0);
    net.add(TI, T, 0, intr, 0);
    net.add(T, S, 0, firm + intr, 0);
    l
}

/// `out[i]`: one more watt on every arc of `sets[i]` would lower the least total firm
/// shortfall. After a firm max flow, that is an augmenting path from the source to the firm
/// sink in the residual graph with the set's arcs one watt larger (the flow stays feasible,
/// and the max flow grows iff such a path exists).
pub(crate) fn sets_binding(
    t: &Topology,
    st: &HourState,
    sets: &[Vec<usize>],
    net: &mut Net,
    out: &mut [bool],
) {
    let l = build(t, SharingRule::Shared, st, net);
    let served = net.augment(S, TF, None);
    if served == net.hi[l.tf()] {
        out.fill(false);
        return;
    }
    for (binds, set) in out.iter_mut().zip(sets) {
        for &a in set {
            net.hi[l.arc(a)] += 1;
        }
        net.reach_from(S);
        *binds = net.mark[TF];
        for &a in set {
            net.hi[l.arc(a)] -= 1;
        }
    }
}

/// The full dispatch; see the module docs of `dispatch` for the stages.
pub(crate) fn dispatch(
    t: &Topology,
    rule: SharingRule,
    st: &HourState,
    net: &mut Net,
    w: &mut Work,
    out: &mut Dispatch,
) {
    let l = build(t, rule, st, net);
    let (ss, tt) = (l.ss(), l.tt());
    let firm_total = net.hi[l.tf()];
    let intr_total = net.hi[l.ti()];

    // 1. Most firm demand served.
    let served = net.augment(T, TF, Some(l.tf()));
    net.x[l.tf()] += served;
    let short_total = firm_total - served;
    if short_total > 0 {
        binding(t, &l, net, w, out);
    } else {
        out.binding.iter_mut().for_each(|b| *b = false);
    }
    net.fix(l.tf());

    // 2. Most interruptible demand served.
    if intr_total > 0 {
        let served = net.augment(T, TI, Some(l.ti()));
        net.x[l.ti()] += served;
    }
    net.fix(l.ti());
    let curtail_total = intr_total - net.x[l.ti()];

    // 3. Least import, external by external.
    if l.e > 0 {
        net.keep_residual();
    }
    for e in 0..l.e {
        let k = l.sup(l.r + e);
        if net.x[k] > 0 {
            let less = net.augment_kept(S, V0 + l.r + e, k);
            net.x[k] -= less;
        }
        net.fix_kept(k);
        out.import_w[e] = net.x[k] as i64;
    }

    if short_total == 0 && curtail_total == 0 {
        out.firm_short_w.iter_mut().for_each(|v| *v = 0);
        out.curtailed_w.iter_mut().for_each(|v| *v = 0);
        return;
    }

    // 4a. Local: least total transfer.
    if rule == SharingRule::Local {
        net.least_transfer(l.arc(0)..l.arc(l.a), ss, tt);
    }

    // 4b. Ratio rule: firm, then interruptible.
    let mut next_agg = l.agg0();
    if short_total == 0 {
        for r in 0..l.r {
            net.fix(l.firm(r));
        }
    } else {
        share(net, w, (ss, tt), TF, l.firm(0), st.firm_w, &mut next_agg);
    }
    if curtail_total == 0 {
        for r in 0..l.r {
            net.fix(l.intr(r));
        }
    } else {
        share(
            net,
            w,
            (ss, tt),
            TI,
            l.intr(0),
            st.interruptible_w,
            &mut next_agg,
        );
    }
    for r in 0..l.r {
        out.firm_short_w[r] = st.firm_w[r] - net.x[l.firm(r)] as i64;
        out.curtailed_w[r] = st.interruptible_w[r] - net.x[l.intr(r)] as i64;
    }
}

/// `binding[a]`: in the residual graph of the firm max flow, `a`'s tail is reachable from
/// the source and its head reaches an unserved firm demand. Then one more MW on `a` opens an
/// augmenting path; otherwise none exists.
fn binding(t: &Topology, l: &Layout, net: &Net, w: &mut Work, out: &mut Dispatch) {
    let n = l.nodes();
    for v in 0..n {
        let k = l.sup(v);
        w.reach_s[v] = net.x[k] < net.hi[k];
        w.reach_t[v] = v < l.r && net.x[l.firm(v)] < net.hi[l.firm(v)];
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (a, arc) in t.arcs.iter().enumerate() {
            let k = l.arc(a);
            let (u, v) = (arc.from, arc.to);
            let fwd = net.x[k] < net.hi[k];
            let bwd = net.x[k] > 0;
            if fwd && w.reach_s[u] && !w.reach_s[v] || bwd && w.reach_s[v] && !w.reach_s[u] {
                w.reach_s[u] = true;
                w.reach_s[v] = true;
                changed = true;
            }
            if fwd && w.reach_t[v] && !w.reach_t[u] || bwd && w.reach_t[u] && !w.reach_t[v] {
                w.reach_t[u] = true;
                w.reach_t[v] = true;
                changed = true;
            }
        }
    }
    for (a, arc) in t.arcs.iter().enumerate() {
        out.binding[a] = w.reach_s[arc.from] && w.reach_t[arc.to];
    }
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `p / q` in lowest terms (`q > 0`).
fn ratio(p: i128, q: i128) -> (i128, i128) {
    let g = gcd(p, q).max(1);
    (p / g, q / g)
}

/// Lexicographically maximises the sorted served ratios `x_r / w_r` over the terminal
/// edges `term0 + r` (into sink `sink`), `w_r = demand[r]`, `r < demand.len()`, among the
/// feasible circulations (super source and sink `ss`, `tt`); then fixes each terminal edge
/// at its integer share. The default dispatch calls it on the regions' firm and
/// interruptible edges, the ladder dispatch also on each rank's unused edges.
///
/// A terminal edge may already carry bounds tighter than `[0, w_r]` (the `Local` face);
/// the ratio test uses the lower bound `max(lo_r, lambda w_r)`, a convex function of
/// `lambda`, so Newton's method still converges from above.
pub(crate) fn share(
    net: &mut Net,
    w: &mut Work,
    (ss, tt): (usize, usize),
    sink: usize,
    term0: usize,
    demand: &[i64],
    next: &mut usize,
) {
    let n = demand.len();
    w.reserve_terms(n);
    let mut remaining = 0i128;
    for (r, &dem) in demand.iter().enumerate() {
        let k = term0 + r;
        w.weight[r] = dem as i128;
        w.active[r] = dem > 0;
        w.in_stage[r] = w.active[r];
        w.value[r] = 0;
        w.floor[r] = 0;
        w.ceil[r] = 0;
        if w.active[r] && net.lo[k] == net.hi[k] {
            // Already fixed (by the `Local` face): its share is its exact value in every
            // level it could join (remainder zero, so no extra watt), so it leaves now.
            w.active[r] = false;
            w.value[r] = net.x[k];
            w.floor[r] = net.x[k];
            w.ceil[r] = net.x[k];
        } else if w.active[r] {
            remaining += net.x[k];
        }
    }
    w.save(net);
    loop {
        let n_active = w.active[..n].iter().filter(|&&a| a).count();
        if n_active == 0 {
            break;
        }
        // Shortcuts: one region left takes what remains; nothing left means zero for all.
        if n_active == 1 || remaining == 0 {
            for r in 0..n {
                if w.active[r] {
                    w.value[r] = remaining;
                    w.floor[r] = remaining;
                    w.ceil[r] = remaining;
                    w.active[r] = false;
                }
            }
            break;
        }
        let total_w: i128 = (0..n).filter(|&r| w.active[r]).map(|r| w.weight[r]).sum();
        // Start above the answer: no more than the remaining total allows, and no region
        // beyond its upper bound.
        let (mut p, mut q) = (remaining, total_w);
        for r in 0..n {
            if w.active[r] {
                let hi = w.save_hi[term0 + r];
                if hi * q < p * w.weight[r] {
                    (p, q) = (hi, w.weight[r]);
                }
            }
        }
        (p, q) = ratio(p, q);
        // Newton / Dinkelbach on the most violated cut.
        loop {
            w.restore_scaled(net, q);
            for r in 0..n {
                if w.active[r] {
                    let k = term0 + r;
                    net.lo[k] = net.lo[k].max(p * w.weight[r]);
                }
            }
            if net.make_feasible(ss, tt) {
                break;
            }
            let (mut num, mut den) = (0i128, 0i128);
            for k in 0..net.m() {
                let (iu, iv) = (net.mark[net.eu[k]], net.mark[net.ev[k]]);
                if iu && !iv {
                    num += w.save_hi[k];
                } else if !iu && iv {
                    match k.checked_sub(term0).filter(|&r| r < n && w.active[r]) {
                        // The lambda part of max(lo, lambda w) is the one that binds.
                        Some(r) if p * w.weight[r] > w.save_lo[k] * q => den += w.weight[r],
                        _ => num -= w.save_lo[k],
                    }
                }
            }
            if den <= 0 || num < 0 || num * q >= p * den {
                debug_assert!(false, "Newton step must lower the ratio");
                // Cannot happen; fall back to serving the active regions nothing more.
                (p, q) = (0, 1);
                continue;
            }
            (p, q) = ratio(num, den);
        }
        // Regions that cannot go above the ratio form this level.
        net.reach_from(sink);
        w.level.clear();
        for r in 0..n {
            if w.active[r] {
                let k = term0 + r;
                let above = net.x[k] > p * w.weight[r];
                let free = above || (net.mark[net.eu[k]] && net.x[k] < net.hi[k]);
                if !free {
                    w.level.push(r);
                }
            }
        }
        if w.level.is_empty() {
            debug_assert!(false, "a tight level exists at the largest ratio");
            w.level.extend((0..n).filter(|&r| w.active[r]));
        }
        // Exact integer level total, largest-remainder split.
        let level_w: i128 = w.level.iter().map(|&r| w.weight[r]).sum();
        debug_assert_eq!(p * level_w % q, 0, "level totals are integers");
        let level_total = p * level_w / q;
        let mut given = 0;
        for &r in &w.level {
            let s = p * w.weight[r];
            w.floor[r] = s / q;
            w.rem[r] = s % q;
            w.ceil[r] = w.floor[r] + i128::from(w.rem[r] > 0);
            given += w.floor[r];
        }
        let rem = &w.rem;
        w.level
            .sort_unstable_by(|&a, &b| rem[b].cmp(&rem[a]).then(a.cmp(&b)));
        let extra = (level_total - given).max(0) as usize;
        for (i, &r) in w.level.iter().enumerate() {
            w.value[r] = w.floor[r] + i128::from(i < extra);
        }
        // Replace the level by an aggregate edge carrying its exact total.
        w.restore_scaled(net, 1);
        let agg = *next;
        *next += 1;
        let mut sum = 0;
        for &r in &w.level {
            let k = term0 + r;
            net.ev[k] = agg;
            sum += net.x[k];
            w.active[r] = false;
        }
        let k = net.add(agg, sink, level_total, level_total, 0);
        net.x[k] = sum;
        remaining -= level_total;
        let ok = net.make_feasible(ss, tt);
        debug_assert!(ok, "the level aggregate is feasible");
        w.save(net);
    }
    // Fix the rounded shares; if that vector is not realisable, take a realisable one
    // between the floors and ceilings.
    for r in 0..n {
        if w.in_stage[r] {
            let k = term0 + r;
            net.lo[k] = w.value[r];
            net.hi[k] = w.value[r];
        }
    }
    if !net.make_feasible(ss, tt) {
        w.restore_scaled(net, 1);
        for r in 0..n {
            if w.in_stage[r] {
                let k = term0 + r;
                net.lo[k] = w.floor[r];
                net.hi[k] = w.ceil[r];
            }
        }
        let ok = net.make_feasible(ss, tt);
        debug_assert!(ok, "the exact shares lie between floors and ceilings");
        for r in 0..n {
            if w.in_stage[r] {
                net.fix(term0 + r);
            }
        }
    }
}
