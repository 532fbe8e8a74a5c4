//! Result accumulators: what to measure, separate from how samples are drawn.
//!
//! The sampler calls [`Accumulator::record_hour`] for every hour in which some region has a
//! shortfall, an import is used or a rank of the ladder of last resorts is used (other hours
//! contribute nothing to any index, which is what lets the sampler skip them), then
//! [`Accumulator::end_sample`] once per sample. A worker owns
//! one accumulator per block of samples; blocks are merged in block order with
//! [`Accumulator::merge`]; each accumulator's `finish` turns the merged sums into estimates.
//!
//! Indices are kept per *area*: areas `0..regions` are the regions, area `regions` is the
//! system (an hour is a system shortfall hour if any region is short, and system unserved
//! energy is the sum over regions).
//!
//! ## Adding an index
//!
//! Add a file here with the accumulator (per-sample counters reset in `end_sample`, exact
//! cross-sample sums, `merge`, `finish`), its doc (formula, units, scope) and tests, then add
//! a field to [`Indices`] and its `record_hour` / `end_sample` / `merge` calls. The sampler
//! does not change. If the index needs more than [`HourView`] offers, extend `HourView` where
//! the sampler fills it.

mod binding;
mod corridors;
mod demand_response;
mod eue;
mod eue_distribution;
pub mod eue_parts;
pub mod events;
mod heatmap;
mod illegal_path;
mod import_path;
mod imports;
mod ladder_use;
mod lole;
mod lole_days;
mod mining_curtailed;
mod monthly;
mod sample_rows;
mod storage;
mod tails;
mod tally;

pub use binding::Binding;
pub use corridors::Corridors;
pub use demand_response::DemandResponseUse;
pub use eue::{Eue, EueResult};
pub use eue_distribution::{EueDistribution, EueDistributionResult};
pub use eue_parts::EueParts;
pub use events::{EventCatalogue, EventSummary, SampleEvent, WorstEvent};
pub use heatmap::{Heatmap, HeatmapResult};
pub use illegal_path::{IllegalPath, IllegalPathResult};
pub use import_path::ImportPath;
pub use imports::Imports;
pub use ladder_use::LadderUse;
pub use lole::{Lole, LoleResult};
pub use lole_days::{LoleDays, LoleDaysResult};
pub use mining_curtailed::MiningCurtailed;
pub use monthly::{MonthResult, Monthly};
pub use sample_rows::SampleRows;
pub use storage::StorageUse;
pub use tails::{EventTailsResult, Tails, Threshold, CURVE_POINTS};

use crate::estimators::PairSums;
use gridrisk_core::SystemModel;

/// What the sampler shows an accumulator about one hour with a shortfall.
pub struct HourView<'a> {
    /// Hour index in the study window.
    pub hour: usize,
    /// Day index (`hour / 24`).
    pub day: usize,
    /// Hour of day, 0..24.
    pub hour_of_day: usize,
    /// Study week, `hour / 168`.
    pub week: usize,
    /// Unserved firm demand per area (regions, then the system), watts; `> 0` means short.
    pub short_w: &'a [i64],
    /// Part of `short_w` that is illegal mining, watts.
    pub short_illegal_w: &'a [i64],
    /// Part of `short_w` that is registered mining served as firm load, watts.
    pub short_registered_w: &'a [i64],
    /// Interruptible demand curtailed per area, watts.
    pub curtailed_w: &'a [i64],
    /// Part of `curtailed_w` that is registered mining, watts.
    pub mining_curtailed_w: &'a [i64],
    /// Import per source, watts (the least import that achieves the least shortfall),
    /// beyond its schedule.
    pub import_w: &'a [i64],
    /// Curtailed scheduled export per source, watts (empty when no source has a scheduled
    /// export).
    pub export_curtailed_w: &'a [i64],
    /// Per line: would one more MW of limit lower the system's firm shortfall.
    pub binding: &'a [bool],
    /// Per corridor: would one more MW on every line of it lower the system's firm
    /// shortfall.
    pub corridor_binding: &'a [bool],
    /// Per rank of the ladder of last resorts: its use, watts (empty without a ladder).
    pub rank_use_w: &'a [i64],
    /// Per area: energy stored at the start of the hour, before its carry-over loss,
    /// watt-hours (empty without storage).
    pub stored_wh: &'a [i64],
    /// The state of the system in the hour, for accumulators that describe it (the event
    /// catalogue); read only when asked for, so the other accumulators cost nothing more.
    pub state: HourState<'a>,
}

