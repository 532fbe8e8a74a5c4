//! The TOML manifest: typed, validated fields read by hand from the merged [`Node`] tree,
//! with unknown keys reported (and close misspellings suggested).

mod conditions;
mod dates;
mod demand_factors;
mod demand_response;
mod ladder;
mod network;
mod storage;

pub(crate) use dates::{hours_of_days, month_of_hours, Window};
pub(crate) use demand_factors::DayFactor;
pub(crate) use network::{schedule_range_text, Schedule};

use super::error::{excerpt, short, Problems};
use super::keys;
use super::source::resolve;
use super::tree::{Node, Value};
use crate::bounds::{ABSOLUTE_ZERO_C, MAX_POWER_MW, MAX_SCALE, MIN_MEAN_DURATION_H};
use crate::calendar::{parse_weekday, Calendar, Date, WEEKDAYS};
use crate::model::{
    Categories, ColdRule, Conditions, Network, Outage, OutageModel, RegionClimate, Storage,
};
use crate::power::{mw_to_w, W_PER_MW};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Longest study window accepted, hours ([`crate::bounds::MAX_HOURS`]).
pub(crate) const MAX_HOURS: i64 = crate::bounds::MAX_HOURS as i64;
/// Largest study week accepted in `seasons`.
pub(crate) const MAX_WEEKS: i64 = (MAX_HOURS + 167) / 168;
/// Most units accepted in one block.
pub(crate) const MAX_COUNT: i64 = 100_000;
/// What a mean up or down time must be: at least one time step (an hour), or the process
/// would change state several times within a step whose state is read once.
pub(crate) const MEAN_DURATION: &str =
    "a mean duration >= 1 hour (one time step; a shorter mean up or down time is a modelling error)";

/// The message for a power above [`MAX_POWER_MW`].
pub(crate) fn too_much_power(mw: f64) -> String {
    format!(
        "{} MW is more than the largest power accepted, {MAX_POWER_MW:e} MW",
        short_number(mw)
    )
}

/// A number for messages: as written when short (`-5`, `0.25`), else to twelve significant
/// digits and at most six decimals (a watt, for MW) from 1e-3 to 1e15 (`0.111111`,
/// `263150000000`, `100000023.795`), else in scientific notation (`1e300`, not three
/// hundred digits).
pub(crate) fn short_number(x: f64) -> String {
    let plain = x.to_string();
    if plain.len() <= 16 {
        return plain;
    }
    let trim = |t: &str| t.trim_end_matches('0').trim_end_matches('.').to_string();
    if (1e-3..1e15).contains(&x.abs()) {
        let decimals = (11 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let t = format!("{x:.decimals$}");
        if t.contains('.') {
            trim(&t)
        } else {
            t
        }
    } else {
        let t = format!("{x:.5e}");
        let (mantissa, exp) = t.split_once('e').unwrap_or((&t, "0"));
        format!("{}e{exp}", trim(mantissa))
    }
}

/// Mean time to failure used for a unit with `for = 0` (a unit that never fails): the
/// model needs a finite MTTF, and 1e30 h is never reached in any study.
pub const NEVER_FAILS_MTTF_H: f64 = 1e30;

/// Mean time to repair used for a unit with `for = 0` and no `mttr_h`: one time step. It
/// never matters: the unit's availability 1e30 / (1e30 + 1) is 1 in f64, so it starts up and
/// never fails.
pub const NEVER_FAILS_MTTR_H: f64 = MIN_MEAN_DURATION_H;

/// The whole scenario as read from TOML, before CSVs are read.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) calendar: Option<Calendar>,
    /// The study's holidays, as sorted study days inside the window.
    pub(crate) holidays: Vec<usize>,
    /// Renewable plants whose capacity factors are read from a CSV (in `build.rs`).
    pub(crate) vre_series: Vec<conditions::VreSeries>,
    /// Import sources' schedules (filled in `build.rs`, where the window's hours are known).
    pub(crate) schedules: Vec<network::SourceSchedule>,
    /// Lines' limits and rates per step from CSVs (read in `build.rs`).
    pub(crate) line_series: Vec<network::LineSeries>,
    pub(crate) regions: Vec<RegionSpec>,
    pub(crate) blocks: Vec<Block>,
    /// Lines, import sources and the sharing rule (only the valid ones).
    pub(crate) network: Network,
    /// Weather, mining, exchanges, disturbances and renewables (unit conditions are in
    /// `blocks`).
    pub(crate) conditions: Conditions,
    /// Storage devices and generator-storages (blocks expanded), only the valid ones.
    pub(crate) storages: Vec<Storage>,
    /// Generator-storages' hourly inflow CSVs (read in `build.rs`).
    pub(crate) inflow_series: Vec<storage::InflowSeries>,
    /// Demand response devices (blocks expanded), only the valid ones.
    pub(crate) demand_responses: Vec<crate::model::DemandResponse>,
    /// The `category` labels of assets (PRAS's `_core` categories).
    pub(crate) categories: Categories,
}

/// The tables whose elements take a `category` key (the asset tables PRAS has).
const CATEGORY_TABLES: [&str; 5] = [
    "units",
    "storages",
    "generator_storages",
    "demand_responses",
    "lines",
];

/// The `category` of every element of the asset tables that has one and a name. The
/// tables' own readers report their other keys (and a non-table element), so this pass
/// reports only a `category` that is not a string.
fn categories(f: &Fields<'_>, p: &mut Problems) -> Categories {
    let mut out = Categories::default();
    for table in CATEGORY_TABLES {
        let Some(Value::Array(elements)) = f.get(table).map(|n| &n.value) else {
            continue;
        };
        for (i, n) in elements.iter().enumerate() {
            let (Some(name), Some(_)) = (n.get_str("name"), n.table()) else {
                continue;
            };
            let e = Fields {
                node: n,
                path: element_label(table, i, n),
            };
            if let Some(category) = e.string("category", false, p) {
                out.set(table, name, category);
            }
        }
    }
    out
}

/// A region as read from TOML.
#[derive(Debug)]
pub(crate) struct RegionSpec {
    pub(crate) name: String,
    /// Where its table is (for its totals).
    pub(crate) at: Place,
    /// A hub: no demand (always `None` then) and no units.
    pub(crate) hub: bool,
    pub(crate) demand: Option<DemandSpec>,
    /// Demand factors by month and by day, if given.
    pub(crate) factors: CalendarFactors,
}

/// A region's demand factors by calendar (see `demand_factors.rs`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CalendarFactors {
    /// By month, January first.
    pub(crate) month: Option<[f64; 12]>,
    /// By weekday and on holidays.
    pub(crate) day: Option<DayFactor>,
}

/// A file named in TOML: its resolved path and where it was named.
#[derive(Clone, Debug)]
pub(crate) struct FileRef {
    pub(crate) path: PathBuf,
    /// The TOML file naming it.
    pub(crate) toml: Rc<Path>,
    pub(crate) line: usize,
    /// The TOML field naming it, e.g. `regions[RTS].demand.file`.
    pub(crate) field: String,
}

/// How a region's hourly demand is given (one per region, so the size of the larger
/// variant does not matter).
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub(crate) enum DemandSpec {
    /// A CSV of MW per hour.
    Csv {
        file: FileRef,
        column: String,
        scale: f64,
    },
    /// RTS-style percentage tables.
    Tables {
        at: Place,
        peak_mw: f64,
        weekly: FileRef,
        daily: FileRef,
        hourly: FileRef,
        seasons: Seasons,
        scale: f64,
    },
    /// A peak times a shape by hour of day.
    Shape {
        at: Place,
        peak_mw: f64,
        shape: [f64; 24],
        scale: f64,
    },
}

/// Where a table is, for problems with what its values make together.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub(crate) file: Rc<Path>,
    pub(crate) line: usize,
    /// Its TOML path, e.g. `regions[RTS].demand`.
    pub(crate) field: String,
}

/// Seasons by study week (1-based inclusive ranges).
#[derive(Debug)]
pub(crate) struct Seasons {
    pub(crate) names: Vec<String>,
    /// (season index, first week, last week)
    pub(crate) ranges: Vec<(usize, i64, i64)>,
    pub(crate) file: Rc<Path>,
    pub(crate) line: usize,
    pub(crate) field: String,
}

