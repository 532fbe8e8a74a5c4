//! Sampling of cryptocurrency mining: registered mining under its policies, the illegal farm
//! population of a sample, and its enforcement history, day by day.
//!
//! This module owns the random part of [`gridrisk_core::model::Mining`]: a [`MiningSampler`]
//! is built once per worker, and [`MiningSampler::sample`] fills a reusable [`MiningDraw`]
//! with one sample's mining, hour by hour.
//!
//! # Registered mining (deterministic)
//!
//! Region `r` in study hour `h` has the sum of its
//! [`RegisteredMining`](gridrisk_core::model::RegisteredMining) loads, flat over the day,
//! less the reductions of every [`MiningPolicy::SelfLimit`] of `r` with `from_h <= h`, never
//! below 0. Self-limits reduce only this registered load, not load added by an amnesty.
//! Every hour is then in one of three modes, the same in all regions:
//!
//! * *off* if a [`MiningPolicy::Ban`] covers `h`, or a [`MiningPolicy::Curtail`] covers `h`
//!   and lists `h`'s hour of day ([`Calendar::hour_of_day`]): registered mining is 0;
//! * else *interruptible* if a [`MiningPolicy::Interruptible`] covers `h`;
//! * else *firm*.
//!
//! # Illegal farms (population stream)
//!
//! All draws come, in this order, from the population stream
//! `key.stream(component_id("mining:illegal"), Purpose::MiningPopulation)`, so the population
//! depends on the [`IllegalMining`] parameters only, never on a policy or a campaign:
//!
//! * the national total `T`, triangular `(a, c, b) = (min, mode, max)`, by inversion of one
//!   uniform `u`: `T = a + sqrt(u (b - a)(c - a))` if `u < (c - a)/(b - a)`, else
//!   `T = b - sqrt((1 - u)(b - a)(b - c))`, rounded to whole watts;
//! * then farm after farm, three uniforms each: its size, lognormal with mean `m` and
//!   coefficient of variation `v`, `size = exp(mu + sigma z)` with `sigma^2 = ln(1 + v^2)`,
//!   `mu = ln m - sigma^2 / 2` and `z` the normal quantile (Wichura's AS241) of the uniform
//!   moved to the middle of its 2^-53 cell (so it is in (0, 1)), rounded to whole watts and at
//!   least 1 W; its region, by inversion of the cumulative shares; its priority, the uniform
//!   itself. Farms are drawn until their sizes reach `T`; the last one is cut so that the
//!   sizes sum to `T` exactly.
//!
//! # Enforcement (per-farm streams)
//!
//! The state of the farms is a function of the study day: every farm is connected at the start
//! of the window, and a change on day `d` holds from the start of day `d` (hour `24 d`). Each
//! day `d` is processed in this order:
//!
//! 1. farms due to reconnect on `d` reconnect (in their new region, if they move);
//! 2. each [`Enforcement`] with `amnesty_day == Some(d)`, in list order, turns every connected
//!    illegal farm into registered load of its region from day `d` on, served as registered
//!    mining (off, interruptible or firm by the hour's mode). Amnestied farms are never
//!    inspected again; farms that are disconnected at the time stay illegal and, if they
//!    reconnect, reconnect as illegal farms;
//! 3. every farm `f` has `U(f, d)`, the `d`-th uniform of its detection stream
//!    `key.stream(component_id("farm:{f}"), Purpose::Detection)`: one uniform per day for every
//!    day up to the last inspection day in the window, connected or not, so `U(f, d)` does not
//!    depend on the history;
//! 4. each campaign whose days contain `d`, in list order: a connected illegal farm is detected
//!    if `u < p`, `p = 1 - exp(-hazard_per_day)`, starting from `u = U(f, d)`. Detection is
//!    then `P = 1 - exp(-hazard)` per day, and after `t` days of a campaign without reconnection
//!    a farm is still connected with probability `exp(-hazard t)`. So that two campaigns on
//!    one day act independently, the uniform is renormalised after each test (`u / p` if
//!    detected, `(u - p) / (1 - p)` if not, with `1 - p = exp(-hazard)`; computed by
//!    multiplying with the reciprocals), which is again uniform and independent of the test;
//!    a single campaign uses `U(f, d)` itself. Hence, without a capacity limit, campaigns of
//!    hazards `h1` and `h2` on one day detect exactly the farms with
//!    `U(f, d) < 1 - exp(-(h1 + h2))` (up to rounding), as one campaign of `h1 + h2` would.
//!    Of the farms a campaign detects, at most `inspections_per_day` are disconnected:
//!    highest priority first, ties by farm index (the others stay connected).
//!
//! # Heterogeneous detectability
//!
//! With `detectability_cv` `c > 0` or `detectability_size_exponent` `g > 0`, farm `f` has a
//! detectability `D_f = Z_f (S_f / m)^g`, where `S_f` is its size, `m` the mean farm size and
//! `Z_f` a gamma frailty of mean 1 and CV `c` (shape `1 / c^2`; 1 when `c = 0`) drawn from
//! the farm's own stream `key.stream(component_id("farm:{f}"), Purpose::Detectability)` by
//! `gamma_mean_one` (Marsaglia and Tsang), after the population and independent of every other draw. Every
//! campaign's hazard is then `hazard_per_day D_f` for that farm, with step 4 unchanged
//! otherwise, so a farm is still connected after `t` days of one uncapped campaign with
//! probability `exp(-hazard D_f t)`, and, over the frailty, `(1 + c^2 hazard t)^(-1/c^2)`
//! (the gamma's Laplace transform): the easy farms are found first. With `c = 0` and `g = 0`
//! nothing more is drawn and the output is that of homogeneous detection, bit for bit.
//!
//! A disconnected farm draws four uniforms from its reconnection stream
//! `key.stream(component_id("farm:{f}"), Purpose::Reconnection)`, always four per
//! disconnection, used or not: `u1 < reconnect_probability` decides whether it reconnects;
//! `u2` the delay `lo + floor(u2 (hi - lo + 1))` days (a delay of 0 counts as 1: a farm is off
//! for at least the day it is disconnected); `u3 < relocate_probability` whether it moves; and
//! `u4` where to: a region drawn by inversion of the shares of the *other* regions,
//! renormalised (a farm whose region holds all the share stays where it is).
//!
//! The inspections of an [`Enforcement`] whose days are empty or start after the window are
//! dropped when the sampler is built, and no detection uniform is drawn for days after the last
//! inspection day, so such an enforcement without an amnesty in the window gives exactly the
//! output of none. Days and hours beyond the window are clipped.
//!
//! # Outputs
//!
//! [`MiningDraw`] gives, per region and study hour, registered mining served as firm load,
//! registered mining that is interruptible, and illegal mining (firm), in integer watts; and
//! per day, the national illegal load and the number of connected farms. Illegal and amnestied
//! load are stored per day (they change only at the start of a day) and registered load per
//! hour, shared between the sampler and its draws.

