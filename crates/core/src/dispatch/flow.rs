//! The circulation engine under the dispatch: bounded edges, Dinic max flow on the residual
//! graph, warm-started feasibility with a violated cut, and min-cost circulation (negative
//! cycles cancelled from the current flow on a small network, the primal-dual otherwise).
//!
//! Everything is exact integer arithmetic in `i128`: values are watts, or watts times the
//! denominator of a sharing ratio while the sharing rule tests a candidate ratio.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A circulation network with lower and upper bounds on every edge and a current flow.
///
/// Edges are kept in parallel arrays (struct of arrays); edge `k` is `eu[k] -> ev[k]` with
/// bounds `lo[k] <= x[k] <= hi[k]`. The residual graph, the Dinic state and the scratch
/// arrays are reused from call to call, so after the first hour nothing is allocated.
#[derive(Debug, Default, Clone)]
pub(crate) struct Net {
    /// Number of nodes.
    pub n: usize,
    pub eu: Vec<usize>,
    pub ev: Vec<usize>,
    pub lo: Vec<i128>,
    pub hi: Vec<i128>,
    pub x: Vec<i128>,
    pub cost: Vec<i64>,
    /// Residual capacities: `2k` forward (`hi - x`), `2k + 1` backward (`x - lo`).
    rcap: Vec<i128>,
    /// Whether master edge `k` takes part in the current residual graph.
    used: Vec<bool>,
    adj_start: Vec<usize>,
    adj: Vec<Slot>,
    level: Vec<i32>,
    iter: Vec<usize>,
    /// Breadth-first queue, one slot per node (a node is queued at most once per search).
    queue: Vec<usize>,
    /// Dinic's path from the source: (tail, residual edge) per step.
    path: Vec<(usize, usize)>,
    ex: Vec<i128>,
    /// Nodes reachable in the residual graph after [`Net::make_feasible`] failed or after
    /// [`Net::reach_from`].
    pub mark: Vec<bool>,
    dist: Vec<i64>,
    pot: Vec<i64>,
    done: Vec<bool>,
    /// Bellman-Ford's residual edge into each node (`usize::MAX`: none), and the walk that
    /// looks for a cycle of those edges.
    pred: Vec<usize>,
    walk: Vec<usize>,
    /// Dijkstra's queue of (distance, node).
    heap: BinaryHeap<Reverse<(i64, usize)>>,
}

const INF_DIST: i64 = i64::MAX / 4;

/// Networks of at most this many nodes take the least-cost stage by cancelling negative
/// cycles of their current flow (a few passes over a few dozen edges, where the primal-dual
/// reroutes every costly flow in several phases); larger ones by the primal-dual.
const CANCEL_NODES: usize = 64;
/// Negative cycles cancelled before the primal-dual takes over (it starts from any
/// feasible flow).
const CANCEL_ROUNDS: usize = 16;

/// An entry of the residual adjacency: residual edge `e` (`2k` forward, `2k + 1` backward
/// of master edge `k`) and its head, kept together so that a search reads one entry per
/// edge it passes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Slot {
    e: usize,
    head: usize,
}

impl Net {
    /// Clears all edges and sets the node count.
    pub fn reset(&mut self, n: usize) {
        self.n = n;
        self.eu.clear();
        self.ev.clear();
        self.lo.clear();
        self.hi.clear();
        self.x.clear();
        self.cost.clear();
        self.level.clear();
        self.level.resize(n, 0);
        self.iter.clear();
        self.iter.resize(n, 0);
        self.ex.clear();
        self.ex.resize(n, 0);
        self.mark.clear();
        self.mark.resize(n, false);
        self.dist.clear();
        self.dist.resize(n, 0);
        self.pot.clear();
        self.pot.resize(n, 0);
        self.done.clear();
        self.done.resize(n, false);
        self.pred.clear();
        self.pred.resize(n, usize::MAX);
        self.walk.clear();
        self.walk.resize(n, usize::MAX);
        self.adj_start.clear();
        self.adj_start.resize(n + 1, 0);
        self.queue.clear();
        self.queue.resize(n, 0);
    }

    /// Number of edges.
    #[inline]
    pub fn m(&self) -> usize {
        self.eu.len()
    }

