//! From a validated manifest and its CSVs to a [`SystemModel`] and its [`Summary`].

use super::error::{Problems, ScenarioError};
use super::manifest::{self, CalendarFactors, DemandSpec, Manifest, Place, RegionSpec, Schedule};
use super::plausible;
use super::series;
use super::source::{normalize, Reader, Source};
use super::tree;
use super::Scenario;
use crate::bounds::{self, MAX_POWER_MW};
use crate::calendar::Calendar;
use crate::model::{
    InterruptibleClass, LadderStep, OutageModel, Region, SystemModel, UnitConditions, UnitSpec,
    VreProfile,
};
use crate::power::{mw_to_w, w_to_mw, wh_to_mwh, W_PER_MW};
use std::path::Path;

/// Totals of a scenario, for display.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Per region, in scenario order.
    pub regions: Vec<RegionSummary>,
    /// Number of units.
    pub units: usize,
    /// Number of transmission lines.
    pub lines: usize,
    /// Number of import sources.
    pub imports: usize,
    /// Number of hubs among the regions.
    pub hubs: usize,
    /// Installed (nameplate) capacity, MW.
    pub installed_mw: f64,
    /// Peak of the system's demand (the largest, over hours, of the sum over regions), MW.
    pub peak_demand_mw: f64,
    /// Hours in the study window (not steps: [`Calendar::hours`] counts those).
    pub hours: usize,
}

/// Totals of one region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionSummary {
    /// Region name.
    pub name: String,
    /// A hub: a junction with no demand and no units. From a scenario, the region's
    /// `hub = true`; from a model alone ([`Summary::of`]), a region with no units and no
    /// demand in any hour.
    pub hub: bool,
    /// Number of units.
    pub units: usize,
    /// Installed (nameplate) capacity, MW.
    pub installed_mw: f64,
    /// Largest hourly demand, MW.
    pub peak_demand_mw: f64,
    /// Demand energy over the window, MWh.
    pub demand_mwh: f64,
}

impl Summary {
    /// The totals of `model`.
    pub fn of(model: &SystemModel) -> Summary {
        let regions: Vec<RegionSummary> = model
            .regions()
            .iter()
            .enumerate()
            .map(|(r, region)| RegionSummary {
                name: region.name().to_string(),
                hub: model.region_units(r).is_empty() && region.peak_w() == 0,
                units: model.region_units(r).len(),
                installed_mw: w_to_mw(model.installed_w(r)),
                peak_demand_mw: w_to_mw(region.peak_w()),
                demand_mwh: model.calendar().per_hour(wh_to_mwh(model.demand_wh(r))),
            })
            .collect();
        let peak_w = (0..model.hours())
            .map(|h| {
                model
                    .regions()
                    .iter()
                    .map(|r| i128::from(r.demand_w()[h]))
                    .sum::<i128>()
            })
            .max()
            .unwrap_or(0);
        let installed_w: i128 = model
            .units()
            .installed_w
            .iter()
            .map(|&w| i128::from(w))
            .sum();
        Summary {
            hubs: regions.iter().filter(|r| r.hub).count(),
            regions,
            units: model.units().len(),
            lines: model.network().lines.len(),
            imports: model.network().imports.len(),
            installed_mw: installed_w as f64 / W_PER_MW as f64,
            peak_demand_mw: peak_w as f64 / W_PER_MW as f64,
            hours: model.calendar().window_hours(),
        }
    }
}