use crate::rng::{Purpose, SampleKey, Stream};
use crate::weather::normal_quantile;
use gridrisk_core::hash::{fnv1a, FNV_OFFSET};
use gridrisk_core::model::{component_id, Enforcement, IllegalMining, Mining, MiningPolicy};
use gridrisk_core::Calendar;
use std::ops::Range;
use std::sync::Arc;

/// Tolerance on the sum of the illegal-mining shares.
const SHARE_TOLERANCE: f64 = 1e-9;

/// Largest ratio of the maximum national total to the mean farm size (a guard against a
/// population of millions of farms).
const MAX_FARMS_RATIO: f64 = 1e6;

/// Why mining parameters cannot be sampled.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum MiningError {
    /// A region index does not exist.
    #[error("{what} names region index {region}, but there are {regions} regions")]
    UnknownRegion {
        /// What names the region.
        what: String,
        /// Region index given.
        region: usize,
        /// Number of regions.
        regions: usize,
    },
    /// A load or reduction is negative.
    #[error("{what} is negative ({value_w} W)")]
    NegativePower {
        /// What is negative.
        what: String,
        /// Value, watts.
        value_w: i64,
    },
    /// The triangular law of the national illegal total is not `0 <= min <= mode <= max`.
    #[error(
        "illegal mining total needs 0 <= min <= mode <= max, got {min_w} / {mode_w} / {max_w} W"
    )]
    Triangular {
        /// Minimum, watts.
        min_w: i64,
        /// Mode, watts.
        mode_w: i64,
        /// Maximum, watts.
        max_w: i64,
    },
    /// A share is negative or not finite, or the shares do not sum to 1.
    #[error("illegal mining shares must be >= 0 and sum to 1 (within 1e-9), got sum {sum}")]
    Shares {
        /// Sum of the shares.
        sum: f64,
    },
    /// The farm-size law is not a valid lognormal.
    #[error("farm sizes need mean >= 1 W and cv >= 0 (finite), got mean {mean_w} W, cv {cv}")]
    FarmSize {
        /// Mean farm size, watts.
        mean_w: f64,
        /// Coefficient of variation.
        cv: f64,
    },
    /// The detectability law is not valid.
    #[error(
        "farm detectability needs cv >= 0 and size exponent >= 0 (finite), got cv {cv}, \
         exponent {exponent}"
    )]
    Detectability {
        /// Coefficient of variation of the frailty.
        cv: f64,
        /// Exponent of the size bias.
        exponent: f64,
    },
    /// Too many farms would be drawn.
    #[error("illegal mining of up to {max_w} W in farms of {mean_w} W is more than 1e6 farms")]
    TooManyFarms {
        /// Maximum national total, watts.
        max_w: i64,
        /// Mean farm size, watts.
        mean_w: f64,
    },
    /// A probability is outside [0, 1].
    #[error("enforcement '{name}': {field} must be in [0, 1], got {value}")]
    Probability {
        /// Policy name.
        name: String,
        /// Which probability.
        field: &'static str,
        /// Value given.
        value: f64,
    },
    /// A hazard is negative or not finite.
    #[error("enforcement '{name}': hazard per day must be finite and >= 0, got {value}")]
    Hazard {
        /// Policy name.
        name: String,
        /// Value given.
        value: f64,
    },
    /// The reconnection delays are not ordered.
    #[error("enforcement '{name}': reconnection delay {lo}..={hi} days is not ordered")]
    Delay {
        /// Policy name.
        name: String,
        /// Shortest delay, days.
        lo: u32,
        /// Longest delay, days.
        hi: u32,
    },
}

