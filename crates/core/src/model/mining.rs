//! Cryptocurrency mining load: registered (legal) and illegal (hidden), the policies on
//! registered mining, and enforcement against illegal farms.
//!
//! Registered mining is served like firm load unless a policy makes it interruptible (then it
//! is curtailed before any firm load in a scarce hour, and its curtailed energy is reported
//! apart from EUE). Other policies cut it in set hours, ban it over dates, or cap it by
//! self-limits. Illegal mining is firm (the grid cannot curtail it selectively): its national
//! total is drawn per sample from a triangular law, split between regions by fixed shares and
//! into farms by a lognormal size law; enforcement disconnects farms. All times are study
//! hours or days (the scenario reader converts dates and clips them to the window).

use std::ops::Range;

/// Registered mining in one region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegisteredMining {
    /// Region index.
    pub region: usize,
    /// Load when connected, watts (flat over the day).
    pub load_w: i64,
}

/// A policy on registered mining.
#[derive(Clone, Debug, PartialEq)]
pub enum MiningPolicy {
    /// Registered mining is interruptible (curtailed before firm load) in these hours.
    Interruptible {
        /// Study hours.
        hours: Range<usize>,
    },
    /// Registered mining is off in the given hours of day, over these study hours.
    Curtail {
        /// Study hours.
        hours: Range<usize>,
        /// Hours of day (0..24, study clock) in which it is off.
        hours_of_day: [bool; 24],
    },
    /// Registered mining is off (banned) over these study hours.
    Ban {
        /// Study hours.
        hours: Range<usize>,
    },
    /// From `from_h` on, registered mining in `region` is lower by `reduction_w` (self-limits).
    SelfLimit {
        /// Region index.
        region: usize,
        /// Reduction, watts (the load never goes below 0).
        reduction_w: i64,
        /// First study hour of the limit.
        from_h: usize,
    },
}

/// Illegal mining: the national total and how it is split.
#[derive(Clone, Debug, PartialEq)]
pub struct IllegalMining {
    /// Triangular law of the national total, watts: minimum.
    pub min_w: i64,
    /// Mode, watts.
    pub mode_w: i64,
    /// Maximum, watts.
    pub max_w: i64,
    /// Share of the total in each region: (region index, share); shares sum to 1.
    pub shares: Vec<(usize, f64)>,
    /// Mean farm size, watts (lognormal).
    pub farm_mean_w: f64,
    /// Coefficient of variation of farm sizes (lognormal).
    pub farm_cv: f64,
    /// Coefficient of variation of the farms' detectability: each farm's detection hazard is
    /// a campaign's hazard times a gamma frailty of mean 1 and this CV (0: every farm the
    /// same), so the easy farms are found first and detections fall over a campaign.
    pub detectability_cv: f64,
    /// Size bias of detection: a farm's hazard is also multiplied by (size / mean size)^this
    /// (0: none; 1: in proportion to its size, as when inspectors follow metered anomalies).
    pub detectability_size_exponent: f64,
}

/// An enforcement campaign against illegal farms.
#[derive(Clone, Debug, PartialEq)]
pub struct Enforcement {
    /// Policy name.
    pub name: String,
    /// Study days during which inspections happen.
    pub days: Range<usize>,
    /// Detection hazard per connected farm per day.
    pub hazard_per_day: f64,
    /// At most this many farms are disconnected per day (`u32::MAX`: no limit).
    pub inspections_per_day: u32,
    /// Probability that a disconnected farm reconnects.
    pub reconnect_probability: f64,
    /// Days until a farm reconnects: uniform between these (inclusive).
    pub reconnect_delay_days: (u32, u32),
    /// Probability that a reconnecting farm moves to another region (by the shares).
    pub relocate_probability: f64,
    /// From this study day, every connected illegal farm becomes registered load (amnesty).
    pub amnesty_day: Option<usize>,
}

/// Mining in a system (empty: none).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mining {
    /// Registered mining per region.
    pub registered: Vec<RegisteredMining>,
    /// Policies on registered mining.
    pub policies: Vec<MiningPolicy>,
    /// Illegal mining, if any.
    pub illegal: Option<IllegalMining>,
    /// Enforcement campaigns, applied in order.
    pub enforcement: Vec<Enforcement>,
}

impl Mining {
    /// True if there is no mining at all.
    pub fn is_empty(&self) -> bool {
        self.registered.is_empty() && self.illegal.is_none()
    }
}