/// The state of the system in one recorded hour.
#[derive(Clone, Copy, Default)]
pub struct HourState<'a> {
    /// Quantity levels in effect ([`crate::outage::Quantities`]: available generation per
    /// region, capped blocks applied, first), watts or circuits.
    pub level_w: &'a [i64],
    /// Per import source: what it can deliver in the hour, watts (empty without a network).
    pub source_w: &'a [i64],
    /// Per arc of the network: its limit in the hour, watts (line `l` is arcs `2l`,
    /// forward, and `2l + 1`, backward; empty without a network).
    pub arc_limit_w: &'a [i64],
    /// The sample's inputs (demand, mining, weather), if the sampler has them.
    pub inputs: Option<&'a crate::inputs::Inputs<'a>>,
}

/// What the sampler shows an accumulator at the end of a sample.
pub struct SampleView<'a> {
    /// Sample index.
    pub sample: u64,
    /// Firm demand energy of the sample per area (regions, then the system), watt-hours.
    pub demand_wh: &'a [i64],
    /// Illegal mining connected nationally at the end of each day, watts, if any.
    pub illegal_by_day_w: Option<&'a [i64]>,
    /// Per area: storage energy charged (drawn from the grid) in the sample, watt-hours
    /// (empty without storage).
    pub charged_wh: &'a [i64],
    /// Per area: storage energy discharged (given to the grid) in the sample, watt-hours
    /// (empty without storage).
    pub discharged_wh: &'a [i64],
    /// Per area: generator-storage inflow spilled in the sample, watt-hours (empty without
    /// generator-storage).
    pub spilled_wh: &'a [i64],
    /// Per area: demand response load borrowed, then paid back, then unserved debt in the
    /// sample, watt-hours (three runs of areas; empty without demand response).
    pub demand_response_wh: &'a [i64],
}