/// Mode of registered mining in one hour (all regions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Firm,
    Interruptible,
    Off,
}

/// The illegal-mining law, prepared for sampling.
#[derive(Clone, Debug)]
struct Illegal {
    min_w: f64,
    mode_w: f64,
    max_w: f64,
    /// (region, share), as given.
    shares: Vec<(usize, f64)>,
    /// (region, cumulative share).
    cumulative: Vec<(usize, f64)>,
    mu: f64,
    sigma: f64,
    /// Mean farm size, watts (the size bias of detection is relative to it).
    mean_w: f64,
    /// Shape `1 / cv^2` of the detectability frailty; `None` without one.
    frailty_shape: Option<f64>,
    /// Exponent of the size bias of detection (0: none).
    size_exponent: f64,
}

impl Illegal {
    /// Whether farms differ in detectability (otherwise every farm has a campaign's hazard).
    fn heterogeneous(&self) -> bool {
        self.frailty_shape.is_some() || self.size_exponent != 0.0
    }

    /// The detectability of a farm of `size_w`: its frailty from its own stream `s` (gamma,
    /// mean 1) times `(size / mean)^size_exponent`.
    fn detectability(&self, size_w: i64, s: &mut Stream) -> f64 {
        let frailty = self.frailty_shape.map_or(1.0, |k| gamma_mean_one(k, s));
        let bias = if self.size_exponent == 0.0 {
            1.0
        } else {
            libm::pow(size_w as f64 / self.mean_w, self.size_exponent)
        };
        frailty * bias
    }

    /// The national total of uniform `u`, by inversion of the triangular law.
    fn total_w(&self, u: f64) -> i64 {
        let (a, c, b) = (self.min_w, self.mode_w, self.max_w);
        if b <= a {
            return a.round() as i64;
        }
        let t = if u < (c - a) / (b - a) {
            a + ((u * (b - a)) * (c - a)).sqrt()
        } else {
            b - (((1.0 - u) * (b - a)) * (b - c)).sqrt()
        };
        (t.round() as i64).clamp(a as i64, b as i64)
    }

    /// The farm size of uniform `u`, watts (>= 1).
    fn size_w(&self, u: f64) -> i64 {
        let z = normal_quantile(open(u));
        let s = libm::exp(self.mu + self.sigma * z);
        if s.is_finite() {
            (s.round() as i64).max(1)
        } else {
            i64::MAX
        }
    }

    /// The region of uniform `u`, by inversion of the cumulative shares.
    fn region(&self, u: f64) -> usize {
        let total = self.cumulative.last().map_or(0.0, |&(_, c)| c);
        let x = u * total;
        let mut last = self.cumulative.first().map_or(0, |&(r, _)| r);
        let mut prev = 0.0;
        for &(r, c) in &self.cumulative {
            if x < c {
                return r;
            }
            if c > prev {
                last = r;
            }
            prev = c;
        }
        last
    }

    /// A region other than `own`, drawn by inversion of the other regions' shares
    /// (renormalised); `own` if the other regions have no share.
    fn other_region(&self, own: usize, u: f64) -> usize {
        let total: f64 = self
            .shares
            .iter()
            .filter(|&&(r, _)| r != own)
            .map(|&(_, s)| s)
            .sum();
        if total <= 0.0 {
            return own;
        }
        let x = u * total;
        let mut cum = 0.0;
        let mut last = own;
        for &(r, s) in self.shares.iter().filter(|&&(r, _)| r != own) {
            if s <= 0.0 {
                continue;
            }
            cum += s;
            last = r;
            if x < cum {
                return r;
            }
        }
        last
    }
}

/// An enforcement campaign, prepared for sampling.
#[derive(Clone, Debug)]
struct Campaign {
    /// Days, clipped to the window (non-empty).
    days: Range<usize>,
    /// Detection hazard per day (of a farm of detectability 1).
    hazard: f64,
    /// Daily detection probability `1 - exp(-hazard)`.
    p: f64,
    /// `1 / p` (infinite if `p = 0`: then never used).
    inv_p: f64,
    /// `1 / (1 - p)` (infinite if `p = 1`: then never used).
    inv_q: f64,
    /// Most farms disconnected per day.
    cap: usize,
    reconnect_p: f64,
    delay: (u32, u32),
    relocate_p: f64,
}

/// One region's rows of the hourly mining parts, W (see [`MiningDraw::region_hours`]).
pub struct MiningHours<'a> {
    /// Registered mining served as firm load.
    pub registered_firm_w: &'a mut [i64],
    /// Illegal mining connected.
    pub illegal_w: &'a mut [i64],
    /// Registered mining that is interruptible.
    pub interruptible_w: &'a mut [i64],
}

