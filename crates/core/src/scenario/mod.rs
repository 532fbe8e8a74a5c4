/*!
Scenario files: TOML for structure, CSV for time series, read into a [`SystemModel`].

[`load`] reads a scenario from the file system, [`load_with`] from any [`Source`] (such as
[`Embedded`] files compiled into the binary). Bad input never panics: it gives a
[`ScenarioError`] listing every problem found, each with its file, line, field and what was
expected, for example

```text
scenarios/x.toml:9: units[U12].mtr_h: unknown key; did you mean `mttr_h`?
scenarios/x.toml:14: units[U20].for: must be a forced outage rate in [0, 1), got 1
scenarios/x/load.csv:8737: load_mw: expected a number (MW), got "n/a"
```

# Format (version 1)

The keys below are the core of the format. Weather, demand shapes by hour of day and month,
mining and enforcement, exchanges, disturbances, renewables, cold-dependent and dated unit
outages, and fallback import caps are described in `docs/format-conditions.md` (summarised
under [Conditions](#conditions) below); a scenario without them behaves exactly as before.

```toml
name = "ieee-rts79"             # required, in every file (a base too)
description = "..."             # optional
extends = "base.toml"           # optional: a base scenario that this file overrides
sharing = "local"               # optional: how an unavoidable shortfall is split between
                                #   regions, "local" (default) or "shared"

[study]                         # the window: either `hours` ...
hours = 8736
first_weekday = "monday"        #   weekday of hour 0 (with `hours` only), a name or its
                                #   abbreviation, any case ("Mon"); default monday
# start = 2021-11-01            # ... or `start` and `end`, TOML local dates, both days
# end = 2022-02-28              #   included (hours = days x 24); hour 0 is start's midnight
utc_offset = "+06:00"           # optional, default "+06:00", `±HH:MM`

[[regions]]
name = "RTS"
[regions.demand]                # either a CSV of MW per hour ...
file = "load.csv"               #   a header row, then one row per study hour
column = "load_mw"              #   default "load_mw"
scale = 1.0                     # optional multiplier (either form), 0 to 1e8, default 1
# ... or RTS-style percentage tables (or `peak_mw` with `hourly_shape`, see below):
# peak_mw = 2850
# weekly_pct_file = "w.csv"     # columns week,pct; weeks 1..N, N x 168 >= study hours
# daily_pct_file = "d.csv"      # columns day,pct; 7 rows Monday..Sunday (`Mon` or `Monday`)
# hourly_pct_file = "h.csv"     # columns hour (1..24), <season>_weekday, <season>_weekend
# seasons = { winter = [[1, 8], [44, 52]], summer = [[9, 43]] }  # inclusive study weeks

[[units]]
name = "U12"                    # a block; its k-th unit (1-based) is named `U12#k`
region = "RTS"
count = 5                       # optional, default 1
mw = 12                         # nameplate MW per unit, 0 to 1e8 (see Bounds below)
mttf_h = 2940                   # mean time to failure, hours, >= 1 (one step); or instead
# for = 0.02                    #   the forced outage rate in [0, 1):
                                #   mttf_h = mttr_h x (1 - for) / for
mttr_h = 60                     # mean time to repair, hours, >= 1 (required, except
                                #   with `for = 0`)
derate = 0.0                    # optional fraction in [0, 1): capacity when up = mw x (1 - derate)
cap_mw = 10                     # optional: capacity when up is at most cap_mw
block_cap_mw = 700              # optional: the block's units together produce at most this

[[regions]]
name = "SOUTH-HUB"
hub = true                      # optional, default false: a junction with no demand (no
                                #   `demand`) and no units, for a joint corridor limit

[[lines]]
name = "North-HUB"              # unique among lines
from = "North"                  # region names (hubs too), different
to = "SOUTH-HUB"
forward_mw = 1000               # limit from -> to, >= 0
backward_mw = 800               # limit to -> from, >= 0; optional, default forward_mw
mttf_h = 2000                   # optional outage process of the line: both or neither,
mttr_h = 20                     #   each >= 1 hour

[[corridors]]                   # optional, a set of lines reported together (needs lines)
name = "into South"             # unique among corridors
lines = ["North-HUB", "HUB-South"]  # line names, at least one, each once

[[imports]]
name = "RUSSIA"                 # unique among import sources
cap_mw = 1200                   # export cap of the source, >= 0
mttf_h = 4000                   # optional availability process of the source: both or
mttr_h = 10                     #   neither, each >= 1 hour
[[imports.links]]               # at least one per source
name = "Ekibastuz-Barnaul"      # unique within the source
region = "North"                # the region fed (a hub too)
cap_mw = 700                    # >= 0
mttf_h = 1500                   # optional outage process of the link: both or neither
mttr_h = 15
```

* Paths are relative to the file they are written in (a base's CSVs stay relative to the
  base), and `.` and `..` are resolved lexically.
* **CSV files** have a header row of unique column names (a repeated name is an error),
  at most 10,000 columns, no row with more fields than the header and at most 1,000,000
  data rows; they are UTF-8 (a byte order mark is skipped); fields are trimmed. A demand CSV may have
  an `hour` column beside its MW column: it is checked, not used (rows are hours in
  order), and must number the rows `1, 2, 3, ...` or `0, 1, 2, ...`; so must `week` in
  a weekly table and `hour` in an hourly table (both from 1). A message shows at most 40
  characters of a bad value.
* **Demand from percentage tables.** In hour `h` (0-based): study week `w = h / 168`,
  weekday `d` from the calendar, hour of day `h % 24` (row `hour = 1` is 00:00-01:00),
  weekend = Saturday or Sunday, season = the one containing study week `w + 1`.
  Demand = `peak_mw * weekly/100 * daily/100 * hourly/100 * scale`, evaluated left to
  right and rounded to the nearest watt (exact for RTS-79).
* **Network.** Without `[[lines]]` and `[[imports]]` regions are isolated
  ([`Network::default`](crate::model::Network)). Lines are pipes with a limit in each
  direction (no impedance). A hub expresses a limit shared by several lines: lines
  North -> HUB and Centre -> HUB with HUB -> South at 2,100 MW limit their joint flow into
  the South to 2,100 MW. Import sources are used only after domestic generation, in the
  order they are listed (after `extends`, the base's first). `sharing = "local"` keeps a
  shortfall where it arises (least line transfer, as PRAS and GE MARS);
  `"shared"` minimises the largest shortfall / demand ratio first (ENTSO-E curtailment
  sharing). A line, source or link without `mttf_h` and `mttr_h` never fails.
  A `[[corridors]]` entry changes no dispatch: it names a set of lines whose `binding_h`
  is reported as a whole, the hours in which one more MW on every line of the set (both
  directions) would lower the system's firm shortfall. A line's own `binding_h` tests one
  line at a time and misses limits in series or in parallel that bind together (the lines
  into a hub and out of it at the same total); a corridor of them does not.
* **Units.** `for = 0` means a unit that never fails; it gets
  `mttf_h` = [`NEVER_FAILS_MTTF_H`] (1e30 h), since the model needs a finite MTTF, and
  needs no `mttr_h` (without one it gets [`NEVER_FAILS_MTTR_H`], 1 h, which is never used:
  the unit is up from hour 0 and never fails). Lines, import sources and links have no
  `for`: their outage process is `mttf_h` and `mttr_h`, both or neither.
* **`extends`.** The base is read first (recursively), then the variant is merged over it:
  tables merge key by key; the arrays of tables with a `name` — `[[regions]]`,
  `[[units]]`, `[[lines]]`, `[[corridors]]`, `[[imports]]`, each source's `[[imports.links]]`,
  `[[renewables]]`, `[[exchanges]]`, `[[disturbances]]`, `[[weather.zones]]` and
  `[[mining.enforcement]]` — merge element by element by `name` (an element with a new
  name is appended). Every other array is **replaced as a whole** by a variant that sets
  it: the unnamed `[[mining.registered]]`, `[[mining.policies]]`,
  `[[weather.correlation]]` and a unit's `[[units.dated_outages]]` (so a variant listing
  one policy has exactly that policy), and arrays of values such as `hourly_shape` or a
  disturbance's or a corridor's `lines`. Any other value is replaced by the variant's. A cycle of
  `extends` is an error, and so is a chain of more than [`MAX_EXTENDS_DEPTH`] (64) bases.
* **Files.** Every file read must be a regular file (or a link to one): a directory, a
  device such as `/dev/zero` or a FIFO is refused without being opened for a blocking
  read. TOML files may be at most 4 MiB, CSV files 64 MiB, and a scenario's files together
  256 MiB ([`crate::files`] gives the reasons for each limit). At most 200 problems are
  listed, then how many more there are.
* **Bounds** ([`crate::bounds`], where the head-room proof is): any one power — `mw`,
  `cap_mw`, `block_cap_mw`, line limits, import and link caps, renewables, mining,
  exchanges, `peak_mw` and every hourly demand value (after `scale` and month factors) —
  is at most 1e8 MW; `scale` at most 1e8; `load_forecast_sd` at most 1;
  `heating_mw_per_c x (threshold + 273.15 °C)` (heating at absolute zero, below which the
  engine never lets a temperature fall) at most 1e8 MW. A region's total power (its demand
  bound — peak x (1 + 8.3 load_forecast_sd), heating at absolute zero, registered and
  illegal mining, exchanges — plus units, renewables, neighbour inflows, lines and import
  links touching it) is at most 1e9 MW, reported at the region's line; the system's (all
  regions and import caps) at most 1e10 MW; the window's energy bound, hours x (demand
  bounds + import caps), at most 2^62 Wh; components that can fail x hours at most 2^28
  (one sample's outage history). Every mean up or down time (`mttf_h`, `mttr_h` of units,
  lines, sources and links, the MTTF that `for` implies, a disturbance's `mtbf_h` and
  `duration_h`) is at least one time step, 1 hour. A run may have at most
  [`max_samples`](crate::bounds::max_samples) samples.
* **Names** of regions, units, lines and every other element are unique within their kind,
  non-empty and at most 100 characters; messages show at most 40 of them.
* **Unknown keys are errors**, with a suggestion when a known key is close.
* **Warnings.** Input that loads but is probably not what was meant is listed in
  [`Scenario::warnings`] (same `file:line: field: message` form), for the caller to print:
  a date range partly or wholly outside the study window (clipped to it), and sizes
  implausible beside the rest of the system (a unit or renewable plant above 10 times the
  system's peak demand, a line limit above 10 times all units, renewables and imports,
  that supply below the peak demand, installed capacity above 20 times the peak; see
  `plausible.rs` for why these thresholds).
* **Content hash.** [`Scenario::content_hash`] is FNV-1a 64 over every file read, in read
  order (the scenario, its bases, then its CSVs, each file once), each file preceded by its
  length as 8 little-endian bytes; printed as 16 lowercase hex digits. It identifies the
  exact inputs of a run.

# Conditions

From `docs/format-conditions.md`, into [`Conditions`](crate::model::Conditions) (set with
[`SystemModel::with_conditions`]) and two fields of
[`ImportSource`](crate::model::ImportSource):

```toml
[[regions]]
name = "SOUTH"
weather_zone = "south"          # optional; heating_* need it (not in a hub)
heating_mw_per_c = 14           # optional, >= 0 (stored as watts per °C), default 0
heating_threshold_c = -5.0      # optional, default the zone's normal_c
[regions.demand]
peak_mw = 3890                  # a third demand form: peak x shape x month factor x scale
hourly_shape = [0.85, ...]      #   24 numbers in [0, 2], hour 0 = 00:00-01:00
month_factor = { 12 = 1.0, 1 = 1.05 }  # optional with any form: keys "1".."12", values > 0,
                                #   default 1; needs a study given by `start` and `end`

[weather]
load_forecast_sd = 0.02         # optional, >= 0, default 0
shift_c = 0.0                   # optional, default 0
[[weather.zones]]               # unique names
name = "north"
normal_c = -12.0                # required
anomaly_sd_c = 6.0              # required, >= 0
persistence = 0.8               # optional, [0, 1), default 0
[[weather.correlation]]         # r in [-1, 1] for two different zones, each pair once;
zones = ["north", "south"]      #   the full matrix (unit diagonal, unlisted pairs 0)
r = 0.7                         #   must be positive definite

[[units]]                       # as before, plus
cold = { zone = "north", below_anomaly_c = -10.0, factor = 2.0 }  # factor >= 0, every unit
[[units.dated_outages]]         # from, to (dates, both required); count 1..=block count,
from = 2021-11-01               #   default the whole block: units #1..#count are out
to = 2021-11-30
count = 1

[[imports]]                     # as before, plus
fallback_cap_mw = 750           # optional, >= 0, default 0
cold = { zone = "north", below_anomaly_c = -10.0, factor = 0.8 }  # factor in [0, 1]

[[renewables]]                  # name, region (not a hub), mw; exactly one of
capacity_factor = 0.15          #   capacity_factor in [0, 1] or profile (24 in [0, 1]);
daily_sd = 0.5                  #   daily_sd >= 0, persistence in [0, 1), both default 0

[[mining.registered]]           # region (once each, not a hub), mw
[mining.illegal]                # min_mw <= mode_mw <= max_mw, shares by region name
                                #   (each >= 0, sum 1 within 1e-6), farm_mean_mw > 0, farm_cv >= 0
[[mining.policies]]             # kind = "interruptible" | "ban" (from, to), "curtail"
                                #   (from, to, hours_of_day: 0..=23), "self_limit"
                                #   (region, reduction_mw, from); other keys are errors
[[mining.enforcement]]          # name, from, to (optional), hazard_per_day >= 0,
                                #   inspections_per_day >= 1 (default unlimited),
                                #   reconnect_probability, relocate_probability in [0, 1],
                                #   reconnect_delay_days = [lo, hi], 0 <= lo <= hi
                                #   (default [14, 30]), amnesty (a date)
[[exchanges]]                   # name, region (not a hub), scheduled_export_mw,
                                #   deviation_mw (>= 0, default 0), bad_day_probability
                                #   in [0, 1] (default 0), bad_day_draw_mw = [lo, hi]
                                #   (required when the probability is > 0)
[[disturbances]]                # name, lines (names), mtbf_h >= 1, duration_h >= 1
```

* **Dates to study hours.** Date `d` is hour `(d - start).days * 24`; a range `[from, to]`
  (both days included) is hours `[from_h, to_h + 24)`, clipped to the window with a
  warning (empty if wholly outside). A missing `from` or `to` (where optional) is the
  window's first or last day. Enforcement `days` are the same in days; `amnesty` and a
  `self_limit`'s `from` before the window are its first day (with a warning). `to`
  before `from` is an error. With a study given by `hours` only, any date key is an error
  ("dates need a study window given by start and end").
* **Names** of regions, weather zones and lines resolve to indices, with a suggestion for
  a near miss. A unit block's conditions become one
  [`UnitConditions`](crate::model::UnitConditions) per unit, `BLOCK#k`, for units with a
  cold rule or a dated outage.
* **Study files** ([`load_study`], [`Study`]) list a base scenario and variants; see
  [`Study`].
*/

