//! The event catalogue: every shortfall event, one row each, with the state of the system at
//! its peak hour, and its summary (frequency-duration table, worst events, peak histogram).
//!
//! An **event** of an area is a maximal run of consecutive hours in which the area has
//! unserved firm demand (> 0 W): the same runs that `lolf` counts ([`super::Lole`]), so a
//! sample's events of an area are its `lolf` contribution and their energies sum to its
//! `eue_mwh` contribution exactly. Regions have their own events; a **system** event is a
//! run of hours in which some region is short. Samples are independent windows: an event
//! never spans two samples (one cut by the end of the window ends there).
//!
//! Per event: scenario, sample, area, start (date on the study clock, hour of day, and hour
//! index in the window), peak hour index, duration (h), peak (MW: the largest hourly
//! shortfall), energy (MWh), the regions affected (for a system event, every region short
//! in one of its hours; for a region's, the region), and the state at the peak hour (the
//! first hour of the peak on ties), in the columns of [`Layout::state_names`].
//!
//! With cause attribution (`run --attribute --events`), each row also carries the event's
//! energy split over the causes ([`EventCatalogue::with_attribution`], filled by
//! [`crate::attribution`]).
//!
//! Rows are kept per block ([`EventCatalogue::rows`]) and are not merged: the runner shows
//! each block to the writer in block order, which appends and drops them. The summary is
//! merged like any index; a shard file carries it beside its state (`events`), so `merge`
//! gives the unsharded run's summary, and the shards' row files in shard order are the
//! unsharded run's.

use super::{HourView, SampleView};
use crate::table::{Table, Values};
use gridrisk_core::SystemModel;
use std::sync::Arc;

/// Duration classes of the frequency-duration table: lower bounds, hours.
pub const DURATION_CLASSES_H: [usize; 6] = [1, 2, 4, 8, 16, 24];

/// Upper bounds of the bins of the peak histogram, MW (1-2-5 steps; a last bin is open).
pub const PEAK_BOUNDS_MW: [i64; 13] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/// Bins of the peak histogram.
pub const PEAK_BINS: usize = PEAK_BOUNDS_MW.len() + 1;

/// Worst events kept per area, by energy.
pub const WORST: usize = 5;

const NONE: usize = usize::MAX;

/// What the catalogue knows of the model: names and the columns of the peak state.
#[derive(Debug)]
pub struct Layout {
    scenario: Arc<str>,
    /// Region names, then "system".
    areas: Vec<Arc<str>>,
    /// First date of the window, if it has dates.
    start: Option<gridrisk_core::calendar::Date>,
    /// Date of each day of the window (empty texts without dates).
    dates: Vec<Arc<str>>,
    hours: usize,
    /// Capacity of each region's units when up, watts.
    capacity_w: Vec<i64>,
    /// Per corridor: its lines.
    corridors: Vec<Vec<usize>>,
    sources: usize,
    zones: usize,
    ranks: usize,
    state_names: Vec<String>,
}

impl Layout {
    /// The layout of `model`'s events, labelled `scenario`.
    pub fn of(model: &SystemModel, scenario: &str) -> Layout {
        let regions: Vec<&str> = model.regions().iter().map(|r| r.name()).collect();
        let net = model.network();
        let zones = &model.conditions().weather.zones;
        let mut capacity_w = vec![0; regions.len()];
        let units = model.units();
        for (&r, &w) in units.region.iter().zip(&units.capacity_w) {
            capacity_w[r] += w;
        }
        let mut state_names = Vec::new();
        for (what, unit) in [
            ("generation_available", "mw"),
            ("units_out", "mw"),
            ("illegal_mining", "mw"),
            ("interruptible_curtailed", "mw"),
        ] {
            state_names.extend(regions.iter().map(|r| format!("{what}_{unit}.{r}")));
        }
        state_names.extend(
            net.imports
                .iter()
                .map(|s| format!("import_available_mw.{}", s.name)),
        );
        state_names.extend(
            net.corridors
                .iter()
                .map(|c| format!("corridor_limit_mw.{}", c.name)),
        );
        state_names.extend(
            zones
                .iter()
                .map(|z| format!("temperature_anomaly_c.{}", z.name)),
        );
        state_names.extend(net.ladder.iter().map(|k| format!("ladder_mw.{}", k.name)));
        Layout {
            scenario: scenario.into(),
            areas: (regions.iter().copied())
                .chain(["system"])
                .map(Arc::from)
                .collect(),
            start: model.calendar().start(),
            dates: {
                let none: Arc<str> = Arc::from("");
                (0..model.calendar().days())
                    .map(|d| {
                        (model.calendar().start()).map_or_else(
                            || none.clone(),
                            |s| s.plus_days(d as i64).to_string().into(),
                        )
                    })
                    .collect()
            },
            hours: model.hours(),
            capacity_w,
            corridors: net.corridors.iter().map(|c| c.lines.clone()).collect(),
            sources: net.imports.len(),
            zones: zones.len(),
            ranks: net.ladder.len(),
            state_names,
        }
    }

