//! Exact LOLE and EUE of a small system with storage, by enumerating every outage history.
//!
//! An independent implementation of the documented rules (README.md, "Storage";
//! PRAS's `Simulations/{utils,DispatchProblem}.jl`), not the engine's code: each
//! component's state in hour `h` is a two-state Markov chain over hours ([`Chain`]); every
//! path of every component's states is enumerated depth first, carrying the storage state
//! of charge and the demand response debts and counters. Supported: regions without
//! interruptible demand, imports or renewables; units; storage devices; at most one line
//! (two regions), whose hours are dispatched by brute force over whole MW (the test
//! systems' numbers are whole MW then); demand response devices, whose hours are dispatched
//! by brute force over whole MW: each isolated region (or both when the line is out) as
//! PRAS's min-cost flow with PRAS's costs ([`pras_hour`]), not by the engine's greedy
//! order; two regions with the line in service by the documented order of the network
//! dispatch ([`ladder_hour`]).

use gridrisk_core::model::OutageModel;
use gridrisk_core::SystemModel;

const MW: i64 = 1_000_000;

/// A component's state over hours: up in hour 0 with probability `up0`, then up in the
/// next hour with probability `stay_up` if up, `come_up` if down.
#[derive(Clone, Copy, Debug)]
pub struct Chain {
    pub up0: f64,
    pub stay_up: f64,
    pub come_up: f64,
}

impl Chain {
    /// The chain of an outage process in either convention (`None`: never fails): up with
    /// the stationary availability A in hour 0, then P(up | up) = 1 - (1 - A) e and
    /// P(up | down) = A e, with e its hour mixing (1 - exp(-(1/MTTF + 1/MTTR)) in continuous
    /// time, read at the start of each hour; p_fail + p_repair in discrete time).
    pub fn of(o: Option<OutageModel>) -> Chain {
        let Some(o) = o else {
            return Chain {
                up0: 1.0,
                stay_up: 1.0,
                come_up: 1.0,
            };
        };
        let (a, e) = (o.availability(), o.hour_mixing());
        Chain {
            up0: a,
            stay_up: 1.0 - (1.0 - a) * e,
            come_up: a * e,
        }
    }

    fn p(&self, h: usize, was_up: bool, up: bool) -> f64 {
        let p_up = if h == 0 {
            self.up0
        } else if was_up {
            self.stay_up
        } else {
            self.come_up
        };
        if up {
            p_up
        } else {
            1.0 - p_up
        }
    }
}

/// Exact indices per area (regions, then the system).
#[derive(Clone, Debug)]
pub struct Exact {
    pub lole_h: Vec<f64>,
    pub eue_mwh: Vec<f64>,
}

#[derive(Clone, Copy)]
enum Kind {
    Unit { region: usize, cap_w: i64 },
    Line,
    Storage(usize),
    DemandResponse(usize),
}

struct Sys<'m> {
    model: &'m SystemModel,
    kinds: Vec<Kind>,
    chains: Vec<Chain>,
    line: Option<(usize, usize, i64, i64)>,
}

/// Exact indices of `model`, each component's chain from its outage process.
pub fn enumerate(model: &SystemModel) -> Exact {
    let chain = Chain::of;
    let net = model.network();
    assert!(net.imports.is_empty() && net.lines.len() <= 1 && net.ladder.is_empty());
    let (mut kinds, mut chains) = (Vec::new(), Vec::new());
    let u = model.units();
    for i in 0..u.len() {
        kinds.push(Kind::Unit {
            region: u.region[i],
            cap_w: u.capacity_w[i],
        });
        chains.push(chain(Some(u.outage[i])));
    }
    let line = net.lines.first().map(|l| {
        kinds.push(Kind::Line);
        chains.push(chain(l.outage));
        (l.from, l.to, l.forward_w, l.backward_w)
    });
    for (i, s) in model.storages().iter().enumerate() {
        kinds.push(Kind::Storage(i));
        chains.push(chain(s.outage));
    }
    let mut sys = Sys {
        model,
        kinds,
        chains,
        line,
    };
    let areas = model.regions().len() + 1;
    let mut acc = Exact {
        lole_h: vec![0.0; areas],
        eue_mwh: vec![0.0; areas],
    };
    for (i, d) in model.demand_responses().iter().enumerate() {
        sys.kinds.push(Kind::DemandResponse(i));
        sys.chains.push(chain(d.outage));
    }
    let mut soc: Vec<i64> = model.storages().iter().map(|s| s.initial_wh).collect();
    // Demand response state after the storages: (owed, counter) per device.
    for _ in model.demand_responses() {
        soc.extend([0, -1]);
    }
    let states = vec![true; sys.kinds.len()];
    walk(&sys, 0, &states, &soc, 1.0, &mut acc);
    acc
}