/// One sample's mining, filled by [`MiningSampler::sample`]; reuse it across samples (no
/// allocation once its buffers have grown to the largest farm population seen).
///
/// Registered and illegal power are constant within a study day except for the hourly mode of
/// registered mining, so the per-hour accessors read per-day values.
pub struct MiningDraw {
    regions: usize,
    hours: usize,
    days: usize,
    /// Registered load after self-limits, `r * hours + h` (shared with the sampler).
    registered_w: Arc<[i64]>,
    /// Mode of each hour (shared with the sampler).
    mode: Arc<[Mode]>,
    /// Amnestied load, `r * days + d`.
    amnesty_w: Vec<i64>,
    /// Illegal load connected, `r * days + d`.
    illegal_w: Vec<i64>,
    illegal_by_day_w: Vec<i64>,
    connected_by_day: Vec<usize>,
    total_w: i64,
    disconnections: usize,
    // Farms.
    size_w: Vec<i64>,
    region: Vec<usize>,
    home: Vec<usize>,
    priority: Vec<f64>,
    state: Vec<FarmState>,
    reconnect_day: Vec<usize>,
    reconnect_region: Vec<usize>,
    /// Detection uniforms `U(f, d)` for the inspection days, `f * span + (d - first)`.
    u: Vec<f64>,
    /// With heterogeneous detectability, per campaign `c` and farm `f` (`c * farms + f`):
    /// the daily detection probability `p`, `1 / p` and `1 / (1 - p)`.
    farm_p: Vec<[f64; 3]>,
    reconnect: Vec<Stream>,
    // Scratch.
    detected: Vec<usize>,
    connected_w: Vec<i64>,
    amnestied_w: Vec<i64>,
}

/// State of one farm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FarmState {
    Connected,
    Off,
    Registered,
}

impl MiningDraw {
    /// An empty draw for `regions` regions and `hours` study hours (all mining 0).
    pub fn new(regions: usize, hours: usize) -> MiningDraw {
        let days = hours.div_ceil(24);
        MiningDraw {
            regions,
            hours,
            days,
            registered_w: Arc::from(vec![0; regions * hours]),
            mode: Arc::from(vec![Mode::Firm; hours]),
            amnesty_w: vec![0; regions * days],
            illegal_w: vec![0; regions * days],
            illegal_by_day_w: vec![0; days],
            connected_by_day: vec![0; days],
            total_w: 0,
            disconnections: 0,
            size_w: Vec::new(),
            region: Vec::new(),
            home: Vec::new(),
            priority: Vec::new(),
            state: Vec::new(),
            reconnect_day: Vec::new(),
            reconnect_region: Vec::new(),
            u: Vec::new(),
            farm_p: Vec::new(),
            reconnect: Vec::new(),
            detected: Vec::new(),
            connected_w: vec![0; regions],
            amnestied_w: vec![0; regions],
        }
    }

    /// Registered mining in region `r` (amnestied farms included) in the hour's mode.
    #[inline]
    fn registered(&self, r: usize, h: usize) -> i64 {
        self.registered_w[r * self.hours + h] + self.amnesty_w[r * self.days + h / 24]
    }

    /// Registered mining served as firm load in region `r`, hour `h` (W): its load when
    /// neither a ban or curtailment stops it nor an `Interruptible` policy covers `h`, else 0.
    #[inline]
    pub fn registered_firm_w(&self, r: usize, h: usize) -> i64 {
        match self.mode[h] {
            Mode::Firm => self.registered(r, h),
            _ => 0,
        }
    }

    /// Registered mining that is interruptible in region `r`, hour `h` (W): its load when an
    /// `Interruptible` policy covers `h` (and no ban or curtailment stops it), else 0.
    #[inline]
    pub fn registered_interruptible_w(&self, r: usize, h: usize) -> i64 {
        match self.mode[h] {
            Mode::Interruptible => self.registered(r, h),
            _ => 0,
        }
    }

    /// Region `r`'s mining in every hour into `out`: the rows of
    /// [`MiningDraw::registered_firm_w`], [`MiningDraw::illegal_w`] and
    /// [`MiningDraw::registered_interruptible_w`], a day at a time (illegal and amnestied
    /// load change once a day).
    pub fn region_hours(&self, r: usize, out: MiningHours<'_>) {
        let registered = &self.registered_w[r * self.hours..(r + 1) * self.hours];
        let hours = registered
            .chunks(24)
            .zip(self.mode.chunks(24))
            .zip(out.registered_firm_w.chunks_mut(24))
            .zip(out.illegal_w.chunks_mut(24))
            .zip(out.interruptible_w.chunks_mut(24));
        for (d, ((((registered, mode), firm), illegal), interruptible)) in hours.enumerate() {
            let (amnesty_w, illegal_w) = (
                self.amnesty_w[r * self.days + d],
                self.illegal_w[r * self.days + d],
            );
            illegal.fill(illegal_w);
            let parts = firm.iter_mut().zip(interruptible.iter_mut());
            for ((&w, &mode), (firm, interruptible)) in registered.iter().zip(mode).zip(parts) {
                let w = w + amnesty_w;
                (*firm, *interruptible) = match mode {
                    Mode::Firm => (w, 0),
                    Mode::Interruptible => (0, w),
                    Mode::Off => (0, 0),
                };
            }
        }
    }

    /// Illegal mining connected in region `r`, hour `h` (W); firm load.
    #[inline]
    pub fn illegal_w(&self, r: usize, h: usize) -> i64 {
        self.illegal_w[r * self.days + h / 24]
    }