/// Load the scenario at `path` with `settings` applied to its merged tree (their text is
/// part of the content hash).
pub(crate) fn load(
    path: &Path,
    source: &dyn Source,
    settings: &[tree::Setting],
) -> Result<Scenario, ScenarioError> {
    let path = normalize(path);
    let mut reader = Reader::new(source);
    let mut p = Problems::default();
    let Some(mut root) = tree::load(&mut reader, &path, &mut p) else {
        return Err(p.into_error(reader.files()));
    };
    for s in settings {
        tree::set(&mut root, s, &mut p);
        reader.mix(s.text().as_bytes());
    }
    let mut m = manifest::extract(&root, &mut p);
    if let Some(cal) = &m.calendar {
        super::step::refuse_hourly_inputs(&root, cal.step_min(), &mut p);
    }
    let months = m.calendar.as_ref().and_then(manifest::month_of_hours);
    let demands: Vec<Option<Vec<i64>>> = m
        .regions
        .iter()
        .map(|r| match (&r.demand, &m.calendar) {
            // A hub has no demand: zero in every hour.
            (None, Some(cal)) if r.hub => Some(vec![0; cal.hours()]),
            (Some(d), cal) => {
                let factors = cal
                    .as_ref()
                    .and_then(|c| calendar_factors(r, c, months.as_deref(), &m.holidays));
                demand(&mut reader, d, cal.as_ref(), factors.as_deref(), &mut p)
            }
            (None, _) => None,
        })
        .collect();
    if let Some(cal) = &m.calendar {
        for s in &m.vre_series {
            let csv = series::read(&mut reader, &s.file, &mut p);
            if let Some(factors) = csv.and_then(|c| match s.installed_mw {
                None => series::factor_column(&c, &s.column, cal.hours(), &mut p),
                Some(mw) => series::mw_factor_column(&c, &s.column, cal.hours(), mw, &mut p),
            }) {
                m.conditions.vre[s.plant].profile = VreProfile::Hourly(factors);
            }
        }
        let mut parsed = series::Parsed::default();
        for b in &mut m.blocks {
            let Some((file, column)) = &b.capacity_series else {
                continue;
            };
            let capacity = b.capacity;
            let csv = parsed.read(&mut reader, file, &mut p);
            b.capacity_hourly_w = csv.and_then(|c| {
                let when_up = |mw: f64| capacity.when_up_w(mw);
                series::capacity_column(
                    &c,
                    column,
                    cal.hours(),
                    capacity.installed_w,
                    when_up,
                    &mut p,
                )
            });
        }
        // Generator-storages: an hourly inflow from a CSV, or a constant for every hour.
        for s in &m.inflow_series {
            let inflow_w = series::read(&mut reader, &s.file, &mut p).and_then(|c| {
                let range = (
                    0,
                    crate::power::mw_to_w(crate::bounds::MAX_POWER_MW).unwrap_or(0),
                );
                let expect = "an inflow >= 0 MW, at most the largest power";
                series::schedule_column(&c, &s.column, cal.hours(), range, expect, &mut p)
            });
            for d in &mut m.storages[s.devices.clone()] {
                if let (Some(g), Some(w)) = (d.inflow.as_mut(), &inflow_w) {
                    g.inflow_w.clone_from(w);
                }
            }
        }
        for d in &mut m.storages {
            if let Some(g) = d.inflow.as_mut().filter(|g| g.inflow_w.len() == 1) {
                g.inflow_w = vec![g.inflow_w[0]; cal.hours()];
            }
        }
        for s in &m.schedules {
            let schedule_w = match &s.schedule {
                Schedule::Flat(w) => Some(vec![*w; cal.hours()]),
                Schedule::Series {
                    file,
                    column,
                    range_w,
                } => series::read(&mut reader, file, &mut p).and_then(|c| {
                    let expect = manifest::schedule_range_text(*range_w);
                    series::schedule_column(&c, column, cal.hours(), *range_w, &expect, &mut p)
                }),
            };
            let Some(w) = schedule_w else { continue };
            // A scheduled export is interruptible demand of the class "exports": a ladder
            // must say where it is curtailed.
            let exports_ranked = m.network.ladder.iter().any(|r| {
                r.steps
                    .contains(&LadderStep::Interruptible(InterruptibleClass::Exports))
            });
            if !m.network.ladder.is_empty() && !exports_ranked && w.iter().any(|&x| x < 0) {
                p.push(
                    &s.at.file,
                    Some(s.at.line),
                    Some(&s.at.field),
                    "the schedule has exports (negative values), interruptible demand of the \
                     class \"exports\", but no rank of the ladder curtails them: add \
                     `interruptible = [\"exports\"]` to a rank"
                        .into(),
                );
            }
            m.network.imports[s.source].schedule_w = w;
        }
        for ls in &m.line_series {
            let line = &m.network.lines[ls.line];
            if let Some((file, forward, backward)) = &ls.limits {
                let Some(csv) = parsed.read(&mut reader, file, &mut p) else {
                    continue;
                };
                let mut column = |c: &Option<String>, max_w: i64, key: &str| {
                    c.as_ref().map(|c| {
                        let bound = (max_w, key);
                        series::bounded_column(&csv, c, cal.hours(), bound, mw_to_w, &mut p)
                    })
                };
                let forward_w = column(forward, line.forward_w, "the line's `forward_mw`");
                let backward_w = column(backward, line.backward_w, "the line's `backward_mw`");
                if forward_w.iter().chain(&backward_w).all(Option::is_some) {
                    m.conditions.line_limits.push(crate::model::LineLimits {
                        line: line.name.clone(),
                        forward_w: forward_w.flatten(),
                        backward_w: backward_w.flatten(),
                    });
                }
            }
            if let (Some(r), Some(outage)) = (&ls.rates, line.outage) {
                let Some(csv) = parsed.read(&mut reader, &r.file, &mut p) else {
                    continue;
                };
                let units = vec![line.name.clone()];
                let read = rates(&csv, r, &line.name, units, outage, cal.hours(), &mut p);
                m.conditions.line_rates.extend(read);
            }
        }
        for b in &mut m.blocks {
            let Some(r) = &b.rates_series else {
                continue;
            };
            let Some(csv) = parsed.read(&mut reader, &r.file, &mut p) else {
                continue;
            };
            let units = (1..=b.count).map(|k| format!("{}#{k}", b.name)).collect();
            b.rates_hourly = rates(&csv, r, &b.name, units, b.outage, cal.hours(), &mut p);
        }
    }
    if !p.is_empty() {
        return Err(p.into_error(reader.files()));
    }
    let model = model(&m, demands).map_err(|e| {
        let mut p = Problems::default();
        p.push(&path, None, None, e);
        p.into_error(&[])
    })?;
    let excess = bounds::check(&model);
    if !excess.is_empty() {
        let mut p = Problems::default();
        for e in excess {
            match e.region.map(|r| &m.regions[r].at) {
                Some(at) => p.push(&at.file, Some(at.line), Some(&at.field), e.message),
                None => p.push(&path, None, None, e.message),
            }
        }
        return Err(p.into_error(reader.files()));
    }
    let mut summary = Summary::of(&model);
    for (s, r) in summary.regions.iter_mut().zip(&m.regions) {
        s.hub = r.hub;
    }
    summary.hubs = m.regions.iter().filter(|r| r.hub).count();
    plausible::check(&path, &root, &m.blocks, &model, &summary, &mut p);
    let warnings = p.take_warnings(reader.files());
    Ok(Scenario {
        summary,
        model,
        name: m.name,
        description: m.description,
        content_hash: reader.hash_hex(),
        files: reader.files().to_vec(),
        warnings,
    })
}

