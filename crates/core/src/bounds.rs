//! Physical bounds on every input, chosen so that no arithmetic on watts or watt-hours can
//! wrap, and the proof that it cannot.
//!
//! The scenario reader refuses any value outside these bounds, naming the field
//! ([`crate::scenario`]); [`check`] refuses region and system totals and the window's
//! energy, naming the region; the engine refuses a run whose sample count could overflow
//! its sums ([`max_samples`]). The bounds are generous for real systems: the largest
//! synchronous grids are about 10^6 MW, a hundred times below [`MAX_POWER_MW`].
//!
//! | bound | value | what it limits |
//! |---|---|---|
//! | [`MAX_POWER_MW`] | 1e8 MW = 1e14 W | any one power: a unit, a cap, a line limit, an import source or link, a renewable plant, mining, an exchange, a demand `peak_mw` and every hourly demand value |
//! | [`MAX_SCALE`] | 1e8 | a demand `scale` (a per-unit profile times its peak) |
//! | [`MAX_FORECAST_SD`] | 1 | `load_forecast_sd` |
//! | [`MAX_FORECAST_ERROR`] | 0.5 | magnitude of `load_forecast_error` |
//! | [`MAX_REGION_W`] | 1e9 MW = 1e15 W | a region's total power: its demand bound, units, renewables, neighbour inflows, lines, import links and a ladder's public appeals |
//! | [`MAX_SYSTEM_W`] | 1e10 MW = 1e16 W | the sum of the region totals and of the import source caps |
//! | [`MAX_HOURS`] | 1,000,000 h | the study window |
//! | [`MAX_WINDOW_WH`] | 2^62 Wh ~ 4.6e12 MWh | the window's energy bound `E`: hours x (the regions' demand bounds + the import caps + a ladder's public appeals) |
//! | [`max_samples`] | `(2^127 - 1) / E^2` | the samples of one run (shards and merges included) |
//! | [`MIN_MEAN_DURATION_H`] | 1 h (one step) | every MTTF and MTTR (units, lines, sources, links; `for` through the MTTF it implies), and a disturbance's `mtbf_h` and `duration_h` |
//! | [`MAX_OUTAGE_CHANGES`] | 2^28 | components that can fail x hours: the changes one sample's outage history can hold |
//!
//! # Why no sum can wrap
//!
//! A region's *demand bound* `D_r` is what its firm plus interruptible demand can reach in
//! any hour of any sample: its peak profile value times `1 + max(0, load_forecast_error) + 8.3 x load_forecast_sd` (the
//! engine's standard normals are at most [`MAX_STANDARD_NORMAL`] in magnitude), plus one
//! watt of rounding, plus heating at absolute zero (`heating_w_per_c x (threshold_c +
//! 273.15)`; the engine clamps temperatures at [`ABSOLUTE_ZERO_C`]), plus its registered
//! mining, the national illegal maximum (amnestied farms included), its exchanges'
//! scheduled export, deviation and largest bad-day draw, and the caps of the import links
//! into it of sources with a scheduled export (a link's part of a schedule is at most its
//! cap; a scheduled import is supply within the same link caps). Every power the engine
//! forms in an hour (supply = generation + renewables + inflows, capped blocks, demand, shortfall,
//! curtailment, import, flow, a skipped block's lowest level) is a sum of some of a region's
//! inputs, so it is at most `T_r <= 1e15 W`; differences are at most `2 T_r`. Sums over
//! regions (system shortfall, curtailment, imports, line flows) are sums of region totals
//! and source caps, so at most [`MAX_SYSTEM_W`] = 1e16 W, and `2 x 1e16 < i64::MAX ~ 9.22e18`
//! with a factor of 400 to spare. The dispatch works in `i128` and, for the shared
//! curtailment rule, multiplies watts by a sum of demands: at most `(1e16)^2 = 1e32`, far
//! below `i128::MAX ~ 1.7e38`. Load-time sums are formed in `i128` before they are compared
//! with the bounds, so they cannot wrap either.
//!
//! Per sample, every energy the accumulators add up (unserved energy and its parts, demand
//! energy, curtailed mining, imported energy per source, storage energy charged, discharged
//! and held at the start of shortfall events) is at most one hour's demand bound, source cap
//! or storage bound (charge and discharge power plus energy capacity) summed over the window, so at most `E <= 2^62 Wh` (checked at load), and a
//! paired difference of two scenarios' totals at most `2^62 < i64::MAX`. Counts (hours,
//! days, events) are at most `MAX_HOURS <= E` (or `E` is taken as `MAX_HOURS` when smaller).
//!
//! Across samples, sums, sums of squares and cross products are `i128`: with `n` samples,
//! `|Σ x y| <= n E^2 <= i128::MAX` because [`max_samples`] is `floor(i128::MAX / E^2)`; the
//! plain sums `n E` are smaller. The largest window energy `E = 2^62` allows 7 samples,
//! a 10^6 MW system over a year (`E ~ 8.8e15 Wh`) about 2.2 million, the IEEE RTS-79
//! (`E ~ 2.5e13 Wh`) about 2.7e11.
//!
//! # Transitions
//!
//! A mean up or down time below one time step (an hour) is a modelling error: the process
//! would change state several times within a step whose state is read once. With every
//! mean at least one step, and consecutive transitions within one hour cancelled before
//! they are stored, one sample's outage history holds at most one change per component and
//! hour, at most [`MAX_OUTAGE_CHANGES`] changes of 16 bytes (4 GiB) in the worst case; its
//! expected size is `Σ 2 hours / (MTTF + MTTR)`, far below.

