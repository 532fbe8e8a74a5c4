//! The exact reference for single-region systems: capacity outage probability tables by
//! convolution, with no sampling at all.
//!
//! This module owns [`exact`], which computes the adequacy indices of a one-region
//! [`SystemModel`] exactly (up to floating-point rounding), so that the sequential Monte
//! Carlo engine can be checked against it. It is the classical HL-I method of Billinton and
//! Allan, extended with the hourly-sampled frequency that a sequential simulation estimates.
//!
//! # What it models, and what it refuses
//!
//! Every feature of a model is either modelled exactly or refused
//! ([`AnalyticError::Unsupported`], naming the feature): an exact value is never given for a
//! different model. Modelled: units (two-state, any number of types), renewables without
//! daily variability (`daily_sd = 0`: a deterministic hourly output, subtracted from the
//! load, so each hour's test is against its net load), dated outages (in the hours of a
//! dated outage the unit is out), hourly unit capacities (`capacity_file`: in hour h a unit
//! offers that hour's capacity when up; hours in which every unit offers the same capacity,
//! 0 while out, share one capacity table, a *class*) and capped blocks (a block's available capacity is `min(cap, sum of its units
//! up)`: its own table with the mass above the cap moved to the cap, convolved in as one
//! multi-state unit). Refused: more than one region ([`AnalyticError::MultiRegion`]),
//! import sources, lines, weather zones, a load-forecast error, mining, exchanges,
//! disturbances, renewables with daily variability (random), cold-dependent failures,
//! hourly failure and repair rates and storage.
//!
//! # Conventions
//!
//! * Units are independent two-state Markov processes, in continuous time (failure rate
//!   λ = 1/MTTF, repair rate μ = 1/MTTR, availability A = MTTF/(MTTF+MTTR), unavailability
//!   q = MTTR/(MTTF+MTTR)) or in discrete time (per-hour probabilities λ = p_fail,
//!   μ = p_repair, A = μ/(λ+μ), q = λ/(λ+μ); see [`OutageModel`]). The process is stationary
//!   (each unit is up with probability A in every hour). Units whose capacity when up is 0 W
//!   are skipped.
//! * The available capacity C is the sum of the capacities of the units that are up (each
//!   capped block counting `min(cap, its units up)`). It lives on a grid of step s = gcd of
//!   all unit capacities (and of the caps that can bind) in watts (1 MW for RTS-79); k steps
//!   means k·s watts. Loads are integer watts and need not lie on the grid.
//! * The load L_h of hour h is the firm demand less the renewables' output
//!   `round(capacity × clamp(profile(hour of day), 0, 1))`, as the Monte Carlo engine
//!   computes it.
//! * Loss of load in hour h (event S_h) iff C < L_h, strictly. On the grid,
//!   C = k·s < L ⇔ k < m(L) with m(L) = ⌈L/s⌉ (0 if L ≤ 0), so every probability below is
//!   a prefix sum of a table evaluated at an integer index, and ties are decided exactly.
//! * Capacity is observed at the start of each hour and held for the hour; energy is
//!   power × 1 h.
//!
//! # Formulas
//!
//! With p_k = P(C = k·s) (the table of hour h's class) and H hours:
//!
//! * `lole_h` = Σ_h P(C < L_h).
//! * `eue_mwh` = Σ_h E[max(0, L_h − C)] = Σ_h Σ_{k < m(L_h)} p_k (L_h − k·s).
//! * `lole_d_peak` = Σ_days P(C < max_{h in day} L_h), days of 24 hours (day = h/24; a
//!   partial last day uses its hours), with the table of the day's first hour of largest
//!   load.
//! * `lolf`, hourly sampled, window not cyclic: the expected number of maximal runs of
//!   shortfall hours, P(S_0) + Σ_{h≥1} [P(S_h) − P(S_{h−1} ∧ S_h)]. The joint term needs the
//!   law of (C_t, C_{t+1}) one hour apart. Per unit, over one hour with e = 1 − exp(−(λ+μ))
//!   (continuous time) or e = λ + μ (discrete time: P(up→down) = λ = q(λ+μ)),
//!   P(up→down) = q·e, P(down→up) = A·e, so the joint pmf of the unit's capacity at
//!   (t, t+1) is {uu: A(1−qe), ud: Aqe, du: qAe, dd: q(1−Ae)}; a unit out (dated) at t
//!   only is {du: A, dd: q}, at t+1 only {ud: A, dd: q} (a unit with no capacity in an hour
//!   counts as out there: only its other coordinate matters). A unit up adds its capacity of
//!   each hour to that hour's coordinate. The 2-D joint pmf of the system is
//!   built by 2-D convolution over units (a capped block first gets its own 2-D pmf, each
//!   coordinate capped, then is convolved in as one component), one per pair of classes
//!   that follow each other, then turned into a 2-D cumulative table so each
//!   hour is an O(1) lookup.
//! * `lolf_ct`, the continuous-time (Billinton-Allan) frequency with piecewise-constant
//!   hourly load and a cyclic window: Σ_h [rate of entering {C < L_h}] × 1 h +
//!   Σ_h P(C_{h−1} ≥ L_{h−1}, C_h < L_h) at the boundary (load jumps up, a dated outage
//!   starts or a capacity falls; for h = 0, h−1 is the last hour): P(L_{h−1} ≤ C < L_h) in
//!   the same class, else from the 2-D table of the two classes at one instant (e = 0 above). The
//!   entering rate is Σ_i λ_i A_i P(L − c_i ≤ C_{−i} < L) over the units i in service,
//!   where C_{−i} is the capacity of the units in service but i; its table is built once per
//!   class and unit type (capacity, MTTF, MTTR, block, hourly capacity) by convolving all but one
//!   unit of that type. For a unit of a block capped at k it is
//!   λ_i A_i Σ_s P(S = s) P(L − min(k, s + c_i) ≤ R < L − s), S the capacity of the block's
//!   other units (capped at k) and R that of everything but the block. Not defined (`None`)
//!   with a discrete-time unit, whose state changes only between hours.
//! * `lold_h` = `lole_h` / `lolf`, `neue_ppm` = `eue_mwh` / demand energy × 10⁶ (the firm
//!   demand, before renewables).
//!
//! # Cost and limits
//!
//! Only loads matter below the largest m(L_h), and convolution only moves probability to
//! higher capacity, so every table is truncated to M = min(total/s + 1, max_h m(L_h))
//! points per axis without changing any result. The capacity grid must have at most
//! [`MAX_GRID_POINTS`] points (total/s + 1), otherwise [`AnalyticError::GridTooLarge`]
//! is returned. The work is estimated before anything is computed, in multiply-adds: M per
//! unit and table (l per unit of a capped block of l grid points, and l·M to convolve it
//! in; one table per class, and one per class and unit type for `lolf_ct`),
//! plus the hours times the tables and dated outages; more than [`WORK_BUDGET`] is refused ([`AnalyticError::TooMuchWork`]).
//! `lolf` and `lold_h` (and `lolf_ct` where the class changes) are left out
//! (`None`) when a 2-D table would have more than [`MAX_JOINT_POINTS_PER_AXIS`] points per
//! axis or their M² per unit and table (l² M² per capped block) would take the total past
//! the budget. RTS-79 needs a 2850 × 2850 table (65 MB, 2.6·10⁸ multiply-adds) and
//! takes well under a second in release mode.
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

