//! The ladder dispatch checked three ways: the default ladder gives the default dispatch to
//! the watt, random ladders agree with a sequence of LPs (good_lp + microlp) for every
//! objective, and hand-built hours show the order of the ranks.

use good_lp::{
    constraint, microlp, variable, Expression, ProblemVariables, Solution, SolverModel, Variable,
};
use gridrisk_core::dispatch::{
    Arc, Dispatch, Dispatcher, HourState, Ladder, LadderDispatch, LadderDispatcher, LadderHour,
    Resource, SharingRule, Topology,
};
use proptest::prelude::*;

const MW: i64 = 1_000_000;

fn watts() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(0i64),
        (0i64..=300).prop_map(|m| m * MW),
        0i64..=300_000_000,
    ]
}

/// A random network with a random ladder.
#[derive(Debug, Clone)]
struct Case {
    regions: usize,
    externals: usize,
    arcs: Vec<Arc>,
    limit: Vec<i64>,
    supply: Vec<i64>,
    firm: Vec<i64>,
    /// Per rank (cheapest first): its resources and their availability.
    ranks: Vec<Vec<(Resource, i64)>>,
}

impl Case {
    fn topology(&self) -> Topology {
        Topology::new(self.regions, self.externals, self.arcs.clone()).unwrap()
    }
    fn ladder(&self) -> Ladder {
        let ranks = self
            .ranks
            .iter()
            .map(|r| r.iter().map(|&(res, _)| res).collect())
            .collect();
        Ladder::new(&self.topology(), ranks).unwrap()
    }
    fn available(&self) -> Vec<i64> {
        self.ranks.iter().flatten().map(|&(_, a)| a).collect()
    }
    fn run(&self, rule: SharingRule) -> LadderDispatch {
        let (t, ladder) = (self.topology(), self.ladder());
        let mut out = LadderDispatch::new(&t, &ladder);
        let available = self.available();
        let hour = LadderHour {
            supply_w: &self.supply,
            firm_w: &self.firm,
            arc_limit_w: &self.limit,
            available_w: &available,
        };
        LadderDispatcher::new(t, ladder, rule).dispatch(&hour, &mut out);
        out
    }
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=5, 0usize..=2, 1usize..=4).prop_flat_map(|(r, e, k)| {
        let n = r + e;
        let resource = (any::<bool>(), 0..n, watts()).prop_map(move |(supply, node, a)| {
            if supply {
                (Resource::Supply { node }, a)
            } else {
                (Resource::Demand { region: node % r }, a)
            }
        });
        (
            proptest::collection::vec(watts(), r),
            proptest::collection::vec(watts(), r),
            proptest::collection::vec((0..n, 0..r, watts()), 0..=8),
            proptest::collection::vec(proptest::collection::vec(resource, 1..=3), k),
        )
            .prop_map(move |(supply, firm, raw, ranks)| {
                let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                for (from, to, lim) in raw {
                    if from != to {
                        arcs.push(Arc { from, to });
                        limit.push(lim);
                    }
                }
                Case {
                    regions: r,
                    externals: e,
                    arcs,
                    limit,
                    supply,
                    firm,
                    ranks,
                }
            })
    })
}

// ---------------------------------------------------------------------------------------
// The default order is a ladder.

