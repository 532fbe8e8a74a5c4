//! Scenarios compiled into the binary, so the default run works from any directory; and
//! where every command gets a scenario: a file, an embedded scenario, or a PRAS system file
//! (`.pras`, read by gridrisk-pras as the scenario `gridrisk convert` would write).

use gridrisk_core::scenario::{self, Embedded, Scenario, ScenarioError, Study};
use gridrisk_pras::{LoadError, Omit};
use std::path::Path;

/// Every embedded file, by its path under `scenarios/`.
const FILES: &[(&str, &[u8])] = &[
    (
        "kazakhstan/as-it-happened.toml",
        include_bytes!("../scenarios/kazakhstan/as-it-happened.toml"),
    ),
    (
        "kazakhstan/calibrated.toml",
        include_bytes!("../scenarios/kazakhstan/calibrated.toml"),
    ),
    (
        "kazakhstan/cold-winter.toml",
        include_bytes!("../scenarios/kazakhstan/cold-winter.toml"),
    ),
    (
        "kazakhstan/demand-096.toml",
        include_bytes!("../scenarios/kazakhstan/demand-096.toml"),
    ),
    (
        "kazakhstan/early-action.toml",
        include_bytes!("../scenarios/kazakhstan/early-action.toml"),
    ),
    (
        "kazakhstan/interruptible.toml",
        include_bytes!("../scenarios/kazakhstan/interruptible.toml"),
    ),
    (
        "kazakhstan/mining-ban.toml",
        include_bytes!("../scenarios/kazakhstan/mining-ban.toml"),
    ),
    (
        "kazakhstan/mttr-double.toml",
        include_bytes!("../scenarios/kazakhstan/mttr-double.toml"),
    ),
    (
        "kazakhstan/mttr-half.toml",
        include_bytes!("../scenarios/kazakhstan/mttr-half.toml"),
    ),
    (
        "kazakhstan/peak-curtailment.toml",
        include_bytes!("../scenarios/kazakhstan/peak-curtailment.toml"),
    ),
    (
        "kazakhstan/raids-february.toml",
        include_bytes!("../scenarios/kazakhstan/raids-february.toml"),
    ),
    (
        "kazakhstan/raids-november.toml",
        include_bytes!("../scenarios/kazakhstan/raids-november.toml"),
    ),
    (
        "kazakhstan/repair-backlog.toml",
        include_bytes!("../scenarios/kazakhstan/repair-backlog.toml"),
    ),
    (
        "kazakhstan/russia-cap-750.toml",
        include_bytes!("../scenarios/kazakhstan/russia-cap-750.toml"),
    ),
    (
        "kazakhstan/south-4200.toml",
        include_bytes!("../scenarios/kazakhstan/south-4200.toml"),
    ),
    (
        "kazakhstan/study.toml",
        include_bytes!("../scenarios/kazakhstan/study.toml"),
    ),
    (
        "kazakhstan/uncertain.toml",
        include_bytes!("../scenarios/kazakhstan/uncertain.toml"),
    ),
    (
        "kazakhstan/winter-2021-22.toml",
        include_bytes!("../scenarios/kazakhstan/winter-2021-22.toml"),
    ),
    (
        "benchmarks/ieee-rts79.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79.toml"),
    ),
    (
        "benchmarks/ieee-rts79-three-area.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79-three-area.toml"),
    ),
    (
        "benchmarks/ieee-rts79-three-area-import.toml",
        include_bytes!("../scenarios/benchmarks/ieee-rts79-three-area-import.toml"),
    ),
    (
        "benchmarks/ieee-rts79/weekly_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/weekly_peak_pct.csv"),
    ),
    (
        "benchmarks/ieee-rts79/daily_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/daily_peak_pct.csv"),
    ),
    (
        "benchmarks/ieee-rts79/hourly_peak_pct.csv",
        include_bytes!("../scenarios/benchmarks/ieee-rts79/hourly_peak_pct.csv"),
    ),
];