/// The per-hour failure and repair rates of `units` (a unit block's or a line's, named
/// `name`) from the columns `r` names in `csv`; `None` when a column is missing or bad (the
/// problem is in `p`).
fn rates(
    csv: &series::Csv,
    r: &manifest::RatesRef,
    name: &str,
    units: Vec<String>,
    outage: OutageModel,
    hours: usize,
    p: &mut Problems,
) -> Option<crate::model::UnitRates> {
    let discrete = matches!(outage, OutageModel::Discrete { .. });
    let mut column = |c: &Option<String>| {
        c.as_ref()
            .map(|c| series::rate_column(csv, c, hours, discrete, p))
    };
    let (failure, repair) = (column(&r.failure), column(&r.repair));
    if !failure.iter().chain(&repair).all(Option::is_some) {
        return None;
    }
    Some(crate::model::UnitRates {
        name: name.to_string(),
        units,
        failure: failure.flatten(),
        repair: repair.flatten(),
    })
}

/// The calendar factor of each study hour for region `r`, if it has month or day factors:
/// the month's factor (`months` is the month of each hour, in a window with dates) times the
/// day's (a holiday's, on a study day in `holidays`, else its weekday's). With one of the
/// two only, that one exactly.
fn calendar_factors(
    r: &RegionSpec,
    cal: &Calendar,
    months: Option<&[u32]>,
    holidays: &[usize],
) -> Option<Vec<f64>> {
    let CalendarFactors { month, day } = r.factors;
    let month = month.zip(months);
    if month.is_none() && day.is_none() {
        return None;
    }
    let mut is_holiday = vec![false; cal.days()];
    for &d in holidays {
        is_holiday[d] = true;
    }
    Some(
        (0..cal.hours())
            .map(|h| {
                let by_month = month.map(|(f, months)| f[months[h] as usize - 1]);
                let by_day = day.map(|f| match f.holiday {
                    Some(x) if is_holiday[cal.day(h)] => x,
                    _ => f.weekday[cal.weekday(h)],
                });
                match (by_month, by_day) {
                    (Some(m), Some(d)) => m * d,
                    (m, d) => m.or(d).unwrap_or(1.0),
                }
            })
            .collect(),
    )
}

