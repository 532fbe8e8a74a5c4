//! The worst event's days: the hour-by-hour state of the system over the calendar days of
//! a run's worst system event (the one with the most energy, [`crate::accumulators::events`]),
//! re-simulated on common random numbers.
//!
//! Its sample is drawn again with the run's seed ([`Sampler::sample_tracing`]): the same
//! draws give the same sample, and every hour of the days the event touches is walked and
//! recorded, whether or not anything happens in it. Per hour and region: firm demand,
//! interruptible demand, illegal mining connected (part of the demand), available
//! generation (units available, capped blocks applied, generator-storage offers, plus
//! renewables and neighbours' exchanges), interruptible demand curtailed, unserved firm
//! demand, and energy stored at the start of the hour (with storage); per import source,
//! its import (beyond any schedule). The event's own hours are marked, and its shortfall
//! re-simulated here is the catalogue's to the watt (`tests/events.rs`).
//!
//! The section (`"worst_event_day"` of a result) and its file (`--worst-day FILE`: the
//! same JSON, or CSV with one row per hour) are written only when asked for.

use crate::accumulators::{Accumulator, HourView, SampleView, WorstEvent};
use crate::inputs::InputError;
use crate::Sampler;
use gridrisk_core::model::PEAK_BLOCK_H;
use gridrisk_core::SystemModel;
use serde_json::{json, Map, Value};

/// The quantities per region, in column order: (key, per region in the hour).
const REGION_COLUMNS: [&str; 7] = [
    "firm_demand_mw",
    "interruptible_demand_mw",
    "illegal_mining_mw",
    "generation_available_mw",
    "curtailed_mw",
    "shortfall_mw",
    "stored_mwh",
];

/// The hours traced: every hour of `hours`, per region the [`REGION_COLUMNS`] and per
/// source its import (watts, watt-hours).
struct Trace {
    first: usize,
    hours: usize,
    regions: usize,
    sources: usize,
    /// `(h - first) * regions * REGION_COLUMNS.len() + r * REGION_COLUMNS.len() + c`.
    region_w: Vec<i64>,
    /// `(h - first) * sources + s`.
    import_w: Vec<i64>,
    /// Hours seen (each exactly once, in order).
    seen: usize,
}

impl Accumulator for Trace {
    fn record_hour(&mut self, hour: &HourView) {
        let h = hour.hour;
        if h < self.first || h >= self.first + self.hours {
            return;
        }
        debug_assert_eq!(h - self.first, self.seen, "every traced hour, in order");
        self.seen += 1;
        let inputs = hour.state.inputs.expect("the sampler shows its inputs");
        let all = inputs.firm_w.len() / self.regions;
        let cols = REGION_COLUMNS.len();
        for r in 0..self.regions {
            let i = r * all + h;
            let at = (h - self.first) * self.regions * cols + r * cols;
            let values = [
                inputs.firm_w[i],
                inputs.interruptible_w[i],
                inputs.illegal_w[i],
                hour.state.level_w[r] + inputs.supply_w[i],
                hour.curtailed_w[r],
                hour.short_w[r],
                hour.stored_wh.get(r).copied().unwrap_or(0),
            ];
            self.region_w[at..at + cols].copy_from_slice(&values);
        }
        let at = (h - self.first) * self.sources;
        for (x, &w) in self.import_w[at..at + self.sources]
            .iter_mut()
            .zip(hour.import_w)
        {
            *x = w;
        }
    }

    fn end_sample(&mut self, _: &SampleView) {}

    fn merge(&mut self, _: &Self) {}
}

/// The hours of the calendar days that `event` touches, `first..end`.
fn days_of(model: &SystemModel, event: &WorstEvent) -> std::ops::Range<usize> {
    let cal = model.calendar();
    let (d0, d1) = (
        cal.day(event.start_hour),
        cal.day(event.start_hour + event.duration_h - 1),
    );
    let first = (0..=event.start_hour)
        .rev()
        .take_while(|&h| cal.day(h) == d0)
        .last()
        .expect("the event's first hour");
    let end = (event.start_hour..model.hours())
        .take_while(|&h| cal.day(h) <= d1)
        .last()
        .expect("the event's last hour")
        + 1;
    first..end
}