use gridrisk_core::model::OutageModel;
use gridrisk_core::power::{wh_to_mwh, W_PER_MW};
use gridrisk_core::SystemModel;
use std::collections::HashMap;
use std::ops::Range;

/// Largest capacity grid (total capacity / step + 1 points) [`exact`] accepts.
pub const MAX_GRID_POINTS: u64 = 20_000_000;

/// Largest number of points per axis of the 2-D joint table that [`exact`] builds for
/// [`ExactIndices::lolf`] (the table holds the square of this many `f64`).
pub const MAX_JOINT_POINTS_PER_AXIS: u64 = 6_000;

/// Largest work estimate, in multiply-adds, that [`exact`] accepts: about 20 s at the
/// 5·10⁸ per second measured on one core (20,000 units of 1 MW, 7.6·10⁸: 0.7 s); 100,000
/// such units (1.9·10¹⁰) are refused.
pub const WORK_BUDGET: u64 = 10_000_000_000;

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
    /// `None` when its 2-D tables would exceed [`MAX_JOINT_POINTS_PER_AXIS`] per axis or the
    /// work budget.
    pub lolf: Option<f64>,
    /// Continuous-time (Billinton-Allan) frequency of entering loss of load, piecewise-constant
    /// hourly load, cyclic window; events per window. `None` with dated outages when the 2-D
    /// tables of their boundaries would exceed the limits of `lolf`, and with discrete-time
    /// units (their states change only between hours).
    pub lolf_ct: Option<f64>,
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
    /// The model has a feature the exact convolution does not represent.
    #[error(
        "the exact convolution cannot model {feature}; use `gridrisk run` (Monte Carlo) instead"
    )]
    Unsupported {
        /// The feature, as the scenario file names it.
        feature: String,
    },
    /// The convolutions would take longer than [`WORK_BUDGET`] allows.
    #[error(
        "the exact convolution would need about {:.2e} multiply-adds ({units} units, \
         {tables} capacity tables of {points} points, {hours} hours), more than the budget of \
         {:.0e}; use `gridrisk run` (Monte Carlo) instead",
        *.estimate as f64,
        WORK_BUDGET as f64
    )]
    TooMuchWork {
        /// Estimated multiply-adds.
        estimate: u128,
        /// Units with a non-zero capacity.
        units: usize,
        /// Capacity tables to build.
        tables: usize,
        /// Points per table.
        points: usize,
        /// Hours of the window.
        hours: usize,
    },
    /// A probability table would be too large (too fine a grid for the total capacity).
    #[error(
        "the exact convolution needs {points} points for {what}, more than its limit of \
         {limit}: the units' total capacity of {total_w} W in steps of {step_w} W (the greatest \
         common divisor of the unit capacities); round capacities to a coarser common step \
         (such as whole MW), or estimate with `gridrisk run`"
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
    /// Availability MTTF/(MTTF+MTTR), or μ/(λ+μ) in discrete time.
    a: f64,
    /// Unavailability MTTR/(MTTF+MTTR), or λ/(λ+μ).
    q: f64,
    /// Failure rate 1/MTTF, per hour; `None` in discrete time (no rate within an hour).
    lambda: Option<f64>,
    /// `e` of the joint law one hour apart ([`OutageModel::hour_mixing`]).
    e: f64,
    /// Type key: capacity, whether discrete, and the bit patterns of its two parameters.
    key: (usize, bool, u64, u64),
    /// Index of its capped block in the model's `block_caps`, if any.
    block: Option<usize>,
    /// Index of the unit in the model's units (for its dated outages).
    unit: usize,
    /// Index of its block's hourly capacity in the model's `unit_profiles`, if any.
    profile: Option<usize>,
}

/// The first feature of `model` that [`exact`] cannot represent, named as in the scenario
/// file (see the module documentation).
fn unsupported(model: &SystemModel) -> Option<String> {
    let net = model.network();
    let c = model.conditions();
    let step_min = model.calendar().step_min();
    if step_min != 60 {
        // Its indices are counted in hours; the Monte Carlo engine converts steps.
        return Some(format!(
            "steps of {step_min} min ([study] step_min; it steps one hour)"
        ));
    }
    if let Some(s) = net.imports.first() {
        return Some(format!("import sources ([[imports]] '{}')", s.name));
    }
    if let Some(l) = net.lines.first() {
        return Some(format!("lines ([[lines]] '{}')", l.name));
    }
    if let Some(k) = net.ladder.first() {
        return Some(format!(
            "a ladder of last resorts ([[ladder]] '{}')",
            k.name
        ));
    }
    if let Some(s) = model.storages().first() {
        let table = if s.inflow.is_some() {
            "generator-storage ([[generator_storages]]"
        } else {
            "storage ([[storages]]"
        };
        return Some(format!(
            "{table} '{}': energy-limited, its state couples the hours)",
            s.name
        ));
    }
    if let Some(d) = model.demand_responses().first() {
        return Some(format!(
            "demand response ([[demand_responses]] '{}': borrowed energy couples the hours)",
            d.name
        ));
    }
    if let Some(z) = c.weather.zones.first() {
        return Some(format!(
            "weather ([[weather.zones]] '{}': random temperatures)",
            z.name
        ));
    }
    if c.weather.load_forecast_error != 0.0 {
        return Some("a load-forecast error (weather.load_forecast_error)".into());
    }
    if c.weather.load_forecast_sd != 0.0 {
        return Some("a random load-forecast error (weather.load_forecast_sd)".into());
    }
    if !c.mining.is_empty() {
        return Some(
            "mining ([mining]: registered and illegal mining load, policies, enforcement)".into(),
        );
    }
    if let Some(x) = c.exchanges.first() {
        return Some(format!("exchanges ([[exchanges]] '{}')", x.name));
    }
    if let Some(d) = c.disturbances.first() {
        return Some(format!("disturbances ([[disturbances]] '{}')", d.name));
    }
    if let Some(p) = c.vre.iter().find(|p| p.daily_sd != 0.0) {
        return Some(format!(
            "random renewables ([[renewables]] '{}' with daily_sd = {})",
            p.name, p.daily_sd
        ));
    }
    if let Some(b) = c.unit_rates.first() {
        return Some(format!(
            "hourly failure and repair rates (units '{}', rates_file)",
            b.name
        ));
    }
    if let Some(u) = c.units.iter().find(|u| u.cold.is_some()) {
        return Some(format!("cold-dependent failures (unit '{}', cold)", u.unit));
    }
    None
}