fn walk(sys: &Sys, h: usize, prev: &[bool], soc: &[i64], p: f64, acc: &mut Exact) {
    if h == sys.model.hours() || p == 0.0 {
        return;
    }
    let c = sys.kinds.len();
    for bits in 0..1u64 << c {
        let up: Vec<bool> = (0..c).map(|k| bits >> k & 1 == 1).collect();
        let q: f64 = (0..c)
            .map(|k| sys.chains[k].p(h, prev[k], up[k]))
            .product::<f64>()
            * p;
        if q == 0.0 {
            continue;
        }
        let mut soc = soc.to_vec();
        let short = hour(sys, h, &up, &mut soc);
        let n = short.len();
        let total: i64 = short.iter().sum();
        for (r, &w) in short.iter().enumerate() {
            if w > 0 {
                acc.lole_h[r] += q;
                acc.eue_mwh[r] += q * w as f64 / MW as f64;
            }
        }
        if total > 0 {
            acc.lole_h[n] += q;
            acc.eue_mwh[n] += q * total as f64 / MW as f64;
        }
        walk(sys, h + 1, &up, &soc, q, acc);
    }
}

/// Per device in one hour: discharge and charge limits, time to empty.
struct Limits {
    dcap: Vec<i64>,
    ccap: Vec<i64>,
    ttd: Vec<i64>,
}

/// PRAS's carry-over and limits (utils.jl 101-121, DispatchProblem.jl 326-365).
fn limits(sys: &Sys, up: &[bool], soc: &mut [i64]) -> Limits {
    let st = sys.model.storages();
    let mut l = Limits {
        dcap: vec![0; st.len()],
        ccap: vec![0; st.len()],
        ttd: vec![0; st.len()],
    };
    for (k, kind) in sys.kinds.iter().enumerate() {
        let Kind::Storage(i) = *kind else { continue };
        let s = &st[i];
        soc[i] =
            ((soc[i] as f64 * s.carryover_efficiency).round_ties_even() as i64).min(s.energy_wh);
        let (dmax, cmax) = if up[k] {
            (s.discharge_w, s.charge_w)
        } else {
            (0, 0)
        };
        let e = soc[i] as f64 * s.discharge_efficiency;
        l.ttd[i] = if dmax == 0 {
            sys.model.hours() as i64 + 1
        } else {
            (e / dmax as f64).round_ties_even() as i64
        };
        l.dcap[i] = dmax.min(e.floor() as i64);
        l.ccap[i] = cmax.min(((s.energy_wh - soc[i]) as f64 / s.charge_efficiency).floor() as i64);
    }
    l
}

/// Shortfall per region in hour `h` with component states `up`; updates `soc`.
fn hour(sys: &Sys, h: usize, up: &[bool], soc: &mut [i64]) -> Vec<i64> {
    let m = sys.model;
    let n = m.regions().len();
    let mut gen = vec![0i64; n];
    let mut line_up = false;
    for (k, kind) in sys.kinds.iter().enumerate() {
        match *kind {
            Kind::Unit { region, cap_w } if up[k] => gen[region] += cap_w,
            Kind::Line => line_up = up[k],
            _ => {}
        }
    }
    let demand: Vec<i64> = (0..n).map(|r| m.regions()[r].demand_w()[h]).collect();
    if !m.demand_responses().is_empty() {
        return pras_hour(sys, h, &gen, &demand, up, line_up, soc);
    }
    let lim = limits(sys, up, soc);
    let st = m.storages();
    let (mut dis, mut chg) = (vec![0i64; st.len()], vec![0i64; st.len()]);
    let short = match sys.line {
        Some((a, b, fwd, bwd)) if line_up => two_regions(
            &gen,
            &demand,
            (a, b, fwd, bwd),
            &lim,
            |i| st[i].region,
            &mut dis,
            &mut chg,
        ),
        _ => (0..n)
            .map(|r| {
                let members: Vec<usize> = (0..st.len()).filter(|&i| st[i].region == r).collect();
                let net = gen[r] - demand[r];
                if net < 0 {
                    -net - greedy(-net, &members, &lim, &lim.dcap, true, &mut dis)
                } else {
                    greedy(net, &members, &lim, &lim.ccap, false, &mut chg);
                    0
                }
            })
            .collect(),
    };
    // PRAS's state update (DispatchProblem.jl 495-508).
    for (i, s) in st.iter().enumerate() {
        if dis[i] > 0 {
            let drop = (dis[i] as f64 / s.discharge_efficiency).ceil() as i64;
            soc[i] = (soc[i] - drop).max(0);
        }
        if chg[i] > 0 {
            soc[i] += (chg[i] as f64 * s.charge_efficiency).ceil() as i64;
        }
    }
    short
}

