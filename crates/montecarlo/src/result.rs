//! The result files: a run's (`"schema": "gridrisk.result/1"`) and a comparison's
//! (`"gridrisk.compare/1"`), merged accumulators as JSON. Both are made of the same
//! per-scenario sections ([`scenario_sections`]): a run has them at the top level, a
//! comparison under `"base"` and each of `"variants"`.
//!
//! Keys are stable and ordered. Every index is `{"mean", "se", "ci95": [lo, hi]}` (or `null`
//! where undefined, e.g. `lold_h` without any event), with `"shortfall_samples"` added
//! where it rests on few samples with a shortfall (see [`crate::estimators`]), under
//! `"system"` and under
//! `"regions"` by region name. Everything that depends on the run rather than the result
//! (wall time, threads) sits under the single key `"run"`, which comparisons ignore, so two
//! runs of the same scenario and seed give byte-identical files apart from `"run"`.

use crate::accumulators::eue_parts::PARTS;
use crate::accumulators::{Indices, SAMPLE_TOTALS};
use crate::estimators::Estimate;
use crate::runner::RunOutput;
use crate::spec::{SimulationSpec, StopRule};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::SystemModel;
use serde_json::{json, Map, Value};

/// Schema tag of a single-scenario result.
pub const SCHEMA: &str = "gridrisk.result/1";

/// The index keys of an area, in output order.
pub const INDEX_KEYS: [&str; 7] = [
    "lole_h",
    "lole_d",
    "lolf",
    "lold_h",
    "eue_mwh",
    "neue_ppm",
    "p_shortfall",
];

/// Identity of the scenario a result belongs to.
#[derive(Clone, Debug)]
pub struct ScenarioId {
    /// Scenario name.
    pub name: String,
    /// Content hash of every file read.
    pub content_hash: String,
}

/// Run-dependent facts, kept under `"run"`.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// Worker threads.
    pub threads: usize,
    /// Wall time, seconds.
    pub wall_s: f64,
}

fn estimate(e: Option<Estimate>) -> Value {
    match e {
        Some(e) if e.mean.is_finite() => json!(e),
        _ => Value::Null,
    }
}

/// The study window of a result (`"window"`): its hours, first and last dates (only for a
/// window given by dates), clock, the step length where it is not an hour (`"step_min"`),
/// and the sample it is counted per: `"unit"` is the word after the slash in every unit
/// (`yr`, `window`, `sample`), `"per"` the same in words.
pub fn window_json(model: &SystemModel) -> Value {
    let cal = model.calendar();
    let mut w = json!({"hours": cal.window_hours()});
    if cal.step_min() != 60 {
        w["step_min"] = cal.step_min().into();
    }
    if let (Some(start), Some(end)) = (cal.start(), cal.end()) {
        w["start"] = start.to_string().into();
        w["end"] = end.to_string().into();
    }
    w["utc_offset"] = cal.utc_offset().into();
    w["unit"] = cal.per_unit().into();
    w["per"] = cal.per_words().into();
    w
}