use crate::model::SystemModel;
use crate::power::W_PER_MW;

/// Largest single power accepted, MW: a unit, a cap, a line limit, a source, a link, a
/// renewable plant, mining, an exchange, a demand peak and every hourly demand value.
pub const MAX_POWER_MW: f64 = 1e8;
/// [`MAX_POWER_MW`] in watts.
pub const MAX_POWER_W: i64 = 100_000_000 * W_PER_MW;
/// Largest demand `scale` (a per-unit profile times its peak in MW).
pub const MAX_SCALE: f64 = 1e8;
/// Largest magnitude of `load_forecast_error` (a fraction of demand): demand is at least half
/// and at most one and a half times its profile before the random error.
pub const MAX_FORECAST_ERROR: f64 = 0.5;
/// Largest `load_forecast_sd` (a fraction of demand).
pub const MAX_FORECAST_SD: f64 = 1.0;
/// Largest magnitude of the engine's standard normal draws (8.29, rounded up).
pub const MAX_STANDARD_NORMAL: f64 = 8.3;
/// Absolute zero, °C: the engine never lets a temperature fall below it.
pub const ABSOLUTE_ZERO_C: f64 = -273.15;
/// Largest total power of one region, watts (1e9 MW).
pub const MAX_REGION_W: i64 = 1_000_000_000 * W_PER_MW;
/// Largest total power of the system, watts (1e10 MW).
pub const MAX_SYSTEM_W: i64 = 10_000_000_000 * W_PER_MW;
/// Longest study window, hours (about 114 years).
pub const MAX_HOURS: usize = 1_000_000;
/// Largest window energy bound `E` (see [`window_wh`]), watt-hours: 2^62, so a per-sample
/// total and a paired difference of two fit in `i64`.
pub const MAX_WINDOW_WH: i64 = 1 << 62;
/// Shortest mean up or down time, hours: one time step.
pub const MIN_MEAN_DURATION_H: f64 = 1.0;
/// Most (components that can fail) x (hours): the changes one sample's outage history can
/// hold (at most one per component and hour).
pub const MAX_OUTAGE_CHANGES: u64 = 1 << 28;

/// A bound that a model exceeds: of region `region` (an index), or of the system.
#[derive(Clone, Debug, PartialEq)]
pub struct Excess {
    /// The region at fault, if the bound is a region's.
    pub region: Option<usize>,
    /// What exceeds which bound.
    pub message: String,
}