mod build;
mod error;
mod manifest;
mod plausible;
mod series;
mod source;
mod study;
mod tree;

pub use build::{RegionSummary, Summary};
pub use error::{Problem, ScenarioError};
pub use manifest::{NEVER_FAILS_MTTF_H, NEVER_FAILS_MTTR_H};
pub use source::{Embedded, FileSystem, Source};
pub use study::{Study, StudyVariant, DEFAULT_SAMPLES, DEFAULT_SEED};
pub use tree::MAX_EXTENDS_DEPTH;

use crate::model::SystemModel;
use std::path::{Path, PathBuf};

/// A scenario read from its files: the model and where it came from.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The validated system model.
    pub model: SystemModel,
    /// The scenario's `name` (of the file loaded, not of its base).
    pub name: String,
    /// The scenario's `description`, empty if none.
    pub description: String,
    /// FNV-1a 64 hash of every file read, as 16 lowercase hex digits (see the
    /// [module docs](self)).
    pub content_hash: String,
    /// Every file read, in read order.
    pub files: Vec<PathBuf>,
    /// Totals for display.
    pub summary: Summary,
    /// Input accepted but probably not meant (a date range clipped to the study window, an
    /// implausible size), ordered like errors; to be printed (for example to stderr) as
    /// `{file}:{line}: {field}: {message}`.
    pub warnings: Vec<Problem>,
}

/// Load the scenario at `path` from the file system.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &FileSystem)
}

/// Load the scenario at `path` from `source`.
pub fn load_with(path: &Path, source: &dyn Source) -> Result<Scenario, ScenarioError> {
    build::load(path, source)
}

/// Read the study file at `path` from the file system (see [`Study`]; the scenarios it
/// names are not read).
pub fn load_study(path: &Path) -> Result<Study, ScenarioError> {
    load_study_with(path, &FileSystem)
}

/// Read the study file at `path` from `source`.
pub fn load_study_with(path: &Path, source: &dyn Source) -> Result<Study, ScenarioError> {
    study::load(path, source)
}