/// The indices of area `a` (a region, or the system when `a` = number of regions); the EUE
/// parts and `mining_curtailed_mwh` only where the model has mining, the storage indices
/// only for the system and the regions with storage, the demand response indices
/// (`dr_*`) only for the system and the regions with demand response.
pub fn area_indices(model: &SystemModel, acc: &Indices, a: usize) -> Map<String, Value> {
    let lole = acc.lole.finish(a);
    let eue = acc.eue.finish(a);
    // Every shortfall index rests on the samples with a shortfall in the area.
    let k = acc.lole.shortfall_samples(a);
    // Steps to hours, MW x steps to MWh (the identity at one-hour steps).
    let cal = model.calendar();
    let values = [
        Some(lole.lole_h.per_hour(cal)),
        Some(acc.lole_days.finish(a).lole_d.resting_on(k, false)),
        Some(lole.lolf),
        lole.lold_h.map(|e| e.per_hour(cal)),
        Some(eue.eue_mwh.resting_on(k, false).per_hour(cal)),
        eue.neue_ppm.map(|e| e.resting_on(k, false)),
        Some(lole.p_shortfall),
    ];
    let mut map: Map<String, Value> = INDEX_KEYS
        .iter()
        .zip(values)
        .map(|(k, v)| (k.to_string(), estimate(v)))
        .collect();
    let mining = &model.conditions().mining;
    if !mining.is_empty() {
        for (part, name) in PARTS.iter().enumerate() {
            map.insert(
                name.to_string(),
                estimate(Some(acc.eue_parts.part_mwh(a, part).resting_on(k, false))),
            );
        }
    }
    if !mining.registered.is_empty() {
        map.insert(
            "mining_curtailed_mwh".into(),
            estimate(Some(acc.mining_curtailed.mwh(a))),
        );
    }
    let regions = model.regions().len();
    if model
        .storages()
        .iter()
        .any(|s| a == regions || s.region == a)
    {
        // Watt-steps to MWh (`crate::storage`, "Time steps"), as unserved energy.
        for (key, value) in [
            ("storage_charged_mwh", Some(acc.storage.charged_mwh(a))),
            (
                "storage_discharged_mwh",
                Some(acc.storage.discharged_mwh(a)),
            ),
            ("storage_at_event_mwh", acc.storage.at_event_mwh(a)),
        ] {
            map.insert(key.into(), estimate(value.map(|e| e.per_hour(cal))));
        }
    }
    if model
        .storages()
        .iter()
        .any(|s| s.inflow.is_some() && (a == regions || s.region == a))
    {
        map.insert(
            "storage_spilled_mwh".into(),
            estimate(Some(acc.storage.spilled_mwh(a).per_hour(cal))),
        );
    }
    if model
        .demand_responses()
        .iter()
        .any(|d| a == regions || d.region == a)
    {
        let dr = &acc.demand_response;
        for (key, value) in [
            ("dr_borrowed_mwh", dr.borrowed_mwh(a)),
            ("dr_paid_back_mwh", dr.paid_back_mwh(a)),
            ("dr_unserved_payback_mwh", dr.unserved_payback_mwh(a)),
        ] {
            map.insert(key.into(), estimate(Some(value.per_hour(cal))));
        }
    }
    map
}

/// The corridors of a model (`"corridors"`): per corridor name, its lines and `binding_h`
/// (hours in which one more MW on every line of it would lower the least firm shortfall);
/// `None` for a model without corridors, whose results then have no such key.
pub fn corridors_json(model: &SystemModel, acc: &Indices) -> Option<Value> {
    let net = model.network();
    if net.corridors.is_empty() {
        return None;
    }
    let corridors: Map<String, Value> = net
        .corridors
        .iter()
        .enumerate()
        .map(|(c, corridor)| {
            let lines = net.corridor_line_names(corridor);
            let e = estimate(Some(acc.corridors.binding_h(c).per_hour(model.calendar())));
            (
                corridor.name.clone(),
                json!({ "lines": lines, "binding_h": e }),
            )
        })
        .collect();
    Some(corridors.into())
}

/// The ladder of a model (`"ladder"`): per rank name, cheapest first, its `used_h`,
/// `used_mwh` and `used_d`; `None` for a model without a ladder, whose results then have
/// no such key.
pub fn ladder_json(model: &SystemModel, acc: &Indices) -> Option<Value> {
    let ladder = &model.network().ladder;
    if ladder.is_empty() {
        return None;
    }
    let ranks: Map<String, Value> = ladder
        .iter()
        .enumerate()
        .map(|(k, rank)| {
            let l = &acc.ladder;
            (
                rank.name.clone(),
                json!({
                    "used_h": estimate(Some(l.used_h(k))),
                    "used_mwh": estimate(Some(l.used_mwh(k))),
                    "used_d": estimate(Some(l.used_d(k))),
                }),
            )
        })
        .collect();
    Some(ranks.into())
}

