//! The least firm shortfall of a network too large to enumerate, by a max flow whose work
//! follows the deficits: each region first serves itself, and only what is left (the
//! *need* of short regions, the *spare* supply of the others and of the externals) is
//! routed over the arcs, by Dinic's algorithm searching backwards from the needs.
//!
//! Serving a region's own demand from its own supply first loses nothing: in the
//! circulation network (source -> region -> sink) that is a flow along a two-edge path, and
//! a max flow can start from any feasible flow. The residual edges it creates (sink ->
//! region, region -> source) lie on no augmenting path. What remains is a max flow from the
//! spare supplies to the needs over the arcs, and the least shortfall is the total need
//! minus it.
//!
//! A phase's breadth-first search starts from the regions with need and stops at the
//! first level with spare supply, so in a network where deficits are local it touches only
//! their neighbourhood; flows, levels and visit marks are reset only where they were set.
//! The adjacency (each node's arcs) is built once. The search that finds no spare supply
//! any more marks the regions that can still reach an unserved need: the sink side of the
//! minimum cut that every max flow saturates ([`LocalFlow::cut`]), which the full dispatch
//! uses to solve only that cluster.

use super::{HourState, Topology};

const UNSEEN: u32 = u32::MAX;

/// Reusable state of the local max flow of one topology.
#[derive(Debug, Clone, Default)]
pub(crate) struct LocalFlow {
    /// Per arc: tail and head.
    from: Vec<usize>,
    to: Vec<usize>,
    /// Per node: its arcs are `inc[start[v]..start[v + 1]]`.
    start: Vec<usize>,
    inc: Vec<usize>,
    /// Per arc: current flow (zero except on `touched`).
    flow: Vec<i64>,
    touched: Vec<usize>,
    is_touched: Vec<bool>,
    /// Per node: supply not yet used, and demand not yet served.
    pub(crate) spare: Vec<i64>,
    pub(crate) need: Vec<i64>,
    /// Per node: distance (in residual arcs) to the nearest need, or `UNSEEN`.
    level: Vec<u32>,
    /// The nodes with a level (to reset them), in search order.
    pub(crate) seen: Vec<usize>,
    /// Current-arc pointer of the blocking flow.
    iter: Vec<usize>,
    /// Nodes with spare supply at the level of the phase.
    sources: Vec<usize>,
    /// Per node, for [`LocalFlow::fed`]: 0 not known, 1 fed, 2 not fed; set on `marked`.
    fed: Vec<u8>,
    marked: Vec<usize>,
    queue: Vec<usize>,
    /// The regions with need at the start of the call (and, while its least use is
    /// sought, an external).
    short: Vec<usize>,
}