/// A block of identical units.
#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) name: String,
    pub(crate) region: usize,
    pub(crate) count: usize,
    pub(crate) installed_w: i64,
    pub(crate) capacity_w: i64,
    pub(crate) outage: OutageModel,
    /// Failure-rate multiplier on cold days (every unit of the block).
    pub(crate) cold: Option<ColdRule>,
    /// Dated outages: study hours, and how many units (the first ones) they apply to.
    pub(crate) dated_outages: Vec<(Range<usize>, usize)>,
    /// Cap on the block's combined output, watts.
    pub(crate) block_cap_w: Option<i64>,
    /// How a nameplate becomes the capacity when up (for the hourly capacities).
    pub(crate) capacity: Capacity,
    /// The CSV column of hourly capacities (`capacity_file`, `capacity_column`), if given.
    pub(crate) capacity_series: Option<(FileRef, String)>,
    /// The capacity when up per study hour read from it (in `build.rs`), watts.
    pub(crate) capacity_hourly_w: Option<Vec<i64>>,
    /// The CSV columns of hourly failure and repair rates (`rates_file`,
    /// `failure_rate_column`, `repair_rate_column`), if given.
    pub(crate) rates_series: Option<RatesRef>,
    /// The hourly rates read from them (in `build.rs`).
    pub(crate) rates_hourly: Option<crate::model::UnitRates>,
}

/// Where a block's hourly failure and repair rates are: a CSV and one or both columns.
#[derive(Clone, Debug)]
pub(crate) struct RatesRef {
    pub(crate) file: FileRef,
    pub(crate) failure: Option<String>,
    pub(crate) repair: Option<String>,
}

/// How a unit's capacity in MW (its `mw`, or an hour's value of its `capacity_file`)
/// becomes its capacity when up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Capacity {
    pub(crate) installed_w: i64,
    pub(crate) derate: f64,
    pub(crate) cap_w: Option<i64>,
}

impl Capacity {
    /// `mw` x (1 - derate), at most the installed capacity and the cap, watts.
    pub(crate) fn when_up_w(&self, mw: f64) -> Option<i64> {
        let derated = mw_to_w(mw * (1.0 - self.derate))?.min(self.installed_w);
        Some(self.cap_w.map_or(derated, |c| derated.min(c)))
    }
}