    /// Illegal mining connected nationally on each study day, after that day's changes (W),
    /// which is also its value at the end of the day.
    pub fn illegal_by_day_w(&self) -> &[i64] {
        &self.illegal_by_day_w
    }

    /// Number of illegal farms connected on each study day, after that day's changes.
    pub fn farms_connected_by_day(&self) -> &[usize] {
        &self.connected_by_day
    }

    /// Number of farms drawn in this sample.
    pub fn farms(&self) -> usize {
        self.size_w.len()
    }

    /// Number of disconnections in this sample (a farm that reconnects and is caught again
    /// counts again).
    pub fn disconnections(&self) -> usize {
        self.disconnections
    }

    /// The national illegal total `T` drawn in this sample (W); the farm sizes sum to it.
    pub fn illegal_total_w(&self) -> i64 {
        self.total_w
    }

    /// Size of each farm (W), in farm order; the last one may be cut to make the total `T`.
    pub fn farm_sizes_w(&self) -> &[i64] {
        &self.size_w
    }

    /// The region in which each farm was drawn (before any relocation), in farm order.
    pub fn farm_regions(&self) -> &[usize] {
        &self.home
    }

    /// The priority uniform of each farm (higher: inspected first), in farm order.
    pub fn farm_priorities(&self) -> &[f64] {
        &self.priority
    }

    /// Reset for a sample of `sampler`, keeping the buffers.
    fn reset(&mut self, sampler: &MiningSampler) {
        self.regions = sampler.regions;
        self.hours = sampler.hours;
        self.days = sampler.days;
        self.registered_w = Arc::clone(&sampler.registered_w);
        self.mode = Arc::clone(&sampler.mode);
        let (rd, d) = (self.regions * self.days, self.days);
        for v in [&mut self.amnesty_w, &mut self.illegal_w] {
            v.clear();
            v.resize(rd, 0);
        }
        self.illegal_by_day_w.clear();
        self.illegal_by_day_w.resize(d, 0);
        self.connected_by_day.clear();
        self.connected_by_day.resize(d, 0);
        for v in [&mut self.connected_w, &mut self.amnestied_w] {
            v.clear();
            v.resize(self.regions, 0);
        }
        self.total_w = 0;
        self.disconnections = 0;
        self.size_w.clear();
        self.region.clear();
        self.home.clear();
        self.priority.clear();
        self.state.clear();
        self.reconnect_day.clear();
        self.reconnect_region.clear();
        self.u.clear();
        self.farm_p.clear();
        self.reconnect.clear();
        self.detected.clear();
    }
}

/// Samples the mining of a system: built once per worker, then [`MiningSampler::sample`] for
/// each sample.
#[derive(Clone, Debug)]
pub struct MiningSampler {
    regions: usize,
    hours: usize,
    days: usize,
    registered_w: Arc<[i64]>,
    mode: Arc<[Mode]>,
    illegal: Option<Illegal>,
    population_id: u64,
    campaigns: Vec<Campaign>,
    /// Amnesty days in the window, in list order.
    amnesty_days: Vec<usize>,
    /// First day of any campaign in the window.
    detect_start: usize,
    /// Detection uniforms are drawn for days `0..detect_end` (those before `detect_start`
    /// are skipped without being stored).
    detect_end: usize,
}