/// Exact MW (or MWh) for messages, from watts (or watt-hours): `1100000000.000001`.
pub fn mw_text(w: i128) -> String {
    let unit = i128::from(W_PER_MW);
    let (whole, frac) = (w / unit, (w % unit).abs());
    let frac = format!("{frac:06}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

/// Watts from a non-negative float, rounded up; saturating (a non-finite value is huge).
fn ceil_w(x: f64) -> i128 {
    if x.is_nan() {
        i128::MAX
    } else {
        x.ceil() as i128
    }
}

/// Region `r`'s demand bound `D_r`, watts: the most its firm plus interruptible demand can
/// reach in any hour of any sample (see the [module docs](self)).
pub fn demand_bound_w(model: &SystemModel, r: usize) -> i128 {
    let cond = model.conditions();
    let w = &cond.weather;
    let forecast = 1.0 + w.load_forecast_error.max(0.0) + MAX_STANDARD_NORMAL * w.load_forecast_sd;
    let mut d = ceil_w(model.regions()[r].peak_w() as f64 * forecast) + 1;
    for c in w.climates.iter().filter(|c| c.region == r) {
        d += ceil_w(c.heating_w_per_c * (c.threshold_c - ABSOLUTE_ZERO_C).max(0.0)) + 1;
    }
    let m = &cond.mining;
    d += m
        .registered
        .iter()
        .filter(|x| x.region == r)
        .map(|x| i128::from(x.load_w))
        .sum::<i128>();
    if let Some(ill) = &m.illegal {
        d += i128::from(ill.max_w);
    }
    d += cond
        .exchanges
        .iter()
        .filter(|x| x.region == r)
        .map(|x| {
            i128::from(x.scheduled_export_w)
                + i128::from(x.deviation_w)
                + i128::from(x.bad_day_draw_w.1)
        })
        .sum::<i128>();
    // A scheduled export is demand at its links' regions, each link's part at most its cap.
    d += model
        .network()
        .imports
        .iter()
        .filter(|s| s.schedule_w.iter().any(|&w| w < 0))
        .flat_map(|s| &s.links)
        .filter(|k| k.region == r)
        .map(|k| i128::from(k.cap_w))
        .sum::<i128>();
    d
}

/// Region `r`'s total power `T_r`, watts: its demand bound, units, renewables, neighbour
/// inflows, the limits of the lines and import links that touch it, and its storage
/// devices' charge and discharge powers.
fn region_total_w(model: &SystemModel, r: usize) -> i128 {
    let cond = model.conditions();
    let net = model.network();
    let sum = |it: &mut dyn Iterator<Item = i64>| it.map(i128::from).sum::<i128>();
    demand_bound_w(model, r)
        + sum(&mut model.units().installed_w[model.region_units(r)]
            .iter()
            .copied())
        + sum(&mut cond
            .vre
            .iter()
            .filter(|v| v.region == r)
            .map(|v| v.capacity_w))
        + sum(&mut cond
            .exchanges
            .iter()
            .filter(|x| x.region == r)
            .map(|x| x.deviation_w))
        + sum(&mut net
            .lines
            .iter()
            .filter(|l| l.from == r || l.to == r)
            .flat_map(|l| [l.forward_w, l.backward_w]))
        + sum(&mut net
            .imports
            .iter()
            .flat_map(|s| &s.links)
            .filter(|k| k.region == r)
            .map(|k| k.cap_w))
        + appeals_w(net, Some(r))
        + sum(&mut model
            .storages()
            .iter()
            .filter(|s| s.region == r)
            .map(|s| s.charge_w + s.discharge_w + inflow_bound_w(s)))
}

/// What a generator-storage adds to the power bounds beyond a storage device's: its grid
/// injection (inflow offered to the grid) and its largest hourly inflow (spilled or
/// stored); 0 for a plain storage device.
fn inflow_bound_w(s: &crate::model::Storage) -> i64 {
    s.inflow.as_ref().map_or(0, |g| {
        g.grid_injection_w + g.inflow_w.iter().copied().max().unwrap_or(0)
    })
}

/// What storage adds to the window energy bound's power: every device's charge and
/// discharge power (energy charged and discharged per hour), its energy capacity (the
/// stored energy at the start of a shortfall event, at most one event per hour) and a
/// generator-storage's inflow bound (spilled per hour).
fn storage_bound(model: &SystemModel) -> i128 {
    model
        .storages()
        .iter()
        .map(|s| {
            i128::from(s.charge_w)
                + i128::from(s.discharge_w)
                + i128::from(s.energy_wh)
                + i128::from(inflow_bound_w(s))
        })
        .sum()
}

/// The power of the ladder's public appeals, in region `r` or (`None`) in all, watts.
/// (Voltage reduction is a fraction of a demand already counted.)
fn appeals_w(net: &crate::model::Network, r: Option<usize>) -> i128 {
    net.ladder
        .iter()
        .flat_map(|k| &k.steps)
        .map(|s| match *s {
            crate::model::LadderStep::Appeal { region, cap_w, .. }
                if r.is_none_or(|r| r == region) =>
            {
                i128::from(cap_w)
            }
            _ => 0,
        })
        .sum()
}

/// The most one import source can export in an hour, watts.
fn source_cap_w(s: &crate::model::ImportSource) -> i128 {
    i128::from(s.cap_w.max(s.fallback_cap_w))
}

/// The window energy bound `E`, watt-hours: hours x (the sum of the regions' demand bounds,
/// of the import source caps and of the storage bound), at least the number of hours. Every per-sample total an
/// accumulator forms is at most `E`.
pub fn window_wh(model: &SystemModel) -> i128 {
    let power: i128 = (0..model.regions().len())
        .map(|r| demand_bound_w(model, r))
        .chain(model.network().imports.iter().map(source_cap_w))
        .chain([appeals_w(model.network(), None), storage_bound(model)])
        .sum();
    let hours = model.hours() as i128;
    power.saturating_mul(hours).max(hours)
}

/// The most samples one run of `model` may have: `floor(i128::MAX / E^2)` with `E` =
/// [`window_wh`], so that the `i128` sums of squares of per-sample totals cannot wrap.
pub fn max_samples(model: &SystemModel) -> u64 {
    let e = window_wh(model);
    match e.checked_mul(e) {
        Some(e2) => u64::try_from(i128::MAX / e2).unwrap_or(u64::MAX),
        None => 0,
    }
}

/// Components that can fail (units, and lines, sources and links with an outage process,
/// and disturbances) x hours.
fn outage_changes(model: &SystemModel) -> u64 {
    let net = model.network();
    let failing = model.units().len()
        + net.lines.iter().filter(|l| l.outage.is_some()).count()
        + net
            .imports
            .iter()
            .map(|s| {
                usize::from(s.outage.is_some())
                    + s.links.iter().filter(|k| k.outage.is_some()).count()
            })
            .sum::<usize>()
        + model.conditions().disturbances.len()
        + model
            .storages()
            .iter()
            .filter(|s| s.outage.is_some())
            .count();
    (failing as u64).saturating_mul(model.hours() as u64)
}

/// Every region and system bound that `model` exceeds (empty if none): region totals,
/// the system total, the window energy and the size of an outage history.
pub fn check(model: &SystemModel) -> Vec<Excess> {
    let mut out = Vec::new();
    let regions = model.regions().len();
    let totals: Vec<i128> = (0..regions).map(|r| region_total_w(model, r)).collect();
    for (r, &t) in totals.iter().enumerate() {
        if t > i128::from(MAX_REGION_W) {
            out.push(Excess {
                region: Some(r),
                message: format!(
                    "the region's power adds up to {} MW (demand bound {} MW with \
                     forecast error, heating at absolute zero, mining and exchanges; plus \
                     units, renewables, inflows, lines and import links), more than the \
                     bound of {} MW per region",
                    mw_text(t),
                    mw_text(demand_bound_w(model, r)),
                    mw_text(i128::from(MAX_REGION_W))
                ),
            });
        }
    }
    let system: i128 = totals.iter().sum::<i128>()
        + model
            .network()
            .imports
            .iter()
            .map(source_cap_w)
            .sum::<i128>();
    if system > i128::from(MAX_SYSTEM_W) {
        out.push(Excess {
            region: None,
            message: format!(
                "the system's power (every region's total and every import source's cap) \
                 adds up to {} MW, more than the bound of {} MW",
                mw_text(system),
                mw_text(i128::from(MAX_SYSTEM_W))
            ),
        });
    }
    let e = window_wh(model);
    if e > i128::from(MAX_WINDOW_WH) {
        out.push(Excess {
            region: None,
            message: format!(
                "the window's energy bound (demand bounds and import caps over {} hours) \
                 is {} MWh, more than the bound of {} MWh per sample",
                model.hours(),
                mw_text(e),
                mw_text(i128::from(MAX_WINDOW_WH))
            ),
        });
    }
    let changes = outage_changes(model);
    if changes > MAX_OUTAGE_CHANGES {
        out.push(Excess {
            region: None,
            message: format!(
                "components that can fail x hours is {changes}, more than {MAX_OUTAGE_CHANGES}: \
                 one sample's outage history could not be held in memory; shorten the \
                 window or merge units into fewer, larger ones"
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_room_holds() {
        // Two system totals fit in i64 with room to spare; two window energies too.
        assert!(2 * (MAX_SYSTEM_W as i128) < i64::MAX as i128 / 100);
        assert!(2 * (MAX_WINDOW_WH as i128) <= i64::MAX as i128 + 1);
        // A region total is at most ten single powers' worth of region bound.
        assert_eq!(MAX_REGION_W, 10 * MAX_POWER_W);
        // The largest window allows a few samples whose squares still fit.
        let e = MAX_WINDOW_WH as i128;
        assert_eq!(i128::MAX / (e * e), 7);
        // An outage history of at most MAX_OUTAGE_CHANGES changes fits u32 indices.
        assert!(MAX_OUTAGE_CHANGES < u64::from(u32::MAX));
    }

    #[test]
    fn messages_show_exact_megawatts() {
        assert_eq!(mw_text(1_100_000_000_000_001), "1100000000.000001");
        assert_eq!(mw_text(i128::from(MAX_REGION_W)), "1000000000");
        assert_eq!(mw_text(2_500_000), "2.5");
    }
}