    /// Adds an edge with zero flow; returns its index.
    pub fn add(&mut self, u: usize, v: usize, lo: i128, hi: i128, cost: i64) -> usize {
        self.eu.push(u);
        self.ev.push(v);
        self.lo.push(lo);
        self.hi.push(hi);
        self.x.push(0);
        self.cost.push(cost);
        self.m() - 1
    }

    /// Drops the edges from index `m` on.
    pub fn truncate(&mut self, m: usize) {
        self.eu.truncate(m);
        self.ev.truncate(m);
        self.lo.truncate(m);
        self.hi.truncate(m);
        self.x.truncate(m);
        self.cost.truncate(m);
    }

    /// Fixes edge `k` at its current flow.
    #[inline]
    pub fn fix(&mut self, k: usize) {
        self.lo[k] = self.x[k];
        self.hi[k] = self.x[k];
    }

    /// Builds the residual graph of the current flow. Fixed edges (`lo == hi`) and edge
    /// `skip` are left out.
    ///
    /// Called for every augmentation and every primal-dual phase, so it writes into buffers
    /// sized once (no pushes) in two passes over the edges: residual capacities and node
    /// degrees, then the adjacency in edge order (the order the searches rely on).
    fn build(&mut self, skip: Option<usize>) {
        let (m, n) = (self.m(), self.n);
        let skip = skip.unwrap_or(usize::MAX);
        self.rcap.resize(2 * m, 0);
        self.used.resize(m, false);
        self.adj_start.clear();
        self.adj_start.resize(n + 1, 0);
        let mut entries = 0;
        let bounds = self.lo.iter().zip(&self.hi).zip(&self.x);
        let ends = self.eu.iter().zip(&self.ev);
        for (k, (((used, rcap), ((&lo, &hi), &x)), (&u, &v))) in self
            .used
            .iter_mut()
            .zip(self.rcap.chunks_exact_mut(2))
            .zip(bounds)
            .zip(ends)
            .enumerate()
        {
            *used = lo < hi && k != skip;
            if *used {
                rcap[0] = hi - x;
                rcap[1] = x - lo;
                self.adj_start[u + 1] += 1;
                self.adj_start[v + 1] += 1;
                entries += 2;
            } else {
                rcap[0] = 0;
                rcap[1] = 0;
            }
        }
        for v in 0..n {
            self.adj_start[v + 1] += self.adj_start[v];
        }
        self.adj.resize(entries, Slot::default());
        // `iter` doubles as the fill cursor.
        self.iter.clear();
        self.iter.extend_from_slice(&self.adj_start[..n]);
        for (k, _) in self.used.iter().enumerate().filter(|(_, &u)| u) {
            let (u, v) = (self.eu[k], self.ev[k]);
            self.adj[self.iter[u]] = Slot { e: 2 * k, head: v };
            self.iter[u] += 1;
            self.adj[self.iter[v]] = Slot {
                e: 2 * k + 1,
                head: u,
            };
            self.iter[v] += 1;
        }
    }

    /// The residual capacities of the current flow on the adjacency of the last
    /// [`Net::build`] without a skipped edge, valid while no edge was added, removed or
    /// fixed since (every edge with `lo < hi` then is listed in it).
    fn renew_capacities(&mut self) {
        let bounds = self.lo.iter().zip(&self.hi).zip(&self.x);
        for ((used, rcap), ((&lo, &hi), &x)) in self
            .used
            .iter_mut()
            .zip(self.rcap.chunks_exact_mut(2))
            .zip(bounds)
        {
            *used = lo < hi;
            (rcap[0], rcap[1]) = if *used { (hi - x, x - lo) } else { (0, 0) };
        }
    }

    /// Dinic max flow from `s` to `t` on the built residual graph; the flows change with it.
    fn dinic(&mut self, s: usize, t: usize) -> i128 {
        let mut total = 0;
        while self.levels(s, t) {
            self.iter.clear();
            self.iter.extend_from_slice(&self.adj_start[..self.n]);
            total += self.blocking_flow(s, t);
        }
        total
    }