impl MiningSampler {
    /// A sampler for `mining` in a system of `regions` regions over `calendar`'s window.
    ///
    /// Checks region indices, non-negative loads and reductions, `0 <= min <= mode <= max`,
    /// shares `>= 0` summing to 1 within 1e-9, a mean farm size `>= 1 W` and `cv >= 0`,
    /// probabilities in [0, 1], hazards `>= 0` and ordered delays.
    pub fn new(
        mining: &Mining,
        regions: usize,
        calendar: &Calendar,
    ) -> Result<MiningSampler, MiningError> {
        let hours = calendar.hours();
        let days = calendar.days();
        let check_region = |what: String, region: usize| {
            if region < regions {
                Ok(())
            } else {
                Err(MiningError::UnknownRegion {
                    what,
                    region,
                    regions,
                })
            }
        };
        let check_power = |what: String, value_w: i64| {
            if value_w >= 0 {
                Ok(())
            } else {
                Err(MiningError::NegativePower { what, value_w })
            }
        };

        // Registered load per region and hour.
        let mut load = vec![0i64; regions];
        for (i, m) in mining.registered.iter().enumerate() {
            check_region(format!("registered mining #{i}"), m.region)?;
            check_power(format!("registered mining #{i}"), m.load_w)?;
            load[m.region] = load[m.region].saturating_add(m.load_w);
        }
        let mut registered_w = vec![0i64; regions * hours];
        for (r, &l) in load.iter().enumerate() {
            registered_w[r * hours..(r + 1) * hours].fill(l);
        }
        let mut mode = vec![Mode::Firm; hours];
        let clip = |hs: &Range<usize>| hs.start.min(hours)..hs.end.min(hours);
        for (i, p) in mining.policies.iter().enumerate() {
            match p {
                MiningPolicy::Interruptible { hours: hs } => {
                    for m in &mut mode[clip(hs)] {
                        if *m == Mode::Firm {
                            *m = Mode::Interruptible;
                        }
                    }
                }
                MiningPolicy::Ban { hours: hs } => mode[clip(hs)].fill(Mode::Off),
                MiningPolicy::Curtail {
                    hours: hs,
                    hours_of_day,
                } => {
                    for h in clip(hs) {
                        if hours_of_day[calendar.hour_of_day(h)] {
                            mode[h] = Mode::Off;
                        }
                    }
                }
                MiningPolicy::SelfLimit {
                    region,
                    reduction_w,
                    from_h,
                } => {
                    check_region(format!("self-limit #{i}"), *region)?;
                    check_power(format!("self-limit #{i}"), *reduction_w)?;
                    let row = &mut registered_w[region * hours..(region + 1) * hours];
                    for v in &mut row[(*from_h).min(hours)..] {
                        *v = v.saturating_sub(*reduction_w).max(0);
                    }
                }
            }
        }
        // Self-limits subtract one after another, each clamped at 0: the result is
        // max(0, load - sum of reductions) either way, since reductions are >= 0.

        let illegal = match &mining.illegal {
            None => None,
            Some(ill) => Some(prepare_illegal(ill, regions)?),
        };

        let mut campaigns = Vec::new();
        let mut amnesty_days = Vec::new();
        for e in &mining.enforcement {
            check_enforcement(e)?;
            if let Some(d) = e.amnesty_day {
                if d < days {
                    amnesty_days.push(d);
                }
            }
            let clipped = e.days.start..e.days.end.min(days);
            if clipped.start < clipped.end {
                let [p, inv_p, inv_q] = detection(e.hazard_per_day);
                campaigns.push(Campaign {
                    days: clipped,
                    hazard: e.hazard_per_day,
                    p,
                    inv_p,
                    inv_q,
                    cap: usize::try_from(e.inspections_per_day).unwrap_or(usize::MAX),
                    reconnect_p: e.reconnect_probability,
                    delay: e.reconnect_delay_days,
                    relocate_p: e.relocate_probability,
                });
            }
        }
        let detect_end = campaigns.iter().map(|c| c.days.end).max().unwrap_or(0);
        let detect_start = campaigns.iter().map(|c| c.days.start).min().unwrap_or(0);

        Ok(MiningSampler {
            regions,
            hours,
            days,
            registered_w: Arc::from(registered_w),
            mode: Arc::from(mode),
            illegal,
            population_id: component_id("mining:illegal"),
            campaigns,
            amnesty_days,
            detect_start,
            detect_end,
        })
    }

    /// A draw sized for this sampler.
    pub fn draw(&self) -> MiningDraw {
        MiningDraw::new(self.regions, self.hours)
    }