    /// Names of the peak-state columns, with units: per region `generation_available_mw`,
    /// `units_out_mw`, `illegal_mining_mw`, `interruptible_curtailed_mw`; per import source
    /// `import_available_mw`; per corridor `corridor_limit_mw`; per weather zone
    /// `temperature_anomaly_c`; per ladder rank `ladder_mw` (each `.<name>`).
    pub fn state_names(&self) -> &[String] {
        &self.state_names
    }

    /// Area names (regions, then "system").
    pub fn areas(&self) -> &[Arc<str>] {
        &self.areas
    }

    fn regions(&self) -> usize {
        self.areas.len() - 1
    }

    /// An empty table of event rows.
    fn table(&self) -> Table {
        let int = || Values::Int(Vec::new());
        let float = || Values::Float(Vec::new());
        let text = || Values::Text(Vec::new());
        let mut columns = vec![
            ("scenario".to_string(), text()),
            ("sample".to_string(), int()),
            ("area".to_string(), text()),
            ("start_date".to_string(), text()),
            ("start_hour_of_day".to_string(), int()),
            ("start_hour".to_string(), int()),
            ("peak_hour".to_string(), int()),
            ("duration_h".to_string(), int()),
            ("peak_mw".to_string(), float()),
            ("energy_mwh".to_string(), float()),
            ("regions_affected".to_string(), text()),
        ];
        columns.extend(self.state_names.iter().map(|n| (n.clone(), float())));
        Table::new(columns)
    }
}

/// One of the worst events of an area.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WorstEvent {
    /// Sample index.
    pub sample: u64,
    /// First hour (index in the window).
    pub start_hour: usize,
    /// Duration, hours.
    pub duration_h: usize,
    /// Peak shortfall, watts.
    pub peak_w: i64,
    /// Energy, watt-hours.
    pub energy_wh: i64,
    /// Regions affected.
    #[serde(with = "shared_text")]
    pub regions: Arc<str>,
}

/// An `Arc<str>` as a JSON string (serde's `rc` feature would serialise every `Arc`).
mod shared_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
        String::deserialize(d).map(Arc::from)
    }
}

/// An event of the last sample ([`EventCatalogue::sample_events`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SampleEvent {
    /// Area index (regions, then the system).
    pub area: usize,
    /// First hour (index in the window).
    pub start_hour: usize,
    /// Duration, hours.
    pub duration_h: usize,
    /// Energy, watt-hours.
    pub energy_wh: i64,
}

/// The mergeable summary of the events of a run (in shard files as `events.state`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EventSummary {
    /// `counts[a * DURATION_CLASSES_H.len() + c]`: events of area `a` in duration class `c`.
    pub duration_counts: Vec<u64>,
    /// `peak_counts[a * PEAK_BINS + b]`: events of area `a` whose peak is in bin `b`
    /// ([`PEAK_BOUNDS_MW`]: bin `b` holds peaks below its bound and at least the one before).
    pub peak_counts: Vec<u64>,
    /// The [`WORST`] events of each area with the most energy (ties: earlier sample, then
    /// earlier start), worst first.
    pub worst: Vec<Vec<WorstEvent>>,
}