/// The regions of `model` that can have indices: hubs have no demand and no units, so no
/// index of theirs can be non-zero.
pub fn indexed_regions(model: &SystemModel) -> impl Iterator<Item = (usize, &str)> {
    model
        .regions()
        .iter()
        .enumerate()
        .filter(|&(r, region)| region.peak_w() > 0 || !model.region_units(r).is_empty())
        .map(|(r, region)| (r, region.name()))
}

/// The thresholds of the event tails asked for (`--event-mw`, `--event-hours`): they only
/// choose which probabilities the results show, not what is accumulated.
#[derive(Clone, Debug, Default)]
pub struct TailQuery {
    /// P(at least one event above X MW) for each X, whole MW.
    pub event_mw: Vec<u64>,
    /// P(at least one event longer than Y hours) for each Y.
    pub event_hours: Vec<u64>,
}

impl TailQuery {
    /// The durations of `event_hours` in steps of `cal`, as the event tails count them.
    pub fn event_steps(&self, cal: &gridrisk_core::Calendar) -> Vec<u64> {
        let k = cal.steps_per_hour() as u64;
        self.event_hours
            .iter()
            .map(|&h| h.saturating_mul(k))
            .collect()
    }
}

/// The system's EUE distribution (`"eue_distribution"`), with each indexed region's under
/// `"regions"` by region name where the model has more than one region (a single region's
/// distribution is the system's).
fn eue_distribution_json(model: &SystemModel, acc: &Indices) -> Value {
    let cal = model.calendar();
    let mut section = json!(acc.eue_distribution.finish().per_hour(cal));
    let regions: Map<String, Value> = indexed_regions(model)
        .filter_map(|(r, name)| {
            let d = acc.tails.eue_distribution(r)?.per_hour(cal);
            Some((name.to_string(), json!(d)))
        })
        .collect();
    if !regions.is_empty() {
        section["regions"] = regions.into();
    }
    section
}

/// The event tails (`"event_tails"`) of the system and of each indexed region, with the
/// probabilities at the thresholds of `query`.
fn event_tails_json(model: &SystemModel, acc: &Indices, query: &TailQuery) -> Value {
    let cal = model.calendar();
    let steps = query.event_steps(cal);
    let area = |a: usize| json!(acc.tails.finish(a, &query.event_mw, &steps).per_hour(cal));
    let regions: Map<String, Value> = indexed_regions(model)
        .map(|(r, name)| (name.to_string(), area(r)))
        .collect();
    json!({"system": area(model.regions().len()), "regions": regions})
}

/// The results by month (`"monthly"`) of the system and of each indexed region; `None` for
/// a window without dates.
fn monthly_json(model: &SystemModel, acc: &Indices) -> Option<Value> {
    if acc.monthly.is_empty() {
        return None;
    }
    let regions: Map<String, Value> = indexed_regions(model)
        .map(|(r, name)| (name.to_string(), month_json(model, acc, r)))
        .collect();
    let system = month_json(model, acc, model.regions().len());
    Some(json!({"system": system, "regions": regions}))
}

/// The months of area `a`, in hours and MWh.
fn month_json(model: &SystemModel, acc: &Indices, a: usize) -> Value {
    let cal = model.calendar();
    let months: Vec<_> = (acc.monthly.finish(a).into_iter())
        .map(|m| crate::accumulators::MonthResult {
            lole_h: m.lole_h.per_hour(cal),
            eue_mwh: m.eue_mwh.per_hour(cal),
            ..m
        })
        .collect();
    json!(months)
}