    /// BFS levels from `s`, up to `t`'s; `true` if `t` is reached. A node at `t`'s level or
    /// beyond leads the search nowhere (levels only grow along it), so leaving it
    /// unlabelled changes no path.
    fn levels(&mut self, s: usize, t: usize) -> bool {
        self.level.fill(-1);
        self.level[s] = 0;
        self.queue[0] = s;
        let (mut head, mut tail) = (0, 1);
        while head < tail {
            let u = self.queue[head];
            head += 1;
            let next = self.level[u] + 1;
            for slot in &self.adj[self.adj_start[u]..self.adj_start[u + 1]] {
                let w = slot.head;
                if self.rcap[slot.e] > 0 && self.level[w] < 0 {
                    self.level[w] = next;
                    if w == t {
                        return true;
                    }
                    self.queue[tail] = w;
                    tail += 1;
                }
            }
        }
        false
    }

    /// A blocking flow of the level graph from `s` to `t`, path by path, by depth-first
    /// search on the current arcs (`iter`); returns its amount.
    ///
    /// The textbook recursion with the path on a stack: at a node take the first current
    /// arc into the next level with residual capacity; at a dead end step back and move the
    /// parent's current arc on; at `t` augment by the bottleneck. A search restarted from
    /// `s` after a path would walk down the same current arcs to the first edge the path
    /// saturated (every arc before it still has capacity and the levels are unchanged), so
    /// the path is kept up to that edge's tail and the search goes on from there: the same
    /// paths in the same order, without the walk.
    fn blocking_flow(&mut self, s: usize, t: usize) -> i128 {
        self.path.clear();
        let mut total = 0;
        let mut v = s;
        loop {
            if v == t {
                let f = self
                    .path
                    .iter()
                    .map(|&(_, e)| self.rcap[e])
                    .min()
                    .expect("a path from s to t has an edge");
                let mut keep = self.path.len();
                for (i, &(_, e)) in self.path.iter().enumerate() {
                    self.rcap[e] -= f;
                    self.rcap[e ^ 1] += f;
                    // The flow follows the residual capacities as they change (no pass
                    // over every edge afterwards).
                    self.x[e >> 1] += if e & 1 == 0 { f } else { -f };
                    if self.rcap[e] == 0 && keep == self.path.len() {
                        keep = i;
                    }
                }
                total += f;
                v = self.path[keep].0;
                self.path.truncate(keep);
                continue;
            }
            let end = self.adj_start[v + 1];
            let next = self.level[v] + 1;
            let mut i = self.iter[v];
            while i < end {
                let slot = self.adj[i];
                if self.rcap[slot.e] > 0 && self.level[slot.head] == next {
                    break;
                }
                i += 1;
            }
            self.iter[v] = i;
            if i < end {
                let slot = self.adj[i];
                self.path.push((v, slot.e));
                v = slot.head;
            } else {
                match self.path.pop() {
                    None => return total,
                    Some((u, _)) => {
                        self.iter[u] += 1;
                        v = u;
                    }
                }
            }
        }
    }

    /// Sends as much flow as possible from `s` to `t` through the residual graph of the
    /// current flow, leaving edge `skip` alone; returns the amount.
    pub fn augment(&mut self, s: usize, t: usize, skip: Option<usize>) -> i128 {
        self.build(skip);
        self.dinic(s, t)
    }

    /// Builds the residual graph of the current flow for a series of
    /// [`Net::augment_kept`] and [`Net::fix_kept`] calls, which keep it up to date: a
    /// series that fixes one edge after another needs no rebuild between them (the fixed
    /// edges stay listed with no residual capacity, which changes no search: the edges
    /// left are listed in the same order as by a fresh build). Nothing else may change
    /// edges or flows until the series ends.
    pub fn keep_residual(&mut self) {
        self.build(None);
    }

    /// [`Net::augment`] with edge `skip` left alone, on the residual graph kept by
    /// [`Net::keep_residual`]; the flow of `skip` is unchanged (the caller closes the
    /// circulation through it and then calls [`Net::fix_kept`] on it).
    pub fn augment_kept(&mut self, s: usize, t: usize, skip: usize) -> i128 {
        let (fwd, back) = (self.rcap[2 * skip], self.rcap[2 * skip + 1]);
        self.rcap[2 * skip] = 0;
        self.rcap[2 * skip + 1] = 0;
        let f = self.dinic(s, t);
        self.rcap[2 * skip] = fwd;
        self.rcap[2 * skip + 1] = back;
        f
    }