    /// One sample's mining, hour by hour, into `out` (no allocation once `out`'s buffers have
    /// grown to the largest population seen). `out` is resized to this sampler's window.
    pub fn sample(&self, key: SampleKey, out: &mut MiningDraw) {
        out.reset(self);
        let Some(ill) = &self.illegal else {
            return;
        };

        // The population: T, then (size, region, priority) per farm.
        let mut pop = key.stream(self.population_id, Purpose::MiningPopulation);
        let total = ill.total_w(pop.uniform());
        out.total_w = total;
        let mut sum = 0i64;
        while sum < total {
            let size = ill.size_w(pop.uniform()).min(total - sum);
            let region = ill.region(pop.uniform());
            let priority = pop.uniform();
            sum += size;
            out.size_w.push(size);
            out.region.push(region);
            out.home.push(region);
            out.priority.push(priority);
            out.state.push(FarmState::Connected);
            out.reconnect_day.push(usize::MAX);
            out.reconnect_region.push(region);
            out.connected_w[region] += size;
        }
        let n = out.size_w.len();

        if self.campaigns.is_empty() && self.amnesty_days.is_empty() {
            // Nothing changes over the window.
            for r in 0..self.regions {
                out.illegal_w[r * self.days..(r + 1) * self.days].fill(out.connected_w[r]);
            }
            out.illegal_by_day_w.fill(total);
            out.connected_by_day.fill(n);
            return;
        }

        // Detection uniforms, farm by farm: U(f, d) is the d-th uniform of the farm's
        // stream; days before the first inspection day are drawn and dropped.
        let (first, span) = (self.detect_start, self.detect_end - self.detect_start);
        if span > 0 {
            out.u.resize(n * span, 0.0);
            for f in 0..n {
                let id = farm_id(f);
                let mut s = key.stream(id, Purpose::Detection);
                for _ in 0..first {
                    s.uniform();
                }
                for u in &mut out.u[f * span..(f + 1) * span] {
                    *u = s.uniform();
                }
                out.reconnect.push(key.stream(id, Purpose::Reconnection));
            }
        }
        let heterogeneous = ill.heterogeneous();
        if heterogeneous {
            out.farm_p.resize(self.campaigns.len() * n, [0.0; 3]);
            for f in 0..n {
                let mut s = key.stream(farm_id(f), Purpose::Detectability);
                let d = ill.detectability(out.size_w[f], &mut s);
                for (c, campaign) in self.campaigns.iter().enumerate() {
                    out.farm_p[c * n + f] = detection(campaign.hazard * d);
                }
            }
        }

        let mut connected = n;
        let mut pending = 0usize;
        for d in 0..self.days {
            // 1. Reconnections.
            if pending > 0 {
                for f in 0..n {
                    if out.state[f] == FarmState::Off && out.reconnect_day[f] == d {
                        out.state[f] = FarmState::Connected;
                        out.region[f] = out.reconnect_region[f];
                        out.connected_w[out.region[f]] += out.size_w[f];
                        connected += 1;
                        pending -= 1;
                    }
                }
            }
            // 2. Amnesties.
            for &a in &self.amnesty_days {
                if a == d {
                    for f in 0..n {
                        if out.state[f] == FarmState::Connected {
                            out.state[f] = FarmState::Registered;
                            out.connected_w[out.region[f]] -= out.size_w[f];
                            out.amnestied_w[out.region[f]] += out.size_w[f];
                            connected -= 1;
                        }
                    }
                }
            }
            // 3. Campaigns.
            for (ci, c) in self.campaigns.iter().enumerate() {
                if !c.days.contains(&d) {
                    continue;
                }
                out.detected.clear();
                for f in 0..n {
                    if out.state[f] != FarmState::Connected {
                        continue;
                    }
                    let [p, inv_p, inv_q] = if heterogeneous {
                        out.farm_p[ci * n + f]
                    } else {
                        [c.p, c.inv_p, c.inv_q]
                    };
                    let u = &mut out.u[f * span + d - first];
                    if *u < p {
                        out.detected.push(f);
                        *u *= inv_p;
                    } else {
                        *u = (*u - p) * inv_q;
                    }
                }
                if out.detected.len() > c.cap {
                    let priority = &out.priority;
                    out.detected.sort_unstable_by(|&a, &b| {
                        priority[b].total_cmp(&priority[a]).then(a.cmp(&b))
                    });
                    out.detected.truncate(c.cap);
                }
                for i in 0..out.detected.len() {
                    let f = out.detected[i];
                    out.state[f] = FarmState::Off;
                    out.connected_w[out.region[f]] -= out.size_w[f];
                    connected -= 1;
                    out.disconnections += 1;
                    let s = &mut out.reconnect[f];
                    let (u1, u2, u3, u4) = (s.uniform(), s.uniform(), s.uniform(), s.uniform());
                    if u1 < c.reconnect_p {
                        let (lo, hi) = (u64::from(c.delay.0), u64::from(c.delay.1));
                        let delay = (lo + (u2 * (hi - lo + 1) as f64) as u64).min(hi).max(1);
                        out.reconnect_day[f] =
                            d.saturating_add(usize::try_from(delay).unwrap_or(usize::MAX));
                        out.reconnect_region[f] = if u3 < c.relocate_p {
                            ill.other_region(out.region[f], u4)
                        } else {
                            out.region[f]
                        };
                        if out.reconnect_day[f] < self.days {
                            pending += 1;
                        }
                    } else {
                        out.reconnect_day[f] = usize::MAX;
                    }
                }
            }
            // Record the day.
            let mut national = 0i64;
            for r in 0..self.regions {
                out.illegal_w[r * self.days + d] = out.connected_w[r];
                out.amnesty_w[r * self.days + d] = out.amnestied_w[r];
                national += out.connected_w[r];
            }
            out.illegal_by_day_w[d] = national;
            out.connected_by_day[d] = connected;
        }
    }
}

/// Check the illegal-mining law and prepare it.
fn prepare_illegal(ill: &IllegalMining, regions: usize) -> Result<Illegal, MiningError> {
    if !(0 <= ill.min_w && ill.min_w <= ill.mode_w && ill.mode_w <= ill.max_w) {
        return Err(MiningError::Triangular {
            min_w: ill.min_w,
            mode_w: ill.mode_w,
            max_w: ill.max_w,
        });
    }
    let mut cumulative = Vec::with_capacity(ill.shares.len());
    let mut sum = 0.0;
    for &(r, s) in &ill.shares {
        if r >= regions {
            return Err(MiningError::UnknownRegion {
                what: "illegal mining share".into(),
                region: r,
                regions,
            });
        }
        if !(s.is_finite() && s >= 0.0) {
            return Err(MiningError::Shares { sum: s });
        }
        sum += s;
        cumulative.push((r, sum));
    }
    if sum.is_nan() || (sum - 1.0).abs() > SHARE_TOLERANCE {
        return Err(MiningError::Shares { sum });
    }
    let (m, v) = (ill.farm_mean_w, ill.farm_cv);
    if !(m.is_finite() && m >= 1.0 && v.is_finite() && v >= 0.0) {
        return Err(MiningError::FarmSize { mean_w: m, cv: v });
    }
    let (fc, fe) = (ill.detectability_cv, ill.detectability_size_exponent);
    if !(fc.is_finite() && fc >= 0.0 && fe.is_finite() && fe >= 0.0) {
        return Err(MiningError::Detectability {
            cv: fc,
            exponent: fe,
        });
    }
    if ill.max_w as f64 / m > MAX_FARMS_RATIO {
        return Err(MiningError::TooManyFarms {
            max_w: ill.max_w,
            mean_w: m,
        });
    }
    let sigma2 = libm::log1p(v * v);
    Ok(Illegal {
        min_w: ill.min_w as f64,
        mode_w: ill.mode_w as f64,
        max_w: ill.max_w as f64,
        shares: ill.shares.clone(),
        cumulative,
        mu: libm::log(m) - 0.5 * sigma2,
        sigma: sigma2.sqrt(),
        mean_w: m,
        frailty_shape: (ill.detectability_cv > 0.0)
            .then(|| 1.0 / (ill.detectability_cv * ill.detectability_cv)),
        size_exponent: ill.detectability_size_exponent,
    })
}

