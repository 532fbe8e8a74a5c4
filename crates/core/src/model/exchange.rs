//! Exchanges with a neighbouring system that are not imports on request: a scheduled,
//! interruptible export; an unscheduled deviation; "bad days" with a large draw; and
//! disturbances that trip corridors for some hours (the Central Asia ties of Kazakhstan's
//! South). Import sources that can fail or shrink in the cold are in [`super::network`].

use super::network::Outage;

/// A neighbour's exchange with one region.
#[derive(Clone, Debug, PartialEq)]
pub struct Exchange {
    /// Name (e.g. `CENTRAL-ASIA`).
    pub name: String,
    /// Region index the exchange draws on.
    pub region: usize,
    /// Scheduled export, watts: interruptible load in the region (curtailed before firm load).
    pub scheduled_export_w: i64,
    /// Unscheduled deviation per hour, uniform on [-deviation_w, +deviation_w]; positive
    /// draws on the region (firm), negative feeds it.
    pub deviation_w: i64,
    /// Probability that a day is a "bad day".
    pub bad_day_probability: f64,
    /// Extra draw on a bad day, uniform between these, watts.
    pub bad_day_draw_w: (i64, i64),
    /// Whether the bad-day draw is an export the dispatch may refuse (interruptible demand
    /// of the exports class, like the scheduled export) instead of firm demand.
    pub bad_day_refusable: bool,
    /// Indices of the disturbances that stop the exchange: while any of them is in
    /// progress the neighbour draws nothing and feeds nothing (the region is islanded from
    /// it).
    pub stops_with: Vec<usize>,
}

/// A disturbance that trips a set of lines together (a corridor) for some hours.
#[derive(Clone, Debug, PartialEq)]
pub struct Disturbance {
    /// Name.
    pub name: String,
    /// Indices of the lines it trips.
    pub lines: Vec<usize>,
    /// Occurrence (mean time between events, MTTF) and duration (MTTR), hours.
    pub outage: Outage,
}