/// A random hour of the default dispatch: (case for `Dispatcher`, as a ladder case).
fn default_case() -> impl Strategy<Value = (Case, Vec<i64>, Vec<i64>)> {
    (2usize..=6, 0usize..=2).prop_flat_map(|(r, e)| {
        let n = r + e;
        (
            proptest::collection::vec(watts(), n),
            proptest::collection::vec(watts(), r),
            proptest::collection::vec(prop_oneof![2 => Just(0i64), 1 => watts()], r),
            proptest::collection::vec((0..n, 0..r, watts()), 0..=10),
        )
            .prop_map(move |(supply, firm, intr, raw)| {
                let (mut arcs, mut limit) = (Vec::new(), Vec::new());
                for (from, to, lim) in raw {
                    if from != to {
                        arcs.push(Arc { from, to });
                        limit.push(lim);
                    }
                }
                let mut ranks: Vec<Vec<(Resource, i64)>> = (0..e)
                    .rev()
                    .map(|x| vec![(Resource::Supply { node: r + x }, supply[r + x])])
                    .collect();
                ranks.push(
                    (0..r)
                        .map(|g| (Resource::Demand { region: g }, intr[g]))
                        .collect(),
                );
                let case = Case {
                    regions: r,
                    externals: e,
                    arcs,
                    limit,
                    supply: supply[..r].to_vec(),
                    firm,
                    ranks,
                };
                (case, supply, intr)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 200 } else { 3000 }))]

    /// `Ladder::default_of` reproduces the default dispatcher bit for bit.
    #[test]
    fn default_ladder_is_the_default_dispatch((c, supply, intr) in default_case()) {
        let t = c.topology();
        prop_assert_eq!(c.ladder(), Ladder::default_of(&t));
        for rule in [SharingRule::Local, SharingRule::Shared] {
            let mut d = Dispatch::new(&t);
            Dispatcher::new(t.clone(), rule).dispatch(
                &HourState {
                    supply_w: &supply,
                    firm_w: &c.firm,
                    interruptible_w: &intr,
                    arc_limit_w: &c.limit,
                },
                &mut d,
            );
            let l = c.run(rule);
            let e = c.externals;
            prop_assert_eq!(&l.firm_short_w, &d.firm_short_w);
            prop_assert_eq!(&l.use_w[e..], &d.curtailed_w[..]);
            prop_assert_eq!(&l.import_w, &d.import_w);
            prop_assert_eq!(&l.binding, &d.binding);
            for x in 0..e {
                prop_assert_eq!(l.use_w[e - 1 - x], d.import_w[x]);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// LP oracle for random ladders.

#[derive(Clone, Copy)]
enum Sense {
    Le,
    Ge,
}

/// A linear expression: terms and a constant, MW.
#[derive(Clone, Default)]
struct Lin {
    terms: Vec<(usize, f64)>,
    constant: f64,
}

impl Lin {
    fn var(i: usize) -> Lin {
        Lin {
            terms: vec![(i, 1.0)],
            constant: 0.0,
        }
    }
    fn sum(items: impl IntoIterator<Item = Lin>) -> Lin {
        let mut out = Lin::default();
        for l in items {
            out.terms.extend(l.terms);
            out.constant += l.constant;
        }
        out
    }
    fn value(&self, vals: &[f64]) -> f64 {
        self.constant + self.terms.iter().map(|&(i, k)| k * vals[i]).sum::<f64>()
    }
}

const EPS: f64 = 2e-7;

fn mw(w: i64) -> f64 {
    w as f64 / MW as f64
}

/// Variables: generation `g_r` (R), arc flows (A), firm served `y_r` (R), then per resource
/// `x_j`: power taken (supply) or demand served (demand).
struct Oracle<'a> {
    c: &'a Case,
    cons: Vec<(Lin, Sense, f64)>,
}

impl<'a> Oracle<'a> {
    fn f(&self, a: usize) -> usize {
        self.c.regions + a
    }
    fn y(&self, r: usize) -> usize {
        self.c.regions + self.c.arcs.len() + r
    }
    fn x(&self, j: usize) -> usize {
        2 * self.c.regions + self.c.arcs.len() + j
    }
    fn nvars(&self) -> usize {
        self.x(self.c.available().len())
    }

    /// What resource `j` leaves unused (supply: available - taken; demand: served).
    fn unused(&self, j: usize) -> Lin {
        let (res, a) = self.c.ranks.iter().flatten().nth(j).copied().unwrap();
        match res {
            Resource::Supply { .. } => Lin {
                terms: vec![(self.x(j), -1.0)],
                constant: mw(a),
            },
            Resource::Demand { .. } => Lin::var(self.x(j)),
        }
    }

    /// Optimum of `obj` with extra constraints; with `t`, one more variable in 0..1.
    fn solve(&self, obj: &Lin, maximise: bool, extra: &[(Lin, Sense, f64)], t: bool) -> f64 {
        self.solve_with(obj, maximise, extra, t, 0.0)
    }

    fn solve_with(
        &self,
        obj: &Lin,
        maximise: bool,
        extra: &[(Lin, Sense, f64)],
        t: bool,
        slack: f64,
    ) -> f64 {
        let c = self.c;
        let avail = c.available();
        let mut pv = ProblemVariables::new();
        let mut vars: Vec<Variable> = Vec::new();
        let bounds = c.supply.iter().chain(&c.limit).chain(&c.firm).chain(&avail);
        for &b in bounds {
            vars.push(pv.add(variable().min(0.0).max(mw(b))));
        }
        if t {
            vars.push(pv.add(variable().min(0.0).max(1.0)));
        }
        let lin = |l: &Lin| -> Expression {
            l.terms
                .iter()
                .map(|&(i, k)| k * vars[i])
                .sum::<Expression>()
                + l.constant
        };
        let mut model = if maximise {
            pv.maximise(lin(obj)).using(microlp)
        } else {
            pv.minimise(lin(obj)).using(microlp)
        };
        let resources: Vec<Resource> = c.ranks.iter().flatten().map(|&(r, _)| r).collect();
        for v in 0..c.regions + c.externals {
            let mut e = Expression::from(0.0);
            if v < c.regions {
                e += vars[v];
                e -= vars[self.y(v)];
            }
            for (a, arc) in c.arcs.iter().enumerate() {
                if arc.to == v {
                    e += vars[self.f(a)];
                }
                if arc.from == v {
                    e -= vars[self.f(a)];
                }
            }
            for (j, res) in resources.iter().enumerate() {
                match *res {
                    Resource::Supply { node } if node == v => e += vars[self.x(j)],
                    Resource::Demand { region } if region == v => e -= vars[self.x(j)],
                    _ => {}
                }
            }
            model = model.with(constraint!(e == 0.0));
        }
        for (l, s, rhs) in self.cons.iter().chain(extra) {
            let e = lin(l);
            model = match s {
                Sense::Le => model.with(constraint!(e <= *rhs + slack)),
                Sense::Ge => model.with(constraint!(e >= *rhs - slack)),
            };
        }
        match model.solve() {
            Ok(sol) => {
                let vals: Vec<f64> = vars.iter().map(|&v| sol.value(v)).collect();
                obj.value(&vals)
            }
            Err(_) if slack < 1e-4 => {
                self.solve_with(obj, maximise, extra, t, (slack + EPS) * 10.0)
            }
            Err(e) => panic!("oracle LP fails: {e}"),
        }
    }

    fn fix(&mut self, l: Lin, value: f64) {
        self.cons.push((l.clone(), Sense::Le, value + EPS));
        self.cons.push((l, Sense::Ge, value - EPS));
    }

    /// Lexicographic max-min of `items[i].0 / items[i].1` (weights in MW, > 0), fixing the
    /// items whose ratio cannot rise; returns the values.
    fn maxmin(&mut self, items: &[(Lin, f64)]) -> Vec<f64> {
        let t = self.nvars();
        let mut out = vec![0.0; items.len()];
        let mut active: Vec<usize> = (0..items.len()).filter(|&i| items[i].1 > 0.0).collect();
        while !active.is_empty() {
            let extra: Vec<(Lin, Sense, f64)> = active
                .iter()
                .map(|&i| {
                    let mut l = items[i].0.clone();
                    l.terms.push((t, -items[i].1));
                    (l, Sense::Ge, 0.0)
                })
                .collect();
            let tstar = self.solve(&Lin::var(t), true, &extra, true);
            let floor: Vec<(Lin, Sense, f64)> = active
                .iter()
                .map(|&i| (items[i].0.clone(), Sense::Ge, tstar * items[i].1 - 1e-8))
                .collect();
            let mut blocked = Vec::new();
            for &i in &active {
                if self.solve(&items[i].0, true, &floor, false) <= tstar * items[i].1 + EPS {
                    blocked.push(i);
                }
            }
            if blocked.is_empty() {
                blocked = active.clone();
            }
            for &i in &blocked {
                out[i] = tstar * items[i].1;
                self.fix(items[i].0.clone(), out[i]);
            }
            active.retain(|i| !blocked.contains(i));
        }
        out
    }
}

/// The oracle's firm shortfall per region and use per resource, MW.
fn oracle(c: &Case, rule: SharingRule) -> (Vec<f64>, Vec<f64>) {
    let mut o = Oracle {
        c,
        cons: Vec::new(),
    };
    let avail = c.available();
    let ys = Lin::sum((0..c.regions).map(|r| Lin::var(o.y(r))));
    let served = o.solve(&ys, true, &[], false);
    o.fix(ys, served);
    let mut first = 0;
    let starts: Vec<usize> = c
        .ranks
        .iter()
        .map(|r| {
            first += r.len();
            first - r.len()
        })
        .collect();
    for (k, rank) in c.ranks.iter().enumerate().rev() {
        let unused = Lin::sum((0..rank.len()).map(|i| o.unused(starts[k] + i)));
        let best = o.solve(&unused, true, &[], false);
        o.fix(unused, best);
    }
    if rule == SharingRule::Local {
        let transfer = Lin::sum(
            c.arcs
                .iter()
                .enumerate()
                .filter(|(_, a)| a.from < c.regions && a.to < c.regions)
                .map(|(a, _)| Lin::var(o.f(a))),
        );
        if !transfer.terms.is_empty() {
            let least = o.solve(&transfer, false, &[], false);
            o.cons.push((transfer, Sense::Le, least + EPS));
        }
    }
    let firm: Vec<(Lin, f64)> = (0..c.regions)
        .map(|r| (Lin::var(o.y(r)), mw(c.firm[r])))
        .collect();
    let y = o.maxmin(&firm);
    let mut used = vec![0.0; avail.len()];
    for (k, rank) in c.ranks.iter().enumerate().rev() {
        let items: Vec<(Lin, f64)> = (0..rank.len())
            .map(|i| (o.unused(starts[k] + i), mw(avail[starts[k] + i])))
            .collect();
        let v = o.maxmin(&items);
        for i in 0..rank.len() {
            used[starts[k] + i] = mw(avail[starts[k] + i]) - v[i];
        }
    }
    let short = (0..c.regions).map(|r| mw(c.firm[r]) - y[r]).collect();
    (short, used)
}

const TOL_W: f64 = 4.0;

fn check(c: &Case, rule: SharingRule) -> Result<(), TestCaseError> {
    let d = c.run(rule);
    let (short, used) = oracle(c, rule);
    let w = |m: f64| m * MW as f64;
    for r in 0..c.regions {
        prop_assert!(
            (d.firm_short_w[r] as f64 - w(short[r])).abs() <= TOL_W,
            "firm short {:?} vs LP {:?}",
            d.firm_short_w,
            short
        );
    }
    let avail = c.available();
    for j in 0..used.len() {
        prop_assert!(
            (d.use_w[j] as f64 - w(used[j])).abs() <= TOL_W,
            "use {:?} vs LP {:?}",
            d.use_w,
            used
        );
        prop_assert!(d.use_w[j] >= 0 && d.use_w[j] <= avail[j]);
    }
    // Imports are the use of the tiers that feed each external.
    let mut import = vec![0; c.externals];
    for (res, &u) in c.ranks.iter().flatten().map(|(r, _)| r).zip(&d.use_w) {
        if let Resource::Supply { node } = *res {
            if node >= c.regions {
                import[node - c.regions] += u;
            }
        }
    }
    prop_assert_eq!(&import, &d.import_w);
    // binding: one more MW on the arc lowers the least firm shortfall.
    let total: i64 = d.firm_short_w.iter().sum();
    for a in 0..c.arcs.len() {
        let mut more = c.clone();
        more.limit[a] += MW;
        let lower = more.run(rule).firm_short_w.iter().sum::<i64>() < total;
        prop_assert_eq!(d.binding[a], lower, "binding of arc {}", a);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 40 } else { 300 }))]

    #[test]
    fn local_ladder_matches_lp_oracle(c in case()) {
        check(&c, SharingRule::Local)?;
    }

    #[test]
    fn shared_ladder_matches_lp_oracle(c in case()) {
        check(&c, SharingRule::Shared)?;
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built hours.

/// One region short by 100 MW, one import source with a 30 MW scheduled tier and a 50 MW
/// emergency tier, 40 MW of interruptible mining, a 2 % voltage reduction (of 500 MW: 10
/// MW): the operator's order is the scheduled tier, mining, voltage reduction, emergency.
#[test]
fn ranks_are_used_cheapest_first() {
    let t = Topology::new(1, 1, vec![Arc { from: 1, to: 0 }]).unwrap();
    let ranks = vec![
        vec![Resource::Supply { node: 1 }],
        vec![Resource::Demand { region: 0 }],
        vec![Resource::Supply { node: 0 }],
        vec![Resource::Supply { node: 1 }],
    ];
    let ladder = Ladder::new(&t, ranks).unwrap();
    let mut d = LadderDispatcher::new(t.clone(), ladder.clone(), SharingRule::Local);
    let mut out = LadderDispatch::new(&t, &ladder);
    let run = |d: &mut LadderDispatcher, out: &mut LadderDispatch, gen: i64| {
        d.dispatch(
            &LadderHour {
                supply_w: &[gen * MW],
                firm_w: &[460 * MW],
                arc_limit_w: &[1000 * MW],
                available_w: &[30 * MW, 40 * MW, 10 * MW, 50 * MW],
            },
            out,
        );
    };
    // Domestic 440 MW for 460 MW firm + 40 MW mining: 60 MW short of everything.
    run(&mut d, &mut out, 440);
    assert_eq!(out.use_w, [30 * MW, 30 * MW, 0, 0]);
    assert_eq!(out.firm_short_w, [0]);
    assert_eq!(out.import_w, [30 * MW]);
    // 90 MW short: scheduled 30, all mining 40, voltage reduction 10, emergency 10.
    run(&mut d, &mut out, 410);
    assert_eq!(out.use_w, [30 * MW, 40 * MW, 10 * MW, 10 * MW]);
    assert_eq!(out.import_w, [40 * MW]);
    // 150 MW short: everything, and firm shedding last.
    run(&mut d, &mut out, 350);
    assert_eq!(out.use_w, [30 * MW, 40 * MW, 10 * MW, 50 * MW]);
    assert_eq!(out.firm_short_w, [20 * MW]);
    assert_eq!(out.binding, [false]);
}

/// Within a rank the use is split by the min-max of use / available: two sources of 100
/// and 300 MW on one rank covering 200 MW give 50 and 150 MW (half of each).
#[test]
fn a_rank_is_split_by_use_over_available() {
    let t = Topology::new(1, 2, vec![Arc { from: 1, to: 0 }, Arc { from: 2, to: 0 }]).unwrap();
    let ranks = vec![vec![
        Resource::Supply { node: 1 },
        Resource::Supply { node: 2 },
    ]];
    let ladder = Ladder::new(&t, ranks).unwrap();
    let mut out = LadderDispatch::new(&t, &ladder);
    LadderDispatcher::new(t, ladder, SharingRule::Local).dispatch(
        &LadderHour {
            supply_w: &[0],
            firm_w: &[200 * MW],
            arc_limit_w: &[1000 * MW, 1000 * MW],
            available_w: &[100 * MW, 300 * MW],
        },
        &mut out,
    );
    assert_eq!(out.use_w, [50 * MW, 150 * MW]);
    assert_eq!(out.import_w, [50 * MW, 150 * MW]);
}

/// Least transfer comes before the split: a region's own appeal serves it before a
/// neighbour's appeal on the same rank is sent over a line.
#[test]
fn local_rule_keeps_a_rank_where_it_is_needed() {
    let t = Topology::new(2, 0, vec![Arc { from: 0, to: 1 }, Arc { from: 1, to: 0 }]).unwrap();
    let ranks = vec![vec![
        Resource::Supply { node: 0 },
        Resource::Supply { node: 1 },
    ]];
    let ladder = Ladder::new(&t, ranks).unwrap();
    let hour = LadderHour {
        supply_w: &[100 * MW, 100 * MW],
        firm_w: &[100 * MW, 140 * MW],
        arc_limit_w: &[500 * MW, 500 * MW],
        available_w: &[50 * MW, 50 * MW],
    };
    let mut out = LadderDispatch::new(&t, &ladder);
    LadderDispatcher::new(t.clone(), ladder.clone(), SharingRule::Local).dispatch(&hour, &mut out);
    assert_eq!(out.use_w, [0, 40 * MW]);
    LadderDispatcher::new(t, ladder, SharingRule::Shared).dispatch(&hour, &mut out);
    assert_eq!(out.use_w, [20 * MW, 20 * MW]);
}

/// A Kazakhstan-like hour on the ladder of `scenarios/kazakhstan/ladder-base.toml`: NORTH
/// (0), AKTOBE (1), SOUTH (2) and the isolated West, W-URAL (3); Russia feeds NORTH (node 4),
/// AKTOBE (5) and W-URAL (6). Ranks, cheapest first: the free band (RUSSIA-NORTH's 150 MW
/// tier, the Aktobe and West feeds), curtailing NORTH's registered mining (400 MW), curtailing
/// SOUTH's exports (200 MW), the emergency import (RUSSIA-NORTH's 1,350 MW beyond the band).
/// The West is short by 100 MW with 60 MW from its feed: 40 MW of firm shedding whatever the
/// North has to spare, as no external node carries power from the North to the West.
#[test]
fn a_kazakhstan_hour_uses_band_then_mining_then_exports_then_emergency() {
    let arcs = vec![
        Arc { from: 0, to: 1 },
        Arc { from: 1, to: 0 },
        Arc { from: 0, to: 2 },
        Arc { from: 4, to: 0 },
        Arc { from: 5, to: 1 },
        Arc { from: 6, to: 3 },
    ];
    let t = Topology::new(4, 3, arcs).unwrap();
    let ranks = vec![
        vec![
            Resource::Supply { node: 4 },
            Resource::Supply { node: 5 },
            Resource::Supply { node: 6 },
        ],
        vec![Resource::Demand { region: 0 }],
        vec![Resource::Demand { region: 2 }],
        vec![Resource::Supply { node: 4 }],
    ];
    let ladder = Ladder::new(&t, ranks).unwrap();
    let mut d = LadderDispatcher::new(t.clone(), ladder.clone(), SharingRule::Local);
    let mut out = LadderDispatch::new(&t, &ladder);
    let available_w = [150 * MW, 400 * MW, 60 * MW, 400 * MW, 200 * MW, 1350 * MW];
    let limits = [500 * MW, 500 * MW, 2100 * MW, 1500 * MW, 400 * MW, 400 * MW];
    let mut run = |north_gen: i64, south_firm: i64| {
        d.dispatch(
            &LadderHour {
                supply_w: &[north_gen * MW, 500 * MW, 3000 * MW, 200 * MW],
                firm_w: &[6000 * MW, 600 * MW, south_firm * MW, 300 * MW],
                arc_limit_w: &limits,
                available_w: &available_w,
            },
            &mut out,
        );
        (out.use_w.clone(), out.firm_short_w.clone())
    };
    // Short of 1,000 MW in the North-South area (mining 400, Aktobe 100, South 300, export
    // 200): the band's 550 MW, then all the mining, then 50 MW of exports; no emergency.
    let (use_w, short) = run(6000, 3300);
    assert_eq!(use_w, [150 * MW, 400 * MW, 60 * MW, 400 * MW, 50 * MW, 0]);
    assert_eq!(short, [0, 0, 0, 40 * MW]);
    // Short of 1,500 MW: every curtailment, then 350 MW of emergency import, no firm shedding.
    let (use_w, short) = run(6000, 3800);
    assert_eq!(
        use_w,
        [150 * MW, 400 * MW, 60 * MW, 400 * MW, 200 * MW, 350 * MW]
    );
    assert_eq!(short, [0, 0, 0, 40 * MW]);
    // The North has 2,600 MW to spare: it serves Aktobe and the South, the band is used only
    // in the West, and the West still sheds 40 MW.
    let (use_w, short) = run(9000, 3800);
    assert_eq!(use_w, [0, 0, 60 * MW, 0, 0, 0]);
    assert_eq!(short, [0, 0, 0, 40 * MW]);
}