/// The embedded scenario and study files, with a one-line description each.
pub fn list() -> Vec<(&'static str, String)> {
    FILES
        .iter()
        .filter(|(p, _)| p.ends_with(".toml"))
        .map(|&(p, _)| {
            let description = match load_embedded(p) {
                Ok(s) => s.description,
                Err(e) => match scenario::load_study_with(Path::new(p), &Embedded::new(FILES)) {
                    Ok(study) if !study.uncertain.is_empty() => format!(
                        "study: {} variants against {} over {} uncertain parameters ({})",
                        study.variants.len(),
                        study.base.display(),
                        study.uncertain.len(),
                        study.description
                    ),
                    Ok(study) => format!(
                        "study: {} variants against {} ({})",
                        study.variants.len(),
                        study.base.display(),
                        study.description
                    ),
                    Err(_) => format!("(invalid: {e})"),
                },
            };
            (p, description)
        })
        .collect()
}

fn load_embedded(path: &str) -> Result<Scenario, ScenarioError> {
    scenario::load_with(Path::new(path), &Embedded::new(FILES))
}

/// The embedded scenario that `name` refers to: its path under `scenarios/`, with or without
/// the group and the `.toml` ending (`ieee-rts79`, `benchmarks/ieee-rts79.toml`).
fn find(name: &str) -> Option<&'static str> {
    let name = name.trim_end_matches(".toml");
    FILES.iter().map(|(p, _)| *p).find(|p| {
        p.ends_with(".toml") && {
            let stem = p.trim_end_matches(".toml");
            stem == name || stem.rsplit('/').next() == Some(name)
        }
    })
}

/// Load `arg`: a scenario file if one exists at that path (a `.pras` file converted in
/// memory), else an embedded scenario of that name, else the file system's error for the
/// path.
pub fn load(arg: &str) -> Result<Scenario, LoadError> {
    load_omit(arg, Omit::default())
}

/// [`load`], leaving the `omit` tables out of a `.pras` file.
pub fn load_omit(arg: &str, omit: Omit) -> Result<Scenario, LoadError> {
    let path = Path::new(arg);
    match find(arg) {
        Some(embedded) if !path.exists() => Ok(load_embedded(embedded)?),
        _ if gridrisk_pras::is_pras(path) => gridrisk_pras::load(path, omit),
        _ => load_path(
            path,
            Origin {
                in_binary: false,
                omit,
            },
        ),
    }
}

/// The embedded policy study: `gridrisk study` with no file, and the default run's first.
pub const DEFAULT_STUDY: &str = "kazakhstan/study.toml";

/// The embedded uncertain-parameter design the default run runs after [`DEFAULT_STUDY`].
pub const DEFAULT_UNCERTAIN: &str = "kazakhstan/uncertain.toml";

/// Load a study: a file if one exists at `arg`, else the embedded file of that path under
/// `scenarios/`; the flag says whether it came from the binary (so its scenarios do too).
pub fn load_study(arg: &str) -> Result<(Study, bool), ScenarioError> {
    let path = Path::new(arg);
    let in_binary = !path.exists() && FILES.iter().any(|(p, _)| Path::new(p) == path);
    let study = if in_binary {
        scenario::load_study_with(path, &Embedded::new(FILES))?
    } else {
        scenario::load_study(path)?
    };
    Ok((study, in_binary))
}

/// Where a study's scenario files are read from (the binary's files or the file system),
/// and the asset tables to leave out of those that are `.pras` files.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    /// The study came from the binary, so its scenarios do too.
    pub in_binary: bool,
    /// Tables to leave out of a `.pras` file (`--omit`).
    pub omit: Omit,
}

/// Load the scenario at `path`, from the binary's files or the file system.
pub fn load_path(path: &Path, origin: Origin) -> Result<Scenario, LoadError> {
    load_set(path, origin, &[])
}

/// [`load_path`] with `settings` set in the scenario's tree ([`scenario::load_set`]); a
/// `.pras` file on the file system is converted without the `origin.omit` tables.
pub fn load_set(
    path: &Path,
    origin: Origin,
    settings: &[scenario::Setting],
) -> Result<Scenario, LoadError> {
    Ok(if origin.in_binary {
        scenario::load_set(path, &Embedded::new(FILES), settings)?
    } else if gridrisk_pras::is_pras(path) {
        gridrisk_pras::load_set(path, origin.omit, settings)?
    } else {
        scenario::load_set(path, &scenario::FileSystem, settings)?
    })
}
