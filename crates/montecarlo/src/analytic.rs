//! The exact reference for single-region systems: capacity outage probability tables by
//! convolution, with no sampling at all.
//!
//! This module owns [`exact`], which computes the adequacy indices of a one-region
//! [`SystemModel`] exactly (up to floating-point rounding), so that the sequential Monte
//! Carlo engine can be checked against it. It is the classical HL-I method of Billinton and
//! Allan, extended with the hourly-sampled frequency that a sequential simulation estimates.
//!
//! # Conventions
//!
//! * Units are independent two-state Markov processes: failure rate λ = 1/MTTF, repair rate
//!   μ = 1/MTTR, availability A = MTTF/(MTTF+MTTR), unavailability q = MTTR/(MTTF+MTTR). The
//!   process is stationary (each unit is up with probability A at every instant). Units whose
//!   capacity when up is 0 W are skipped.
//! * The available capacity C is the sum of the capacities of the units that are up. It lives
//!   on a grid of step s = gcd of all unit capacities in watts (1 MW for RTS-79); k steps
//!   means k·s watts. Loads are integer watts and need not lie on the grid.
//! * Loss of load in hour h (event S_h) iff C < L_h, strictly. On the grid,
//!   C = k·s < L ⇔ k < m(L) with m(L) = ⌈L/s⌉ (0 if L ≤ 0), so every probability below is
//!   a prefix sum of a table evaluated at an integer index, and ties are decided exactly.
//! * Capacity is observed at the start of each hour and held for the hour; energy is
//!   power × 1 h.
//!
//! # Formulas
//!
//! With p_k = P(C = k·s) and H hours:
//!
//! * `lole_h` = Σ_h P(C < L_h).
//! * `eue_mwh` = Σ_h E[max(0, L_h − C)] = Σ_h Σ_{k < m(L_h)} p_k (L_h − k·s).
//! * `lole_d_peak` = Σ_days P(C < max_{h in day} L_h), days of 24 hours (day = h/24; a
//!   partial last day uses its hours).
//! * `lolf`, hourly sampled, window not cyclic: the expected number of maximal runs of
//!   shortfall hours, P(S_0) + Σ_{h≥1} [P(S_h) − P(S_{h−1} ∧ S_h)]. The joint term needs the
//!   law of (C_t, C_{t+1}) one hour apart. Per unit, over Δt = 1 h with e = 1 − exp(−(λ+μ)):
//!   P(up→down) = q·e, P(down→up) = A·e, so the joint pmf of the unit's capacity at
//!   (t, t+1) is {uu: A(1−qe), ud: Aqe, du: qAe, dd: q(1−Ae)}. The 2-D joint pmf of the
//!   system is built by 2-D convolution over units, then turned into a 2-D cumulative
//!   table so each hour is an O(1) lookup.
//! * `lolf_ct`, the continuous-time (Billinton-Allan) frequency with piecewise-constant
//!   hourly load and a cyclic window: Σ_h [rate of entering {C < L_h}] × 1 h +
//!   Σ_h P(L_{h−1} ≤ C < L_h) (load jumps up at hour boundaries; for h = 0, h−1 is the last
//!   hour). The entering rate is Σ_i λ_i A_i P(L − c_i ≤ C_{−i} < L), where C_{−i} is the
//!   capacity of all units but i; its table is built once per distinct unit type
//!   (capacity, MTTF, MTTR) by convolving all units but one of that type.
//! * `lold_h` = `lole_h` / `lolf`, `neue_ppm` = `eue_mwh` / demand energy × 10⁶.
//!
//! # Cost and limits
//!
//! Only loads matter below the largest m(L_h), and convolution only moves probability to
//! higher capacity, so every table is truncated to M = min(total/s + 1, max_h m(L_h))
//! points per axis without changing any result. The capacity grid must have at most
//! [`MAX_GRID_POINTS`] points (total/s + 1), otherwise [`AnalyticError::GridTooLarge`]
//! is returned; when the 2-D table would have more than [`MAX_JOINT_POINTS_PER_AXIS`]
//! points per axis (a large system at a fine step), `lolf` and `lold_h` are not computed
//! (`None`) and every other index is. RTS-79 needs a 2850 × 2850 table (65 MB) and takes well under a second in
//! release mode.
//!
//! # References
//!
//! * R. Billinton, R. N. Allan, *Reliability Evaluation of Power Systems*, 2nd ed., Plenum,
//!   1996, ch. 2 (capacity outage probability tables, LOLE, EENS, frequency and duration).
//! * IEEE APM Subcommittee, "IEEE Reliability Test System", IEEE Trans. PAS-98(6), 1979, and
//!   Allan, Billinton, Abdel-Gawad, "The IEEE Reliability Test System - Extensions to and
//!   evaluation of the generating system", IEEE Trans. PWRS-1(4), 1986: for RTS-79 this module
//!   gives LOLE 9.394175 h/yr, EENS 1176.298 MWh/yr, daily-peak LOLE 1.368863 d/yr,
//!   hourly-sampled LOLF 1.913131 /yr and continuous-time frequency 2.0197 /yr.