/// Every section of a scenario's results, in output order: `"system"`, `"regions"`,
/// `"imports"`, `"lines"`, where corridors are declared `"corridors"`, where a ladder is
/// named `"ladder"`, `"eue_distribution"`, `"heatmap"`, `"event_tails"`, for a window with
/// dates `"monthly"` and, where there is illegal mining, `"illegal_mining_path"`. A run's
/// document and each scenario of a comparison are made of these same sections, so a section
/// added here appears in both with the same name and shape.
pub fn scenario_sections(
    model: &SystemModel,
    acc: &Indices,
    query: &TailQuery,
) -> Map<String, Value> {
    let regions: Map<String, Value> = indexed_regions(model)
        .map(|(r, name)| (name.to_string(), area_indices(model, acc, r).into()))
        .collect();
    let net = model.network();
    let imports: Map<String, Value> = net
        .imports
        .iter()
        .enumerate()
        .map(|(s, source)| {
            let value = if source.schedule_w.is_empty() {
                let e = estimate(Some(acc.imports.import_mwh(s)));
                let path = acc.import_path.mean_mw_by_day(s);
                json!({ "import_mwh": e, "mean_mw_by_day": path })
            } else {
                scheduled_source_json(model, acc, s)
            };
            (source.name.clone(), value)
        })
        .collect();
    let lines: Map<String, Value> = net
        .lines
        .iter()
        .enumerate()
        .map(|(l, line)| {
            let e = estimate(Some(acc.binding.binding_h(l).per_hour(model.calendar())));
            (line.name.clone(), json!({ "binding_h": e }))
        })
        .collect();
    let mut sections = Map::new();
    sections.insert(
        "system".into(),
        area_indices(model, acc, model.regions().len()).into(),
    );
    sections.insert("regions".into(), regions.into());
    sections.insert("imports".into(), imports.into());
    sections.insert("lines".into(), lines.into());
    if let Some(corridors) = corridors_json(model, acc) {
        sections.insert("corridors".into(), corridors);
    }
    if let Some(ladder) = ladder_json(model, acc) {
        sections.insert("ladder".into(), ladder);
    }
    sections.insert("eue_distribution".into(), eue_distribution_json(model, acc));
    sections.insert("heatmap".into(), json!(acc.heatmap.finish()));
    sections.insert("event_tails".into(), event_tails_json(model, acc, query));
    if let Some(monthly) = monthly_json(model, acc) {
        sections.insert("monthly".into(), monthly);
    }
    if !acc.illegal_path.is_empty() {
        sections.insert(
            "illegal_mining_path".into(),
            json!(acc.illegal_path.finish()),
        );
    }
    sections
}

/// The imports of source `s`, which has a schedule: the gross import (`import_mwh`, the
/// scheduled import plus the import beyond it), its two parts, the scheduled export with
/// its served and curtailed parts, the net import (gross import less served export), and
/// the gross and scheduled mean import per day. The scheduled parts are exact (the same in
/// every sample: estimates with standard error 0); each other estimate's standard error is
/// that of its random part.
fn scheduled_source_json(model: &SystemModel, acc: &Indices, s: usize) -> Value {
    let schedule = &model.network().imports[s].schedule_w;
    let cal = model.calendar();
    let mwh = |wh: i128| wh as f64 / W_PER_MW as f64;
    let import_wh: i128 = schedule.iter().map(|&w| i128::from(w.max(0))).sum();
    let export_wh: i128 = schedule.iter().map(|&w| i128::from((-w).max(0))).sum();
    let (import_mwh, export_mwh) = (mwh(import_wh), mwh(export_wh));
    let beyond = acc.imports.import_mwh(s);
    let curtailed = acc.imports.export_curtailed_mwh(s);
    let served = curtailed.scaled(-1.0).shifted(export_mwh).at_least(0.0);
    let net = acc
        .imports
        .net_random_mwh(s)
        .shifted(import_mwh - export_mwh);
    let mut day_wh = vec![0_i128; cal.days()];
    let mut day_hours = vec![0_u32; cal.days()];
    for (h, &w) in schedule.iter().enumerate() {
        day_wh[cal.day(h)] += i128::from(w.max(0));
        day_hours[cal.day(h)] += 1;
    }
    let scheduled_path: Vec<f64> = day_wh
        .iter()
        .zip(&day_hours)
        .map(|(&wh, &n)| mwh(wh) / f64::from(n.max(1)))
        .collect();
    let path: Vec<f64> = acc
        .import_path
        .mean_mw_by_day(s)
        .iter()
        .zip(&scheduled_path)
        .map(|(beyond, scheduled)| beyond + scheduled)
        .collect();
    json!({
        "import_mwh": estimate(Some(beyond.shifted(import_mwh).at_least(import_mwh))),
        "scheduled_import_mwh": Estimate::new(import_mwh, 0.0),
        "beyond_schedule_mwh": estimate(Some(beyond)),
        "scheduled_export_mwh": Estimate::new(export_mwh, 0.0),
        "export_served_mwh": estimate(Some(served)),
        "export_curtailed_mwh": estimate(Some(curtailed)),
        "net_import_mwh": estimate(Some(net)),
        "mean_mw_by_day": path,
        "scheduled_mw_by_day": scheduled_path,
    })
}