    /// [`Net::fix`] in the residual graph kept by [`Net::keep_residual`].
    pub fn fix_kept(&mut self, k: usize) {
        self.fix(k);
        self.rcap[2 * k] = 0;
        self.rcap[2 * k + 1] = 0;
    }

    /// Marks (in [`Net::mark`]) the nodes reachable from `s` in the residual graph of the
    /// current flow.
    pub fn reach_from(&mut self, s: usize) {
        self.build(None);
        self.bfs_mark(s);
    }

    fn bfs_mark(&mut self, s: usize) {
        self.mark.fill(false);
        self.mark[s] = true;
        self.queue[0] = s;
        let (mut head, mut tail) = (0, 1);
        while head < tail {
            let u = self.queue[head];
            head += 1;
            for slot in &self.adj[self.adj_start[u]..self.adj_start[u + 1]] {
                let w = slot.head;
                if self.rcap[slot.e] > 0 && !self.mark[w] {
                    self.mark[w] = true;
                    self.queue[tail] = w;
                    tail += 1;
                }
            }
        }
    }

    /// Moves every flow into its bounds and routes the resulting imbalances through the
    /// network (super source `ss`, super sink `tt`, both otherwise unused nodes).
    ///
    /// Returns `true` if the result is a feasible circulation. Otherwise the flow is
    /// garbage and [`Net::mark`] holds the set `Y` reachable from `ss`: a most violated
    /// cut, with `sum of lo into Y > sum of hi out of Y` (Hoffman).
    pub fn make_feasible(&mut self, ss: usize, tt: usize) -> bool {
        let m = self.m();
        self.ex.iter_mut().for_each(|e| *e = 0);
        for k in 0..m {
            let target = self.x[k].clamp(self.lo[k], self.hi[k]);
            let d = target - self.x[k];
            if d != 0 {
                self.x[k] = target;
                self.ex[self.ev[k]] += d;
                self.ex[self.eu[k]] -= d;
            }
        }
        self.route_excess(ss, tt)
    }

    /// [`Net::make_feasible`] from any flow, not only a circulation: after the flows are
    /// moved into their bounds, every node's imbalance is routed (a flow close to a
    /// feasible circulation leaves little to route).
    pub fn settle(&mut self, ss: usize, tt: usize) -> bool {
        self.ex.iter_mut().for_each(|e| *e = 0);
        for k in 0..self.m() {
            let x = self.x[k].clamp(self.lo[k], self.hi[k]);
            self.x[k] = x;
            self.ex[self.ev[k]] += x;
            self.ex[self.eu[k]] -= x;
        }
        self.route_excess(ss, tt)
    }

    /// Routes the excesses `ex` of the current flow from `ss` to `tt`: `true` if all of
    /// them; otherwise [`Net::mark`] holds the most violated cut.
    fn route_excess(&mut self, ss: usize, tt: usize) -> bool {
        let m = self.m();
        let need = self.connect_excess(ss, tt);
        if need == 0 {
            self.truncate(m);
            return true;
        }
        let got = self.augment(ss, tt, None);
        let ok = got == need;
        if !ok {
            self.bfs_mark(ss);
        }
        self.truncate(m);
        ok
    }

    /// Connects every node's excess to `ss` (surplus) or `tt` (deficit) with temporary
    /// edges; returns the total surplus to route.
    fn connect_excess(&mut self, ss: usize, tt: usize) -> i128 {
        let mut need = 0;
        for v in 0..self.n {
            let e = self.ex[v];
            if e > 0 {
                self.add(ss, v, 0, e, 0);
                need += e;
            } else if e < 0 {
                self.add(v, tt, 0, -e, 0);
            }
        }
        need
    }

    /// The `local` rule's least total transfer over the edges `arcs` (the network's arcs,
    /// the only ones with a cost): a flow that already uses no costly arc is of least cost
    /// as it stands, so only the costly arcs are fixed (at zero); otherwise
    /// [`Net::min_cost_and_fix`].
    pub fn least_transfer(&mut self, arcs: std::ops::Range<usize>, ss: usize, tt: usize) {
        if arcs.clone().any(|k| self.cost[k] > 0 && self.x[k] > 0) {
            self.min_cost_and_fix(ss, tt);
        } else {
            for k in arcs {
                if self.cost[k] > 0 {
                    self.fix(k);
                }
            }
        }
    }

