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

The format is documented for users in `docs/scenario-format.md`, the single reference: every
key of scenario, study and sweep files with its type, unit, default and range, the CSV files,
`extends`, dates and bounds, and a walkthrough. The keys each table accepts are listed once,
in [`keys`], which the readers use and against which that page and the JSON Schema
`docs/scenario.schema.json` are tested (`tests/format_doc.rs`).

In this crate: a scenario is read by `tree.rs` (TOML files and `extends`), checked into
a manifest (`manifest.rs`, with `manifest/network.rs`, `manifest/conditions.rs` and
`manifest/dates.rs`), its CSV files read (`series.rs`) and the model built (`build.rs`) with
[`Conditions`](crate::model::Conditions) set by [`SystemModel::with_conditions`]; warnings
go to [`Scenario::warnings`], problems to [`ScenarioError`]. A unit with `for = 0` gets
[`NEVER_FAILS_MTTF_H`] and, without `mttr_h`, [`NEVER_FAILS_MTTR_H`]; an `extends` chain
has at most [`MAX_EXTENDS_DEPTH`] bases; the bounds are in [`crate::bounds`] and the file
limits in [`crate::files`]; study files are read by [`load_study`] into a [`Study`]. A
unit block's `cold` rule and dated outages become one
[`UnitConditions`](crate::model::UnitConditions) per unit, `BLOCK#k`, for the units that
have either.
*/

mod build;
mod error;
mod keypath;
pub mod keys;
mod manifest;
mod plausible;
mod series;
mod source;
mod step;
mod study;
mod tree;

pub use build::{RegionSummary, Summary};
pub use error::{Problem, ScenarioError};
pub use keypath::{KeyPath, Segment};
pub use manifest::{parse_utc_offset, NEVER_FAILS_MTTF_H, NEVER_FAILS_MTTR_H};
pub use source::{Embedded, FileSystem, Source};
pub use study::{
    Design, DesignMethod, Law, Study, StudyVariant, Uncertain, DEFAULT_SAMPLES, DEFAULT_SEED,
};
pub use tree::{Setting, MAX_EXTENDS_DEPTH};

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
    build::load(path, source, &[])
}

/// Load the scenario at `path` from `source` with `settings` set in its tree (after its
/// `extends` chain is merged), each checked as if written by hand: a problem with one names
/// the file and line that set it. The settings are part of the content hash.
pub fn load_set(
    path: &Path,
    source: &dyn Source,
    settings: &[Setting],
) -> Result<Scenario, ScenarioError> {
    build::load(path, source, settings)
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