impl<'a> HourView<'a> {
    /// An hour `h` of a window without dates in which the areas lack `short_w` (tests).
    #[cfg(test)]
    pub(crate) fn short(h: usize, short_w: &'a [i64]) -> HourView<'a> {
        const NONE: &[i64] = &[0; 8];
        HourView {
            hour: h,
            day: h / 24,
            hour_of_day: h % 24,
            week: h / 168,
            short_w,
            short_illegal_w: NONE,
            short_registered_w: NONE,
            curtailed_w: NONE,
            mining_curtailed_w: NONE,
            import_w: &[],
            export_curtailed_w: &[],
            binding: &[],
            corridor_binding: &[],
            rank_use_w: &[],
            stored_wh: &[],
            state: HourState::default(),
        }
    }
}

/// A streaming result accumulator.
pub trait Accumulator: Send {
    /// One hour in which at least one region is short, in increasing hour order.
    fn record_hour(&mut self, hour: &HourView);
    /// An hour in which only imports happen: no area is short or curtailed, no rank of a
    /// ladder is used and no line or corridor binds (every other slice of `hour` but
    /// `import_w` is zero or false). The sampler calls it instead of
    /// [`Accumulator::record_hour`] for these hours, which are most of a network's recorded
    /// hours when a region imports in every hour; an accumulator that reads only shortfalls
    /// may ignore them. The default records the hour like any other.
    #[inline]
    fn record_import_hour(&mut self, hour: &HourView) {
        self.record_hour(hour);
    }
    /// The end of a sample: fold its per-sample counters into the cross-sample sums.
    fn end_sample(&mut self, sample: &SampleView);
    /// Add the sums of a later block.
    fn merge(&mut self, later: &Self);
    /// Whether a block keeps rows for a writer (the event catalogue, per-sample rows), so
    /// the runner keeps few blocks at a time.
    fn streams_rows(&self) -> bool {
        false
    }
}

/// Why merging cannot fail inside a run: every per-sample value is bounded when the scenario
/// is read, so the sums of a run fit their types.
const IN_BOUNDS: &str = "sums of a run within the engine's bounds";

/// Add `later` into `total` element by element with `add`, naming `name[i]` on overflow.
fn add_each<T: Copy>(
    total: &mut [T],
    later: &[T],
    name: &str,
    add: fn(T, T) -> Option<T>,
) -> Result<(), String> {
    for (i, (a, &b)) in total.iter_mut().zip(later).enumerate() {
        *a = add(*a, b).ok_or_else(|| format!("{name}[{i}]: the sum overflows"))?;
    }
    Ok(())
}

/// Merge `later`'s sums into `total`'s element by element, naming `name[i].<sum>` on
/// overflow.
fn merge_sums(total: &mut [PairSums], later: &[PairSums], name: &str) -> Result<(), String> {
    for (i, (a, b)) in total.iter_mut().zip(later).enumerate() {
        a.checked_merge(b).map_err(|e| format!("{name}[{i}].{e}"))?;
    }
    Ok(())
}

/// Count a shortfall `hour` of one area in its sample's `hours` and, when it does not
/// continue a run of shortfall hours, its `events`; `next_hour` is the area's last shortfall
/// hour plus one (anything else, such as 0 or `usize::MAX`, before its first: hour 0 always
/// starts an event). The one definition of an event for every index that counts them.
#[inline]
fn count_short_hour(next_hour: &mut usize, hour: usize, hours: &mut i64, events: &mut i64) {
    *hours += 1;
    if *next_hour != hour || hour == 0 {
        *events += 1;
    }
    *next_hour = hour + 1;
}

/// Number of areas (regions plus the system) of a model.
pub fn areas(model: &SystemModel) -> usize {
    model.regions().len() + 1
}

/// The additive per-sample totals that paired comparisons difference: (index key, factor
/// from the total's integer unit to the index's unit).
pub const SAMPLE_TOTALS: [(&str, f64); 9] = [
    ("lole_h", 1.0),
    ("lole_d", 1.0),
    ("lolf", 1.0),
    ("eue_mwh", 1e-6),
    ("eue_household_mwh", 1e-6),
    ("eue_illegal_mwh", 1e-6),
    ("eue_registered_mwh", 1e-6),
    ("p_shortfall", 1.0),
    ("mining_curtailed_mwh", 1e-6),
];

/// Every standard index of design section 4.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Indices {
    /// LOLE (hours), LOLF, LOLD, P(shortfall).
    pub lole: Lole,
    /// LOLE in days.
    pub lole_days: LoleDays,
    /// EUE and NEUE.
    pub eue: Eue,
    /// Distribution of per-sample system EUE, and the worst shortfall.
    pub eue_distribution: EueDistribution,
    /// Shortfall probability by hour of day and study week.
    pub heatmap: Heatmap,
    /// Energy imported per source.
    pub imports: Imports,
    /// Binding hours per line.
    pub binding: Binding,
    /// Binding hours per corridor.
    pub corridors: Corridors,
    /// Mean import per source and day.
    pub import_path: ImportPath,
    /// EUE split into households, illegal and registered mining.
    pub eue_parts: EueParts,
    /// Registered mining curtailed.
    pub mining_curtailed: MiningCurtailed,
    /// Illegal mining connected over the window.
    pub illegal_path: IllegalPath,
    /// Use of each rank of the ladder of last resorts.
    pub ladder: LadderUse,
    /// Storage energy charged, discharged and held at the start of shortfall events.
    pub storage: StorageUse,
    /// Demand response borrowed, paid back and unserved.
    pub demand_response: DemandResponseUse,
    /// Per-region EUE distributions and per-area event tails.
    pub tails: Tails,
    /// LOLE, EUE and events by calendar month.
    pub monthly: Monthly,
    /// The event catalogue, when asked for ([`Indices::with_events`]; not in shard files).
    #[serde(skip)]
    pub events: Option<EventCatalogue>,
    /// Per-sample rows, when asked for ([`Indices::with_sample_rows`]; not in shard files).
    #[serde(skip)]
    pub sample_rows: Option<SampleRows>,
    /// Cause attribution, when asked for ([`Indices::with_attribution`]; filled by
    /// [`crate::attribution::run_observed`]; not in shard files).
    #[serde(skip)]
    pub attribution: Option<crate::attribution::Attribution>,
}