/// The daily detection probability of `hazard`, `p = 1 - exp(-hazard)`, with `1 / p` and
/// `1 / (1 - p)` (infinite where `p` is 0 or 1: then never used).
fn detection(hazard: f64) -> [f64; 3] {
    let p = -libm::expm1(-hazard);
    [p, 1.0 / p, 1.0 / libm::exp(-hazard)]
}

/// A gamma variate of shape `k` and mean 1 (scale `1 / k`) from `s`, by Marsaglia and
/// Tsang's squeeze method (ACM TOMS 26(3), 2000), boosted by `U^(1/k)` for `k < 1`. Written
/// here rather than taken from a crate so that results stay the same across crate versions,
/// as the rest of the sampling does; each draw uses a variable number of uniforms, which is
/// why a farm's frailty has a stream of its own.
fn gamma_mean_one(k: f64, s: &mut Stream) -> f64 {
    let (shape, boost) = if k < 1.0 {
        (k + 1.0, libm::pow(open(s.uniform()), 1.0 / k))
    } else {
        (k, 1.0)
    };
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal_quantile(open(s.uniform()));
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = open(s.uniform());
        if libm::log(u) < 0.5 * x * x + d - d * v + d * libm::log(v) {
            return d * v * boost / k;
        }
    }
}

/// Check one enforcement campaign's parameters.
fn check_enforcement(e: &Enforcement) -> Result<(), MiningError> {
    for (field, value) in [
        ("reconnect_probability", e.reconnect_probability),
        ("relocate_probability", e.relocate_probability),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(MiningError::Probability {
                name: e.name.clone(),
                field,
                value,
            });
        }
    }
    if !(e.hazard_per_day.is_finite() && e.hazard_per_day >= 0.0) {
        return Err(MiningError::Hazard {
            name: e.name.clone(),
            value: e.hazard_per_day,
        });
    }
    let (lo, hi) = e.reconnect_delay_days;
    if lo > hi {
        return Err(MiningError::Delay {
            name: e.name.clone(),
            lo,
            hi,
        });
    }
    Ok(())
}

/// `component_id(&format!("farm:{f}"))` without allocating: FNV-1a continued over the
/// decimal digits of `f`.
fn farm_id(f: usize) -> u64 {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut x = f;
    loop {
        i -= 1;
        digits[i] = b'0' + (x % 10) as u8;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    fnv1a(fnv1a(FNV_OFFSET, b"farm:"), &digits[i..])
}

/// A uniform `k 2^-53` in [0, 1) moved to the middle of its cell: `(k + 1/2) 2^-53` in (0, 1).
#[inline]
fn open(u: f64) -> f64 {
    u + 0.5 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farm_id_is_component_id_of_the_name() {
        for f in [0usize, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            assert_eq!(farm_id(f), component_id(&format!("farm:{f}")));
        }
    }

    fn illegal(shares: Vec<(usize, f64)>) -> Illegal {
        prepare_illegal(
            &IllegalMining {
                min_w: 10,
                mode_w: 20,
                max_w: 40,
                shares,
                farm_mean_w: 5.0,
                farm_cv: 1.0,
                detectability_cv: 0.0,
                detectability_size_exponent: 0.0,
            },
            4,
        )
        .unwrap()
    }

    #[test]
    fn triangular_inversion_hits_its_ends_and_mode() {
        let ill = illegal(vec![(0, 1.0)]);
        assert_eq!(ill.total_w(0.0), 10);
        assert_eq!(ill.total_w(1.0 / 3.0), 20);
        assert_eq!(ill.total_w(1.0 - 1e-16), 40);
    }

    #[test]
    fn regions_by_shares_and_relocation_elsewhere() {
        let ill = illegal(vec![(2, 0.5), (0, 0.0), (1, 0.5)]);
        assert_eq!(ill.region(0.0), 2);
        assert_eq!(ill.region(0.499), 2);
        assert_eq!(ill.region(0.5), 1);
        assert_eq!(ill.region(1.0 - 1e-16), 1);
        assert_eq!(ill.other_region(2, 0.0), 1);
        assert_eq!(ill.other_region(2, 0.99), 1);
        assert_eq!(ill.other_region(1, 0.3), 2);
        assert_eq!(ill.other_region(0, 0.7), 1);
        let alone = illegal(vec![(3, 1.0)]);
        assert_eq!(alone.other_region(3, 0.5), 3);
    }

    #[test]
    fn lognormal_sizes_are_at_least_one_watt() {
        let ill = illegal(vec![(0, 1.0)]);
        assert_eq!(ill.size_w(0.0), 1);
        assert!(ill.size_w(0.5) >= 1);
    }
}