/// Give `amount` to `members` by priority groups of equal time to empty (discharging:
/// largest first; charging: smallest first), each group up to its limits `cap`, shared
/// within a group by the largest-remainder rule (on the power used when discharging, on
/// the power *not* charged when charging). Returns what was given.
fn greedy(
    amount: i64,
    members: &[usize],
    lim: &Limits,
    cap: &[i64],
    discharge: bool,
    out: &mut [i64],
) -> i64 {
    let mut ttds: Vec<i64> = members.iter().map(|&i| lim.ttd[i]).collect();
    ttds.sort_unstable();
    ttds.dedup();
    if discharge {
        ttds.reverse();
    }
    let mut left = amount;
    for t in ttds {
        let group: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| lim.ttd[i] == t)
            .collect();
        let total: i64 = group.iter().map(|&i| cap[i]).sum();
        let take = total.min(left);
        left -= take;
        let share = if discharge { take } else { total - take };
        let parts = largest_remainder(share, &group.iter().map(|&i| cap[i]).collect::<Vec<_>>());
        for (j, &i) in group.iter().enumerate() {
            out[i] = if discharge {
                parts[j]
            } else {
                cap[i] - parts[j]
            };
        }
    }
    amount - left
}

/// `total` split in proportion to `w`: floors, then one more to the largest remainders,
/// ties to the first.
fn largest_remainder(total: i64, w: &[i64]) -> Vec<i64> {
    let sum: i64 = w.iter().sum();
    if sum == 0 {
        return vec![0; w.len()];
    }
    let mut out: Vec<i64> = w.iter().map(|&x| total * x / sum).collect();
    let mut order: Vec<usize> = (0..w.len()).collect();
    order.sort_by_key(|&j| (std::cmp::Reverse(total * w[j] % sum), j));
    let left = total - out.iter().sum::<i64>();
    for &j in order.iter().take(left as usize) {
        out[j] += 1;
    }
    out
}