impl Indices {
    /// Empty accumulators for `model`.
    pub fn new(model: &SystemModel) -> Indices {
        Indices {
            lole: Lole::new(areas(model)),
            lole_days: LoleDays::new(areas(model)),
            eue: Eue::new(areas(model)),
            eue_distribution: EueDistribution::default(),
            heatmap: Heatmap::new(model.calendar()),
            imports: Imports::new(
                model.network().imports.len(),
                model
                    .network()
                    .imports
                    .iter()
                    .any(|s| !s.schedule_w.is_empty()),
            ),
            binding: Binding::new(model.network().lines.len()),
            corridors: Corridors::new(model.network().corridors.len()),
            import_path: ImportPath::new(model.network().imports.len(), model.calendar()),
            eue_parts: EueParts::new(areas(model)),
            mining_curtailed: MiningCurtailed::new(areas(model)),
            illegal_path: IllegalPath::new(model),
            ladder: LadderUse::new(model.network().ladder.len()),
            storage: StorageUse::new(areas(model)),
            demand_response: DemandResponseUse::new(if model.demand_responses().is_empty() {
                0
            } else {
                areas(model)
            }),
            tails: Tails::new(areas(model)),
            monthly: Monthly::new(areas(model), model.calendar()),
            events: None,
            sample_rows: None,
            attribution: None,
        }
    }

    /// These indices with cause attribution of `model`'s unserved energy (and of each
    /// event's, with the event catalogue, in either order of the two calls).
    pub fn with_attribution(mut self, model: &SystemModel) -> Indices {
        let attribution = crate::attribution::Attribution::new(model);
        self.events = (self.events.take())
            .map(|e| e.with_attribution(&crate::attribution::event_columns(attribution.causes())));
        self.attribution = Some(attribution);
        self
    }

    /// These indices with the event catalogue of `model`'s events, labelled `scenario`.
    pub fn with_events(mut self, model: &SystemModel, scenario: &str) -> Indices {
        let events = EventCatalogue::new(model, scenario);
        self.events = Some(match &self.attribution {
            Some(a) => events.with_attribution(&crate::attribution::event_columns(a.causes())),
            None => events,
        });
        self
    }

    /// These indices with per-sample rows, labelled `scenario`.
    pub fn with_sample_rows(mut self, model: &SystemModel, scenario: &str) -> Indices {
        let areas = (model.regions().iter().map(|r| r.name().to_string()))
            .chain(["system".to_string()])
            .collect();
        self.sample_rows = Some(SampleRows::new(scenario, areas));
        self
    }

    /// Number of samples recorded.
    pub fn samples(&self) -> u64 {
        self.lole.samples()
    }

    /// The per-sample totals of area `a` in the last sample recorded, in
    /// [`SAMPLE_TOTALS`] order and units (hours, days, events, watt-hours, 0/1).
    pub fn last_sample(&self, a: usize) -> [i64; SAMPLE_TOTALS.len()] {
        let (hours, events) = self.lole.last(a);
        let parts = self.eue_parts.last_wh(a);
        [
            hours,
            self.lole_days.last(a),
            events,
            self.eue.last_wh(a),
            parts[0],
            parts[1],
            parts[2],
            i64::from(hours > 0),
            self.mining_curtailed.last_wh(a),
        ]
    }

    /// Add the sums of a later block or shard; on overflow, the JSON path of the sum that
    /// would overflow (`self` is then partly merged and must be dropped).
    pub fn checked_merge(&mut self, later: &Self) -> Result<(), String> {
        let at = |name: &'static str| move |e: String| format!("{name}.{e}");
        self.lole.checked_merge(&later.lole).map_err(at("lole"))?;
        self.lole_days
            .checked_merge(&later.lole_days)
            .map_err(at("lole_days"))?;
        self.eue.checked_merge(&later.eue).map_err(at("eue"))?;
        self.eue_distribution
            .checked_merge(&later.eue_distribution)
            .map_err(at("eue_distribution"))?;
        self.heatmap
            .checked_merge(&later.heatmap)
            .map_err(at("heatmap"))?;
        self.imports
            .checked_merge(&later.imports)
            .map_err(at("imports"))?;
        self.binding
            .0
            .checked_merge(&later.binding.0)
            .map_err(at("binding"))?;
        self.corridors
            .0
            .checked_merge(&later.corridors.0)
            .map_err(at("corridors"))?;
        self.import_path
            .checked_merge(&later.import_path)
            .map_err(at("import_path"))?;
        self.eue_parts
            .0
            .checked_merge(&later.eue_parts.0)
            .map_err(at("eue_parts"))?;
        self.mining_curtailed
            .0
            .checked_merge(&later.mining_curtailed.0)
            .map_err(at("mining_curtailed"))?;
        self.illegal_path
            .checked_merge(&later.illegal_path)
            .map_err(at("illegal_path"))?;
        self.ladder
            .checked_merge(&later.ladder)
            .map_err(at("ladder"))?;
        self.storage
            .checked_merge(&later.storage)
            .map_err(at("storage"))?;
        self.demand_response
            .checked_merge(&later.demand_response)
            .map_err(at("demand_response"))?;
        self.tails
            .checked_merge(&later.tails)
            .map_err(at("tails"))?;
        self.monthly
            .checked_merge(&later.monthly)
            .map_err(at("monthly"))?;
        if let (Some(e), Some(later)) = (&mut self.events, &later.events) {
            e.merge(later);
        }
        if let (Some(a), Some(later)) = (&mut self.attribution, &later.attribution) {
            a.checked_merge(later).map_err(at("attribution"))?;
        }
        Ok(())
    }

