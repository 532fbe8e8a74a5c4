//! The network between regions: transmission lines, and import sources outside the system.
//!
//! Transport (pipe-flow) model as in PRAS and GE MARS: a line has a limit in each direction
//! and no impedance. An import source is an external node (a neighbouring system) with an
//! export cap, connected to regions by links with their own caps; sources are used only
//! after domestic generation, in the order the scenario lists them. Lines, sources and
//! links may have two-state outage processes (MTTF / MTTR).
//!
//! # Scheduled flows
//!
//! A source may carry a schedule: a signed MW per study hour, positive a scheduled import
//! from the neighbour, negative a scheduled export to it. A schedule is a firm, pre-arranged
//! exchange (settled day-ahead), delivered as scheduled in every hour. Simplification (v1,
//! an assumption): it does not pass through the link arcs of the dispatch. A positive
//! schedule is supply at the source's link regions, a negative one interruptible demand of
//! the class "exports" there, split between the links in proportion to their `cap_w`
//! ([`ImportSource::split_w`]). The links' limits and the source's cap (with its outages
//! and cold factor) bound only what the source gives beyond the schedule: its available cap
//! in an hour is `max(0, cap_h - max(0, schedule_h))`, and the link limits are unchanged
//! (they bound the deviation). So a link outage does not interrupt the schedule in this
//! model; a planner who expects the schedule to fall with a link should model that link's
//! share as a capped source without schedule instead. Why: the schedule is settled before
//! the hour and a neighbour's system delivers it through its own redispatch; what the
//! operator decides in the hour is the deviation from it, which is what the links and the
//! cap bound here.

use super::OutageModel;

/// A two-state (up / down) outage process with exponential durations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    /// Mean time to failure, hours.
    pub mttf_h: f64,
    /// Mean time to repair, hours.
    pub mttr_h: f64,
}

/// How a shortfall that the network cannot avoid is split between regions (design section 2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sharing {
    /// Least total line transfer among optimal dispatches: a shortfall stays where it arises
    /// (PRAS / GE MARS convention).
    #[default]
    Local,
    /// Lexicographic min-max of shortfall / demand ratios (ENTSO-E curtailment sharing).
    Shared,
}

/// A transmission line between two regions.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Line name, unique among lines.
    pub name: String,
    /// Region index the forward direction leaves.
    pub from: usize,
    /// Region index the forward direction enters.
    pub to: usize,
    /// Limit from -> to, watts.
    pub forward_w: i64,
    /// Limit to -> from, watts.
    pub backward_w: i64,
    /// Outage process of the line, if it can fail (continuous or discrete time).
    pub outage: Option<OutageModel>,
}

/// A line's limits per time step (`limits_file`), in place of its constant limits step by
/// step: each value from 0 to the line's constant limit in that direction (which stays its
/// rating, the bound of every value). A direction without a series keeps its constant.
#[derive(Clone, Debug, PartialEq)]
pub struct LineLimits {
    /// Line name.
    pub line: String,
    /// Limit from -> to per step, watts, if given.
    pub forward_w: Option<Vec<i64>>,
    /// Limit to -> from per step, watts, if given.
    pub backward_w: Option<Vec<i64>>,
}

/// A link from an import source into a region.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportLink {
    /// Link name, unique within its source.
    pub name: String,
    /// Region index the link feeds.
    pub region: usize,
    /// Limit into the region, watts.
    pub cap_w: i64,
    /// Outage process of the link, if it can fail.
    pub outage: Option<Outage>,
}

/// An external source of imports (a neighbouring system).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportSource {
    /// Source name, unique among sources (e.g. `RUSSIA`).
    pub name: String,
    /// Export cap of the source, watts (on top of the links' own caps).
    pub cap_w: i64,
    /// Availability process of the source as a whole, if it can fail.
    pub outage: Option<Outage>,
    /// Export cap while the source is "down", watts (0: nothing; Russia limiting deviations
    /// falls to its schedule plus the free band instead).
    pub fallback_cap_w: i64,
    /// On cold days in the exporter's zone its cap is multiplied by a factor.
    pub cold: Option<super::weather::ColdRule>,
    /// Links into regions, at least one.
    pub links: Vec<ImportLink>,
    /// Scheduled exchange per study hour, watts: positive an import from the source,
    /// negative an export to it (module docs); empty for none.
    pub schedule_w: Vec<i64>,
}