impl EventSummary {
    fn add(&mut self, a: usize, e: WorstEvent) {
        let class = DURATION_CLASSES_H
            .iter()
            .rposition(|&d| e.duration_h >= d)
            .expect("an event lasts at least an hour");
        self.duration_counts[a * DURATION_CLASSES_H.len() + class] += 1;
        let bin = PEAK_BOUNDS_MW.partition_point(|&mw| mw * 1_000_000 <= e.peak_w);
        self.peak_counts[a * PEAK_BINS + bin] += 1;
        let worst = &mut self.worst[a];
        // Most events are not among the worst: no sort for them.
        if worst.len() < WORST || worst.last().is_some_and(|w| e.energy_wh > w.energy_wh) {
            worst.push(e);
            sort_worst(worst);
        }
    }

    /// Check a summary read from a shard file of `samples` (a range of sample indices) of
    /// a model with `areas` areas and `hours` hours per sample, whose areas had `events`
    /// events in all (the `lolf` sums): the shapes, every area's counts summing to its
    /// events, and its worst events being events of those samples, in order. The error
    /// names the field.
    pub fn check(
        &self,
        areas: usize,
        hours: usize,
        samples: &std::ops::Range<u64>,
        events: &[i128],
    ) -> Result<(), String> {
        let classes = DURATION_CLASSES_H.len();
        for (name, len, want) in [
            (
                "duration_counts",
                self.duration_counts.len(),
                areas * classes,
            ),
            ("peak_counts", self.peak_counts.len(), areas * PEAK_BINS),
            ("worst", self.worst.len(), areas),
        ] {
            if len != want {
                return Err(format!("{name}: {len} entries, expected {want}"));
            }
        }
        for (a, &n) in events.iter().enumerate() {
            let sum = |v: &[u64], k: usize| {
                v[a * k..(a + 1) * k]
                    .iter()
                    .map(|&c| i128::from(c))
                    .sum::<i128>()
            };
            for (name, got) in [
                ("duration_counts", sum(&self.duration_counts, classes)),
                ("peak_counts", sum(&self.peak_counts, PEAK_BINS)),
            ] {
                if got != n {
                    return Err(format!(
                        "{name}: {got} events of area {a}, but the state counts {n} (lole)"
                    ));
                }
            }
            let worst = &self.worst[a];
            if worst.len() as i128 != n.min(WORST as i128) {
                return Err(format!(
                    "worst[{a}]: {} events, expected {} of its {n}",
                    worst.len(),
                    n.min(WORST as i128)
                ));
            }
            let mut sorted = worst.clone();
            sort_worst(&mut sorted);
            if sorted != *worst {
                return Err(format!("worst[{a}]: not in order of energy, sample, start"));
            }
            for (i, e) in worst.iter().enumerate() {
                let fits = samples.contains(&e.sample)
                    && e.duration_h >= 1
                    && e.start_hour
                        .checked_add(e.duration_h)
                        .is_some_and(|end| end <= hours)
                    && e.peak_w > 0
                    && e.energy_wh >= e.peak_w;
                if !fits {
                    return Err(format!(
                        "worst[{a}][{i}]: not an event of samples {}..{} in {hours} hours",
                        samples.start, samples.end
                    ));
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, later: &EventSummary) {
        for (x, y) in self.duration_counts.iter_mut().zip(&later.duration_counts) {
            *x += y;
        }
        for (x, y) in self.peak_counts.iter_mut().zip(&later.peak_counts) {
            *x += y;
        }
        for (x, y) in self.worst.iter_mut().zip(&later.worst) {
            x.extend_from_slice(y);
            sort_worst(x);
        }
    }
}

fn sort_worst(worst: &mut Vec<WorstEvent>) {
    worst.sort_by(|x, y| {
        (y.energy_wh.cmp(&x.energy_wh))
            .then(x.sample.cmp(&y.sample))
            .then(x.start_hour.cmp(&y.start_hour))
    });
    worst.truncate(WORST);
}

/// Accumulator of the event catalogue of one block, and of the summary.
#[derive(Clone, Debug)]
pub struct EventCatalogue {
    layout: Arc<Layout>,
    /// Per area: first hour of the open event ([`NONE`]: none open), its last hour, peak
    /// and peak hour, energy so far.
    start: Vec<usize>,
    last: Vec<usize>,
    peak_w: Vec<i64>,
    peak_hour: Vec<usize>,
    energy_wh: Vec<i64>,
    /// Per region: short in an hour of the open system event.
    affected: Vec<bool>,
    /// Per area: the state at the open event's peak hour ([`Layout::state_names`]).
    peak_state: Vec<f64>,
    /// Attribution columns after the state columns (0 without attribution).
    attributed: usize,
    /// The last sample's events, in row order, and the row of the first of them.
    sample_events: Vec<SampleEvent>,
    sample_events_row: usize,
    /// Events of this sample so far (area, event), for the summary.
    pending: Vec<(usize, WorstEvent)>,
    /// First row of this sample in `rows`.
    sample_first: usize,
    /// This block's rows (not merged: a writer takes them block by block).
    pub rows: Table,
    /// The summary of every sample merged so far.
    pub summary: EventSummary,
}

impl EventCatalogue {
    /// An empty catalogue of `model`'s events, labelled `scenario`.
    pub fn new(model: &SystemModel, scenario: &str) -> EventCatalogue {
        let layout = Layout::of(model, scenario);
        let areas = layout.areas.len();
        let cols = layout.state_names.len();
        EventCatalogue {
            start: vec![NONE; areas],
            last: vec![0; areas],
            peak_w: vec![0; areas],
            peak_hour: vec![0; areas],
            energy_wh: vec![0; areas],
            affected: vec![false; areas - 1],
            peak_state: vec![0.0; areas * cols],
            attributed: 0,
            sample_events: Vec::new(),
            sample_events_row: 0,
            pending: Vec::new(),
            sample_first: 0,
            rows: layout.table(),
            summary: EventSummary {
                duration_counts: vec![0; areas * DURATION_CLASSES_H.len()],
                peak_counts: vec![0; areas * PEAK_BINS],
                worst: vec![Vec::new(); areas],
            },
            layout: Arc::new(layout),
        }
    }

    /// The layout (names, state columns).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// This catalogue with the attribution columns `names` after the state columns, each
    /// filled by [`EventCatalogue::set_attribution`] (NaN until then).
    pub fn with_attribution(mut self, names: &[String]) -> EventCatalogue {
        self.attributed = names.len();
        for name in names {
            self.rows.names.push(name.clone());
            self.rows
                .columns
                .push(crate::table::Values::Float(Vec::new()));
        }
        self
    }

    /// The events of the last sample ended, in row order.
    pub fn sample_events(&self) -> &[SampleEvent] {
        &self.sample_events
    }

    /// Set the attribution columns of the last sample's event `i` ([`Self::sample_events`])
    /// to `values`, MWh.
    pub fn set_attribution(&mut self, i: usize, values: &[f64]) {
        let row = self.sample_events_row + i;
        let first = self.rows.columns.len() - self.attributed;
        for (column, &v) in self.rows.columns[first..].iter_mut().zip(values) {
            column.floats_mut()[row] = v;
        }
    }

    /// Record an hour in which something happened (see [`super::Accumulator::record_hour`]).
    #[inline]
    pub fn record_hour(&mut self, hour: &HourView) {
        let h = hour.hour;
        for (a, &short) in hour.short_w.iter().enumerate() {
            if self.start[a] != NONE && (short == 0 || self.last[a] + 1 != h) {
                self.close(a);
            }
            if short == 0 {
                continue;
            }
            if self.start[a] == NONE {
                self.start[a] = h;
                self.peak_w[a] = 0;
                self.energy_wh[a] = 0;
                if a == self.affected.len() {
                    self.affected.fill(false);
                }
            }
            self.last[a] = h;
            self.energy_wh[a] += short;
            if short > self.peak_w[a] {
                self.peak_w[a] = short;
                self.peak_hour[a] = h;
                self.snapshot(a, hour);
            }
            if a == self.affected.len() {
                for (x, &w) in self.affected.iter_mut().zip(hour.short_w) {
                    *x |= w > 0;
                }
            }
        }
    }

    /// Copy the state of `hour` as area `a`'s peak state.
    fn snapshot(&mut self, a: usize, hour: &HourView) {
        let layout = &*self.layout;
        let n = layout.regions();
        let cols = layout.state_names.len();
        let out = &mut self.peak_state[a * cols..(a + 1) * cols];
        let state = &hour.state;
        let mw = |w: i64| w as f64 / 1e6;
        let level = |r: usize| state.level_w.get(r).copied();
        let mut i = 0;
        let mut put = |v: f64| {
            out[i] = v;
            i += 1;
        };
        for r in 0..n {
            put(level(r).map_or(f64::NAN, mw));
        }
        for r in 0..n {
            put(level(r).map_or(f64::NAN, |g| mw((layout.capacity_w[r] - g).max(0))));
        }
        for r in 0..n {
            put(state.inputs.map_or(f64::NAN, |inp| {
                mw(inp.illegal_w[r * layout.hours + hour.hour])
            }));
        }
        for r in 0..n {
            put(mw(hour.curtailed_w[r]));
        }
        for s in 0..layout.sources {
            put(state.source_w.get(s).map_or(f64::NAN, |&w| mw(w)));
        }
        for lines in &layout.corridors {
            let limit = lines
                .iter()
                .map(|&l| state.arc_limit_w.get(2 * l).copied())
                .sum::<Option<i64>>();
            put(limit.map_or(f64::NAN, mw));
        }
        let weather = state.inputs.and_then(|inp| inp.weather());
        for z in 0..layout.zones {
            put(weather.map_or(f64::NAN, |w| w.anomaly_c(z, hour.day)));
        }
        for k in 0..layout.ranks {
            put(hour.rank_use_w.get(k).map_or(f64::NAN, |&w| mw(w)));
        }
    }

    /// Close area `a`'s open event: append its row.
    fn close(&mut self, a: usize) {
        let layout = &*self.layout;
        let start = self.start[a];
        self.start[a] = NONE;
        let duration_h = self.last[a] + 1 - start;
        let one = self.affected.iter().filter(|&&x| x).count() == 1;
        let regions: Arc<str> = if a == layout.regions() && one {
            // Most system events are one region's: its name is shared, not built.
            let r = self.affected.iter().position(|&x| x).expect("one region");
            layout.areas[r].clone()
        } else if a == layout.regions() {
            (layout.areas.iter().zip(&self.affected))
                .filter(|(_, &x)| x)
                .map(|(name, _)| &**name)
                .collect::<Vec<_>>()
                .join(";")
                .into()
        } else {
            layout.areas[a].clone()
        };
        let c = &mut self.rows.columns;
        c[0].texts_mut().push(layout.scenario.clone());
        c[1].ints_mut().push(0); // the sample, set at its end
        c[2].texts_mut().push(layout.areas[a].clone());
        c[3].texts_mut().push(layout.dates[start / 24].clone());
        c[4].ints_mut().push((start % 24) as i64);
        c[5].ints_mut().push(start as i64);
        c[6].ints_mut().push(self.peak_hour[a] as i64);
        c[7].ints_mut().push(duration_h as i64);
        c[8].floats_mut().push(self.peak_w[a] as f64 / 1e6);
        c[9].floats_mut().push(self.energy_wh[a] as f64 / 1e6);
        c[10].texts_mut().push(regions.clone());
        let cols = layout.state_names.len();
        for (column, &v) in c[11..]
            .iter_mut()
            .zip(&self.peak_state[a * cols..(a + 1) * cols])
        {
            column.floats_mut().push(v);
        }
        for column in &mut c[11 + cols..] {
            column.floats_mut().push(f64::NAN);
        }
        self.pending.push((
            a,
            WorstEvent {
                sample: 0,
                start_hour: start,
                duration_h,
                peak_w: self.peak_w[a],
                energy_wh: self.energy_wh[a],
                regions,
            },
        ));
    }

    /// End a sample: close its open events, stamp its rows with the sample index and add
    /// them to the summary.
    pub fn end_sample(&mut self, sample: &SampleView) {
        for a in 0..self.start.len() {
            if self.start[a] != NONE {
                self.close(a);
            }
        }
        let rows = self.rows.rows();
        self.rows.columns[1].ints_mut()[self.sample_first..].fill(sample.sample as i64);
        self.sample_events_row = self.sample_first;
        self.sample_first = rows;
        self.sample_events.clear();
        for (a, mut e) in self.pending.drain(..) {
            e.sample = sample.sample;
            self.sample_events.push(SampleEvent {
                area: a,
                start_hour: e.start_hour,
                duration_h: e.duration_h,
                energy_wh: e.energy_wh,
            });
            self.summary.add(a, e);
        }
    }

    /// These events' layout with `summary` as what was merged so far (a shard's).
    pub fn with_summary(mut self, summary: EventSummary) -> EventCatalogue {
        self.summary = summary;
        self
    }

    /// Merge a later block's summary (its rows are the writer's).
    pub fn merge(&mut self, later: &EventCatalogue) {
        self.summary.merge(&later.summary);
    }

    /// The summary over `samples` samples as a result section: per area, events per sample
    /// by duration class (the frequency-duration table), the histogram of peak MW and the
    /// worst events.
    pub fn summary_json(&self, samples: u64) -> serde_json::Value {
        let layout = &*self.layout;
        let s = &self.summary;
        let classes = DURATION_CLASSES_H.len();
        let per = |n: u64| n as f64 / samples.max(1) as f64;
        let mut areas = serde_json::Map::new();
        for (a, name) in layout.areas.iter().enumerate() {
            let counts = &s.duration_counts[a * classes..(a + 1) * classes];
            let peaks = &s.peak_counts[a * PEAK_BINS..(a + 1) * PEAK_BINS];
            let worst: Vec<_> = (s.worst[a].iter())
                .map(|e| {
                    let mut event = serde_json::json!({"sample": e.sample});
                    // No key, not null, for a window in hours (results hold no nulls but
                    // for per-event means).
                    if let Some(d) = layout.start {
                        let date = d.plus_days((e.start_hour / 24) as i64).to_string();
                        event["start_date"] = date.into();
                    }
                    event["start_hour_of_day"] = (e.start_hour % 24).into();
                    event["start_hour"] = e.start_hour.into();
                    event["duration_h"] = e.duration_h.into();
                    event["peak_mw"] = (e.peak_w as f64 / 1e6).into();
                    event["energy_mwh"] = (e.energy_wh as f64 / 1e6).into();
                    event["regions_affected"] = (&*e.regions).into();
                    event
                })
                .collect();
            areas.insert(
                name.to_string(),
                serde_json::json!({
                    "events": counts.iter().sum::<u64>(),
                    "events_per_sample": per(counts.iter().sum()),
                    "by_duration": counts.iter().map(|&n| per(n)).collect::<Vec<_>>(),
                    "by_duration_count": counts,
                    "peak_counts": peaks,
                    "worst": worst,
                }),
            );
        }
        serde_json::json!({
            "definition": "an event is a maximal run of consecutive hours with unserved firm \
                demand in the area (system: in some region); counts per sample",
            "duration_classes_h": duration_class_labels(),
            "peak_bounds_mw": PEAK_BOUNDS_MW,
            "areas": areas,
        })
    }
}

/// Labels of the duration classes: `1`, `2-3`, ..., `>=24` (hours).
pub fn duration_class_labels() -> Vec<String> {
    let d = DURATION_CLASSES_H;
    (0..d.len())
        .map(|c| match (d[c], d.get(c + 1)) {
            (lo, None) => format!(">={lo}"),
            (lo, Some(&next)) if next == lo + 1 => lo.to_string(),
            (lo, Some(&next)) => format!("{lo}-{}", next - 1),
        })
        .collect()
}