    /// Mean and standard error of per-sample total `i` ([`SAMPLE_TOTALS`] order) of area
    /// `a`, in the index's unit (for the stopping rules).
    pub fn total(&self, a: usize, i: usize) -> crate::estimators::Estimate {
        match i {
            0 => self.lole.lole_h(a),
            1 => self.lole_days.finish(a).lole_d,
            2 => self.lole.finish(a).lolf,
            3 => self.eue.finish(a).eue_mwh,
            4..=6 => self.eue_parts.part_mwh(a, i - 4),
            7 => self.lole.finish(a).p_shortfall,
            _ => self.mining_curtailed.mwh(a),
        }
    }
}

impl Accumulator for Indices {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        self.lole.record_hour(hour);
        self.lole_days.record_hour(hour);
        self.eue.record_hour(hour);
        self.eue_distribution.record_hour(hour);
        self.heatmap.record_hour(hour);
        self.imports.record_hour(hour);
        self.binding.record_hour(hour);
        self.corridors.record_hour(hour);
        self.import_path.record_hour(hour);
        self.eue_parts.record_hour(hour);
        self.mining_curtailed.record_hour(hour);
        self.ladder.record_hour(hour);
        self.storage.record_hour(hour);
        self.tails.record_hour(hour);
        self.monthly.record_hour(hour);
        if let Some(e) = &mut self.events {
            e.record_hour(hour);
        }
    }

    /// Only the import indices (and the event catalogue, which closes events at any hour
    /// without a shortfall) see such an hour: every other index adds nothing for an hour
    /// without shortfall, curtailment, rank use or binding line.
    #[inline]
    fn record_import_hour(&mut self, hour: &HourView) {
        self.imports.record_hour(hour);
        self.import_path.record_hour(hour);
        if let Some(e) = &mut self.events {
            e.record_hour(hour);
        }
    }

    fn end_sample(&mut self, sample: &SampleView) {
        self.lole.end_sample(sample);
        self.lole_days.end_sample(sample);
        self.eue.end_sample(sample);
        self.eue_distribution.end_sample(sample);
        self.heatmap.end_sample(sample);
        self.imports.end_sample(sample);
        self.binding.end_sample(sample);
        self.corridors.end_sample(sample);
        self.import_path.end_sample(sample);
        self.eue_parts.end_sample(sample);
        self.mining_curtailed.end_sample(sample);
        self.illegal_path.end_sample(sample);
        self.ladder.end_sample(sample);
        self.storage.end_sample(sample);
        self.demand_response.end_sample(sample);
        self.tails.end_sample(sample);
        self.monthly.end_sample(sample);
        if let Some(e) = &mut self.events {
            e.end_sample(sample);
        }
        // Taken out while the totals are read (no allocation: an Option of a struct).
        if let Some(mut rows) = self.sample_rows.take() {
            for a in 0..self.lole.areas() {
                rows.push(None, sample.sample, a, &self.last_sample(a));
            }
            self.sample_rows = Some(rows);
        }
    }

    fn merge(&mut self, later: &Self) {
        self.checked_merge(later).expect(IN_BOUNDS);
    }

    fn streams_rows(&self) -> bool {
        self.events.is_some() || self.sample_rows.is_some()
    }
}