use gridrisk_core::power::{wh_to_mwh, W_PER_MW};
use gridrisk_core::SystemModel;

/// Largest capacity grid (total capacity / step + 1 points) [`exact`] accepts.
pub const MAX_GRID_POINTS: u64 = 20_000_000;

/// Largest number of points per axis of the 2-D joint table that [`exact`] builds for
/// [`ExactIndices::lolf`] (the table holds the square of this many `f64`).
pub const MAX_JOINT_POINTS_PER_AXIS: u64 = 6_000;

/// Exact adequacy indices of a single-region system over its study window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExactIndices {
    /// Loss-of-load expectation, hourly load model: Σ_h P(C < L_h), hours per window.
    pub lole_h: f64,
    /// Expected unserved energy: Σ_h E[max(0, L_h − C)] × 1 h, MWh per window.
    pub eue_mwh: f64,
    /// Loss-of-load expectation, daily-peak model: Σ_days P(C < daily peak), days per window.
    pub lole_d_peak: f64,
    /// Hourly-sampled loss-of-load frequency: expected number of maximal runs of shortfall
    /// hours, capacity observed at the start of each hour, window not cyclic; events per window.
    /// `None` when its 2-D table would exceed [`MAX_JOINT_POINTS_PER_AXIS`] per axis.
    pub lolf: Option<f64>,
    /// Continuous-time (Billinton-Allan) frequency of entering loss of load, piecewise-constant
    /// hourly load, cyclic window; events per window.
    pub lolf_ct: f64,
    /// Mean duration of a loss-of-load run, `lole_h / lolf`, hours (0 if `lolf` is 0; `None`
    /// without `lolf`).
    pub lold_h: Option<f64>,
    /// Normalised unserved energy: `eue_mwh` / demand energy × 10⁶, parts per million
    /// (0 if the demand energy is 0).
    pub neue_ppm: f64,
    /// Step of the capacity grid (gcd of the unit capacities), MW; 1 MW if there is no unit.
    pub step_mw: f64,
}

/// Why [`exact`] refuses a model.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnalyticError {
    /// The exact convolution ignores the network: it handles one region only.
    #[error(
        "the exact convolution handles single-region systems only; this system has {regions} regions"
    )]
    MultiRegion {
        /// Number of regions of the model.
        regions: usize,
    },
    /// A probability table would be too large (too fine a grid for the total capacity).
    #[error(
        "capacity grid too large for {what}: {points} points (total capacity {total_w} W / \
         step {step_w} W), limit {limit}"
    )]
    GridTooLarge {
        /// Which table: the capacity outage table or the 2-D joint table of `lolf`.
        what: &'static str,
        /// Points the table would need (per axis for the 2-D table).
        points: u64,
        /// The limit on `points`.
        limit: u64,
        /// Total capacity of the units, watts.
        total_w: i128,
        /// Grid step (gcd of the unit capacities), watts.
        step_w: i64,
    },
}