    /// Turns the current feasible circulation into one of least cost, then fixes every edge
    /// whose reduced cost under optimal potentials is not zero, so that the feasible
    /// circulations left are exactly the least-cost ones. Costs must be `>= 0`.
    ///
    /// A small network cancels the negative cycles of its flow ([`Net::cancel_cycles`]);
    /// a larger one, or one with more cycles than [`CANCEL_ROUNDS`], takes the primal-dual
    /// ([`Net::primal_dual`]). Either leaves a least-cost flow and optimal potentials.
    pub fn min_cost_and_fix(&mut self, ss: usize, tt: usize) {
        let m = self.m();
        if self.n > CANCEL_NODES || !self.cancel_cycles() {
            self.primal_dual(ss, tt);
        }
        // Fixing the edges of non-zero reduced cost under any optimal potentials leaves
        // exactly the least-cost circulations (complementary slackness holds between every
        // optimal flow and every optimal dual), so which optimal potentials are used does
        // not matter.
        if cfg!(debug_assertions) {
            self.build(None);
            for e in (0..2 * m).filter(|&e| self.rcap[e] > 0) {
                let k = e >> 1;
                let rc = self.cost[k] + self.pot[self.eu[k]] - self.pot[self.ev[k]];
                debug_assert!(if e & 1 == 0 { rc >= 0 } else { rc <= 0 });
            }
        }
        for k in 0..m {
            if self.lo[k] < self.hi[k] {
                let rc = self.cost[k] + self.pot[self.eu[k]] - self.pot[self.ev[k]];
                if rc != 0 {
                    self.fix(k);
                }
            }
        }
    }

    /// Cancels the negative cycles of the residual graph of the current flow, one at a
    /// time, each by its bottleneck: `true` when none is left, with optimal potentials in
    /// `pot` (the distances of Bellman-Ford from a root joined to every node at zero cost:
    /// no residual edge has a negative reduced cost under them); `false` after
    /// [`CANCEL_ROUNDS`] cycles (the flow is still feasible, and cheaper).
    fn cancel_cycles(&mut self) -> bool {
        self.build(None);
        for _ in 0..CANCEL_ROUNDS {
            match self.bellman_ford() {
                None => return true,
                Some(v) => {
                    if !self.cancel_cycle(v) {
                        return false;
                    }
                }
            }
        }
        false
    }

    /// Bellman-Ford on the costs of the built residual graph from a root joined to every
    /// node (all distances start at 0), in rounds over the nodes in order: `None` when a
    /// round changes nothing (the distances, in `pot`, are final), or a node on a cycle of
    /// the edges that last lowered each distance (`pred`). Such a cycle is negative (every
    /// edge on it satisfied `pot[tail] + cost <= pot[head]` when set, and the last one set
    /// strictly), and a graph with a negative cycle keeps changing, so one appears within
    /// `n` rounds.
    fn bellman_ford(&mut self) -> Option<usize> {
        self.pot.fill(0);
        self.pred.fill(usize::MAX);
        for _ in 0..=self.n {
            let mut changed = false;
            // Disjoint fields: the rounds read the graph and write the distances.
            let Net {
                adj_start,
                adj,
                rcap,
                cost,
                pot,
                pred,
                ..
            } = self;
            for (u, ends) in adj_start.windows(2).enumerate() {
                let pu = pot[u];
                for &Slot { e, head: w } in &adj[ends[0]..ends[1]] {
                    if rcap[e] <= 0 {
                        continue;
                    }
                    let c = if e & 1 == 0 {
                        cost[e >> 1]
                    } else {
                        -cost[e >> 1]
                    };
                    if pu + c < pot[w] {
                        pot[w] = pu + c;
                        pred[w] = e;
                        changed = true;
                    }
                }
            }
            if !changed {
                return None;
            }
            if let Some(v) = self.pred_cycle() {
                return Some(v);
            }
        }
        Some(usize::MAX)
    }

    /// Tail of residual edge `e`.
    #[inline]
    fn rtail(&self, e: usize) -> usize {
        if e & 1 == 0 {
            self.eu[e >> 1]
        } else {
            self.ev[e >> 1]
        }
    }