/// Edit distance (Levenshtein, by chars).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word` within edit distance 2 (and closer than the
/// word's own length), ignoring case.
pub(crate) fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let w = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&w, &c.to_lowercase()), *c))
        .filter(|&(d, _)| d <= 2 && d < w.chars().count().max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// "unknown region `X`; did you mean `Y`? known regions: ..." for `name` among `names`.
pub(crate) fn unknown_name(name: &str, kind: &str, names: &[String]) -> String {
    let known: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let name = short(name);
    if known.is_empty() {
        return format!("unknown {kind} `{name}`; there are no {kind}s");
    }
    let hint = suggest(&name, &known).map_or(String::new(), |s| format!("did you mean `{s}`? "));
    format!(
        "unknown {kind} `{name}`; {hint}known {kind}s: {}",
        quoted_list(&known)
    )
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message for `for` in a table with an outage process other than a unit's (a line, an
/// import source or link).
const FOR_ELSEWHERE: &str = "unknown key: `for` (a forced outage rate) is for units; lines, \
                             import sources and links take `mttf_h` and `mttr_h` (mean hours \
                             up and down, both or neither)";

/// A TOML table being read: its known keys, and its path for messages.
pub(crate) struct Fields<'a> {
    node: &'a Node,
    path: String,
}

impl<'a> Fields<'a> {
    /// Read `node` as a table whose keys must be among `known`; reports a non-table and
    /// every unknown key.
    pub(crate) fn new(
        node: &'a Node,
        path: &str,
        known: &[&str],
        p: &mut Problems,
    ) -> Option<Fields<'a>> {
        let Some(entries) = node.table() else {
            p.push(
                &node.file,
                Some(node.line),
                Some(path),
                format!("expected a table, got {}", node.value.describe()),
            );
            return None;
        };
        let f = Fields {
            node,
            path: path.to_string(),
        };
        for (k, v) in entries {
            if !known.contains(&k.as_str()) {
                let msg = match suggest(k, known) {
                    // Units take `for`; a line's `for` is not a typo of `from`.
                    _ if k == "for" && known.contains(&"mttr_h") => FOR_ELSEWHERE.to_string(),
                    Some(s) => format!("unknown key; did you mean `{s}`?"),
                    None => format!("unknown key; expected one of {}", quoted_list(known)),
                };
                p.push(&v.file, Some(v.line), Some(&f.field(k)), msg);
            }
        }
        Some(f)
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Where this table is.
    pub(crate) fn place(&self) -> Place {
        Place {
            file: self.node.file.clone(),
            line: self.node.line,
            field: self.path.clone(),
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Report a problem with the table itself (at its line).
    fn problem(&self, field: Option<&str>, msg: String, p: &mut Problems) {
        let field = field.map(|k| self.field(k));
        // The root table has no useful line (it spans the whole file).
        let line = (!self.path.is_empty()).then_some(self.node.line);
        p.push(
            &self.node.file,
            line,
            Some(field.as_deref().unwrap_or(&self.path)).filter(|f| !f.is_empty()),
            msg,
        );
    }

    pub(crate) fn missing(&self, key: &str, what: &str, p: &mut Problems) {
        self.problem(
            Some(key),
            format!("missing required field; expected {what}"),
            p,
        );
    }

    /// Report a problem with the value of `key`.
    pub(crate) fn bad(&self, key: &str, msg: String, p: &mut Problems) {
        if let Some(n) = self.get(key) {
            p.push(&n.file, Some(n.line), Some(&self.field(key)), msg);
        }
    }

    pub(crate) fn string(&self, key: &str, required: bool, p: &mut Problems) -> Option<String> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(key, "a string", p);
            }
            return None;
        };
        match &n.value {
            Value::Str(s) => Some(s.clone()),
            v => {
                self.bad(key, format!("expected a string, got {}", v.describe()), p);
                None
            }
        }
    }

    pub(crate) fn boolean(&self, key: &str, p: &mut Problems) -> Option<bool> {
        let n = self.get(key)?;
        match &n.value {
            Value::Bool(b) => Some(*b),
            v => {
                self.bad(
                    key,
                    format!("expected `true` or `false`, got {}", v.describe()),
                    p,
                );
                None
            }
        }
    }

    /// A power in MW, from 0 to [`MAX_POWER_MW`].
    fn power_mw(&self, key: &str, required: bool, p: &mut Problems) -> Option<f64> {
        let x = self.number_in(key, "MW", required, |x| x >= 0.0, "a power >= 0 MW", p)?;
        if x > MAX_POWER_MW {
            self.bad(key, too_much_power(x), p);
            return None;
        }
        Some(x)
    }

    /// A power in MW, from 0 to [`MAX_POWER_MW`], as watts.
    fn power_w(&self, key: &str, required: bool, p: &mut Problems) -> Option<i64> {
        self.power_mw(key, required, p).and_then(mw_to_w)
    }

    /// An optional power at `key` (see [`Fields::power_w`]): `None` if there is a problem,
    /// `Some(None)` if absent.
    fn opt_power_w(&self, key: &str, p: &mut Problems) -> Option<Option<i64>> {
        if !self.has(key) {
            return Some(None);
        }
        self.power_w(key, true, p).map(Some)
    }

    /// A mean up or down time at `key`, hours: at least one time step.
    pub(crate) fn mean_duration_h(
        &self,
        key: &str,
        required: bool,
        p: &mut Problems,
    ) -> Option<f64> {
        let ok = |x: f64| x >= MIN_MEAN_DURATION_H;
        self.number_in(key, "hours", required, ok, MEAN_DURATION, p)
    }

    /// The `name` of an element of a table array, which must be non-empty and not among
    /// `first` (the names seen so far, with where they were defined); `kind` names the
    /// element in messages ("line").
    fn unique_name(
        &self,
        kind: &str,
        first: &mut Vec<(String, Rc<Path>, usize)>,
        p: &mut Problems,
    ) -> Option<String> {
        let name = self.string("name", true, p)?;
        if name.is_empty() {
            self.bad("name", "must not be empty".into(), p);
            return None;
        }
        let chars = name.chars().count();
        if chars > MAX_NAME_CHARS {
            self.bad(
                "name",
                format!("must be at most {MAX_NAME_CHARS} characters, got {chars}"),
                p,
            );
            return None;
        }
        if let Some((_, file, line)) = first.iter().find(|(x, ..)| *x == name) {
            self.bad(
                "name",
                format!(
                    "duplicate {kind} name `{name}` (first defined at {}:{line})",
                    file.display()
                ),
                p,
            );
            return None;
        }
        first.push((name.clone(), self.node.file.clone(), self.node.line));
        Some(name)
    }

    /// The index in `regions` of the region named by `key`; an unknown name is reported
    /// with the known names and a suggestion.
    fn region(&self, key: &str, regions: &[String], p: &mut Problems) -> Option<usize> {
        self.lookup(key, "region", regions, p)
    }

    /// The index in `names` of the `kind` (such as "region") named by the string at `key`
    /// (required); an unknown name is reported with the known names and a suggestion.
    fn lookup(&self, key: &str, kind: &str, names: &[String], p: &mut Problems) -> Option<usize> {
        let r = self.string(key, true, p)?;
        let i = names.iter().position(|x| *x == r);
        if i.is_none() {
            self.bad(key, unknown_name(&r, kind, names), p);
        }
        i
    }

    /// Like [`Fields::region`], but a hub is a problem: `what` says what a hub lacks
    /// ("load", "units").
    fn ordinary_region(
        &self,
        key: &str,
        regions: &[String],
        hubs: &[bool],
        what: &str,
        p: &mut Problems,
    ) -> Option<usize> {
        let r = self.region(key, regions, p)?;
        if hubs.get(r).copied().unwrap_or(false) {
            self.bad(
                key,
                format!(
                    "region `{}` is a hub (`hub = true`), and a hub has no {what}",
                    regions[r]
                ),
                p,
            );
            return None;
        }
        Some(r)
    }

    /// An optional cold rule at `key`: `{ zone, below_anomaly_c, factor }`, with the factor
    /// checked by `ok` (`expect` describes it). `None` if there is a problem, `Some(None)`
    /// if absent.
    fn cold_rule(
        &self,
        key: &str,
        zones: &[String],
        ok: impl Fn(f64) -> bool,
        expect: &str,
        p: &mut Problems,
    ) -> Option<Option<ColdRule>> {
        let Some(n) = self.get(key) else {
            return Some(None);
        };
        let f = Fields::new(n, &self.field(key), keys::COLD, p)?;
        let zone = f.lookup("zone", "weather zone", zones, p);
        let below = f.number("below_anomaly_c", "°C", true, p);
        let factor = f.number_in("factor", "a multiplier", true, ok, expect, p);
        Some(Some(ColdRule {
            zone: zone?,
            below_anomaly_c: below?,
            factor: factor?,
        }))
    }

    /// A fraction in [0, 1] (a probability) at `key`, or `default` if absent.
    fn probability(&self, key: &str, default: f64, p: &mut Problems) -> Option<f64> {
        if !self.has(key) {
            return Some(default);
        }
        self.number_in(
            key,
            "a probability",
            true,
            |x| (0.0..=1.0).contains(&x),
            "a probability in [0, 1]",
            p,
        )
    }

    /// An AR(1) persistence in [0, 1) at `key`, default 0.
    fn persistence(&self, key: &str, p: &mut Problems) -> Option<f64> {
        if !self.has(key) {
            return Some(0.0);
        }
        self.number_in(
            key,
            "an AR(1) coefficient",
            true,
            |x| (0.0..1.0).contains(&x),
            "a persistence in [0, 1)",
            p,
        )
    }

    /// An array of exactly `len` numbers at `key` (required), each checked by `ok`.
    fn numbers(
        &self,
        key: &str,
        len: usize,
        what: &str,
        ok: impl Fn(f64) -> bool,
        expect: &str,
        p: &mut Problems,
    ) -> Option<Vec<f64>> {
        let Some(n) = self.get(key) else {
            self.missing(key, &format!("an array of {len} numbers ({what})"), p);
            return None;
        };
        let Value::Array(a) = &n.value else {
            self.bad(
                key,
                format!(
                    "expected an array of {len} numbers ({what}), got {}",
                    n.value.describe()
                ),
                p,
            );
            return None;
        };
        if a.len() != len {
            self.bad(
                key,
                format!("expected {len} numbers ({what}), got {}", a.len()),
                p,
            );
            return None;
        }
        let mut out = Vec::with_capacity(len);
        for (i, e) in a.iter().enumerate() {
            let x = match &e.value {
                Value::Int(Some(i), _) => Some(*i as f64),
                Value::Float(Some(x), _) if x.is_finite() => Some(*x),
                _ => None,
            };
            match x {
                Some(x) if ok(x) => out.push(x),
                Some(x) => {
                    p.push(
                        &e.file,
                        Some(e.line),
                        Some(&format!("{}[{i}]", self.field(key))),
                        format!("must be {expect}, got {x}"),
                    );
                }
                None => {
                    p.push(
                        &e.file,
                        Some(e.line),
                        Some(&format!("{}[{i}]", self.field(key))),
                        format!("expected a number ({what}), got {}", e.value.describe()),
                    );
                }
            }
        }
        (out.len() == len).then_some(out)
    }

    /// A pair `[lo, hi]` of numbers with `0 <= lo <= hi` at `key` (required).
    fn pair(&self, key: &str, what: &str, p: &mut Problems) -> Option<(f64, f64)> {
        let v = self.numbers(key, 2, what, |x| x >= 0.0, &format!("{what} >= 0"), p)?;
        if v[0] > v[1] {
            self.bad(
                key,
                format!(
                    "[{}, {}] is reversed: expected [low, high] with low <= high",
                    v[0], v[1]
                ),
                p,
            );
            return None;
        }
        Some((v[0], v[1]))
    }

    /// A finite number (integer or float); `what` names its unit, e.g. "MW".
    pub(crate) fn number(
        &self,
        key: &str,
        what: &str,
        required: bool,
        p: &mut Problems,
    ) -> Option<f64> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(key, &format!("a number ({what})"), p);
            }
            return None;
        };
        let x = match &n.value {
            Value::Int(Some(i), _) => *i as f64,
            Value::Int(None, t) => {
                self.bad(key, format!("integer {t} is out of range"), p);
                return None;
            }
            Value::Float(Some(x), _) => *x,
            Value::Float(None, t) => {
                self.bad(key, format!("expected a number ({what}), got `{t}`"), p);
                return None;
            }
            v => {
                self.bad(
                    key,
                    format!("expected a number ({what}), got {}", v.describe()),
                    p,
                );
                return None;
            }
        };
        if !x.is_finite() {
            self.bad(
                key,
                format!(
                    "expected a finite number ({what}), got {}",
                    n.value.describe()
                ),
                p,
            );
            return None;
        }
        Some(x)
    }

    /// A number checked by `ok`, with `expect` describing the accepted range.
    fn number_in(
        &self,
        key: &str,
        what: &str,
        required: bool,
        ok: impl Fn(f64) -> bool,
        expect: &str,
        p: &mut Problems,
    ) -> Option<f64> {
        let x = self.number(key, what, required, p)?;
        if ok(x) {
            Some(x)
        } else {
            self.bad(key, format!("must be {expect}, got {}", short_number(x)), p);
            None
        }
    }

    /// A block's `count`: 1 when absent, otherwise an integer from 1 to `max`.
    pub(crate) fn count(&self, max: i64, p: &mut Problems) -> Option<usize> {
        match self.integer("count", false, p) {
            Some(c) if (1..=max).contains(&c) => Some(c as usize),
            Some(c) => {
                self.bad(
                    "count",
                    format!("must be an integer from 1 to {max}, got {c}"),
                    p,
                );
                None
            }
            None if self.has("count") => None,
            None => Some(1),
        }
    }

    pub(crate) fn integer(&self, key: &str, required: bool, p: &mut Problems) -> Option<i64> {
        let Some(n) = self.get(key) else {
            if required {
                self.missing(key, "an integer", p);
            }
            return None;
        };
        match &n.value {
            Value::Int(Some(i), _) => Some(*i),
            Value::Int(None, t) => {
                self.bad(key, format!("integer {t} is out of range"), p);
                None
            }
            v => {
                self.bad(key, format!("expected an integer, got {}", v.describe()), p);
                None
            }
        }
    }

    fn date(&self, key: &str, p: &mut Problems) -> Option<Date> {
        let n = self.get(key)?;
        toml_date(&n.value).map_err(|e| self.bad(key, e, p)).ok()
    }
}