/// The section of the worst system event `event` of a run of `model` with `seed`: the
/// event, then every hour of its days (module docs).
pub fn section(
    model: &SystemModel,
    seed: u64,
    event: Option<&WorstEvent>,
) -> Result<Value, InputError> {
    let definition = "every hour of the calendar days of the run's worst system event (most \
        unserved energy), its sample re-simulated on the same draws; MW per hour, stored \
        energy in MWh at the start of the hour";
    let Some(event) = event else {
        return Ok(json!({"definition": definition, "events": 0}));
    };
    let hours = days_of(model, event);
    let regions = model.regions().len();
    let net = model.network();
    let mut trace = Trace {
        first: hours.start,
        hours: hours.len(),
        regions,
        sources: net.imports.len(),
        region_w: vec![0; hours.len() * regions * REGION_COLUMNS.len()],
        import_w: vec![0; hours.len() * net.imports.len()],
        seen: 0,
    };
    let blocks = hours.start / PEAK_BLOCK_H..(hours.end - 1) / PEAK_BLOCK_H + 1;
    Sampler::new(model)?.sample_tracing(seed, event.sample, blocks, &mut trace);
    assert_eq!(
        trace.seen,
        hours.len(),
        "the sampler walks every traced hour"
    );
    let cal = model.calendar();
    let mw = |w: i64| w as f64 / 1e6;
    let cols = REGION_COLUMNS.len();
    let has_storage = !model.storages().is_empty();
    let mut by_region = Map::new();
    for (r, region) in model.regions().iter().enumerate() {
        let mut series = Map::new();
        for (c, key) in REGION_COLUMNS.iter().enumerate() {
            if *key == "stored_mwh" && !has_storage {
                continue;
            }
            let values: Vec<f64> = (0..hours.len())
                .map(|i| mw(trace.region_w[i * regions * cols + r * cols + c]))
                .collect();
            series.insert((*key).into(), values.into());
        }
        by_region.insert(region.name().into(), series.into());
    }
    let mut imports = Map::new();
    for (s, source) in net.imports.iter().enumerate() {
        let values: Vec<f64> = (0..hours.len())
            .map(|i| mw(trace.import_w[i * trace.sources + s]))
            .collect();
        imports.insert(source.name.clone(), values.into());
    }
    let mut ev = json!({
        "sample": event.sample,
        "start_hour": event.start_hour,
        "duration_h": event.duration_h,
        "peak_mw": mw(event.peak_w),
        "energy_mwh": mw(event.energy_wh),
        "regions_affected": &*event.regions,
    });
    let mut doc = json!({"definition": definition, "event": {}});
    if let Some(start) = cal.start() {
        let date = |h: usize| start.plus_days(cal.day(h) as i64).to_string();
        ev["start_date"] = date(event.start_hour).into();
        doc["date"] = hours.clone().map(date).collect::<Vec<_>>().into();
    }
    doc["event"] = ev;
    doc["hour"] = hours.clone().collect::<Vec<_>>().into();
    doc["hour_of_day"] = (hours.clone())
        .map(|h| cal.hour_of_day(h))
        .collect::<Vec<_>>()
        .into();
    doc["in_event"] = (hours.clone())
        .map(|h| (event.start_hour..event.start_hour + event.duration_h).contains(&h))
        .collect::<Vec<_>>()
        .into();
    doc["regions"] = by_region.into();
    doc["imports_mw"] = imports.into();
    Ok(doc)
}

/// The section as CSV: one row per hour (`hour`, `date` when the window has dates,
/// `hour_of_day`, `in_event`), then per region each series (`firm_demand_mw.R`, ...) and
/// per source its import (`import_mw.S`); only a header when the run had no event.
pub fn csv(section: &Value) -> String {
    let mut names = vec!["sample".to_string(), "hour".to_string()];
    let dated = section.get("date").is_some();
    if dated {
        names.push("date".into());
    }
    names.extend(["hour_of_day".into(), "in_event".into()]);
    let mut series: Vec<&Vec<Value>> = Vec::new();
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let empty = serde_json::Map::new();
    let regions = section["regions"].as_object().unwrap_or(&empty);
    for (region, s) in regions {
        for (key, values) in s.as_object().unwrap_or(&empty) {
            names.push(format!("{key}.{region}"));
            series.push(values.as_array().expect("a series"));
        }
    }
    for (source, values) in section["imports_mw"].as_object().unwrap_or(&empty) {
        names.push(format!("import_mw.{source}"));
        series.push(values.as_array().expect("a series"));
    }
    let mut out = names.join(",") + "\n";
    let hours = list(&section["hour"]);
    let (dates, of_day, in_event) = (
        list(&section["date"]),
        list(&section["hour_of_day"]),
        list(&section["in_event"]),
    );
    for i in 0..hours.len() {
        let mut row = vec![section["event"]["sample"].to_string(), hours[i].to_string()];
        if dated {
            row.push(dates[i].as_str().unwrap_or("").to_string());
        }
        row.push(of_day[i].to_string());
        row.push(u8::from(in_event[i] == true).to_string());
        row.extend(series.iter().map(|s| s[i].to_string()));
        out += &(row.join(",") + "\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_of_a_run_without_events_is_a_header() {
        let s = json!({"definition": "", "events": 0});
        assert_eq!(csv(&s), "sample,hour,hour_of_day,in_event\n");
    }
}