/// Two regions and a line in service, by brute force over whole MW: the lexicographic
/// order of the ladder with storage ranks (least firm shortfall; least discharge, the
/// smallest time to empty first; most charge, the smallest time to empty first; least
/// transfer; the regions' shortfall ratios min-max). Returns the shortfall per region.
fn two_regions(
    gen: &[i64],
    demand: &[i64],
    (a, b, fwd, bwd): (usize, usize, i64, i64),
    lim: &Limits,
    region: impl Fn(usize) -> usize,
    dis: &mut [i64],
    chg: &mut [i64],
) -> Vec<i64> {
    let s = lim.dcap.len();
    for v in gen
        .iter()
        .chain(demand)
        .chain([&fwd, &bwd])
        .chain(&lim.dcap)
        .chain(&lim.ccap)
    {
        assert_eq!(v % MW, 0, "the brute force works in whole MW");
    }
    // Every device: choose (discharge, charge) in whole MW, not both.
    let mut choices: Vec<Vec<(i64, i64)>> = Vec::new();
    for i in 0..s {
        let mut c: Vec<(i64, i64)> = (0..=lim.dcap[i] / MW).map(|d| (d * MW, 0)).collect();
        c.extend((1..=lim.ccap[i] / MW).map(|x| (0, x * MW)));
        choices.push(c);
    }
    let mut ttds: Vec<i64> = lim.ttd.clone();
    ttds.sort_unstable();
    ttds.dedup();
    // (objective key, shortfall per region, (discharge, charge) per device)
    type Best = (Vec<i128>, Vec<i64>, Vec<(i64, i64)>);
    let mut best: Option<Best> = None;
    let mut pick = vec![0usize; s];
    loop {
        let plan: Vec<(i64, i64)> = (0..s).map(|i| choices[i][pick[i]]).collect();
        for x in -bwd / MW..=fwd / MW {
            let x = x * MW; // a -> b
                            // Per region: generation, discharge and charge of its devices, and its export.
            let mut served = [0i64; 2];
            let mut u = [0i64; 2];
            let mut feasible = true;
            for (k, (r, export)) in [(a, x), (b, -x)].into_iter().enumerate() {
                let (d, c): (i64, i64) = plan
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| region(*i) == r)
                    .fold((0, 0), |(d, c), (_, p)| (d + p.0, c + p.1));
                let avail = gen[r] + d - c - export;
                served[k] = demand[r].min(avail);
                // Generation used is between 0 and what is available.
                feasible &= avail >= 0 && served[k] >= d - c - export;
                u[k] = demand[r] - served[k];
            }
            if !feasible {
                continue;
            }
            let (ua, ub) = (u[0], u[1]);
            let mut key = vec![i128::from(ua + ub)];
            for &t in &ttds {
                key.push(
                    (0..s)
                        .filter(|&i| lim.ttd[i] == t)
                        .map(|i| i128::from(plan[i].0))
                        .sum(),
                );
            }
            for &t in &ttds {
                key.push(
                    (0..s)
                        .filter(|&i| lim.ttd[i] == t)
                        .map(|i| i128::from(lim.ccap[i] - plan[i].1))
                        .sum(),
                );
            }
            key.push(i128::from(x.abs()));
            // Min-max of the shortfall ratios, by cross-multiplication (scaled by both).
            let (ra, rb) = (
                i128::from(ua) * i128::from(demand[b].max(1)),
                i128::from(ub) * i128::from(demand[a].max(1)),
            );
            key.push(ra.max(rb));
            key.push(ra.min(rb));
            if best.as_ref().is_none_or(|(k, ..)| key < *k) {
                best = Some((key, vec![ua, ub], plan.clone()));
            }
        }
        // Next combination of device choices.
        let mut i = 0;
        while i < s {
            pick[i] += 1;
            if pick[i] < choices[i].len() {
                break;
            }
            pick[i] = 0;
            i += 1;
        }
        if i == s {
            break;
        }
    }
    let (_, u, plan) = best.expect("doing nothing is feasible");
    for (i, &(d, c)) in plan.iter().enumerate() {
        dis[i] = d;
        chg[i] = c;
    }
    let mut short = vec![0; gen.len()];
    short[a] = u[0];
    short[b] = u[1];
    short
}

/// PRAS's cost constants (`DispatchProblem.jl` lines 138-153, `utils.jl` lines 177-245):
/// (min_chargecost, max_dischargecost, min_paybackcost, max_borrowcost, shortage penalty),
/// without interfaces.
fn pras_costs(m: &SystemModel) -> (i64, i64, i64, i64, i64) {
    let st = m.storages();
    let n1 = m.hours() as i64 + 1;
    let max_time = |f: &dyn Fn(&gridrisk_core::model::Storage) -> i64| {
        if st.is_empty() {
            0
        } else if st.iter().any(|s| f(s) == 0) {
            n1
        } else {
            st.iter()
                .map(|s| (s.energy_wh as f64 / f(s) as f64).ceil() as i64)
                .max()
                .unwrap()
        }
    };
    let (charge_t, discharge_t) = (max_time(&|s| s.charge_w), max_time(&|s| s.discharge_w));
    let min_charge = -charge_t - 1;
    let max_discharge = -min_charge + discharge_t + 1;
    let max_window = m
        .demand_responses()
        .iter()
        .map(|d| i64::from(d.payback_window_steps))
        .max()
        .unwrap_or(0);
    let min_payback = -max_discharge - max_window - 1 - 75;
    let max_borrow = -min_payback + max_window + 1;
    (
        min_charge,
        max_discharge,
        min_payback,
        max_borrow,
        10 * max_borrow,
    )
}