/// The result document of one run.
pub fn result_json(
    model: &SystemModel,
    scenario: &ScenarioId,
    spec: &SimulationSpec,
    out: &RunOutput<Indices>,
    run: &RunInfo,
    query: &TailQuery,
) -> Value {
    // A run with targets replaces this with its targets' intervals (crate::stopping).
    let stop = match spec.stop() {
        StopRule::Samples(n) => json!({"rule": "samples", "samples": n}),
        StopRule::Targets { max_samples } => {
            crate::stopping::stop_json(max_samples, out.samples, &[], &[])
        }
    };
    let mut doc = json!({
        "schema": SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "scenario": {"name": scenario.name, "content_hash": scenario.content_hash},
        "seed": spec.seed().to_string(),
        "samples": out.samples,
        "horizon_h": model.calendar().window_hours(),
        "window": window_json(model),
        "block_size": spec.block_size(),
        "stop": stop,
    });
    if let Some(map) = doc.as_object_mut() {
        map.extend(scenario_sections(model, &out.acc, query));
    }
    if let Some(events) = &out.acc.events {
        doc["events"] = events.summary_json(out.samples);
    }
    if let Some(attribution) = &out.acc.attribution {
        doc["attribution"] = attribution.summary_json(model);
    }
    doc["run"] = json!({
        "threads": run.threads,
        "wall_s": run.wall_s,
        "samples_per_s": out.samples as f64 / run.wall_s.max(1e-9),
    });
    doc
}

/// The totals that exist only where there is mining.
const MINING_TOTALS: [&str; 4] = [
    "eue_household_mwh",
    "eue_illegal_mwh",
    "eue_registered_mwh",
    "mining_curtailed_mwh",
];

/// Schema tag of a paired comparison.
pub const COMPARE_SCHEMA: &str = "gridrisk.compare/1";

/// One scenario of a comparison: its model, identity and label.
pub struct Compared<'a> {
    /// The model.
    pub model: &'a SystemModel,
    /// Its identity.
    pub id: ScenarioId,
    /// A readable label (a study's, or the scenario name).
    pub label: String,
}

/// The paired differences of variant `k`'s event-tail probabilities in base area `a`, in
/// the shape of `"event_tails"`' thresholds; `None` without thresholds.
fn tail_difference_json(
    cmp: &crate::compare::Comparison,
    k: usize,
    a: usize,
    query: &TailQuery,
) -> Option<Value> {
    if query.event_mw.is_empty() && query.event_hours.is_empty() {
        return None;
    }
    let (mw, hours) = cmp.tail_difference(k, a);
    let at = |xs: &[u64], ds: Vec<Estimate>| -> Vec<Value> {
        (xs.iter().zip(ds))
            .map(|(x, d)| json!({"above": x, "p": estimate(Some(d))}))
            .collect()
    };
    Some(json!({
        "p_event_above_mw": at(&query.event_mw, mw),
        "p_event_longer_than_h": at(&query.event_hours, hours),
    }))
}