/// The date of a TOML local date, or what is wrong with the value.
fn toml_date(v: &Value) -> Result<Date, String> {
    match v {
        Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
            let dd = d.date.ok_or_else(|| format!("{d} has no date"))?;
            Date::new(i32::from(dd.year), u32::from(dd.month), u32::from(dd.day))
                .ok_or_else(|| format!("{dd} is not a calendar date"))
        }
        v => Err(format!(
            "expected a TOML local date such as 2021-11-01 (without quotes), got {}",
            v.describe()
        )),
    }
}

/// A table array (`[[key]]`): its elements, or a problem.
pub(crate) fn table_array<'a>(f: &Fields<'a>, key: &str, p: &mut Problems) -> Vec<&'a Node> {
    let Some(n) = f.get(key) else {
        return Vec::new();
    };
    let field = f.field(key);
    // The TOML header: `[[imports.links]]` for the field `imports[RUSSIA].links`.
    let header = field
        .split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .collect::<Vec<_>>()
        .join(".");
    match &n.value {
        Value::Array(a) => {
            let mut out = Vec::new();
            for (i, e) in a.iter().enumerate() {
                if e.table().is_some() {
                    out.push(e);
                } else {
                    p.push(
                        &e.file,
                        Some(e.line),
                        Some(&format!("{field}[{i}]")),
                        format!(
                            "expected a table (`[[{header}]]`), got {}",
                            e.value.describe()
                        ),
                    );
                }
            }
            out
        }
        v => {
            f.bad(
                key,
                format!(
                    "expected an array of tables (`[[{header}]]`), got {}",
                    v.describe()
                ),
                p,
            );
            Vec::new()
        }
    }
}

/// Read and validate the merged TOML tree. Problems are recorded; parts with problems are
/// left out of the result.
pub(crate) fn extract(root: &Node, p: &mut Problems) -> Manifest {
    let mut m = Manifest::default();
    let Some(f) = Fields::new(root, "", keys::ROOT, p) else {
        return m;
    };
    // A missing `name` is reported per file by the tree loader.
    if f.has("name") {
        match f.string("name", true, p) {
            Some(name) if name.is_empty() => f.bad(
                "name",
                "must not be empty: the scenario's name labels every output".into(),
                p,
            ),
            Some(name) => m.name = name,
            None => {}
        }
    }
    m.description = f.string("description", false, p).unwrap_or_default();
    (m.calendar, m.holidays) = match f.get("study") {
        Some(n) => study(n, p),
        None => {
            f.missing(
                "study",
                "a `[study]` table with `hours`, or `start` and `end`",
                p,
            );
            (None, Vec::new())
        }
    };
    m.categories = categories(&f, p);
    let win = m.calendar.as_ref().map(Window::of);
    let win = win.as_ref();
    let (weather, zone_names) = conditions::weather(&f, p);
    m.conditions.weather = weather;

    let mut region_names: Vec<String> = Vec::new();
    let regions = table_array(&f, "regions", p);
    if regions.is_empty()
        && f.get("regions")
            .is_none_or(|n| matches!(n.value, Value::Array(_)))
    {
        p.push(
            &root.file,
            None,
            Some("regions"),
            "empty system: no region; add a `[[regions]]` table".into(),
        );
    }
    let mut first_region: Vec<(String, Rc<Path>, usize)> = Vec::new();
    let mut hubs: Vec<bool> = Vec::new();
    for (i, r) in regions.iter().enumerate() {
        let label = element_label("regions", i, r);
        let Some(rf) = Fields::new(r, &label, keys::REGION, p) else {
            continue;
        };
        let name = rf.unique_name("region", &mut first_region, p);
        let hub = rf.boolean("hub", p).unwrap_or(false);
        let demand = match (rf.get("demand"), hub) {
            (Some(_), true) => {
                rf.bad(
                    "demand",
                    "a hub (`hub = true`) has no demand: remove the demand, or remove \
                     `hub = true` to make this an ordinary region"
                        .into(),
                    p,
                );
                None
            }
            (None, true) => None,
            (Some(d), false) => demand(d, &rf.field("demand"), win, p),
            (None, false) => {
                rf.problem(Some("demand"), NO_DEMAND.into(), p);
                None
            }
        };
        let region = m.regions.len();
        if let Some(c) = climate(&rf, region, hub, &zone_names, &m.conditions.weather, p) {
            m.conditions.weather.climates.push(c);
        }
        region_names.push(name.clone().unwrap_or_default());
        hubs.push(hub);
        let (demand, factors) = match demand {
            Some((d, cf)) => (Some(d), cf),
            None => (None, CalendarFactors::default()),
        };
        m.regions.push(RegionSpec {
            name: name.unwrap_or_default(),
            at: rf.place(),
            hub,
            demand,
            factors,
        });
    }

    let mut first_block: Vec<(String, Rc<Path>, usize)> = Vec::new();
    for (i, u) in table_array(&f, "units", p).into_iter().enumerate() {
        let label = element_label("units", i, u);
        let ctx = BlockCtx {
            regions: &region_names,
            hubs: &hubs,
            zones: &zone_names,
            win,
        };
        if let Some(b) = block(u, &label, &ctx, &mut first_block, p) {
            m.blocks.push(b);
        }
    }
    (m.network, m.schedules, m.line_series) = network::network(&f, &region_names, &zone_names, p);
    (m.storages, m.inflow_series) = storage::storages(&f, &region_names, &hubs, p);
    let steps_per_hour = m.calendar.as_ref().map_or(1, |c| c.steps_per_hour() as u32);
    m.demand_responses =
        demand_response::demand_responses(&f, &region_names, &hubs, steps_per_hour, p);
    let ctx = conditions::Ctx {
        regions: &region_names,
        hubs: &hubs,
        lines: &names_of(&f, "lines"),
        disturbances: &names_of(&f, "disturbances"),
        win,
    };
    m.conditions.mining = conditions::mining(&f, &ctx, p);
    m.conditions.exchanges = conditions::exchanges(&f, &ctx, p);
    m.conditions.disturbances = conditions::disturbances(&f, &ctx, p);
    (m.conditions.vre, m.vre_series) = conditions::renewables(&f, &ctx, p);
    let sources = names_of(&f, "imports");
    m.network.ladder = ladder::ladder(&f, &region_names, &sources, p);
    if m.network.ladder.len() == f.get("ladder").map_or(0, network::array_len) {
        ladder::check(&f, &m.network.ladder, &sources, &m.conditions, p);
    }
    m
}