/// One hour of a system with demand response, PRAS's way: storage carry-over and limits,
/// demand response interest, counters and limits (`utils.jl` 123-174,
/// `DispatchProblem.jl` 443-480), then each region's least-cost dispatch by brute force
/// over whole MW, then the state updates and forfeits (`DispatchProblem.jl` 495-547).
/// Returns each region's shortfall, unserved debt included (`recording.jl` 15-42).
fn pras_hour(
    sys: &Sys,
    h: usize,
    gen: &[i64],
    demand: &[i64],
    up: &[bool],
    line_up: bool,
    state: &mut [i64],
) -> Vec<i64> {
    let m = sys.model;
    let (st, drs) = (m.storages(), m.demand_responses());
    let ns = st.len();
    let (mut soc, mut dr) = (state[..ns].to_vec(), state[ns..].to_vec());
    let lim = limits(sys, up, &mut soc);
    let (mut bcap, mut pcap, mut unserved) = (
        vec![0; drs.len()],
        vec![0; drs.len()],
        vec![0i64; drs.len()],
    );
    for (k, kind) in sys.kinds.iter().enumerate() {
        let Kind::DemandResponse(i) = *kind else {
            continue;
        };
        let d = &drs[i];
        let grown = (dr[2 * i] as f64 * (1.0 + d.interest_per_step)).round_ties_even() as i64;
        unserved[i] = (grown - d.energy_wh).max(0);
        let owed = grown.min(d.energy_wh);
        dr[2 * i] = owed;
        let c = &mut dr[2 * i + 1];
        if owed <= 0 {
            *c = -1;
        } else if *c == -1 {
            *c = i64::from(d.payback_window_steps) - 1;
        } else {
            *c -= 1;
        }
        let (bmax, pmax) = if up[k] {
            (d.borrow_w, d.payback_w)
        } else {
            (0, 0)
        };
        bcap[i] = bmax.min(((d.energy_wh - owed) as f64 * d.borrow_efficiency).floor() as i64);
        pcap[i] = pmax.min((owed as f64 * d.payback_efficiency).floor() as i64);
    }
    let (min_charge, max_discharge, min_payback, max_borrow, penalty) = pras_costs(m);
    let mut short = vec![0; m.regions().len()];
    let (mut dis, mut chg, mut bor, mut pay) = (
        vec![0; ns],
        vec![0; ns],
        vec![0; drs.len()],
        vec![0; drs.len()],
    );
    let counter: Vec<i64> = (0..drs.len()).map(|i| dr[2 * i + 1]).collect();
    match sys.line {
        Some(line) if line_up => ladder_hour(
            m,
            line,
            (gen, demand),
            (&lim, &bcap, &pcap, &counter),
            &mut short,
            [&mut dis, &mut chg, &mut bor, &mut pay],
        ),
        _ => {
            for r in 0..m.regions().len() {
                // Per resource of the region: (limit in MW, cost per MW, which output).
                let mut res: Vec<(i64, i64, usize, usize)> = Vec::new();
                for i in (0..ns).filter(|&i| st[i].region == r) {
                    res.push((lim.dcap[i], max_discharge - lim.ttd[i], 0, i));
                    res.push((lim.ccap[i], min_charge + lim.ttd[i], 1, i));
                }
                for i in (0..drs.len()).filter(|&i| drs[i].region == r) {
                    let c = dr[2 * i + 1];
                    res.push((bcap[i], max_borrow - c, 2, i));
                    res.push((pcap[i], min_payback + c, 3, i));
                }
                for &(w, ..) in &res {
                    assert_eq!(w % MW, 0, "the brute force works in whole MW");
                }
                let mut pick = vec![0i64; res.len()];
                let mut best: Option<(i64, Vec<i64>, i64)> = None;
                loop {
                    let (mut supply, mut need, mut cost) = (gen[r], demand[r], 0);
                    for (j, &(_, c, kind, _)) in res.iter().enumerate() {
                        let x = pick[j] * MW;
                        cost += c * pick[j];
                        if kind == 0 || kind == 2 {
                            supply += x;
                        } else {
                            need += x;
                        }
                    }
                    let u = (need - supply).max(0);
                    // Unserved energy serves load only: storage and payback are served in full
                    // by supply, or not at all.
                    let load_short = u.min(demand[r]);
                    let feasible = u == load_short;
                    cost += penalty * u / MW;
                    if feasible && best.as_ref().is_none_or(|b| cost < b.0) {
                        best = Some((cost, pick.clone(), u));
                    }
                    let mut j = 0;
                    while j < res.len() {
                        pick[j] += 1;
                        if pick[j] * MW <= res[j].0 {
                            break;
                        }
                        pick[j] = 0;
                        j += 1;
                    }
                    if j == res.len() {
                        break;
                    }
                }
                let (_, plan, u) = best.expect("doing nothing is feasible");
                short[r] = u;
                for (j, &(_, _, kind, i)) in res.iter().enumerate() {
                    let x = plan[j] * MW;
                    match kind {
                        0 => dis[i] = x,
                        1 => chg[i] = x,
                        2 => bor[i] = x,
                        _ => pay[i] = x,
                    }
                }
            }
        }
    }
    for (i, s) in st.iter().enumerate() {
        if dis[i] > 0 {
            soc[i] = (soc[i] - (dis[i] as f64 / s.discharge_efficiency).ceil() as i64).max(0);
        }
        if chg[i] > 0 {
            soc[i] += (chg[i] as f64 * s.charge_efficiency).ceil() as i64;
        }
    }
    for (i, d) in drs.iter().enumerate() {
        dr[2 * i] += (bor[i] as f64 * d.borrow_efficiency).ceil() as i64;
        let drop = (pay[i] as f64 / d.payback_efficiency).ceil() as i64;
        dr[2 * i] = (dr[2 * i] - drop).max(0);
        if dr[2 * i + 1] == 0 || h + 1 == m.hours() {
            unserved[i] += dr[2 * i];
            dr[2 * i] = 0;
        }
        short[d.region] += unserved[i];
    }
    state[..ns].copy_from_slice(&soc);
    state[ns..].copy_from_slice(&dr);
    short
}