/// One unit on the grid.
#[derive(Clone, Copy, Debug)]
struct GridUnit {
    /// Capacity when up, grid steps.
    c: usize,
    /// Availability MTTF/(MTTF+MTTR).
    a: f64,
    /// Unavailability MTTR/(MTTF+MTTR).
    q: f64,
    /// Failure rate, per hour.
    lambda: f64,
    /// Repair rate, per hour.
    mu: f64,
    /// Type key: capacity and the bit patterns of MTTF and MTTR.
    key: (usize, u64, u64),
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Convolve one unit (capacity `c` steps, availability `a`, unavailability `q`) into the
/// pmf `p`, whose entries above `hi` are zero; `hi` is updated. In place, descending.
fn convolve(p: &mut [f64], hi: &mut usize, c: usize, a: f64, q: f64) {
    let n = p.len();
    let new_hi = (*hi + c).min(n - 1);
    for k in (c..=new_hi).rev() {
        p[k] = q * p[k] + a * p[k - c];
    }
    for v in &mut p[..c.min(new_hi + 1)] {
        *v *= q;
    }
    *hi = new_hi;
}

/// The pmf (truncated to `n` points) of the capacity of `units`, skipping index `skip`.
fn capacity_pmf(units: &[GridUnit], n: usize, skip: Option<usize>) -> Vec<f64> {
    let mut p = vec![0.0; n];
    p[0] = 1.0;
    let mut hi = 0;
    for (i, u) in units.iter().enumerate() {
        if Some(i) != skip {
            convolve(&mut p, &mut hi, u.c, u.a, u.q);
        }
    }
    p
}

/// Prefix sums: `cum[m]` = Σ_{k<m} p_k (length n+1).
fn prefix(p: &[f64]) -> Vec<f64> {
    let mut cum = Vec::with_capacity(p.len() + 1);
    let mut s = 0.0;
    cum.push(0.0);
    for &v in p {
        s += v;
        cum.push(s);
    }
    cum
}

/// The 2-D cumulative table G[(a, b)] = P(C_t ≤ a, C_{t+1} ≤ b), a, b < n, of the
/// available capacity at two instants one hour apart (row-major, n × n).
fn joint_cumulative(units: &[GridUnit], n: usize) -> Vec<f64> {
    let mut j = vec![0.0; n * n];
    j[0] = 1.0;
    let mut hi = 0usize;
    let mut scratch = vec![0.0; n];
    for u in units {
        let c = u.c;
        // 1 − exp(−(λ + μ)·1 h), by expm1 for accuracy on slow units.
        let e = -(-(u.lambda + u.mu)).exp_m1();
        let (uu, ud, du, dd) = (
            u.a * (1.0 - u.q * e),
            u.a * u.q * e,
            u.q * u.a * e,
            u.q * (1.0 - u.a * e),
        );
        let new_hi = (hi + c).min(n - 1);
        let w = new_hi + 1;
        // Row a (state at t) takes dd/du from old row a and uu/ud from old row a − c;
        // rows are rewritten in descending order so old row a − c is still intact.
        for a in (0..=new_hi).rev() {
            let (lo, rest) = j.split_at_mut(a * n);
            let row = &mut rest[..w];
            let out = &mut scratch[..w];
            let cc = c.min(w);
            if a >= c {
                let src = &lo[(a - c) * n..(a - c) * n + w];
                for b in 0..cc {
                    out[b] = dd * row[b] + ud * src[b];
                }
                for b in cc..w {
                    out[b] = dd * row[b] + ud * src[b] + du * row[b - c] + uu * src[b - c];
                }
            } else {
                for b in 0..cc {
                    out[b] = dd * row[b];
                }
                for b in cc..w {
                    out[b] = dd * row[b] + du * row[b - c];
                }
            }
            row.copy_from_slice(out);
        }
        hi = new_hi;
    }
    // Cumulate along b within each row, then along a.
    for row in j.chunks_exact_mut(n) {
        let mut s = 0.0;
        for v in row {
            s += *v;
            *v = s;
        }
    }
    for a in 1..n {
        let (lo, rest) = j.split_at_mut(a * n);
        let prev = &lo[(a - 1) * n..];
        for (v, &pv) in rest[..n].iter_mut().zip(prev) {
            *v += pv;
        }
    }
    j
}

/// Exact adequacy indices of a single-region system by convolution (see the
/// [module documentation](self) for the formulas and conventions).
///
/// Errors: [`AnalyticError::MultiRegion`] if the model has more than one region,
/// [`AnalyticError::GridTooLarge`] if the capacity grid has more than [`MAX_GRID_POINTS`]
/// points or the 2-D table of `lolf` more than [`MAX_JOINT_POINTS_PER_AXIS`] per axis.
pub fn exact(model: &SystemModel) -> Result<ExactIndices, AnalyticError> {
    let regions = model.regions().len();
    if regions != 1 {
        return Err(AnalyticError::MultiRegion { regions });
    }
    let demand = model.regions()[0].demand_w();
    let hours = demand.len();
    let u = model.units();

    // Grid.
    let live: Vec<usize> = (0..u.len()).filter(|&i| u.capacity_w[i] > 0).collect();
    let step = live.iter().fold(0, |g, &i| gcd(g, u.capacity_w[i]));
    let step = if step == 0 { W_PER_MW } else { step };
    let total_w: i128 = live.iter().map(|&i| i128::from(u.capacity_w[i])).sum();
    let total_steps = total_w / i128::from(step);
    let grid_points = u64::try_from(total_steps + 1).unwrap_or(u64::MAX);
    let too_large = |what, points, limit| AnalyticError::GridTooLarge {
        what,
        points,
        limit,
        total_w,
        step_w: step,
    };
    if grid_points > MAX_GRID_POINTS {
        return Err(too_large(
            "the capacity outage table",
            grid_points,
            MAX_GRID_POINTS,
        ));
    }
    let full = grid_points as usize;

    // m(L) = number of grid points strictly below L, clamped to the grid.
    let m_of = |l: i64| -> usize {
        if l <= 0 {
            0
        } else {
            let m = (i128::from(l) + i128::from(step) - 1) / i128::from(step);
            m.min(full as i128) as usize
        }
    };
    let m: Vec<usize> = demand.iter().map(|&l| m_of(l)).collect();
    // Truncation: no index at or above max m is ever looked up.
    let n = m.iter().copied().max().unwrap_or(0).max(1);

    let mut units: Vec<GridUnit> = live
        .iter()
        .map(|&i| {
            let (f, r) = (u.mttf_h[i], u.mttr_h[i]);
            GridUnit {
                c: (u.capacity_w[i] / step) as usize,
                a: f / (f + r),
                q: r / (f + r),
                lambda: 1.0 / f,
                mu: 1.0 / r,
                key: ((u.capacity_w[i] / step) as usize, f.to_bits(), r.to_bits()),
            }
        })
        .collect();
    // Small units first keeps the support of the partial tables small.
    units.sort_by_key(|g| g.key);

    // Capacity outage probability table, prefix sums and first moments.
    let p = capacity_pmf(&units, n, None);
    let cum = prefix(&p);
    let mut mom = Vec::with_capacity(n + 1);
    let mut s = 0.0;
    mom.push(0.0);
    for (k, &v) in p.iter().enumerate() {
        s += k as f64 * v;
        mom.push(s);
    }

    let step_f = step as f64;
    let mut lole_h = 0.0;
    let mut eue_wh = 0.0;
    for (&l, &mh) in demand.iter().zip(&m) {
        lole_h += cum[mh];
        // Σ_{k<m} p_k (L − k·s), in steps to keep magnitudes moderate.
        eue_wh += (l as f64 / step_f * cum[mh] - mom[mh]) * step_f;
    }

    let days = model.calendar().days();
    let mut day_peak = vec![i64::MIN; days];
    for (h, &l) in demand.iter().enumerate() {
        let d = model.calendar().day(h);
        day_peak[d] = day_peak[d].max(l);
    }
    let lole_d_peak: f64 = day_peak.iter().map(|&l| cum[m_of(l)]).sum();

    // Hourly-sampled frequency: needs the joint table (skip it when there is no shortfall).
    let max_m = m.iter().copied().max().unwrap_or(0);
    let mut lolf = Some(0.0);
    if max_m as u64 > MAX_JOINT_POINTS_PER_AXIS {
        lolf = None;
    } else if max_m > 0 {
        let g = joint_cumulative(&units, n);
        let both = |m1: usize, m2: usize| {
            if m1 == 0 || m2 == 0 {
                0.0
            } else {
                g[(m1 - 1) * n + (m2 - 1)]
            }
        };
        let mut runs = cum[m[0]];
        for h in 1..hours {
            runs += cum[m[h]] - both(m[h - 1], m[h]);
        }
        lolf = Some(runs);
    }

    // Continuous-time frequency, cyclic window.
    let mut lolf_ct = 0.0;
    if max_m > 0 {
        // Entering rate per hour: Σ over unit types of count × λA × P(L − c ≤ C_{−i} < L).
        let mut rate = vec![0.0; hours];
        let mut i = 0;
        while i < units.len() {
            let t = units[i];
            let count = units[i..].iter().take_while(|v| v.key == t.key).count();
            let cum_other = prefix(&capacity_pmf(&units, n, Some(i)));
            let w = count as f64 * t.lambda * t.a;
            for (r, &mh) in rate.iter_mut().zip(&m) {
                *r += w * (cum_other[mh] - cum_other[mh.saturating_sub(t.c)]);
            }
            i += count;
        }
        lolf_ct = rate.iter().sum::<f64>();
        for h in 0..hours {
            let prev = m[(h + hours - 1) % hours];
            if m[h] > prev {
                lolf_ct += cum[m[h]] - cum[prev];
            }
        }
    }

    let eue_mwh = eue_wh / W_PER_MW as f64;
    let demand_mwh = wh_to_mwh(model.demand_wh(0));
    Ok(ExactIndices {
        lole_h,
        eue_mwh,
        lole_d_peak,
        lolf,
        lolf_ct,
        lold_h: lolf.map(|f| if f > 0.0 { lole_h / f } else { 0.0 }),
        neue_ppm: if demand_mwh > 0.0 {
            eue_mwh / demand_mwh * 1e6
        } else {
            0.0
        },
        step_mw: step_f / W_PER_MW as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::{Region, UnitSpec};
    use gridrisk_core::power::mw_to_w;
    use gridrisk_core::Calendar;

    /// A unit of `mw` MW (capacity = installed) in region `region`.
    fn unit(name: &str, region: usize, mw: f64, mttf_h: f64, mttr_h: f64) -> UnitSpec {
        let w = mw_to_w(mw).unwrap();
        UnitSpec {
            name: name.to_string(),
            region,
            installed_w: w,
            capacity_w: w,
            mttf_h,
            mttr_h,
        }
    }

    fn model(loads_mw: &[f64], units: Vec<UnitSpec>) -> SystemModel {
        let demand = loads_mw.iter().map(|&l| mw_to_w(l).unwrap()).collect();
        SystemModel::new(
            "test",
            Calendar::from_hours(loads_mw.len(), 0, 360),
            vec![Region::new("r", demand)],
            units,
        )
        .unwrap()
    }

    fn close(got: f64, want: f64, rel: f64, what: &str) {
        let tol = rel * want.abs().max(1e-300);
        assert!(
            (got - want).abs() <= tol,
            "{what}: got {got:.15e}, want {want:.15e}"
        );
    }

    /// Two units of 10 and 20 MW under a constant 25 MW load for 3 hours: shortfall iff not
    /// both up.
    #[test]
    fn two_units_by_hand() {
        let (f1, r1, f2, r2) = (100.0, 10.0, 200.0, 50.0);
        let m = model(
            &[25.0; 3],
            vec![unit("a", 0, 10.0, f1, r1), unit("b", 0, 20.0, f2, r2)],
        );
        let x = exact(&m).unwrap();
        let (a1, a2) = (f1 / (f1 + r1), f2 / (f2 + r2));
        let (q1, q2) = (1.0 - a1, 1.0 - a2);
        let ps = 1.0 - a1 * a2;
        close(x.lole_h, 3.0 * ps, 1e-12, "lole");
        let eue = 3.0 * (15.0 * a1 * q2 + 5.0 * q1 * a2 + 25.0 * q1 * q2);
        close(x.eue_mwh, eue, 1e-12, "eue");
        close(x.lole_d_peak, ps, 1e-12, "lole_d_peak");
        // Run starts: P(S_0) + 2 P(not S_t, S_{t+1}); both up at t, at least one down at t+1.
        let e1 = 1.0 - (-(1.0 / f1 + 1.0 / r1)).exp();
        let e2 = 1.0 - (-(1.0 / f2 + 1.0 / r2)).exp();
        let stay_up = (1.0 - q1 * e1) * (1.0 - q2 * e2);
        let lolf = x.lolf.unwrap();
        close(lolf, ps + 2.0 * a1 * a2 * (1.0 - stay_up), 1e-10, "lolf");
        // Constant load, cyclic: rate of leaving "both up" over 3 hours.
        close(
            x.lolf_ct,
            3.0 * a1 * a2 * (1.0 / f1 + 1.0 / f2),
            1e-12,
            "lolf_ct",
        );
        assert_eq!(x.step_mw, 10.0);
        close(x.lold_h.unwrap(), x.lole_h / lolf, 1e-15, "lold");
        close(x.neue_ppm, eue / 75.0 * 1e6, 1e-12, "neue");
    }

    /// Brute force over the 2^n unit states (and pairs of states for the joint law).
    struct Brute {
        lole: f64,
        eue: f64,
        lole_d: f64,
        lolf: f64,
        lolf_ct: f64,
    }

    fn brute(loads_mw: &[f64], units: &[(f64, f64, f64)]) -> Brute {
        let n = units.len();
        let states = 1usize << n;
        let cap = |s: usize| -> f64 {
            (0..n)
                .filter(|&i| s >> i & 1 == 1)
                .map(|i| units[i].0)
                .sum()
        };
        let pi = |s: usize| -> f64 {
            (0..n)
                .map(|i| {
                    let (_, f, r) = units[i];
                    if s >> i & 1 == 1 {
                        f / (f + r)
                    } else {
                        r / (f + r)
                    }
                })
                .product()
        };
        // One-hour transition probability from state s to state t.
        let trans = |s: usize, t: usize| -> f64 {
            (0..n)
                .map(|i| {
                    let (_, f, r) = units[i];
                    let (a, q) = (f / (f + r), r / (f + r));
                    let e = 1.0 - (-(1.0 / f + 1.0 / r)).exp();
                    match (s >> i & 1, t >> i & 1) {
                        (1, 1) => 1.0 - q * e,
                        (1, 0) => q * e,
                        (0, 1) => a * e,
                        _ => 1.0 - a * e,
                    }
                })
                .product()
        };
        let short = |s: usize, l: f64| cap(s) < l;
        let p_short = |l: f64| -> f64 { (0..states).filter(|&s| short(s, l)).map(pi).sum() };
        let mut b = Brute {
            lole: 0.0,
            eue: 0.0,
            lole_d: 0.0,
            lolf: 0.0,
            lolf_ct: 0.0,
        };
        let hrs = loads_mw.len();
        for (h, &l) in loads_mw.iter().enumerate() {
            b.lole += p_short(l);
            b.eue += (0..states)
                .map(|s| pi(s) * (l - cap(s)).max(0.0))
                .sum::<f64>();
            // Run starts: S_0, then (not S_{h-1}) and S_h.
            if h == 0 {
                b.lolf += p_short(l);
            } else {
                let lp = loads_mw[h - 1];
                for s in (0..states).filter(|&s| !short(s, lp)) {
                    for t in (0..states).filter(|&t| short(t, l)) {
                        b.lolf += pi(s) * trans(s, t);
                    }
                }
            }
            // Continuous time: failures out of adequate states into shortfall...
            for s in (0..states).filter(|&s| !short(s, l)) {
                for i in (0..n).filter(|&i| s >> i & 1 == 1) {
                    if short(s & !(1 << i), l) {
                        b.lolf_ct += pi(s) / units[i].1;
                    }
                }
            }
            // ...and load steps up at the boundary (cyclic).
            let lp = loads_mw[(h + hrs - 1) % hrs];
            b.lolf_ct += (0..states)
                .filter(|&s| !short(s, lp) && short(s, l))
                .map(pi)
                .sum::<f64>();
        }
        for day in loads_mw.chunks(24) {
            b.lole_d += p_short(day.iter().copied().fold(f64::MIN, f64::max));
        }
        b
    }

    #[test]
    fn matches_brute_force_enumeration() {
        // Loads off the 5 MW grid, ties with capacity sums (30 = 10 + 20), a partial last day.
        let units = [
            (10.0, 300.0, 20.0),
            (20.0, 150.0, 30.0),
            (35.0, 500.0, 60.0),
            (15.0, 300.0, 20.0),
            (20.0, 150.0, 30.0),
        ];
        let loads: Vec<f64> = (0..30)
            .map(|h| match h % 7 {
                0 => 30.0,
                1 => 47.3,
                2 => 65.000001,
                3 => 80.0,
                4 => 12.5,
                5 => 99.99,
                _ => 45.0,
            })
            .collect();
        let specs = units
            .iter()
            .enumerate()
            .map(|(i, &(c, f, r))| unit(&format!("u{i}"), 0, c, f, r))
            .collect();
        let x = exact(&model(&loads, specs)).unwrap();
        let b = brute(&loads, &units);
        assert_eq!(x.step_mw, 5.0);
        close(x.lole_h, b.lole, 1e-12, "lole");
        close(x.eue_mwh, b.eue, 1e-11, "eue");
        close(x.lole_d_peak, b.lole_d, 1e-12, "lole_d_peak");
        close(x.lolf.unwrap(), b.lolf, 1e-11, "lolf");
        close(x.lolf_ct, b.lolf_ct, 1e-11, "lolf_ct");
    }

    #[test]
    fn multi_region_is_refused() {
        let m = SystemModel::new(
            "two",
            Calendar::from_hours(2, 0, 360),
            vec![Region::new("a", vec![1, 2]), Region::new("b", vec![1, 2])],
            vec![unit("u", 1, 10.0, 100.0, 10.0)],
        )
        .unwrap();
        assert_eq!(exact(&m), Err(AnalyticError::MultiRegion { regions: 2 }));
    }

    #[test]
    fn too_fine_grids_are_refused_or_skip_lolf() {
        // gcd 1 W over 30 MW: 30 million points.
        let mut u = unit("big", 0, 30.0, 100.0, 10.0);
        u.capacity_w -= 1;
        let m = model(&[1.0], vec![u, unit("small", 0, 0.000001, 100.0, 10.0)]);
        assert!(matches!(
            exact(&m),
            Err(AnalyticError::GridTooLarge {
                points: 30_000_001,
                ..
            })
        ));
        let m = model(
            &[0.007],
            vec![
                unit("a", 0, 0.007, 100.0, 10.0),
                unit("b", 0, 0.000001, 100.0, 10.0),
            ],
        );
        // 7001 points per axis for the joint table: `lolf` is left out, the rest computed.
        let x = exact(&m).unwrap();
        assert_eq!((x.lolf, x.lold_h), (None, None));
        assert!(x.lole_h > 0.0 && x.lolf_ct > 0.0);
    }

    #[test]
    fn no_units_and_zero_capacity_units() {
        let m = model(
            &[0.0, 5.0, 5.0, 0.0, 5.0],
            vec![unit("z", 0, 0.0, 100.0, 10.0)],
        );
        let x = exact(&m).unwrap();
        assert_eq!(x.lole_h, 3.0);
        close(x.eue_mwh, 15.0, 1e-15, "eue");
        assert_eq!(x.lolf, Some(2.0));
        // Cyclic: jumps up at hours 1 and 4.
        assert_eq!(x.lolf_ct, 2.0);
        assert_eq!(x.step_mw, 1.0);
    }

    const WEEKLY: &str =
        include_str!("../../../scenarios/benchmarks/ieee-rts79/weekly_peak_pct.csv");
    const DAILY: &str = include_str!("../../../scenarios/benchmarks/ieee-rts79/daily_peak_pct.csv");
    const HOURLY: &str =
        include_str!("../../../scenarios/benchmarks/ieee-rts79/hourly_peak_pct.csv");

    /// Column `col` of a CSV with a header line.
    fn column(csv: &str, col: usize) -> Vec<f64> {
        csv.lines()
            .skip(1)
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').nth(col).unwrap().trim().parse().unwrap())
            .collect()
    }

    fn rts79() -> SystemModel {
        let weekly = column(WEEKLY, 1);
        let daily = column(DAILY, 1);
        let hourly: Vec<Vec<f64>> = (1..=6).map(|c| column(HOURLY, c)).collect();
        assert_eq!((weekly.len(), daily.len(), hourly[0].len()), (52, 7, 24));
        let hours = 52 * 168;
        let demand = (0..hours)
            .map(|h| {
                let (w, d) = (h / 168, (h / 24) % 7);
                let week = w + 1;
                let season = match week {
                    1..=8 | 44..=52 => 0,
                    18..=30 => 1,
                    _ => 2,
                };
                let col = 2 * season + usize::from(d >= 5);
                let mw =
                    2850.0 * weekly[w] / 100.0 * daily[d] / 100.0 * hourly[col][h % 24] / 100.0;
                mw_to_w(mw).unwrap()
            })
            .collect();
        let blocks: [(usize, f64, f64, f64); 9] = [
            (5, 12.0, 2940.0, 60.0),
            (4, 20.0, 450.0, 50.0),
            (6, 50.0, 1980.0, 20.0),
            (4, 76.0, 1960.0, 40.0),
            (3, 100.0, 1200.0, 50.0),
            (4, 155.0, 960.0, 40.0),
            (3, 197.0, 950.0, 50.0),
            (1, 350.0, 1150.0, 100.0),
            (2, 400.0, 1100.0, 150.0),
        ];
        let units = blocks
            .iter()
            .flat_map(|&(k, mw, f, r)| {
                (0..k).map(move |j| unit(&format!("U{mw}#{j}"), 0, mw, f, r))
            })
            .collect();
        SystemModel::new(
            "ieee-rts79",
            Calendar::from_hours(hours, 0, 360),
            vec![Region::new("rts", demand)],
            units,
        )
        .unwrap()
    }

    /// The published RTS-79 values (REFERENCE.md). Takes about a second in debug mode too.
    #[test]
    fn rts79_reference_values() {
        let m = rts79();
        assert_eq!(m.installed_w(0), 3405 * W_PER_MW);
        assert_eq!(m.regions()[0].peak_w(), 2850 * W_PER_MW);
        let t = std::time::Instant::now();
        let x = exact(&m).unwrap();
        let dt = t.elapsed();
        println!("RTS-79 exact in {dt:?}: {x:#?}");
        assert_eq!(x.step_mw, 1.0);
        assert!((x.lole_h - 9.394175).abs() <= 1e-5, "lole {}", x.lole_h);
        assert!((x.eue_mwh - 1176.298).abs() <= 0.01, "eue {}", x.eue_mwh);
        assert!(
            (x.lole_d_peak - 1.368863).abs() <= 1e-5,
            "lole_d {}",
            x.lole_d_peak
        );
        let lolf = x.lolf.unwrap();
        assert!((lolf - 1.913131).abs() <= 1e-4, "lolf {lolf}");
        assert!((x.lolf_ct - 2.0197).abs() <= 1e-3, "lolf_ct {}", x.lolf_ct);
        assert!((x.lole_h / x.lolf_ct - 4.651).abs() <= 2e-3);
    }
}