/// The paired differences of variant `k`'s monthly LOLE, EUE and events in base area `a`,
/// in the shape of `"monthly"`; `None` for a window without months or a variant whose
/// months are not the base's.
fn month_difference_json(
    cmp: &crate::compare::Comparison,
    months: &crate::accumulators::Monthly,
    cal: &gridrisk_core::Calendar,
    k: usize,
    a: usize,
) -> Option<Value> {
    if months.is_empty() {
        return None;
    }
    let rows = (months.months().iter().enumerate())
        .map(|(i, (year, month))| {
            let [lole, eue, lolf] = cmp.month_difference(k, a, i)?;
            Some(json!({
                "month": format!("{year:04}-{month:02}"),
                "lole_h": estimate(Some(lole.per_hour(cal))),
                "eue_mwh": estimate(Some(eue.per_hour(cal))),
                "lolf": estimate(Some(lolf)),
            }))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(rows.into())
}

/// The comparison document: per scenario (`"base"`, then each of `"variants"`) its label,
/// identity, window (the same hours as the base's, possibly other dates; the top-level
/// `"window"` is the base's) and every section a run's document has ([`scenario_sections`], same names and
/// shapes), and for each variant its paired differences from the base (`"difference"`:
/// `{"mean", "se", "ci95"}` per additive index of the system and of each region of the
/// base). Imports, lines, the EUE distribution, the heatmap and the paths have no paired
/// difference: they are each scenario's own estimates. Adding sections keeps the schema at
/// `gridrisk.compare/1`: readers ignore keys they do not know.
pub fn compare_json(
    scenarios: &[Compared],
    spec: &SimulationSpec,
    out: &RunOutput<crate::compare::Comparison>,
    run: &RunInfo,
    query: &TailQuery,
) -> Value {
    let base = scenarios[0].model;
    let areas = base.regions().len();
    let any_mining = scenarios
        .iter()
        .any(|s| !s.model.conditions().mining.is_empty());
    let scenario_doc = |k: usize| {
        let s = &scenarios[k];
        let mut doc = json!({
            "label": s.label,
            "scenario": {"name": s.id.name, "content_hash": s.id.content_hash},
            "window": window_json(s.model),
        });
        if let Some(map) = doc.as_object_mut() {
            map.extend(scenario_sections(s.model, &out.acc.indices[k], query));
        }
        if k > 0 {
            let diff = |a: usize| -> Map<String, Value> {
                SAMPLE_TOTALS
                    .iter()
                    .enumerate()
                    .filter(|(_, (key, _))| any_mining || !MINING_TOTALS.contains(key))
                    .map(|(i, (key, _))| {
                        let d = out.acc.difference(k, a, i);
                        // Steps to hours and MW x steps to MWh (the identity at one-hour
                        // steps); days, events and probabilities are not per step.
                        let d = if key.ends_with("_h") || key.ends_with("_mwh") {
                            d.per_hour(base.calendar())
                        } else {
                            d
                        };
                        (key.to_string(), estimate(Some(d)))
                    })
                    .collect()
            };
            let regions: Map<String, Value> = indexed_regions(base)
                .map(|(r, name)| (name.to_string(), diff(r).into()))
                .collect();
            doc["difference"] = json!({"system": diff(areas), "regions": regions});
            let by_area = |f: &dyn Fn(usize) -> Option<Value>| -> Option<Value> {
                let regions: Map<String, Value> = indexed_regions(base)
                    .filter_map(|(r, name)| Some((name.to_string(), f(r)?)))
                    .collect();
                Some(json!({"system": f(areas)?, "regions": regions}))
            };
            if let Some(tails) = by_area(&|a| tail_difference_json(&out.acc, k, a, query)) {
                doc["difference"]["event_tails"] = tails;
            }
            let months = &out.acc.indices[0].monthly;
            if let Some(monthly) =
                by_area(&|a| month_difference_json(&out.acc, months, base.calendar(), k, a))
            {
                doc["difference"]["monthly"] = monthly;
            }
        }
        doc
    };
    json!({
        "schema": COMPARE_SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "seed": spec.seed().to_string(),
        "samples": out.samples,
        "horizon_h": base.calendar().window_hours(),
        "window": window_json(base),
        "block_size": spec.block_size(),
        "base": scenario_doc(0),
        "variants": (1..scenarios.len()).map(scenario_doc).collect::<Vec<_>>(),
        "run": {
            "threads": run.threads,
            "wall_s": run.wall_s,
            "samples_per_s": out.samples as f64 / run.wall_s.max(1e-9),
        },
    })
}