impl ImportSource {
    /// `w` split between the links, in link order, in proportion to their `cap_w`, in whole
    /// watts by largest remainder (ties to the first link listed): the parts sum to `w` and
    /// keep its sign. All zero if the links' caps sum to zero.
    pub fn split_w(&self, w: i64, parts: &mut [i64]) {
        let total: i128 = self.links.iter().map(|k| i128::from(k.cap_w)).sum();
        parts.fill(0);
        if total == 0 || w == 0 {
            return;
        }
        let magnitude = i128::from(w).abs();
        let mut given = 0;
        let mut rest = Vec::with_capacity(parts.len());
        for (k, (link, part)) in self.links.iter().zip(parts.iter_mut()).enumerate() {
            let exact = magnitude * i128::from(link.cap_w);
            let floor = exact / total;
            *part = floor as i64;
            given += floor;
            rest.push((exact % total, k));
        }
        // Largest remainder first; among equal remainders the first link.
        rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, k) in rest.iter().take((magnitude - given) as usize) {
            parts[k] += 1;
        }
        if w < 0 {
            for part in parts.iter_mut() {
                *part = -*part;
            }
        }
    }

    /// The scheduled import of hour `h` (the positive part of the schedule), watts.
    #[inline]
    pub fn scheduled_import_w(&self, h: usize) -> i64 {
        self.schedule_w.get(h).map_or(0, |&w| w.max(0))
    }
}

/// A corridor: a named set of lines whose limits are studied together (the lines into a
/// region's hub). It binds in an hour when one more MW on every line of the set, in both
/// directions, would lower the least firm shortfall; it changes no dispatch.
#[derive(Clone, Debug, PartialEq)]
pub struct Corridor {
    /// Corridor name, unique among corridors.
    pub name: String,
    /// Line indices, at least one, each once.
    pub lines: Vec<usize>,
}

/// A class of interruptible demand that a ladder rank curtails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterruptibleClass {
    /// Registered mining that a policy makes interruptible.
    Mining,
    /// Scheduled exports to neighbours.
    Exports,
}

/// One step of a rank of the ladder of last resorts.
#[derive(Clone, Debug, PartialEq)]
pub enum LadderStep {
    /// A tier of import source `source`: the next `cap_w` of its available export cap in
    /// the hour (the source's tiers take it in ladder order), or with `None` the rest of it
    /// (the source's last tier).
    Import {
        /// Source index.
        source: usize,
        /// Tier size, watts; `None`: the rest of the source's cap.
        cap_w: Option<i64>,
    },
    /// Curtailing a class of interruptible demand, in every region that has it.
    Interruptible(InterruptibleClass),
    /// Voltage reduction in a region: `fraction` of its demand (firm and interruptible).
    VoltageReduction {
        /// Region index.
        region: usize,
        /// Fraction of the region's demand, `0 < fraction < 1`.
        fraction: f64,
    },
    /// Public appeals in a region: up to `cap_w`, in at most `hours_per_day` hours a day.
    Appeal {
        /// Region index.
        region: usize,
        /// Power, watts.
        cap_w: i64,
        /// Hours of a day in which it may be used, `1..=24`.
        hours_per_day: u32,
    },
}

/// A rank of the ladder of last resorts: its name and steps, all equally costly.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderRank {
    /// Rank name, unique among ranks (labels the report).
    pub name: String,
    /// Its steps, at least one.
    pub steps: Vec<LadderStep>,
}