/// Two regions joined by a line in service, with demand response: the documented rule of
/// the network dispatch (README.md, "Demand response"), by brute force over whole MW, not
/// PRAS's costs (PRAS's hurdle cost of 1 per MW on a line places shortfalls and borrowing
/// between regions by cost, the ladder by its least transfer and splits): the lexicographic
/// order of the ladder with the device ranks (least firm shortfall; least borrowing, the
/// smallest counter first; least discharge, the smallest time to empty first; least
/// payback unpaid, the smallest counter first; least charge not taken, the smallest time
/// to empty first; least transfer; the regions' shortfall ratios min-max); then each
/// region's storage pays back what its own devices can still pay back (largest time to
/// empty first, smallest counter first). Sets `short` and the devices' outputs. Ties within
/// a rank between regions are not split as the ladder does: test systems avoid them.
fn ladder_hour(
    m: &SystemModel,
    (a, b, fwd, bwd): (usize, usize, i64, i64),
    (gen, demand): (&[i64], &[i64]),
    (lim, bcap, pcap, counter): (&Limits, &[i64], &[i64], &[i64]),
    short: &mut [i64],
    [dis, chg, bor, pay]: [&mut Vec<i64>; 4],
) {
    let (st, drs) = (m.storages(), m.demand_responses());
    let ns = st.len();
    for v in gen
        .iter()
        .chain(demand)
        .chain([&fwd, &bwd])
        .chain(&lim.dcap)
        .chain(&lim.ccap)
        .chain(bcap)
        .chain(pcap)
    {
        assert_eq!(v % MW, 0, "the brute force works in whole MW");
    }
    // Per device: (power in, power out): storage (discharge, charge), not both; demand
    // response (borrow, pay back).
    let mut choices: Vec<Vec<(i64, i64)>> = Vec::new();
    for i in 0..ns {
        let mut c: Vec<(i64, i64)> = (0..=lim.dcap[i] / MW).map(|d| (d * MW, 0)).collect();
        c.extend((1..=lim.ccap[i] / MW).map(|x| (0, x * MW)));
        choices.push(c);
    }
    for i in 0..drs.len() {
        choices.push(
            (0..=bcap[i] / MW)
                .flat_map(|x| (0..=pcap[i] / MW).map(move |y| (x * MW, y * MW)))
                .collect(),
        );
    }
    let region = |j: usize| {
        if j < ns {
            st[j].region
        } else {
            drs[j - ns].region
        }
    };
    let sorted = |v: &[i64]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (ttds, counters) = (sorted(&lim.ttd), sorted(counter));
    type Best = (Vec<i128>, Vec<i64>, Vec<(i64, i64)>);
    let mut best: Option<Best> = None;
    let mut pick = vec![0usize; choices.len()];
    loop {
        let plan: Vec<(i64, i64)> = (0..choices.len()).map(|j| choices[j][pick[j]]).collect();
        for x in -bwd / MW..=fwd / MW {
            let x = x * MW; // a -> b
            let mut u = [0i64; 2];
            let mut feasible = true;
            for (k, (r, export)) in [(a, x), (b, -x)].into_iter().enumerate() {
                let (inj, take) = (0..plan.len())
                    .filter(|&j| region(j) == r)
                    .fold((0, 0), |(p, q), j| (p + plan[j].0, q + plan[j].1));
                let avail = gen[r] + inj - take - export;
                let served = demand[r].min(avail);
                // Generation used is between 0 and what is available.
                feasible &= avail >= 0 && served >= inj - take - export;
                u[k] = demand[r] - served;
            }
            if !feasible {
                continue;
            }
            let mut key = vec![i128::from(u[0] + u[1])];
            let by = |groups: &[i64], of: &dyn Fn(usize) -> i64, value: &dyn Fn(usize) -> i64| {
                groups
                    .iter()
                    .map(|&g| {
                        (0..plan.len())
                            .filter(|&j| of(j) == g)
                            .map(|j| i128::from(value(j)))
                            .sum::<i128>()
                    })
                    .collect::<Vec<i128>>()
            };
            // Storage groups by time to empty, demand response groups by counter (other
            // devices in no group).
            let ttd_of = |j: usize| if j < ns { lim.ttd[j] } else { i64::MIN };
            let counter_of = |j: usize| if j < ns { i64::MIN } else { counter[j - ns] };
            key.extend(by(&counters, &counter_of, &|j| plan[j].0));
            key.extend(by(&ttds, &ttd_of, &|j| plan[j].0));
            key.extend(by(&counters, &counter_of, &|j| {
                if j < ns {
                    0
                } else {
                    pcap[j - ns] - plan[j].1
                }
            }));
            key.extend(by(&ttds, &ttd_of, &|j| {
                if j < ns {
                    lim.ccap[j] - plan[j].1
                } else {
                    0
                }
            }));
            key.push(i128::from(x.abs()));
            let (ra, rb) = (
                i128::from(u[0]) * i128::from(demand[b].max(1)),
                i128::from(u[1]) * i128::from(demand[a].max(1)),
            );
            key.push(ra.max(rb));
            key.push(ra.min(rb));
            if best.as_ref().is_none_or(|(k, ..)| key < *k) {
                best = Some((key, u.to_vec(), plan.clone()));
            }
        }
        let mut j = 0;
        while j < pick.len() {
            pick[j] += 1;
            if pick[j] < choices[j].len() {
                break;
            }
            pick[j] = 0;
            j += 1;
        }
        if j == pick.len() {
            break;
        }
    }
    let (_, u, plan) = best.expect("doing nothing is feasible");
    short[a] = u[0];
    short[b] = u[1];
    for (j, &(p, q)) in plan.iter().enumerate() {
        if j < ns {
            (dis[j], chg[j]) = (p, q);
        } else {
            (bor[j - ns], pay[j - ns]) = (p, q);
        }
    }
    // Each region's storage pays back its own devices' rest.
    for r in [a, b] {
        let members: Vec<usize> = (0..ns).filter(|&i| st[i].region == r).collect();
        let mine: Vec<usize> = (0..drs.len()).filter(|&i| drs[i].region == r).collect();
        let due: i64 = mine.iter().map(|&i| pcap[i] - pay[i]).sum();
        let given: i64 = members.iter().map(|&i| dis[i]).sum();
        let can: i64 = members.iter().map(|&i| lim.dcap[i]).sum();
        let mut more = (can - given).min(due);
        if more <= 0 {
            continue;
        }
        greedy(given + more, &members, lim, &lim.dcap, true, dis);
        for c in sorted(&mine.iter().map(|&i| counter[i]).collect::<Vec<_>>()) {
            let group: Vec<usize> = mine.iter().copied().filter(|&i| counter[i] == c).collect();
            let left: Vec<i64> = group.iter().map(|&i| pcap[i] - pay[i]).collect();
            let take = left.iter().sum::<i64>().min(more);
            for (k, part) in largest_remainder(take, &left).into_iter().enumerate() {
                pay[group[k]] += part;
            }
            more -= take;
        }
    }
}