    /// A node on a cycle of `pred` (each node to the tail of its edge), if there is one:
    /// walks from every node not yet walked, each walk stamped with its start.
    fn pred_cycle(&mut self) -> Option<usize> {
        self.walk.fill(usize::MAX);
        for start in 0..self.n {
            let mut v = start;
            while self.walk[v] == usize::MAX {
                self.walk[v] = start;
                match self.pred[v] {
                    usize::MAX => break,
                    e => v = self.rtail(e),
                }
            }
            if self.walk[v] == start && self.pred[v] != usize::MAX {
                return Some(v);
            }
        }
        None
    }

    /// Pushes the bottleneck around the cycle of `pred` through node `v` (`usize::MAX`:
    /// none found); `false` if there is no such cycle or it is not negative (then nothing
    /// changed).
    fn cancel_cycle(&mut self, v: usize) -> bool {
        if v == usize::MAX {
            return false;
        }
        let (mut cost, mut f) = (0, i128::MAX);
        let mut u = v;
        loop {
            let e = self.pred[u];
            cost += if e & 1 == 0 {
                self.cost[e >> 1]
            } else {
                -self.cost[e >> 1]
            };
            f = f.min(self.rcap[e]);
            u = self.rtail(e);
            if u == v {
                break;
            }
        }
        if cost >= 0 {
            return false;
        }
        loop {
            let e = self.pred[u];
            self.rcap[e] -= f;
            self.rcap[e ^ 1] += f;
            self.x[e >> 1] += if e & 1 == 0 { f } else { -f };
            u = self.rtail(e);
            if u == v {
                break;
            }
        }
        true
    }

    /// The least-cost flow by the primal-dual, with optimal potentials in `pot`: empty
    /// every costly edge (their lower bounds are zero here), then route the imbalances
    /// along shortest paths, a blocking flow per distance.
    fn primal_dual(&mut self, ss: usize, tt: usize) {
        let m = self.m();
        self.ex.fill(0);
        for k in 0..m {
            if self.cost[k] > 0 && self.x[k] > self.lo[k] {
                let d = self.x[k] - self.lo[k];
                self.x[k] = self.lo[k];
                self.ex[self.eu[k]] += d;
                self.ex[self.ev[k]] -= d;
            }
        }
        let mut need = self.connect_excess(ss, tt);
        self.pot.fill(0);
        let mut built = false;
        while need > 0 {
            // No edge is added or fixed between phases: the adjacency of the first stays
            // valid, and only the capacities (and the edges a phase left out) are renewed.
            if built {
                self.renew_capacities();
            } else {
                self.build(None);
                built = true;
            }
            let dmax = self.dijkstra(ss);
            if self.dist[tt] >= INF_DIST {
                debug_assert!(false, "imbalance of a feasible flow must be routable");
                break;
            }
            for (p, &d) in self.pot.iter_mut().zip(&self.dist) {
                *p += d.min(dmax);
            }
            // Keep only admissible edges (zero reduced cost).
            for k in 0..self.m() {
                if self.used[k] && self.cost[k] + self.pot[self.eu[k]] - self.pot[self.ev[k]] != 0 {
                    self.rcap[2 * k] = 0;
                    self.rcap[2 * k + 1] = 0;
                    self.used[k] = false;
                }
            }
            let f = self.dinic(ss, tt);
            if f == 0 {
                debug_assert!(false, "a shortest path carries flow");
                break;
            }
            need -= f;
        }
        self.truncate(m);
        // The primal-dual's potentials are optimal: every residual edge of the final flow
        // has a reduced cost >= 0 (Dijkstra keeps it so on the nodes it reaches; a node it
        // does not reach gains the largest distance, which lowers no reduced cost into it,
        // and no residual edge leaves the reached set; the edges the blocking flows open
        // are reversed admissible ones, of reduced cost 0). With no costly flow to reroute
        // the potentials are 0 and every residual edge costs >= 0.
    }