/// Everything that connects regions: lines, import sources and the sharing rule; and the
/// corridors reported on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    /// Transmission lines.
    pub lines: Vec<Line>,
    /// Import sources, in order of use.
    pub imports: Vec<ImportSource>,
    /// How unavoidable shortfalls are split.
    pub sharing: Sharing,
    /// Corridors (sets of lines) whose binding hours are reported.
    pub corridors: Vec<Corridor>,
    /// The ladder of last resorts, cheapest rank first (firm shedding after the last);
    /// empty for the default order (least firm shortfall, least curtailment, least import
    /// source by source).
    pub ladder: Vec<LadderRank>,
}

impl Network {
    /// The names of the lines of corridor `c`, in its order.
    pub fn corridor_line_names(&self, c: &Corridor) -> Vec<&str> {
        c.lines
            .iter()
            .map(|&l| self.lines[l].name.as_str())
            .collect()
    }

    /// True if regions are isolated and on their own: no line, no import source, no
    /// ladder of last resorts.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.imports.is_empty() && self.ladder.is_empty()
    }

    /// Check indices and values against `regions` regions and a window of `hours` hours;
    /// returns what is wrong.
    pub fn check(&self, regions: usize, hours: usize) -> Result<(), String> {
        let outage_ok = |o: &Option<Outage>| {
            o.is_none_or(|o| {
                o.mttf_h.is_finite() && o.mttf_h > 0.0 && o.mttr_h.is_finite() && o.mttr_h > 0.0
            })
        };
        for l in &self.lines {
            if l.from >= regions || l.to >= regions {
                return Err(format!(
                    "line '{}' names a region index out of range",
                    l.name
                ));
            }
            if l.from == l.to {
                return Err(format!("line '{}' connects a region to itself", l.name));
            }
            if l.forward_w < 0 || l.backward_w < 0 {
                return Err(format!("line '{}' has a negative limit", l.name));
            }
            if l.outage.is_some_and(|o| o.check().is_err()) {
                return Err(format!("line '{}' needs positive MTTF and MTTR", l.name));
            }
        }
        for c in &self.corridors {
            let mut lines = c.lines.clone();
            lines.sort_unstable();
            lines.dedup();
            if c.lines.is_empty()
                || lines.len() != c.lines.len()
                || lines.last().is_some_and(|&l| l >= self.lines.len())
            {
                return Err(format!(
                    "corridor '{}' needs distinct lines of the network, at least one",
                    c.name
                ));
            }
        }
        for rank in &self.ladder {
            for step in &rank.steps {
                let ok = match *step {
                    LadderStep::Import { source, cap_w } => {
                        source < self.imports.len() && cap_w.is_none_or(|c| c >= 0)
                    }
                    LadderStep::Interruptible(_) => true,
                    LadderStep::VoltageReduction { region, fraction } => {
                        region < regions && fraction > 0.0 && fraction < 1.0
                    }
                    LadderStep::Appeal {
                        region,
                        cap_w,
                        hours_per_day,
                    } => region < regions && cap_w >= 0 && (1..=24).contains(&hours_per_day),
                };
                if !ok || rank.steps.is_empty() {
                    return Err(format!("ladder rank '{}' has an invalid step", rank.name));
                }
            }
        }
        for s in &self.imports {
            if s.cap_w < 0 || !outage_ok(&s.outage) {
                return Err(format!(
                    "import '{}' needs cap >= 0 and positive MTTF/MTTR",
                    s.name
                ));
            }
            if s.links.is_empty() {
                return Err(format!("import '{}' is linked to no region", s.name));
            }
            for k in &s.links {
                if k.region >= regions || k.cap_w < 0 || !outage_ok(&k.outage) {
                    return Err(format!("import '{}' link '{}' is invalid", s.name, k.name));
                }
            }
            let links_w: i128 = s.links.iter().map(|k| i128::from(k.cap_w)).sum();
            if !s.schedule_w.is_empty()
                && (s.schedule_w.len() != hours
                    || s.schedule_w
                        .iter()
                        .any(|&w| w > s.cap_w || i128::from(w).abs() > links_w))
            {
                return Err(format!(
                    "import '{}' needs a schedule of one value per hour, at most its cap \
                     and, in magnitude, its links' caps",
                    s.name
                ));
            }
        }
        Ok(())
    }
}