/// The load each hour's capacity is tested against: firm demand less the deterministic
/// renewables, computed as the sampler does ([`crate::inputs`]), watts.
fn net_load_w(model: &SystemModel) -> Vec<i64> {
    let cal = model.calendar();
    let mut load = model.regions()[0].demand_w().to_vec();
    for plant in &model.conditions().vre {
        for (h, l) in load.iter_mut().enumerate() {
            let cf = plant.profile.factor(h, cal.hour_of_day(h)).clamp(0.0, 1.0);
            *l -= (plant.capacity_w as f64 * cf).round() as i64;
        }
    }
    load
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

/// Convolve one unit into the pmf `b` of a capped block, whose last index is the cap: what
/// would go above it stays at it (`min(cap, x + c) = min(cap, min(cap, x) + c)`).
fn convolve_capped(b: &mut [f64], c: usize, a: f64, q: f64) {
    let top = b.len() - 1;
    let reach_top: f64 = b[top.saturating_sub(c)..].iter().sum();
    let old_top = b[top];
    for k in (c..top).rev() {
        b[k] = q * b[k] + a * b[k - c];
    }
    for v in &mut b[..c.min(top)] {
        *v *= q;
    }
    b[top] = q * old_top + a * reach_top;
}

/// Convolve a multi-state component of pmf `b` into `p` (entries above `hi` zero).
fn mix(p: &mut [f64], hi: &mut usize, b: &[f64]) {
    let n = p.len();
    let new_hi = (*hi + b.len() - 1).min(n - 1);
    for k in (0..=new_hi).rev() {
        let first = k.saturating_sub(*hi);
        p[k] = (first..=k.min(b.len() - 1)).map(|j| b[j] * p[k - j]).sum();
    }
    *hi = new_hi;
}

/// The pmf (truncated to `n` points) of the capacity of the `units`, unit `k` offering
/// `cap_of(k)` grid steps when up (0: not counted: out, or nothing to offer), each capped
/// block (`caps[b]` steps) counting at most its cap.
fn capacity_pmf(
    units: &[GridUnit],
    caps: &[usize],
    n: usize,
    cap_of: impl Fn(usize) -> usize + Copy,
) -> Vec<f64> {
    let mut p = vec![0.0; n];
    p[0] = 1.0;
    let mut hi = 0;
    for (i, u) in units.iter().enumerate() {
        if u.block.is_none() && cap_of(i) > 0 {
            convolve(&mut p, &mut hi, cap_of(i), u.a, u.q);
        }
    }
    for (b, &cap) in caps.iter().enumerate() {
        let members = || {
            units
                .iter()
                .enumerate()
                .filter(move |&(i, u)| u.block == Some(b) && cap_of(i) > 0)
        };
        let size = members().map(|(i, _)| cap_of(i)).sum::<usize>().min(cap) + 1;
        let mut block = vec![0.0; size];
        block[0] = 1.0;
        for (i, u) in members() {
            convolve_capped(&mut block, cap_of(i), u.a, u.q);
        }
        block.truncate(n);
        mix(&mut p, &mut hi, &block);
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

/// First moments: `mom[m]` = Σ_{k<m} k p_k (length n+1).
fn moments(p: &[f64]) -> Vec<f64> {
    let mut mom = Vec::with_capacity(p.len() + 1);
    let mut s = 0.0;
    mom.push(0.0);
    for (k, &v) in p.iter().enumerate() {
        s += k as f64 * v;
        mom.push(s);
    }
    mom
}

/// The joint law of a unit's capacity at two instants one hour apart (`one_hour`) or at
/// the same instant, as the weights (up-up, up-down, down-up, down-down); `None` if it is
/// out (a dated outage) at both. Out at one instant, it counts as down there, and its state
/// at the other is stationary (its random process runs on underneath).
fn pair_weights(u: &GridUnit, one_hour: bool, first: bool, second: bool) -> Option<[f64; 4]> {
    match (first, second) {
        (true, true) => {
            let e = if one_hour { u.e } else { 0.0 };
            Some([
                u.a * (1.0 - u.q * e),
                u.a * u.q * e,
                u.q * u.a * e,
                u.q * (1.0 - u.a * e),
            ])
        }
        (true, false) => Some([0.0, u.a, 0.0, u.q]),
        (false, true) => Some([0.0, 0.0, u.a, u.q]),
        (false, false) => None,
    }
}

/// A unit's capacity in grid steps at the two instants and its [`pair_weights`].
type Kernel = (usize, usize, [f64; 4]);

/// A capped block: its cap in grid steps and its units' [`Kernel`]s.
type BlockKernels = (usize, Vec<Kernel>);

/// The joint pmf (`l` × `l`, row-major, `l` = cap + 1) of a capped block's capacity at two
/// instants, from its units' capacities in steps (at each instant) and [`pair_weights`]:
/// each coordinate is `min(cap, sum of the units up)`.
fn block_joint(cap: usize, kernels: &[Kernel]) -> Vec<f64> {
    let l = cap + 1;
    let mut k = vec![0.0; l * l];
    k[0] = 1.0;
    let mut next = vec![0.0; l * l];
    for &(ca, cb, w) in kernels {
        next.fill(0.0);
        for a in 0..l {
            for b in 0..l {
                let p = k[a * l + b];
                if p == 0.0 {
                    continue;
                }
                let (ua, ub) = ((a + ca).min(cap), (b + cb).min(cap));
                next[ua * l + ub] += w[0] * p;
                next[ua * l + b] += w[1] * p;
                next[a * l + ub] += w[2] * p;
                next[a * l + b] += w[3] * p;
            }
        }
        std::mem::swap(&mut k, &mut next);
    }
    k
}

/// The 2-D cumulative table G[(a, b)] = P(C_t ≤ a, C_{t'} ≤ b), a, b < n, of the available
/// capacity at two instants (row-major, n × n), from each free unit's capacities in steps
/// and [`pair_weights`], and each capped block's cap and its units' [`Kernel`]s.
fn joint_cumulative(kernels: &[Kernel], blocks: &[BlockKernels], n: usize) -> Vec<f64> {
    let mut j = vec![0.0; n * n];
    j[0] = 1.0;
    let mut hi = 0usize;
    let mut scratch = vec![0.0; n];
    for &(ca, cb, [uu, ud, du, dd]) in kernels {
        let new_hi = (hi + ca.max(cb)).min(n - 1);
        let w = new_hi + 1;
        let cc = cb.min(w);
        // Row a (state at t) takes dd/du from old row a and uu/ud from old row a − ca;
        // rows are rewritten in descending order so old row a − ca is still intact.
        for a in (0..=new_hi).rev() {
            let (lo, rest) = j.split_at_mut(a * n);
            let row = &mut rest[..w];
            let out = &mut scratch[..w];
            if ca == 0 {
                // No capacity at t: up or down there, the same row.
                let (stay, up) = (dd + ud, du + uu);
                for b in 0..cc {
                    out[b] = stay * row[b];
                }
                for b in cc..w {
                    out[b] = stay * row[b] + up * row[b - cb];
                }
            } else if a >= ca {
                let src = &lo[(a - ca) * n..(a - ca) * n + w];
                for b in 0..cc {
                    out[b] = dd * row[b] + ud * src[b];
                }
                for b in cc..w {
                    out[b] = dd * row[b] + ud * src[b] + du * row[b - cb] + uu * src[b - cb];
                }
            } else {
                for b in 0..cc {
                    out[b] = dd * row[b];
                }
                for b in cc..w {
                    out[b] = dd * row[b] + du * row[b - cb];
                }
            }
            row.copy_from_slice(out);
        }
        hi = new_hi;
    }
    // Each capped block as one multi-state component: in place, descending in a then b, so
    // every entry read (at or below and left of the one written) is still the old one.
    for (cap, block_kernels) in blocks {
        let k = block_joint(*cap, block_kernels);
        let l = cap + 1;
        let kl = l.min(n);
        let new_hi = (hi + kl - 1).min(n - 1);
        for a in (0..=new_hi).rev() {
            for b in (0..=new_hi).rev() {
                let mut v = 0.0;
                for i in a.saturating_sub(hi)..=a.min(kl - 1) {
                    for x in b.saturating_sub(hi)..=b.min(kl - 1) {
                        v += k[i * l + x] * j[(a - i) * n + (b - x)];
                    }
                }
                j[a * n + b] = v;
            }
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
/// [module documentation](self) for what is modelled, the formulas and conventions).
///
/// Errors: [`AnalyticError::MultiRegion`] if the model has more than one region,
/// [`AnalyticError::Unsupported`] if it has a feature this method does not represent,
/// [`AnalyticError::GridTooLarge`] if the capacity grid has more than [`MAX_GRID_POINTS`]
/// points, [`AnalyticError::TooMuchWork`] if the estimated work exceeds [`WORK_BUDGET`].
pub fn exact(model: &SystemModel) -> Result<ExactIndices, AnalyticError> {
    let regions = model.regions().len();
    if regions != 1 {
        return Err(AnalyticError::MultiRegion { regions });
    }
    if let Some(feature) = unsupported(model) {
        return Err(AnalyticError::Unsupported { feature });
    }
    let load = net_load_w(model);
    let hours = load.len();
    let u = model.units();
    let cond = model.conditions();

    // Capped blocks (by index in `block_caps`) and their units' total capacity.
    let block_of = |i: usize| {
        cond.block_caps
            .iter()
            .position(|b| b.units.contains(&u.names[i]))
    };
    // A unit's hourly capacity (`capacity_file`), if its block has one.
    let profile_of =
        |i: usize| (cond.unit_profiles.iter()).position(|p| p.units.contains(&u.names[i]));
    let profiles: Vec<Option<usize>> = (0..u.len()).map(profile_of).collect();
    // The most a unit offers in any hour.
    let max_w = |i: usize| match profiles[i] {
        Some(p) => cond.unit_profiles[p]
            .capacity_w
            .iter()
            .copied()
            .max()
            .unwrap_or(0),
        None => u.capacity_w[i],
    };
    let live: Vec<usize> = (0..u.len()).filter(|&i| max_w(i) > 0).collect();
    let mut block_w = vec![0i128; cond.block_caps.len()];
    let mut total_w: i128 = 0;
    for &i in &live {
        match block_of(i) {
            Some(b) => block_w[b] += i128::from(max_w(i)),
            None => total_w += i128::from(max_w(i)),
        }
    }
    // A cap at or above its block's total never binds: it is left out of the grid.
    let binding: Vec<bool> = (cond.block_caps.iter().zip(&block_w))
        .map(|(b, &w)| i128::from(b.cap_w) < w)
        .collect();
    for (b, &w) in block_w.iter().enumerate() {
        total_w += w.min(i128::from(cond.block_caps[b].cap_w));
    }

    // Grid.
    let caps_w = (cond.block_caps.iter().zip(&binding))
        .filter(|&(_, &bind)| bind)
        .map(|(b, _)| b.cap_w);
    let hourly_w = (live.iter().filter_map(|&i| profiles[i]))
        .flat_map(|p| cond.unit_profiles[p].capacity_w.iter().copied());
    let step = (live.iter().filter(|&&i| profiles[i].is_none()))
        .map(|&i| u.capacity_w[i])
        .chain(hourly_w)
        .chain(caps_w)
        .fold(0, gcd);
    let step = if step == 0 { W_PER_MW } else { step };
    let total_steps = total_w / i128::from(step);
    let grid_points = u64::try_from(total_steps + 1).unwrap_or(u64::MAX);
    if grid_points > MAX_GRID_POINTS {
        return Err(AnalyticError::GridTooLarge {
            what: "the capacity outage table",
            points: grid_points,
            limit: MAX_GRID_POINTS,
            total_w,
            step_w: step,
        });
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
    let m: Vec<usize> = load.iter().map(|&l| m_of(l)).collect();
    // Truncation: no index at or above max m is ever looked up.
    let max_m = m.iter().copied().max().unwrap_or(0);
    let n = max_m.max(1);

    let mut units: Vec<GridUnit> = live
        .iter()
        .map(|&i| {
            let o = u.outage[i];
            let c = (max_w(i) / step) as usize;
            let (lambda, key) = match o {
                OutageModel::Continuous(o) => (
                    Some(1.0 / o.mttf_h),
                    (c, false, o.mttf_h.to_bits(), o.mttr_h.to_bits()),
                ),
                OutageModel::Discrete { p_fail, p_repair } => {
                    (None, (c, true, p_fail.to_bits(), p_repair.to_bits()))
                }
            };
            GridUnit {
                c,
                a: o.availability(),
                q: o.unavailability(),
                lambda,
                e: o.hour_mixing(),
                key,
                block: block_of(i),
                unit: i,
                profile: profiles[i],
            }
        })
        .collect();
    // Small units first keeps the support of the partial tables small.
    units.sort_by_key(|g| (g.key, g.block, g.profile));
    let caps: Vec<usize> = (cond.block_caps.iter().zip(&block_w))
        .map(|(b, &w)| (i128::from(b.cap_w).min(w) / i128::from(step)) as usize)
        .collect();

    // Dated outages and hourly capacities: hours in which every unit offers the same
    // capacity (0 while out) share one table, a class; class `classes[c]` holds each
    // unit's capacity in grid steps.
    let out_in: Vec<&[Range<usize>]> = units
        .iter()
        .map(|g| {
            cond.units
                .iter()
                .find(|c| c.unit == u.names[g.unit])
                .map_or(&[][..], |c| &c.dated_outages[..])
        })
        .collect();
    let varying: Vec<usize> = (0..units.len())
        .filter(|&k| !out_in[k].is_empty() || units[k].profile.is_some())
        .collect();
    let steps_in = |k: usize, h: usize| -> usize {
        if out_in[k].iter().any(|r| r.contains(&h)) {
            0
        } else if let Some(p) = units[k].profile {
            (cond.unit_profiles[p].capacity_w[h] / step) as usize
        } else {
            units[k].c
        }
    };
    let mut classes: Vec<Vec<usize>> = Vec::new();
    let mut class_of_hour = vec![0usize; hours];
    let mut index: HashMap<Vec<usize>, usize> = HashMap::new();
    for (h, class) in class_of_hour.iter_mut().enumerate() {
        let key: Vec<usize> = varying.iter().map(|&k| steps_in(k, h)).collect();
        *class = *index.entry(key).or_insert_with(|| {
            classes.push((0..units.len()).map(|k| steps_in(k, h)).collect());
            classes.len() - 1
        });
    }
    if classes.is_empty() {
        classes.push(units.iter().map(|g| g.c).collect());
    }
    // Pairs of classes: of consecutive hours (for `lolf`), and of the two sides of an hour
    // boundary where the class changes (for `lolf_ct`, cyclic).
    let mut apart: Vec<(usize, usize)> = (1..hours)
        .map(|h| (class_of_hour[h - 1], class_of_hour[h]))
        .collect();
    apart.sort_unstable();
    apart.dedup();
    let mut instant: Vec<(usize, usize)> = (0..hours)
        .map(|h| (class_of_hour[(h + hours - 1) % hours], class_of_hour[h]))
        .filter(|(a, b)| a != b)
        .collect();
    instant.sort_unstable();
    instant.dedup();

    // Work, in multiply-adds: every table, then the hours.
    let types = 1
        + (units.windows(2))
            .filter(|w| {
                (w[0].key, w[0].block, w[0].profile) != (w[1].key, w[1].block, w[1].profile)
            })
            .count();
    let per_table: u128 = units
        .iter()
        .map(|g| match g.block {
            None => n as u128,
            Some(b) => caps[b] as u128 + 1,
        })
        .sum::<u128>()
        + caps
            .iter()
            .map(|&c| (n.min(c + 1) * n) as u128)
            .sum::<u128>();
    let tables = classes.len() * (1 + types);
    let ranges: usize = varying.iter().map(|&k| out_in[k].len().max(1)).sum();
    // A capped block's types also scan its grid every hour for `lolf_ct`.
    let block_points: u128 = caps.iter().map(|&c| c as u128 + 1).sum();
    let work = per_table * tables as u128
        + (hours as u128) * (tables as u128 + 1 + ranges as u128 + block_points * types as u128);
    if work > u128::from(WORK_BUDGET) {
        return Err(AnalyticError::TooMuchWork {
            estimate: work,
            units: units.len(),
            tables,
            points: n,
            hours,
        });
    }
    // Per 2-D table: n² per unit, and per capped block 4 l² per unit and n² l² to mix it in.
    let per_joint: u128 = (units.len() as u128) * (n as u128).pow(2)
        + units
            .iter()
            .filter_map(|g| g.block)
            .map(|b| 4 * (caps[b] as u128 + 1).pow(2))
            .sum::<u128>()
        + caps
            .iter()
            .map(|&c| (n as u128).pow(2) * (n.min(c + 1) as u128).pow(2))
            .sum::<u128>();
    let joint_work = ((apart.len() + instant.len()) as u128) * per_joint;
    let joint_ok =
        max_m as u64 <= MAX_JOINT_POINTS_PER_AXIS && work + joint_work <= u128::from(WORK_BUDGET);

    // Capacity outage probability tables, prefix sums and first moments, per class.
    let tables: Vec<(Vec<f64>, Vec<f64>)> = (0..classes.len())
        .map(|class| {
            let p = capacity_pmf(&units, &caps, n, |k| classes[class][k]);
            (prefix(&p), moments(&p))
        })
        .collect();

    let step_f = step as f64;
    let mut lole_h = 0.0;
    let mut eue_wh = 0.0;
    for h in 0..hours {
        let (cum, mom) = &tables[class_of_hour[h]];
        let mh = m[h];
        lole_h += cum[mh];
        // Σ_{k<m} p_k (L − k·s), in steps to keep magnitudes moderate.
        eue_wh += (load[h] as f64 / step_f * cum[mh] - mom[mh]) * step_f;
    }

    // Daily peak: the day's first hour of largest load, with that hour's table.
    let days = model.calendar().days();
    let mut peak_hour: Vec<Option<usize>> = vec![None; days];
    for h in 0..hours {
        let d = model.calendar().day(h);
        if peak_hour[d].is_none_or(|p| load[h] > load[p]) {
            peak_hour[d] = Some(h);
        }
    }
    let lole_d_peak: f64 = peak_hour
        .iter()
        .flatten()
        .map(|&h| tables[class_of_hour[h]].0[m[h]])
        .sum();

    // The 2-D tables of class pairs, one hour apart or at one instant.
    let joint = |pairs: &[(usize, usize)], one_hour: bool| -> HashMap<(usize, usize), Vec<f64>> {
        pairs
            .iter()
            .map(|&(a, b)| {
                let kernel = |k: usize| {
                    let (ca, cb) = (classes[a][k], classes[b][k]);
                    pair_weights(&units[k], one_hour, ca > 0, cb > 0).map(|w| (ca, cb, w))
                };
                let free: Vec<Kernel> = (0..units.len())
                    .filter(|&k| units[k].block.is_none())
                    .filter_map(kernel)
                    .collect();
                let blocks: Vec<BlockKernels> = (caps.iter().enumerate())
                    .map(|(p, &cap)| {
                        let members = (0..units.len()).filter(|&k| units[k].block == Some(p));
                        (cap, members.filter_map(kernel).collect())
                    })
                    .collect();
                ((a, b), joint_cumulative(&free, &blocks, n))
            })
            .collect()
    };
    // P(C < m1 at the first instant, C < m2 at the second) from a 2-D cumulative table.
    let both = |g: &[f64], m1: usize, m2: usize| {
        if m1 == 0 || m2 == 0 {
            0.0
        } else {
            g[(m1 - 1) * n + (m2 - 1)]
        }
    };
    let cum = |h: usize| &tables[class_of_hour[h]].0;
    let (mut lolf, mut lolf_ct) = (None, None);
    // A discrete-time unit has no rate within an hour: no continuous-time frequency.
    let continuous_time = units.iter().all(|g| g.lambda.is_some());
    if max_m == 0 {
        lolf = Some(0.0);
        lolf_ct = continuous_time.then_some(0.0);
    } else {
        // Hourly-sampled frequency: needs the joint tables one hour apart.
        if joint_ok {
            let g = joint(&apart, true);
            let mut runs = cum(0)[m[0]];
            for h in 1..hours {
                let pair = &g[&(class_of_hour[h - 1], class_of_hour[h])];
                runs += cum(h)[m[h]] - both(pair, m[h - 1], m[h]);
            }
            lolf = Some(runs);
        }
        if continuous_time && (instant.is_empty() || joint_ok) {
            let g = joint(&instant, false);
            let crossing = |h: usize| {
                let prev = (h + hours - 1) % hours;
                let (a, b) = (class_of_hour[prev], class_of_hour[h]);
                if a != b {
                    cum(h)[m[h]] - both(&g[&(a, b)], m[prev], m[h])
                } else if m[h] > m[prev] {
                    cum(h)[m[h]] - cum(h)[m[prev]]
                } else {
                    0.0
                }
            };
            let mut ct = failure_rate(&units, &caps, n, &m, &classes, &class_of_hour);
            for h in 0..hours {
                ct += crossing(h);
            }
            lolf_ct = Some(ct);
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

/// The failure part of `lolf_ct`: Σ_h over the units i in service in hour h of
/// λ_i P(i up, C ≥ L_h, C without i < L_h), by unit type (capacity, MTTF, MTTR, block,
/// hourly capacity) and class (each unit's capacity in the hour, `classes`), one capacity
/// table per type and class. For a free unit that is
/// A P(L − c ≤ C_{−i} < L); for a unit of a block capped at k steps it is
/// A Σ_s P(S = s) P(L − min(k, s + c) ≤ R < L − s), with S the capacity of the block's other
/// units in service (capped at k) and R that of everything but the block.
fn failure_rate(
    units: &[GridUnit],
    caps: &[usize],
    n: usize,
    m: &[usize],
    classes: &[Vec<usize>],
    class_of_hour: &[usize],
) -> f64 {
    let mut rate = vec![0.0; m.len()];
    for (class, steps) in classes.iter().enumerate() {
        let serving = |k: usize| steps[k] > 0;
        let hours: Vec<usize> = (0..m.len())
            .filter(|&h| class_of_hour[h] == class)
            .collect();
        let mut i = 0;
        while i < units.len() {
            let t = units[i];
            let of_type = units[i..]
                .iter()
                .take_while(|v| (v.key, v.block, v.profile) == (t.key, t.block, t.profile))
                .count();
            let serving_of_type: Vec<usize> = (i..i + of_type).filter(|&k| serving(k)).collect();
            i += of_type;
            let Some(&first) = serving_of_type.first() else {
                continue;
            };
            // Called with continuous-time units only (NaN would show otherwise).
            let w = serving_of_type.len() as f64 * t.lambda.unwrap_or(f64::NAN) * t.a;
            // Units of one type offer the same capacity in a class.
            let c = steps[first];
            let Some(b) = t.block else {
                let others = |k: usize| if k == first { 0 } else { steps[k] };
                let cum_other = prefix(&capacity_pmf(units, caps, n, others));
                for &h in &hours {
                    rate[h] += w * (cum_other[m[h]] - cum_other[m[h].saturating_sub(c)]);
                }
                continue;
            };
            let rest = |k: usize| {
                if units[k].block == Some(b) {
                    0
                } else {
                    steps[k]
                }
            };
            let cum_rest = prefix(&capacity_pmf(units, caps, n, rest));
            let others: Vec<(usize, &GridUnit)> = (0..units.len())
                .filter(|&k| k != first && units[k].block == Some(b) && serving(k))
                .map(|k| (steps[k], &units[k]))
                .collect();
            let cap = caps[b];
            let mut sp = vec![0.0; others.iter().map(|&(c, _)| c).sum::<usize>().min(cap) + 1];
            sp[0] = 1.0;
            for (c, u) in others {
                convolve_capped(&mut sp, c, u.a, u.q);
            }
            for &h in &hours {
                let mh = m[h];
                let p: f64 = (sp.iter().enumerate())
                    .map(|(x, &px)| {
                        let up = (x + c).min(cap);
                        px * (cum_rest[mh.saturating_sub(x)] - cum_rest[mh.saturating_sub(up)])
                    })
                    .sum();
                rate[h] += w * p;
            }
        }
    }
    rate.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::{
        BlockCap, Conditions, Outage, Region, UnitConditions, UnitProfile, UnitSpec, Vre,
        VreProfile,
    };
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
            outage: Outage { mttf_h, mttr_h }.into(),
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
            x.lolf_ct.unwrap(),
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

    /// Stationary probability of unit state set `s` (bit i set: unit i up) of `units`
    /// given as (MW, MTTF h, MTTR h).
    fn state_probability(units: &[(f64, f64, f64)], s: usize) -> f64 {
        units
            .iter()
            .enumerate()
            .map(|(i, &(_, f, r))| {
                if s >> i & 1 == 1 {
                    f / (f + r)
                } else {
                    r / (f + r)
                }
            })
            .product()
    }

    /// One-hour transition probability from unit state set `s` to `t`.
    fn transition_probability(units: &[(f64, f64, f64)], s: usize, t: usize) -> f64 {
        units
            .iter()
            .enumerate()
            .map(|(i, &(_, f, r))| {
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
        let pi = |s: usize| state_probability(units, s);
        let trans = |s: usize, t: usize| transition_probability(units, s, t);
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
        close(x.lolf_ct.unwrap(), b.lolf_ct, 1e-11, "lolf_ct");
    }

    #[test]
    fn discrete_time_units_match_markov_enumeration() {
        // Each unit as (MW, availability, P(up -> down), P(down -> up)) over one hour: three
        // discrete-time units (independent, slow, anti-correlated) and a continuous one.
        let discrete = [(10.0, 0.1, 0.9), (20.0, 0.02, 0.1), (15.0, 0.6, 0.7)];
        let (c, f, r): (f64, f64, f64) = (15.0, 300.0, 20.0);
        let e = 1.0 - (-(1.0 / f + 1.0 / r)).exp();
        let mut chain: Vec<(f64, f64, f64, f64)> = discrete
            .iter()
            .map(|&(c, l, m)| (c, m / (l + m), l, m))
            .collect();
        chain.push((c, f / (f + r), r / (f + r) * e, f / (f + r) * e));
        let mut specs: Vec<UnitSpec> = discrete
            .iter()
            .enumerate()
            .map(|(i, &(c, p_fail, p_repair))| UnitSpec {
                outage: OutageModel::Discrete { p_fail, p_repair },
                ..unit(&format!("d{i}"), 0, c, 1.0, 1.0)
            })
            .collect();
        specs.push(unit("c", 0, c, f, r));
        let loads: Vec<f64> = (0..30)
            .map(|h| [30.0, 47.3, 12.5, 55.0, 60.0][h % 5])
            .collect();
        let x = exact(&model(&loads, specs)).unwrap();

        let states = 1usize << chain.len();
        let up = |s: usize, i: usize| s >> i & 1 == 1;
        let cap = |s: usize| -> f64 {
            (0..chain.len())
                .filter(|&i| up(s, i))
                .map(|i| chain[i].0)
                .sum()
        };
        let pi = |s: usize| -> f64 {
            (0..chain.len())
                .map(|i| {
                    if up(s, i) {
                        chain[i].1
                    } else {
                        1.0 - chain[i].1
                    }
                })
                .product()
        };
        let trans = |s: usize, t: usize| -> f64 {
            (0..chain.len())
                .map(|i| {
                    let (_, _, fail, repair) = chain[i];
                    match (up(s, i), up(t, i)) {
                        (true, true) => 1.0 - fail,
                        (true, false) => fail,
                        (false, true) => repair,
                        (false, false) => 1.0 - repair,
                    }
                })
                .product()
        };
        let (mut lole, mut eue, mut lolf) = (0.0, 0.0, 0.0);
        for (h, &l) in loads.iter().enumerate() {
            for s in 0..states {
                if cap(s) < l {
                    lole += pi(s);
                    eue += pi(s) * (l - cap(s));
                    if h == 0 {
                        lolf += pi(s);
                    }
                } else if h + 1 < loads.len() {
                    lolf += (0..states)
                        .filter(|&t| cap(t) < loads[h + 1])
                        .map(|t| pi(s) * trans(s, t))
                        .sum::<f64>();
                }
            }
        }
        close(x.lole_h, lole, 1e-12, "lole");
        close(x.eue_mwh, eue, 1e-11, "eue");
        close(x.lolf.unwrap(), lolf, 1e-11, "lolf");
        assert_eq!(
            x.lolf_ct, None,
            "no continuous-time frequency with discrete units"
        );
    }

    /// Indices by enumeration of the unit states, hour by hour: `units` (capacity MW,
    /// MTTF, MTTR), net loads in watts, and `cap(s, h)`, the capacity in MW of state `s` (bit
    /// i: unit i up) in hour `h`. `lolf` from pairs of states one hour apart; `lolf_ct` from
    /// failures within an hour and crossings of hour boundaries (cyclic), where the load or
    /// the set of units out may change; `lole_d` at each day's first hour of largest load.
    fn enumerate(
        units: &[(f64, f64, f64)],
        net_w: &[i64],
        cap: &dyn Fn(usize, usize) -> f64,
    ) -> Brute {
        let n = units.len();
        let states = 1usize << n;
        let pi = |s: usize| state_probability(units, s);
        let trans = |s: usize, t: usize| transition_probability(units, s, t);
        let cap_w = |s: usize, h: usize| mw_to_w(cap(s, h)).unwrap();
        let short = |s: usize, h: usize| cap_w(s, h) < net_w[h];
        let hrs = net_w.len();
        let mut b = Brute {
            lole: 0.0,
            eue: 0.0,
            lole_d: 0.0,
            lolf: 0.0,
            lolf_ct: 0.0,
        };
        for (h, &net) in net_w.iter().enumerate() {
            for s in 0..states {
                if short(s, h) {
                    b.lole += pi(s);
                    b.eue += pi(s) * (net - cap_w(s, h)) as f64 / 1e6;
                    if h == 0 {
                        b.lolf += pi(s);
                    }
                    continue;
                }
                for i in (0..n).filter(|&i| s >> i & 1 == 1) {
                    if short(s & !(1 << i), h) {
                        b.lolf_ct += pi(s) / units[i].1;
                    }
                }
                if h + 1 < hrs {
                    for t in (0..states).filter(|&t| short(t, h + 1)) {
                        b.lolf += pi(s) * trans(s, t);
                    }
                }
                if short(s, (h + 1) % hrs) {
                    b.lolf_ct += pi(s);
                }
            }
        }
        for day in 0..hrs.div_ceil(24) {
            let hours = day * 24..(day * 24 + 24).min(hrs);
            let peak = hours
                .clone()
                .fold(hours.start, |a, h| if net_w[h] > net_w[a] { h } else { a });
            b.lole_d += (0..states).filter(|&s| short(s, peak)).map(pi).sum::<f64>();
        }
        b
    }

    const UNITS: [(f64, f64, f64); 5] = [
        (10.0, 300.0, 20.0),
        (20.0, 150.0, 30.0),
        (15.0, 500.0, 60.0),
        (15.0, 300.0, 20.0),
        (20.0, 150.0, 30.0),
    ];

    /// A model of [`UNITS`] (named `u0`..`u4`) under `loads_mw`, with `conditions`.
    fn with_conditions(loads_mw: &[f64], conditions: Conditions) -> SystemModel {
        let specs = (UNITS.iter().enumerate())
            .map(|(i, &(c, f, r))| unit(&format!("u{i}"), 0, c, f, r))
            .collect();
        model(loads_mw, specs).with_conditions(conditions).unwrap()
    }

    fn dated(i: usize, hours: Range<usize>) -> UnitConditions {
        UnitConditions {
            unit: format!("u{i}"),
            cold: None,
            dated_outages: vec![hours],
        }
    }

    fn plant(mw: f64, profile: [f64; 24]) -> Vre {
        Vre {
            name: "pv".into(),
            region: 0,
            capacity_w: mw_to_w(mw).unwrap(),
            profile: VreProfile::ByHourOfDay(profile),
            daily_sd: 0.0,
            persistence: 0.0,
        }
    }

    fn check_all(x: &ExactIndices, b: &Brute) {
        close(x.lole_h, b.lole, 1e-12, "lole");
        close(x.eue_mwh, b.eue, 1e-11, "eue");
        close(x.lole_d_peak, b.lole_d, 1e-12, "lole_d_peak");
        close(x.lolf.unwrap(), b.lolf, 1e-11, "lolf");
        close(x.lolf_ct.unwrap(), b.lolf_ct, 1e-11, "lolf_ct");
    }

    /// Dated outages and a deterministic renewable plant against enumeration.
    #[test]
    fn dated_outages_and_renewables_match_brute_force_enumeration() {
        // u1 out in hours 5..12, u3 and u4 from hour 9 on.
        let out = |i: usize, h: usize| (i == 1 && (5..12).contains(&h)) || (i >= 3 && h >= 9);
        let loads: Vec<f64> = (0..40)
            .map(|h| 35.0 + 30.0 * ((h % 5) as f64 / 4.0))
            .collect();
        let profile: [f64; 24] = std::array::from_fn(|k| (k % 3) as f64 * 0.4);
        let m = with_conditions(
            &loads,
            Conditions {
                vre: vec![plant(10.0, profile)],
                units: vec![dated(1, 5..12), dated(3, 9..40), dated(4, 9..40)],
                ..Conditions::default()
            },
        );
        let net_w: Vec<i64> = (0..loads.len())
            .map(|h| mw_to_w(loads[h]).unwrap() - (10e6 * profile[h % 24]).round() as i64)
            .collect();
        let cap = |s: usize, h: usize| -> f64 {
            (0..UNITS.len())
                .filter(|&i| s >> i & 1 == 1 && !out(i, h))
                .map(|i| UNITS[i].0)
                .sum()
        };
        check_all(&exact(&m).unwrap(), &enumerate(&UNITS, &net_w, &cap));
    }

    /// Hourly unit capacities (`capacity_file`) against enumeration: a block of two units
    /// whose capacity changes from hour to hour (to 0 in some hours), one of them in a
    /// capped block, with a dated outage of another unit; each hour's table is that hour's
    /// capacities, and the frequencies see the capacity change at the hour boundary.
    #[test]
    fn hourly_capacities_match_brute_force_enumeration() {
        // u1 and u4 (20 MW installed) share an hourly capacity; u3 and u4 are capped at
        // 25 MW together; u2 is out in hours 6..10.
        let hourly_mw = |h: usize| [20.0, 15.0, 0.0, 10.0, 20.0, 5.0, 20.0][h % 7];
        let out = |i: usize, h: usize| i == 2 && (6..10).contains(&h);
        let loads: Vec<f64> = (0..30)
            .map(|h| 35.0 + 30.0 * ((h % 5) as f64 / 4.0))
            .collect();
        let hours = loads.len();
        let m = with_conditions(
            &loads,
            Conditions {
                units: vec![dated(2, 6..10)],
                unit_profiles: vec![UnitProfile {
                    name: "p".into(),
                    units: vec!["u1".into(), "u4".into()],
                    capacity_w: (0..hours).map(|h| mw_to_w(hourly_mw(h)).unwrap()).collect(),
                }],
                block_caps: vec![BlockCap {
                    name: "b".into(),
                    units: vec!["u3".into(), "u4".into()],
                    cap_w: mw_to_w(25.0).unwrap(),
                }],
                ..Conditions::default()
            },
        );
        let net_w: Vec<i64> = loads.iter().map(|&l| mw_to_w(l).unwrap()).collect();
        let cap = |s: usize, h: usize| -> f64 {
            let offer = |i: usize| match i {
                _ if s >> i & 1 == 0 || out(i, h) => 0.0,
                1 | 4 => hourly_mw(h),
                _ => UNITS[i].0,
            };
            offer(0) + offer(1) + offer(2) + (offer(3) + offer(4)).min(25.0)
        };
        let x = exact(&m).unwrap();
        assert_eq!(x.step_mw, 5.0);
        check_all(&x, &enumerate(&UNITS, &net_w, &cap));
    }

    /// A renewable plant with a full-window hourly series (no daily pattern) against
    /// enumeration: each hour's capacity law is tested against that hour's net load.
    #[test]
    fn full_window_renewable_series_match_brute_force_enumeration() {
        let loads: Vec<f64> = (0..45)
            .map(|h| 40.0 + 25.0 * ((h % 4) as f64 / 3.0))
            .collect();
        let factors: Vec<f64> = (0..45).map(|h| ((h * 7) % 11) as f64 / 10.0).collect();
        let m = with_conditions(
            &loads,
            Conditions {
                vre: vec![Vre {
                    profile: VreProfile::Hourly(factors.clone()),
                    ..plant(12.0, [0.0; 24])
                }],
                ..Conditions::default()
            },
        );
        let net_w: Vec<i64> = (0..loads.len())
            .map(|h| {
                mw_to_w(loads[h]).unwrap() - (12e6 * factors[h].clamp(0.0, 1.0)).round() as i64
            })
            .collect();
        // The series is not a daily pattern: hours 0 and 24 differ.
        assert_ne!(net_w[0], net_w[24]);
        let cap = |s: usize, _: usize| -> f64 {
            (0..UNITS.len())
                .filter(|&i| s >> i & 1 == 1)
                .map(|i| UNITS[i].0)
                .sum()
        };
        check_all(&exact(&m).unwrap(), &enumerate(&UNITS, &net_w, &cap));
    }

    /// A capped block, dated outages (one of them of a unit in the block) and a
    /// deterministic renewable plant (with factors clipped to 1) against enumeration.
    #[test]
    fn capped_blocks_match_brute_force_enumeration() {
        let block = [2, 3]; // capped at 25 MW of their 30
        let out = |i: usize, h: usize| {
            (i == 1 && (5..12).contains(&h)) || (i == 3 && h >= 20) || (i == 4 && h >= 9)
        };
        let loads: Vec<f64> = (0..50)
            .map(|h| 40.0 + 25.0 * ((h % 7) as f64 / 6.0))
            .collect();
        let profile: [f64; 24] = std::array::from_fn(|k| (k % 5) as f64 * 0.3);
        let m = with_conditions(
            &loads,
            Conditions {
                vre: vec![plant(12.5, profile)],
                units: vec![dated(1, 5..12), dated(3, 20..50), dated(4, 9..50)],
                block_caps: vec![BlockCap {
                    name: "b".into(),
                    units: vec!["u2".into(), "u3".into()],
                    cap_w: mw_to_w(25.0).unwrap(),
                }],
                ..Conditions::default()
            },
        );
        let net_w: Vec<i64> = (0..loads.len())
            .map(|h| {
                let pv = (12.5e6 * profile[h % 24].clamp(0.0, 1.0)).round() as i64;
                mw_to_w(loads[h]).unwrap() - pv
            })
            .collect();
        let cap = |s: usize, h: usize| -> f64 {
            let up = |i: usize| s >> i & 1 == 1 && !out(i, h);
            let free: f64 = (0..UNITS.len())
                .filter(|&i| up(i) && !block.contains(&i))
                .map(|i| UNITS[i].0)
                .sum();
            let capped: f64 = block.iter().filter(|&&i| up(i)).map(|&i| UNITS[i].0).sum();
            free + capped.min(25.0)
        };
        let x = exact(&m).unwrap();
        assert_eq!(x.step_mw, 5.0);
        check_all(&x, &enumerate(&UNITS, &net_w, &cap));
    }

    #[test]
    fn unmodelled_conditions_are_refused_by_name() {
        use gridrisk_core::model::ColdRule;
        let base = || model(&[10.0], vec![unit("u", 0, 20.0, 100.0, 10.0)]);
        let random = Conditions {
            vre: vec![Vre {
                name: "wind".into(),
                region: 0,
                capacity_w: 1,
                profile: VreProfile::ByHourOfDay([0.5; 24]),
                daily_sd: 0.3,
                persistence: 0.0,
            }],
            ..Conditions::default()
        };
        let cold = Conditions {
            units: vec![UnitConditions {
                unit: "u".into(),
                cold: Some(ColdRule {
                    zone: 0,
                    below_anomaly_c: -10.0,
                    factor: 2.0,
                }),
                dated_outages: Vec::new(),
            }],
            ..Conditions::default()
        };
        for (c, want) in [
            (random, "'wind' with daily_sd = 0.3"),
            (cold, "unit 'u', cold"),
        ] {
            let m = base().with_conditions(c).unwrap();
            match exact(&m) {
                Err(AnalyticError::Unsupported { feature }) => {
                    assert!(feature.contains(want), "{feature}")
                }
                other => panic!("{want}: {other:?}"),
            }
        }
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
        assert!(x.lole_h > 0.0 && x.lolf_ct.unwrap() > 0.0);
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
        assert_eq!(x.lolf_ct, Some(2.0));
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
        let lolf_ct = x.lolf_ct.unwrap();
        assert!((lolf_ct - 2.0197).abs() <= 1e-3, "lolf_ct {lolf_ct}");
        assert!((x.lole_h / lolf_ct - 4.651).abs() <= 2e-3);
    }
}