    /// Dijkstra on reduced costs of the built residual graph, with a binary heap
    /// (`O(m log n)`, entries left stale rather than decreased): the work follows the nodes
    /// and residual edges reached, where a dense minimum search scans every node per step.
    /// Returns the largest distance of a node reached (the last one settled: nodes are
    /// settled in order of distance).
    fn dijkstra(&mut self, s: usize) -> i64 {
        let mut last = 0;
        self.dist.fill(INF_DIST);
        self.done.fill(false);
        self.dist[s] = 0;
        self.heap.clear();
        self.heap.push(Reverse((0, s)));
        while let Some(Reverse((best, u))) = self.heap.pop() {
            if self.done[u] {
                continue;
            }
            self.done[u] = true;
            last = best;
            for &Slot { e, head: w } in &self.adj[self.adj_start[u]..self.adj_start[u + 1]] {
                if self.rcap[e] <= 0 {
                    continue;
                }
                let k = e >> 1;
                let c = if e & 1 == 0 {
                    self.cost[k]
                } else {
                    -self.cost[k]
                };
                let rc = c + self.pot[u] - self.pot[w];
                debug_assert!(rc >= 0);
                if best + rc < self.dist[w] {
                    self.dist[w] = best + rc;
                    self.heap.push(Reverse((best + rc, w)));
                }
            }
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A random network of `n` nodes: (from, to, upper bound, cost) per edge.
    fn network() -> impl Strategy<Value = (usize, Vec<(usize, usize, i128, i64)>)> {
        (3usize..=9).prop_flat_map(|n| {
            let edge = (0..n, 0..n, 0i128..=50, 0i64..=2);
            (Just(n), proptest::collection::vec(edge, 1..=30))
        })
    }

    fn net_of(n: usize, edges: &[(usize, usize, i128, i64)]) -> Net {
        let mut net = Net::default();
        net.reset(n);
        for &(u, v, hi, cost) in edges.iter().filter(|e| e.0 != e.1) {
            net.add(u, v, 0, hi, cost);
        }
        net
    }

    /// The textbook recursive search of Dinic's blocking flow, restarted from `s` after
    /// every path: the reference for [`Net::blocking_flow`].
    fn recursive_path(net: &mut Net, v: usize, t: usize, f: i128) -> i128 {
        if v == t {
            return f;
        }
        while net.iter[v] < net.adj_start[v + 1] {
            let Slot { e, head: w } = net.adj[net.iter[v]];
            if net.rcap[e] > 0 && net.level[w] == net.level[v] + 1 {
                let d = recursive_path(net, w, t, f.min(net.rcap[e]));
                if d > 0 {
                    net.rcap[e] -= d;
                    net.rcap[e ^ 1] += d;
                    net.x[e >> 1] += if e & 1 == 0 { d } else { -d };
                    return d;
                }
            }
            net.iter[v] += 1;
        }
        0
    }

    /// Dinic's max flow with the recursive search (on the built residual graph).
    fn recursive_dinic(net: &mut Net, s: usize, t: usize) -> i128 {
        let mut total = 0;
        while net.levels(s, t) {
            net.iter.clear();
            net.iter.extend_from_slice(&net.adj_start[..net.n]);
            loop {
                let f = recursive_path(net, s, t, i128::MAX);
                if f == 0 {
                    break;
                }
                total += f;
            }
        }
        total
    }

    proptest! {
        /// The blocking flow on a stack, its path kept up to the first edge it saturates,
        /// finds the paths of the recursive search restarted from the source: the same
        /// amount and the same flow on every edge, search after search (the later ones
        /// through the backward edges of the earlier flows).
        #[test]
        fn blocking_flow_is_the_recursive_search(
            (n, edges) in network(),
            pairs in proptest::collection::vec((0usize..9, 0usize..9), 1..=3),
        ) {
            let mut stack = net_of(n, &edges);
            let mut recursive = stack.clone();
            for (s, t) in pairs {
                let (s, t) = (s % n, t % n);
                if s == t {
                    continue;
                }
                let a = stack.augment(s, t, None);
                recursive.build(None);
                let b = recursive_dinic(&mut recursive, s, t);
                prop_assert_eq!(a, b);
                prop_assert_eq!(&stack.x, &recursive.x);
            }
        }

        /// Cancelling negative cycles from a feasible circulation (a max flow from `s` to `t`
        /// closed by a free return edge) reaches the least cost of the primal-dual, and its
        /// potentials leave no residual edge of negative reduced cost (so they are optimal
        /// and fix the same least-cost face).
        #[test]
        fn cancelled_cycles_are_least_cost(
            (n, edges) in network(),
            (s, t) in (0usize..9, 0usize..9),
        ) {
            let (s, t) = (s % n, t % n);
            prop_assume!(s != t);
            // Two spare nodes for the primal-dual's super source and sink.
            let mut net = net_of(n + 2, &edges);
            let back = net.add(t, s, 0, 1_000, 0);
            let f = net.augment(s, t, Some(back));
            net.x[back] += f;
            let cost = |net: &Net| -> i128 {
                (0..net.m()).map(|k| net.x[k] * i128::from(net.cost[k])).sum()
            };
            let mut cancelled = net.clone();
            prop_assume!(cancelled.cancel_cycles());
            let mut primal_dual = net.clone();
            primal_dual.primal_dual(n, n + 1);
            prop_assert_eq!(cost(&cancelled), cost(&primal_dual));
            cancelled.build(None);
            for e in (0..2 * cancelled.m()).filter(|&e| cancelled.rcap[e] > 0) {
                let k = e >> 1;
                let rc = cancelled.cost[k] + cancelled.pot[cancelled.eu[k]]
                    - cancelled.pot[cancelled.ev[k]];
                let optimal = if e & 1 == 0 { rc >= 0 } else { rc <= 0 };
                prop_assert!(optimal, "residual edge {} has reduced cost {}", e, rc);
            }
            // The flow is still a circulation within its bounds.
            let mut balance = vec![0i128; n + 2];
            for k in 0..cancelled.m() {
                prop_assert!(cancelled.x[k] >= cancelled.lo[k] && cancelled.x[k] <= cancelled.hi[k]);
                balance[cancelled.eu[k]] -= cancelled.x[k];
                balance[cancelled.ev[k]] += cancelled.x[k];
            }
            prop_assert!(balance.iter().all(|&b| b == 0));
        }

        /// A series of searches on the kept residual graph, each closed through one edge
        /// that is then fixed (as the ladder's rank loop), finds the same amounts and leaves
        /// the same flows, edge by edge, as rebuilding the residual graph for every search.
        #[test]
        fn kept_residual_is_a_rebuilt_one(
            (n, edges) in network(),
            steps in proptest::collection::vec((0usize..9, 0usize..9, 0usize..30), 1..=8),
        ) {
            let mut rebuilt = net_of(n, &edges);
            let mut kept = rebuilt.clone();
            prop_assume!(kept.m() > 0);
            kept.keep_residual();
            for (s, t, e) in steps {
                let (s, t, e) = (s % n, t % n, e % kept.m());
                if s == t {
                    continue;
                }
                let open = rebuilt.x[e] < rebuilt.hi[e];
                let a = if open { rebuilt.augment(s, t, Some(e)) } else { 0 };
                let b = if open { kept.augment_kept(s, t, e) } else { 0 };
                prop_assert_eq!(a, b);
                rebuilt.fix(e);
                kept.fix_kept(e);
                prop_assert_eq!(&rebuilt.x, &kept.x);
                prop_assert_eq!(&rebuilt.lo, &kept.lo);
            }
        }

        /// After a phase of the primal-dual has left edges out of the residual graph,
        /// renewing the capacities on the kept adjacency gives what a fresh build gives
        /// (capacities, edges taken part, adjacency).
        #[test]
        fn renewed_capacities_are_a_rebuild(
            (n, edges) in network(),
            (s, t) in (0usize..9, 0usize..9),
        ) {
            let (s, t) = (s % n, t % n);
            prop_assume!(s != t);
            let mut net = net_of(n, &edges);
            prop_assume!(net.m() > 0);
            // Some flow from s to t.
            net.augment(s, t, None);
            let mut renewed = net.clone();
            renewed.build(None);
            // Leave every other edge out (as a phase leaves out the inadmissible ones).
            for k in (0..renewed.m()).step_by(2) {
                renewed.rcap[2 * k] = 0;
                renewed.rcap[2 * k + 1] = 0;
                renewed.used[k] = false;
            }
            renewed.renew_capacities();
            net.build(None);
            prop_assert_eq!(&net.rcap, &renewed.rcap);
            prop_assert_eq!(&net.used, &renewed.used);
            prop_assert_eq!(&net.adj, &renewed.adj);
        }
    }
}