impl LocalFlow {
    pub(crate) fn new(t: &Topology) -> LocalFlow {
        let n = t.nodes();
        let a_n = t.arcs.len();
        let mut start = vec![0usize; n + 1];
        for arc in &t.arcs {
            start[arc.from + 1] += 1;
            start[arc.to + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut inc = vec![0usize; start[n]];
        for (a, arc) in t.arcs.iter().enumerate() {
            for v in [arc.from, arc.to] {
                inc[fill[v]] = a;
                fill[v] += 1;
            }
        }
        LocalFlow {
            from: t.arcs.iter().map(|a| a.from).collect(),
            to: t.arcs.iter().map(|a| a.to).collect(),
            start,
            inc,
            flow: vec![0; a_n],
            touched: Vec::with_capacity(a_n),
            is_touched: vec![false; a_n],
            spare: vec![0; n],
            need: vec![0; n],
            level: vec![UNSEEN; n],
            seen: Vec::with_capacity(n),
            iter: vec![0; n],
            sources: Vec::with_capacity(n),
            short: Vec::with_capacity(t.regions + 1),
            fed: vec![0; n],
            marked: Vec::with_capacity(n),
            queue: Vec::with_capacity(n),
        }
    }

    /// Starts an hour with demand `demand_w`: every region serves itself, externals offer
    /// nothing yet. Returns the total need.
    pub(crate) fn start(&mut self, t: &Topology, st: &HourState, demand_w: &[i64]) -> i64 {
        for &a in &self.touched {
            self.flow[a] = 0;
            self.is_touched[a] = false;
        }
        self.touched.clear();
        for &v in &self.marked {
            self.fed[v] = 0;
        }
        self.marked.clear();
        self.short.clear();
        let mut total = 0;
        for (r, (&demand, &supply)) in demand_w.iter().zip(st.supply_w).enumerate() {
            let net = demand - supply;
            self.need[r] = net.max(0);
            self.spare[r] = (-net).max(0);
            if net > 0 {
                self.short.push(r);
                total += net;
            }
        }
        self.spare[t.regions..].fill(0);
        self.need[t.regions..].fill(0);
        total
    }

    /// Offers every external's supply.
    pub(crate) fn open_imports(&mut self, t: &Topology, st: &HourState) {
        self.spare[t.regions..].copy_from_slice(&st.supply_w[t.regions..]);
    }

    /// Routes as much spare supply to the needs as the arcs allow (limits `limit_w`);
    /// returns the amount. Afterwards [`LocalFlow::seen`] holds the nodes that can still
    /// reach an unserved need (the needs themselves included).
    pub(crate) fn route(&mut self, limit_w: &[i64]) -> i64 {
        let mut total = 0;
        while self.levels(limit_w) {
            for i in 0..self.sources.len() {
                let s = self.sources[i];
                while self.spare[s] > 0 {
                    let d = self.push(s, self.spare[s], limit_w);
                    if d == 0 {
                        break;
                    }
                    self.spare[s] -= d;
                    total += d;
                }
            }
        }
        total
    }

    /// Routes flow away from external node `e` (other nodes' spare supply replacing it)
    /// as far as possible; returns what `e` still sends.
    pub(crate) fn least_use(&mut self, e: usize, limit_w: &[i64]) -> i64 {
        let sent: i64 = self.inc[self.start[e]..self.start[e + 1]]
            .iter()
            .map(|&a| self.flow[a])
            .sum();
        self.spare[e] = 0;
        self.need[e] = sent;
        self.short.push(e);
        self.route(limit_w);
        self.short.pop();
        let least = self.need[e];
        self.need[e] = 0;
        least
    }

    /// Offers `w` more supply at node `v`, serving its own need first (a search starts at
    /// the needs, so a need is never its own source).
    pub(crate) fn offer(&mut self, v: usize, w: i64) {
        let own = w.min(self.need[v]);
        self.need[v] -= own;
        self.spare[v] += w - own;
    }

    /// Whether node `v` can still reach an unserved need, after [`LocalFlow::route`] (it is
    /// in [`LocalFlow::seen`]).
    pub(crate) fn reaches_need(&self, v: usize) -> bool {
        self.level[v] != UNSEEN
    }

    /// Per arc: its flow (from tail to head).
    pub(crate) fn flow_w(&self) -> &[i64] {
        &self.flow
    }

    /// The arcs at node `v` (either end).
    pub(crate) fn arcs_of(&self, v: usize) -> &[usize] {
        &self.inc[self.start[v]..self.start[v + 1]]
    }

    /// Whether node `v` is reachable from spare supply in the residual graph of the routed
    /// flow (after [`LocalFlow::route`] found no more path: then the set does not depend on
    /// which maximum flow was found). Searches backwards from `v` and stops at the first
    /// spare supply; a search that fails marks everything it saw as not fed.
    pub(crate) fn fed(&mut self, v: usize, limit_w: &[i64]) -> bool {
        if self.fed[v] == 0 {
            self.queue.clear();
            self.queue.push(v);
            self.fed[v] = 2;
            self.marked.push(v);
            let mut qi = 0;
            let mut found = false;
            'search: while qi < self.queue.len() {
                let w = self.queue[qi];
                qi += 1;
                if self.spare[w] > 0 {
                    found = true;
                    break;
                }
                for i in self.start[w]..self.start[w + 1] {
                    let (u, res) = self.toward(w, self.inc[i], limit_w);
                    if res > 0 && self.fed[u] != 2 {
                        if self.fed[u] == 1 {
                            found = true;
                            break 'search;
                        }
                        self.fed[u] = 2;
                        self.marked.push(u);
                        self.queue.push(u);
                    }
                }
            }
            if found {
                // Only `v` is known fed; the others seen go back to not known (they were
                // marked with the queue, in its order, so they leave `marked` too).
                for &u in &self.queue {
                    self.fed[u] = 0;
                }
                self.marked.truncate(self.marked.len() - self.queue.len());
                self.fed[v] = 1;
                self.marked.push(v);
            }
        }
        self.fed[v] == 1
    }

    /// Residual capacity of arc `a` seen from node `v`: towards its other end (forward if
    /// `v` is the tail, undoing its flow if `v` is the head), and that other end.
    #[inline]
    fn out_of(&self, v: usize, a: usize, limit_w: &[i64]) -> (usize, i64) {
        if self.from[a] == v {
            (self.to[a], limit_w[a] - self.flow[a])
        } else {
            (self.from[a], self.flow[a])
        }
    }

    /// Residual capacity from the other end of arc `a` into node `v`, and that other end.
    #[inline]
    fn toward(&self, v: usize, a: usize, limit_w: &[i64]) -> (usize, i64) {
        if self.to[a] == v {
            (self.from[a], limit_w[a] - self.flow[a])
        } else {
            (self.to[a], self.flow[a])
        }
    }

    /// Breadth-first search backwards from every node with need, up to the first level with
    /// spare supply; `true` if it found some (then `sources` holds it).
    fn levels(&mut self, limit_w: &[i64]) -> bool {
        for &v in &self.seen {
            self.level[v] = UNSEEN;
        }
        self.seen.clear();
        self.sources.clear();
        for &v in &self.short {
            if self.need[v] > 0 {
                self.level[v] = 0;
                self.seen.push(v);
            }
        }
        let mut found = UNSEEN;
        let mut qi = 0;
        while qi < self.seen.len() {
            let w = self.seen[qi];
            qi += 1;
            let lw = self.level[w];
            if lw >= found {
                break;
            }
            self.iter[w] = self.start[w];
            for i in self.start[w]..self.start[w + 1] {
                let a = self.inc[i];
                let (u, res) = self.toward(w, a, limit_w);
                if res > 0 && self.level[u] == UNSEEN {
                    self.level[u] = lw + 1;
                    self.seen.push(u);
                    self.iter[u] = self.start[u];
                    if self.spare[u] > 0 {
                        found = lw + 1;
                        self.sources.push(u);
                    }
                }
            }
        }
        !self.sources.is_empty()
    }

    /// Pushes up to `f` from node `v` along arcs that step one level down, to a need.
    fn push(&mut self, v: usize, f: i64, limit_w: &[i64]) -> i64 {
        let lv = self.level[v];
        if lv == 0 {
            let d = f.min(self.need[v]);
            self.need[v] -= d;
            return d;
        }
        while self.iter[v] < self.start[v + 1] {
            let a = self.inc[self.iter[v]];
            let (w, res) = self.out_of(v, a, limit_w);
            if res > 0 && self.level[w] == lv - 1 {
                let d = self.push(w, f.min(res), limit_w);
                if d > 0 {
                    if self.from[a] == v {
                        self.flow[a] += d;
                    } else {
                        self.flow[a] -= d;
                    }
                    if !self.is_touched[a] {
                        self.is_touched[a] = true;
                        self.touched.push(a);
                    }
                    return d;
                }
            }
            self.iter[v] += 1;
        }
        0
    }
}