/// The `name`s of the elements of the table array at `key` (empty for an element without
/// one), in order: the names other keys may refer to, valid elements or not.
fn names_of(f: &Fields<'_>, key: &str) -> Vec<String> {
    match f.get(key).map(|n| &n.value) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| e.get_str("name").unwrap_or_default().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// `lines = ["A", "B"]` of table `f`: at least one line of `lines` (all line names, in
/// order), by name, each once; `what` says what the set is, for messages. The indices, or
/// `None` if there is a problem.
pub(crate) fn line_set(
    f: &Fields<'_>,
    lines: &[String],
    what: &str,
    p: &mut Problems,
) -> Option<Vec<usize>> {
    let expect = "an array of line names, such as [\"NORTH-SOUTH\", \"EAST-SOUTH\"]";
    let Some(n) = f.get("lines") else {
        f.missing("lines", &format!("{expect}: {what}"), p);
        return None;
    };
    let a = match &n.value {
        Value::Array(a) if a.is_empty() => {
            f.bad(
                "lines",
                format!("names no line; expected {expect}: {what}"),
                p,
            );
            return None;
        }
        Value::Array(a) => a,
        v => {
            f.bad(
                "lines",
                format!("expected {expect}, got {}", v.describe()),
                p,
            );
            return None;
        }
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (i, e) in a.iter().enumerate() {
        let at = format!("{}[{i}]", f.field("lines"));
        let Value::Str(s) = &e.value else {
            p.push(
                &e.file,
                Some(e.line),
                Some(&at),
                format!("expected a line name, got {}", e.value.describe()),
            );
            ok = false;
            continue;
        };
        match lines.iter().position(|l| l == s) {
            Some(l) if out.contains(&l) => {
                p.push(
                    &e.file,
                    Some(e.line),
                    Some(&at),
                    format!("line `{}` is listed twice", short(s)),
                );
                ok = false;
            }
            Some(l) => out.push(l),
            None => {
                p.push(
                    &e.file,
                    Some(e.line),
                    Some(&at),
                    unknown_name(s, "line", lines),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

/// The climate of region `region` (index) from its `weather_zone`, `heating_mw_per_c` and
/// `heating_threshold_c`; `None` if not given or if there is a problem.
fn climate(
    f: &Fields<'_>,
    region: usize,
    hub: bool,
    zones: &[String],
    weather: &crate::model::Weather,
    p: &mut Problems,
) -> Option<RegionClimate> {
    let keys = ["weather_zone", "heating_mw_per_c", "heating_threshold_c"];
    if hub {
        for k in keys {
            f.bad(
                k,
                "a hub (`hub = true`) has no demand, so no heating demand".into(),
                p,
            );
        }
        return None;
    }
    if !f.has("weather_zone") {
        for k in &keys[1..] {
            f.bad(
                k,
                "needs `weather_zone` (the zone whose temperature drives heating demand)".into(),
                p,
            );
        }
        return None;
    }
    let zone = f.lookup("weather_zone", "weather zone", zones, p);
    let heating = f.number_in(
        "heating_mw_per_c",
        "MW per °C",
        false,
        |x| x >= 0.0,
        "a heating demand >= 0 MW per °C",
        p,
    );
    let threshold = f.number("heating_threshold_c", "°C", false, p);
    if (f.has("heating_mw_per_c") && heating.is_none())
        || (f.has("heating_threshold_c") && threshold.is_none())
    {
        return None;
    }
    let zone = zone?;
    // The zone's normal is known only if the zone itself is valid (zones are read in order,
    // so its index is its position among the valid ones when every zone is valid).
    let threshold_c = match threshold {
        Some(t) => t,
        None => weather.zones.get(zone)?.normal_c,
    };
    // The engine never lets a temperature fall below absolute zero, so this is the most
    // heating demand can add in any hour.
    let most_mw = heating.unwrap_or(0.0) * (threshold_c - ABSOLUTE_ZERO_C).max(0.0);
    if most_mw > MAX_POWER_MW {
        f.bad(
            "heating_mw_per_c",
            format!(
                "{} MW per °C below a threshold of {} °C adds {} MW at absolute zero \
                 (-273.15 °C), more than the largest power accepted, {MAX_POWER_MW:e} MW",
                short_number(heating.unwrap_or(0.0)),
                short_number(threshold_c),
                short_number(most_mw)
            ),
            p,
        );
        return None;
    }
    Some(RegionClimate {
        region,
        zone,
        heating_w_per_c: heating.unwrap_or(0.0) * W_PER_MW as f64,
        threshold_c,
    })
}

/// The label of the `i`-th element of the table array at `path` in messages:
/// `{path}[{name}]`, or `{path}[{i}]` if it has no string `name`.
pub(crate) fn element_label(path: &str, i: usize, n: &Node) -> String {
    n.get_str("name").map_or(format!("{path}[{i}]"), |name| {
        format!("{path}[{}]", short(name))
    })
}

/// Longest name of a region, unit, line or other element, in characters: names appear in
/// every message and output about the element, so a name is a label, not a document.
pub(crate) const MAX_NAME_CHARS: usize = 100;

const NO_DEMAND: &str = "the region has no demand: give either `file` (a CSV of MW per hour) \
                         or `peak_mw` with `weekly_pct_file`, `daily_pct_file`, \
                         `hourly_pct_file` and `seasons`, or `peak_mw` with `hourly_shape`";

/// The `[study]` table: its window, and its holidays as study days.
fn study(n: &Node, p: &mut Problems) -> (Option<Calendar>, Vec<usize>) {
    let Some(f) = Fields::new(n, "study", keys::STUDY_WINDOW, p) else {
        return (None, Vec::new());
    };
    let cal = window(&f, p);
    let holidays = cal
        .as_ref()
        .map(|c| demand_factors::holidays(&f, c, p))
        .unwrap_or_default();
    (cal, holidays)
}

/// The study window: `hours` (with `first_weekday`), or `start` and `end`; `utc_offset`;
/// `step_min`.
fn window(f: &Fields<'_>, p: &mut Problems) -> Option<Calendar> {
    let step_min = step_min(f, p)?;
    let steps_per_hour = i64::from(60 / step_min);
    let offset = match f.string("utc_offset", false, p) {
        Some(s) => match parse_utc_offset(&s) {
            Some(m) => Some(m),
            None => {
                f.bad(
                    "utc_offset",
                    format!("expected an offset like \"+06:00\" (sign, HH:MM, -12:00 to +14:00), got {}", excerpt(&s)),
                    p,
                );
                None
            }
        },
        None => Some(6 * 60),
    };
    let dates = f.has("start") || f.has("end");
    let weekday = match f.string("first_weekday", false, p) {
        Some(_) if dates => {
            f.bad(
                "first_weekday",
                "only goes with `hours`; with `start` and `end` the start date fixes the weekday"
                    .into(),
                p,
            );
            None
        }
        Some(s) => match parse_weekday(&s) {
            Some(d) => Some(d),
            None => {
                let hint = suggest(&s.to_lowercase(), &WEEKDAYS)
                    .map_or(String::new(), |d| format!("; did you mean `{d}`?"));
                f.bad(
                    "first_weekday",
                    format!(
                        "unknown weekday {s:?}, expected a weekday's name or its abbreviation \
                         (\"monday\", \"Mon\", any case){hint}"
                    ),
                    p,
                );
                None
            }
        },
        None => Some(0),
    };
    if f.has("hours") && dates {
        f.problem(
            None,
            "give either `hours` or `start` and `end`, not both".into(),
            p,
        );
        return None;
    }
    if f.has("hours") {
        let h = f.integer("hours", true, p)?;
        let most = MAX_HOURS / steps_per_hour;
        if !(1..=most).contains(&h) {
            let steps = if most < MAX_HOURS {
                format!(" ({MAX_HOURS} steps of {step_min} min)")
            } else {
                String::new()
            };
            f.bad(
                "hours",
                format!("must be between 1 and {most}{steps}, got {h}"),
                p,
            );
            return None;
        }
        let cal = Calendar::from_hours(h as usize, weekday?, offset?);
        return Some(cal.with_step_min(step_min));
    }
    if !dates {
        f.problem(
            None,
            "missing study window: give `hours`, or `start` and `end` dates".into(),
            p,
        );
        return None;
    }
    if !f.has("start") {
        f.missing("start", "a date; `start` and `end` go together", p);
    }
    if !f.has("end") {
        f.missing("end", "a date; `start` and `end` go together", p);
    }
    let (start, end) = (f.date("start", p), f.date("end", p));
    let (start, end) = (start?, end?);
    if end < start {
        f.bad("end", format!("{end} is before start {start}"), p);
        return None;
    }
    let days = end.days_since_epoch() - start.days_since_epoch() + 1;
    if days * 24 * steps_per_hour > MAX_HOURS {
        let steps = if steps_per_hour > 1 {
            format!(" steps of {step_min} min")
        } else {
            " hours".into()
        };
        f.bad(
            "end",
            format!("the window is {days} days, longer than {MAX_HOURS}{steps}"),
            p,
        );
        return None;
    }
    Some(Calendar::from_dates(start, end, offset?).with_step_min(step_min))
}

/// `[study] step_min`: the length of a time step, minutes, a divisor of 60 (60 when absent).
fn step_min(f: &Fields<'_>, p: &mut Problems) -> Option<u32> {
    let Some(m) = f.integer("step_min", false, p) else {
        return (!f.has("step_min")).then_some(60);
    };
    if !(1..=60).contains(&m) || 60 % m != 0 {
        f.bad(
            "step_min",
            format!(
                "expected a step length in minutes that divides an hour (1, 2, 3, 4, 5, 6, \
                 10, 12, 15, 20, 30 or 60), got {m}"
            ),
            p,
        );
        return None;
    }
    Some(m as u32)
}

/// Minutes east of UTC from `±HH:MM`, within -12:00..=+14:00 (the `utc_offset` key; also
/// a PRAS file's start timestamp, converted to a dated window).
pub fn parse_utc_offset(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = |x: &[u8]| -> Option<i32> {
        x.iter().try_fold(0, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (h, m) = (digits(&b[1..3])?, digits(&b[4..6])?);
    let total = sign * (h * 60 + m);
    (m < 60 && (-12 * 60..=14 * 60).contains(&total)).then_some(total)
}

/// A CSV column named by `file_key` and `column_key` (default: `name`, the element's own
/// name): `Some(None)` if neither is given, `None` if there is a problem.
pub(crate) fn series_ref(
    f: &Fields<'_>,
    file_key: &str,
    column_key: &str,
    name: Option<&str>,
    p: &mut Problems,
) -> Option<Option<(FileRef, String)>> {
    if !f.has(file_key) {
        if f.has(column_key) {
            f.bad(
                column_key,
                format!("only goes with `{file_key}` (a CSV with one row per study hour)"),
                p,
            );
            return None;
        }
        return Some(None);
    }
    let file = file_ref(f, file_key, p);
    let column = match f.get(column_key) {
        Some(_) => f.string(column_key, true, p),
        None => name.map(str::to_string),
    };
    Some(Some((file?, column?)))
}

pub(crate) fn file_ref(f: &Fields<'_>, key: &str, p: &mut Problems) -> Option<FileRef> {
    let rel = f.string(key, true, p)?;
    let n = f.get(key)?;
    if rel.is_empty() {
        f.bad(key, "must not be empty".into(), p);
        return None;
    }
    Some(FileRef {
        // Relative to the file the key was written in (before any merge).
        path: resolve(&n.file, &rel),
        toml: n.file.clone(),
        line: n.line,
        field: f.field(key),
    })
}

fn demand(
    n: &Node,
    path: &str,
    win: Option<&Window>,
    p: &mut Problems,
) -> Option<(DemandSpec, CalendarFactors)> {
    let f = Fields::new(n, path, keys::DEMAND, p)?;
    let scale = f.number_in(
        "scale",
        "a multiplier",
        false,
        |x| (0.0..=MAX_SCALE).contains(&x),
        &format!("a multiplier from 0 to {MAX_SCALE:e}"),
        p,
    );
    let month = demand_factors::month_factor(&f, win, p);
    let day = demand_factors::day_factor(&f, p);
    let csv = keys::DEMAND_CSV.iter().any(|k| f.has(k));
    let shape = f.has("hourly_shape");
    let tables = keys::DEMAND_TABLES.iter().any(|k| f.has(k)) || (f.has("peak_mw") && !shape);
    let spec = match (csv, tables, shape) {
        (false, false, false) => {
            f.problem(None, NO_DEMAND.into(), p);
            None
        }
        (true, true, _) => {
            f.problem(
                None,
                "give either `file` (a CSV of MW per hour) or `peak_mw` with percentage \
                 tables, not both"
                    .into(),
                p,
            );
            None
        }
        (true, false, true) => {
            f.problem(
                None,
                "give either `file` (a CSV of MW per hour) or `peak_mw` with \
                 `hourly_shape`, not both"
                    .into(),
                p,
            );
            None
        }
        (false, true, true) => {
            f.problem(
                None,
                "give either `hourly_shape` or percentage tables (`weekly_pct_file`, \
                 `daily_pct_file`, `hourly_pct_file`, `seasons`), not both"
                    .into(),
                p,
            );
            None
        }
        (true, false, false) => {
            let file = file_ref(&f, "file", p);
            let column = f.string("column", false, p);
            Some(DemandSpec::Csv {
                file: file?,
                column: column.unwrap_or_else(|| "load_mw".into()),
                scale: scale.unwrap_or(1.0),
            })
        }
        (false, false, true) => {
            let peak = f.power_mw("peak_mw", true, p);
            let shape = f.numbers(
                "hourly_shape",
                24,
                "factors by hour of day, 0 to 23",
                |x| (0.0..=2.0).contains(&x),
                "a factor in [0, 2]",
                p,
            );
            Some(DemandSpec::Shape {
                at: f.place(),
                peak_mw: peak?,
                shape: shape?.try_into().ok()?,
                scale: scale.unwrap_or(1.0),
            })
        }
        (false, true, false) => {
            let peak = f.power_mw("peak_mw", true, p);
            let weekly = file_ref(&f, "weekly_pct_file", p);
            let daily = file_ref(&f, "daily_pct_file", p);
            let hourly = file_ref(&f, "hourly_pct_file", p);
            let seasons = match f.get("seasons") {
                Some(s) => seasons(s, &f.field("seasons"), p),
                None => {
                    f.missing("seasons", "a table of week ranges per season", p);
                    None
                }
            };
            Some(DemandSpec::Tables {
                at: f.place(),
                peak_mw: peak?,
                weekly: weekly?,
                daily: daily?,
                hourly: hourly?,
                seasons: seasons?,
                scale: scale.unwrap_or(1.0),
            })
        }
    };
    Some((
        spec?,
        CalendarFactors {
            month: month?,
            day: day?,
        },
    ))
}

fn seasons(n: &Node, path: &str, p: &mut Problems) -> Option<Seasons> {
    let expect = "expected a table of inclusive week ranges, such as \
                  `{ winter = [[1, 8], [44, 52]], summer = [[9, 43]] }`";
    let Some(entries) = n.table() else {
        p.push(
            &n.file,
            Some(n.line),
            Some(path),
            format!("{expect}, got {}", n.value.describe()),
        );
        return None;
    };
    if entries.is_empty() {
        p.push(
            &n.file,
            Some(n.line),
            Some(path),
            format!("{expect}, got an empty table"),
        );
        return None;
    }
    let mut s = Seasons {
        names: Vec::new(),
        ranges: Vec::new(),
        file: n.file.clone(),
        line: n.line,
        field: path.to_string(),
    };
    let mut ok = true;
    for (k, v) in entries {
        let field = format!("{path}.{k}");
        let idx = s.names.len();
        s.names.push(k.clone());
        let Value::Array(ranges) = &v.value else {
            p.push(
                &v.file,
                Some(v.line),
                Some(&field),
                format!("{expect}, got {}", v.value.describe()),
            );
            ok = false;
            continue;
        };
        for r in ranges {
            let pair = match &r.value {
                Value::Array(a) if a.len() == 2 => match (&a[0].value, &a[1].value) {
                    (Value::Int(Some(x), _), Value::Int(Some(y), _)) => Some((*x, *y)),
                    _ => None,
                },
                _ => None,
            };
            match pair {
                Some((a, b)) if 1 <= a && a <= b && b <= MAX_WEEKS => s.ranges.push((idx, a, b)),
                Some((a, b)) => {
                    p.push(
                        &r.file,
                        Some(r.line),
                        Some(&field),
                        format!(
                            "week range [{a}, {b}] must have 1 <= first <= last <= {MAX_WEEKS}"
                        ),
                    );
                    ok = false;
                }
                None => {
                    p.push(
                        &r.file,
                        Some(r.line),
                        Some(&field),
                        format!(
                            "expected a week range [first, last] of two integers, got {}",
                            r.value.describe()
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    ok.then_some(s)
}

/// What a unit block may refer to.
struct BlockCtx<'a> {
    regions: &'a [String],
    hubs: &'a [bool],
    zones: &'a [String],
    win: Option<&'a Window>,
}

fn block(
    n: &Node,
    label: &str,
    ctx: &BlockCtx<'_>,
    first: &mut Vec<(String, Rc<Path>, usize)>,
    p: &mut Problems,
) -> Option<Block> {
    let (regions, hubs) = (ctx.regions, ctx.hubs);
    let f = Fields::new(n, label, keys::UNIT, p)?;
    let name = f.unique_name("unit block", first, p);
    let region = f.region("region", regions, p).filter(|&r| {
        if hubs[r] {
            f.bad(
                "region",
                format!(
                    "region `{}` is a hub (`hub = true`), and a hub has no units; put the \
                     units in an ordinary region",
                    regions[r]
                ),
                p,
            );
        }
        !hubs[r]
    });
    let count = f.count(MAX_COUNT, p);
    let mw = f.power_mw("mw", true, p);
    let installed_w = mw.and_then(mw_to_w);
    let outage = unit_outage(&f, "unit", p);
    let derate = f.number_in(
        "derate",
        "a fraction",
        false,
        |x| (0.0..1.0).contains(&x),
        "a fraction in [0, 1)",
        p,
    );
    let derate_ok = derate.is_some() || !f.has("derate");
    let cap_w = f.opt_power_w("cap_mw", p);
    let block_cap_w = f.opt_power_w("block_cap_mw", p);
    let cold = f.cold_rule(
        "cold",
        ctx.zones,
        |x| x >= 0.0,
        "a failure-rate multiplier >= 0",
        p,
    );
    if matches!(outage, Some(OutageModel::Discrete { .. })) && f.has("cold") {
        f.bad(
            "cold",
            "a cold rule multiplies a continuous-time failure rate; a discrete-time unit \
             (`outage_model = \"discrete\"`) cannot take one"
                .into(),
            p,
        );
    }
    let dated = dated_outages(&f, count, ctx.win, p);
    let capacity_series = series_ref(&f, "capacity_file", "capacity_column", name.as_deref(), p);
    let rates_series = rates_ref(&f, p);
    if f.has("rates_file") && f.has("cold") {
        f.bad(
            "cold",
            "a cold rule multiplies a constant failure rate; a block with hourly rates \
             (`rates_file`) gives its cold days in its failure-rate column instead"
                .into(),
            p,
        );
    }
    if !derate_ok {
        return None;
    }
    let (installed_w, cap_w, mw) = (installed_w?, cap_w?, mw?);
    let capacity = Capacity {
        installed_w,
        derate: derate.unwrap_or(0.0),
        cap_w,
    };
    Some(Block {
        name: name?,
        region: region?,
        count: count?,
        installed_w,
        capacity_w: capacity.when_up_w(mw)?,
        capacity,
        capacity_series: capacity_series?,
        capacity_hourly_w: None,
        rates_series: rates_series?,
        rates_hourly: None,
        outage: outage?,
        cold: cold?,
        dated_outages: dated?,
        block_cap_w: block_cap_w?,
    })
}

/// The hourly failure and repair rates of a unit block: `rates_file` with
/// `failure_rate_column`, `repair_rate_column` or both (the other stays constant).
/// `Some(None)` if none is given, `None` if there is a problem.
pub(crate) fn rates_ref(f: &Fields<'_>, p: &mut Problems) -> Option<Option<RatesRef>> {
    const COLUMNS: [&str; 2] = ["failure_rate_column", "repair_rate_column"];
    if !f.has("rates_file") {
        if let Some(key) = COLUMNS.iter().find(|k| f.has(k)) {
            f.bad(
                key,
                "only goes with `rates_file` (a CSV with one row per study hour)".into(),
                p,
            );
            return None;
        }
        return Some(None);
    }
    if !COLUMNS.iter().any(|k| f.has(k)) {
        f.bad(
            "rates_file",
            "needs `failure_rate_column`, `repair_rate_column` or both (the columns of \
             hourly rates in the file)"
                .into(),
            p,
        );
        return None;
    }
    let file = file_ref(f, "rates_file", p);
    let failure = match f.has(COLUMNS[0]) {
        true => Some(f.string(COLUMNS[0], true, p)?),
        false => None,
    };
    let repair = match f.has(COLUMNS[1]) {
        true => Some(f.string(COLUMNS[1], true, p)?),
        false => None,
    };
    Some(Some(RatesRef {
        file: file?,
        failure,
        repair,
    }))
}

/// The outage keys of a unit block (or, with `kind` "storage device", a storage block), in
/// one of the two conventions of [`OutageModel`]: `outage_model = "continuous"` (the
/// default: `mttf_h`, or `for` with `mttr_h`) or `"discrete"` (`failure_probability` and
/// `repair_probability`, per hour).
fn unit_outage(f: &Fields<'_>, kind: &str, p: &mut Problems) -> Option<OutageModel> {
    if outage_convention(f, kind, &["mttf_h", "mttr_h", "for"], p)? {
        discrete_outage(f, p)
    } else {
        continuous_outage(f, p).map(OutageModel::Continuous)
    }
}

/// Whether the table of a `kind` ("unit", "line", "storage device") declares discrete time
/// (`outage_model = "discrete"`; default `"continuous"`), whose keys in continuous time are
/// `continuous`. A key of the other convention is an error naming it (then `None`).
pub(crate) fn outage_convention(
    f: &Fields<'_>,
    kind: &str,
    continuous: &[&str],
    p: &mut Problems,
) -> Option<bool> {
    const DISCRETE: [&str; 2] = ["failure_probability", "repair_probability"];
    let discrete = match f.string("outage_model", false, p).as_deref() {
        None if f.has("outage_model") => return None,
        None | Some("continuous") => false,
        Some("discrete") => true,
        Some(other) => {
            f.bad(
                "outage_model",
                format!("must be \"continuous\" or \"discrete\", got \"{other}\""),
                p,
            );
            return None;
        }
    };
    let (own, other) = if discrete {
        (&DISCRETE[..], continuous)
    } else {
        (continuous, &DISCRETE[..])
    };
    let mut clash = false;
    for key in other.iter().filter(|k| f.has(k)) {
        let msg = if discrete {
            format!(
                "a discrete-time {kind} (`outage_model = \"discrete\"`) takes \
                 `failure_probability` and `repair_probability` (per hour), not `{key}`"
            )
        } else {
            format!(
                "`{key}` is for discrete-time {kind}s: give `outage_model = \"discrete\"` \
                 with `failure_probability` and `repair_probability`, and no {}",
                quoted_list(own)
            )
        };
        f.bad(key, msg, p);
        clash = true;
    }
    (!clash).then_some(discrete)
}

/// A discrete-time outage process: `failure_probability` in [0, 1) and
/// `repair_probability` in (0, 1], per hour, both required.
pub(crate) fn discrete_outage(f: &Fields<'_>, p: &mut Problems) -> Option<OutageModel> {
    let p_fail = f.number_in(
        "failure_probability",
        "a probability",
        true,
        |x| (0.0..1.0).contains(&x),
        "a probability per hour in [0, 1)",
        p,
    );
    let p_repair = f.number_in(
        "repair_probability",
        "a probability",
        true,
        |x| x > 0.0 && x <= 1.0,
        "a probability per hour in (0, 1]",
        p,
    );
    Some(OutageModel::Discrete {
        p_fail: p_fail?,
        p_repair: p_repair?,
    })
}

/// A continuous-time unit's `mttf_h`, or `for` with `mttr_h`.
fn continuous_outage(f: &Fields<'_>, p: &mut Problems) -> Option<Outage> {
    // `for` is read before `mttr_h`: a unit with `for = 0` is never down, so it needs no
    // repair time.
    let rate = (f.has("for") && !f.has("mttf_h")).then(|| {
        f.number_in(
            "for",
            "a fraction",
            true,
            |x| (0.0..1.0).contains(&x),
            "a forced outage rate in [0, 1)",
            p,
        )
    });
    let mttr = if rate == Some(Some(0.0)) && !f.has("mttr_h") {
        // Never used (the unit is up from hour 0 and its first failure is 1e30 h away);
        // the model wants a positive number.
        Some(NEVER_FAILS_MTTR_H)
    } else {
        f.mean_duration_h("mttr_h", true, p)
    };
    let mttf = match (f.has("mttf_h"), f.has("for")) {
        (true, true) => {
            f.bad(
                "for",
                "give either `mttf_h` or `for` (with `mttr_h`), not both".into(),
                p,
            );
            None
        }
        (false, false) => {
            f.problem(
                Some("mttf_h"),
                "missing: give either `mttf_h` or `for` (the forced outage rate, with `mttr_h`)"
                    .into(),
                p,
            );
            None
        }
        (true, false) => f.mean_duration_h("mttf_h", true, p),
        (false, true) => {
            match (rate.flatten(), mttr) {
                // for = 0: never fails; a tiny positive `for` can overflow to infinity.
                (Some(r), Some(m)) => {
                    let mttf = if r > 0.0 {
                        (m * (1.0 - r) / r).min(NEVER_FAILS_MTTF_H)
                    } else {
                        NEVER_FAILS_MTTF_H
                    };
                    if mttf < MIN_MEAN_DURATION_H {
                        f.bad(
                            "for",
                            format!(
                                "{r} with mttr_h = {m} means a mean time to failure of \
                                     {} h (mttr_h x (1 - for) / for), below one time step \
                                     (1 hour); lower `for` or raise `mttr_h`",
                                short_number(mttf)
                            ),
                            p,
                        );
                        None
                    } else {
                        Some(mttf)
                    }
                }
                _ => None,
            }
        }
    };
    Some(Outage {
        mttf_h: mttf?,
        mttr_h: mttr?,
    })
}

/// The `[[units.dated_outages]]` of a block of `count` units: study hours (clipped to the
/// window) and how many units.
fn dated_outages(
    f: &Fields<'_>,
    count: Option<usize>,
    win: Option<&Window>,
    p: &mut Problems,
) -> Option<Vec<(Range<usize>, usize)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (i, n) in table_array(f, "dated_outages", p).into_iter().enumerate() {
        let label = format!("{}[{i}]", f.field("dated_outages"));
        let Some(of) = Fields::new(n, &label, keys::DATED_OUTAGE, p) else {
            ok = false;
            continue;
        };
        let span = of.day_span(win, true, p);
        let k = match of.integer("count", false, p) {
            Some(k) if k >= 1 && count.is_none_or(|c| k as usize <= c) => Some(k as usize),
            Some(k) => {
                of.bad(
                    "count",
                    match count {
                        Some(c) => format!(
                            "must be an integer from 1 to {c} (the units in the block), got {k}"
                        ),
                        None => format!("must be an integer >= 1, got {k}"),
                    },
                    p,
                );
                None
            }
            None if of.has("count") => None,
            None => count,
        };
        match (span, k, win) {
            (Some(span), Some(k), Some(w)) => {
                let days = of.clip_days(span, w, p);
                out.push((hours_of_days(&days, w), k));
            }
            _ => ok = false,
        }
    }
    // An element that is not a table was reported by `table_array`.
    let all = f.get("dated_outages").map_or(0, |n| match &n.value {
        Value::Array(a) => a.len(),
        _ => usize::MAX,
    });
    (ok && out.len() == all).then_some(out)
}

/// The manifest of a scenario given as `text`, and every problem's message (for the tests
/// of this module and its submodules).
#[cfg(test)]
fn extract_text(text: &str) -> (Manifest, Vec<String>) {
    let mut p = Problems::default();
    let root = super::tree::parse(text.as_bytes(), Path::new("t.toml"), &mut p).expect("parses");
    let m = extract(&root, &mut p);
    let msgs = p
        .into_error(&[])
        .problems
        .iter()
        .map(|x| x.to_string())
        .collect();
    (m, msgs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_shortened() {
        assert_eq!(short_number(-5.0), "-5");
        assert_eq!(short_number(0.000001), "0.000001");
        assert_eq!(short_number(1.0 / 9.0), "0.111111");
        assert_eq!(short_number(263_149_999_999.999_97), "263150000000");
        assert_eq!(short_number(366_099.3 * 273.15), "100000023.795");
        assert_eq!(short_number(1e300), "1e300");
    }

    #[test]
    fn suggestions_are_close_keys() {
        assert_eq!(edit_distance("mtr_h", "mttr_h"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(suggest("mtr_h", &["mttf_h", "mttr_h"]), Some("mttr_h"));
        assert_eq!(suggest("MW", &["mw", "count"]), Some("mw"));
        assert_eq!(suggest("colour", &["mw", "count"]), None);
        assert_eq!(suggest("x", &["mw"]), None);
    }

    #[test]
    fn utc_offsets() {
        assert_eq!(parse_utc_offset("+06:00"), Some(360));
        assert_eq!(parse_utc_offset("-03:30"), Some(-210));
        assert_eq!(parse_utc_offset("+14:00"), Some(840));
        for bad in ["06:00", "+6:00", "+06:60", "+15:00", "+06-00", "", "+٠٦:00"] {
            assert_eq!(parse_utc_offset(bad), None, "{bad}");
        }
    }

    #[test]
    fn unit_blocks_are_validated_together() {
        let (m, msgs) = extract_text(
            "name = \"x\"\n[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
             [regions.demand]\nfile = \"d.csv\"\n\
             [[units]]\nname = \"A\"\nregion = \"R\"\nmw = -1\nfor = 1.0\nmttr_h = 0\nmtr_h = 2\n\
             [[units]]\nname = \"B\"\nregion = \"Q\"\nmw = \"12\"\nmttf_h = 10\nmttr_h = 1\n",
        );
        assert!(m.blocks.is_empty());
        let all = msgs.join("\n");
        for want in [
            "t.toml:11: units[A].mw: must be a power >= 0 MW, got -1",
            "t.toml:12: units[A].for: must be a forced outage rate in [0, 1), got 1",
            "t.toml:13: units[A].mttr_h: must be a mean duration >= 1 hour (one time step; a \
             shorter mean up or down time is a modelling error), got 0",
            "t.toml:14: units[A].mtr_h: unknown key; did you mean `mttr_h`?",
            "t.toml:17: units[B].region: unknown region `Q`; known regions: `R`",
            "t.toml:18: units[B].mw: expected a number (MW), got a string (\"12\")",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
    }

    #[test]
    fn for_gives_mttf_and_zero_for_never_fails() {
        let (m, msgs) = extract_text(
            "name = \"x\"\n[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
             [regions.demand]\nfile = \"d.csv\"\n\
             [[units]]\nname = \"A\"\nregion = \"R\"\nmw = 100\nfor = 0.04\nmttr_h = 48\n\
             derate = 0.1\ncap_mw = 85\ncount = 2\n\
             [[units]]\nname = \"B\"\nregion = \"R\"\nmw = 10\nfor = 0\nmttr_h = 1\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let a = &m.blocks[0];
        let mttf = |b: &Block| match b.outage {
            OutageModel::Continuous(o) => o.mttf_h,
            OutageModel::Discrete { .. } => panic!("continuous by default"),
        };
        assert!((mttf(a) - 1152.0).abs() < 1e-9);
        assert_eq!(
            (a.installed_w, a.capacity_w, a.count),
            (100_000_000, 85_000_000, 2)
        );
        assert_eq!(mttf(&m.blocks[1]), NEVER_FAILS_MTTF_H);
    }

    #[test]
    fn discrete_units_take_probabilities_and_no_mean_durations() {
        let head = "name = \"x\"\n[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
                    [regions.demand]\nfile = \"d.csv\"\n";
        let (m, msgs) = extract_text(&format!(
            "{head}[[units]]\nname = \"A\"\nregion = \"R\"\nmw = 10\n\
             outage_model = \"discrete\"\nfailure_probability = 0.1\nrepair_probability = 0.9\n\
             [[units]]\nname = \"B\"\nregion = \"R\"\nmw = 10\noutage_model = \"continuous\"\n\
             mttf_h = 9\nmttr_h = 1\n"
        ));
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(
            m.blocks[0].outage,
            OutageModel::Discrete {
                p_fail: 0.1,
                p_repair: 0.9
            }
        );
        assert_eq!(m.blocks[0].outage.availability(), 0.9);
        assert_eq!(m.blocks[1].outage.availability(), 0.9);
        let (_, msgs) = extract_text(&format!(
            "{head}[[units]]\nname = \"A\"\nregion = \"R\"\nmw = 10\n\
             outage_model = \"discrete\"\nfailure_probability = 1\nrepair_probability = 0\n\
             [[units]]\nname = \"B\"\nregion = \"R\"\nmw = 10\nfailure_probability = 0.1\n\
             mttf_h = 9\nmttr_h = 1\n\
             [[units]]\nname = \"C\"\nregion = \"R\"\nmw = 10\noutage_model = \"discrete\"\n\
             failure_probability = 0.1\nrepair_probability = 0.9\nmttr_h = 1\n\
             [[units]]\nname = \"D\"\nregion = \"R\"\nmw = 10\noutage_model = \"hourly\"\n"
        ));
        let all = msgs.join("\n");
        for want in [
            "units[A].failure_probability: must be a probability per hour in [0, 1), got 1",
            "units[A].repair_probability: must be a probability per hour in (0, 1], got 0",
            "units[B].failure_probability: `failure_probability` is for discrete-time units",
            "units[C].mttr_h: a discrete-time unit (`outage_model = \"discrete\"`) takes \
             `failure_probability` and `repair_probability` (per hour), not `mttr_h`",
            "units[D].outage_model: must be \"continuous\" or \"discrete\", got \"hourly\"",
        ] {
            assert!(all.contains(want), "missing {want:?} in\n{all}");
        }
    }
}