fn demand(
    reader: &mut Reader<'_>,
    d: &DemandSpec,
    cal: Option<&Calendar>,
    month: Option<&[f64]>,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let hours = cal.map(Calendar::hours);
    match d {
        DemandSpec::Csv {
            file,
            column,
            scale,
        } => {
            let csv = series::read(reader, file, p)?;
            series::demand_column(&csv, column, *scale, month, hours, p)
        }
        DemandSpec::Shape {
            at,
            peak_mw,
            shape,
            scale,
        } => match series::shape_demand(cal?, *peak_mw, shape, month, *scale) {
            Ok(v) => Some(v),
            Err((hour, mw)) => {
                too_much_demand(
                    at,
                    hour,
                    mw,
                    "peak_mw x hourly_shape x calendar factor x scale",
                    p,
                );
                None
            }
        },
        DemandSpec::Tables {
            at,
            peak_mw,
            weekly,
            daily,
            hourly,
            seasons,
            scale,
        } => {
            let w = series::read(reader, weekly, p);
            let d = series::read(reader, daily, p);
            let h = series::read(reader, hourly, p);
            let w = w.and_then(|c| series::weekly_table(&c, hours, p));
            let d = d.and_then(|c| series::daily_table(&c, p));
            let h = h.and_then(|c| series::hourly_table(&c, &seasons.names, p));
            let cal = cal?;
            let of_week = series::season_of_week(seasons, cal.weeks(), p)?;
            let (w, d, h) = (w?, d?, h?);
            match series::rts_demand(cal, *peak_mw, &w, &d, &h, &of_week, *scale, month) {
                Ok(v) => Some(v),
                Err((hour, mw)) => {
                    let how =
                        "peak_mw x weekly x daily x hourly percentages x scale x calendar factor";
                    too_much_demand(at, hour, mw, how, p);
                    None
                }
            }
        }
    }
}

/// Report that hour `hour`'s demand, `mw` as computed `how`, is above the largest power.
fn too_much_demand(at: &Place, hour: usize, mw: f64, how: &str, p: &mut Problems) {
    p.push(
        &at.file,
        Some(at.line),
        Some(&at.field),
        format!(
            "the demand in hour {hour} ({how}) is {} MW, more than the largest power \
             accepted, {MAX_POWER_MW:e} MW",
            manifest::short_number(mw)
        ),
    );
}

fn model(m: &Manifest, demands: Vec<Option<Vec<i64>>>) -> Result<SystemModel, String> {
    let cal = m.calendar.clone().ok_or("no study window")?;
    let regions = m
        .regions
        .iter()
        .zip(demands)
        .map(|(r, d)| Some(Region::new(r.name.clone(), d?)))
        .collect::<Option<Vec<_>>>()
        .ok_or("a region has no demand")?;
    let mut units = Vec::new();
    let mut unit_conditions = Vec::new();
    let mut block_caps = Vec::new();
    let mut unit_profiles = Vec::new();
    let unit_rates = m
        .blocks
        .iter()
        .filter_map(|b| b.rates_hourly.clone())
        .collect();
    for b in &m.blocks {
        if let Some(capacity_w) = &b.capacity_hourly_w {
            unit_profiles.push(crate::model::UnitProfile {
                name: b.name.clone(),
                units: (1..=b.count).map(|k| format!("{}#{k}", b.name)).collect(),
                capacity_w: capacity_w.clone(),
            });
        }
        // With hourly capacities, a unit's constant capacity is the largest one (so that a
        // unit that is 0 MW in every hour is known to change nothing).
        let capacity_w = (b.capacity_hourly_w.as_ref())
            .map_or(b.capacity_w, |c| c.iter().copied().max().unwrap_or(0));
        if let Some(cap_w) = b.block_cap_w {
            block_caps.push(crate::model::BlockCap {
                name: b.name.clone(),
                units: (1..=b.count).map(|k| format!("{}#{k}", b.name)).collect(),
                cap_w,
            });
        }
        for k in 1..=b.count {
            let dated_outages: Vec<_> = b
                .dated_outages
                .iter()
                .filter(|(_, count)| k <= *count)
                .map(|(hours, _)| hours.clone())
                .collect();
            if b.cold.is_some() || !dated_outages.is_empty() {
                unit_conditions.push(UnitConditions {
                    unit: format!("{}#{k}", b.name),
                    cold: b.cold.clone(),
                    dated_outages,
                });
            }
            units.push(UnitSpec {
                name: format!("{}#{k}", b.name),
                region: b.region,
                installed_w: b.installed_w,
                capacity_w,
                outage: b.outage,
            });
        }
    }
    let conditions = crate::model::Conditions {
        units: unit_conditions,
        block_caps,
        unit_profiles,
        unit_rates,
        ..m.conditions.clone()
    };
    SystemModel::new(m.name.clone(), cal, regions, units)
        .and_then(|model| model.with_network(m.network.clone()))
        .and_then(|model| model.with_conditions(conditions))
        .and_then(|model| model.with_storages(m.storages.clone()))
        .and_then(|model| model.with_demand_responses(m.demand_responses.clone()))
        .map(|model| model.with_categories(m.categories.clone()))
        .map_err(|e| e.to_string())
}
