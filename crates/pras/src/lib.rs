/*!
PRAS system files (`.pras`) for gridrisk: read one into a plain [`System`] ([`read`]),
convert it to a gridrisk scenario, TOML and CSV files ([`convert()`]), and load that scenario
in memory ([`load`]), so that `gridrisk run X.pras` and a run of the scenario that
`gridrisk convert X.pras --out DIR` writes read the same bytes and give the same results.
The other way, [`from_model`] makes a [`System`] of a loaded scenario (refusing what PRAS
cannot hold) and [`encode`] writes it as a `.pras` file.

A `.pras` file is HDF5 in the layout of PRAS's `SystemModel_HDF5_spec` (versions v0.5 to
v0.8, as PRAS reads them): root attributes (version, time steps, units), and per asset
group (`regions`, `generators`, `storages`, `generatorstorages`, `demandresponses`,
`lines`, `interfaces`) a `_core` table of fixed-length strings and time steps x assets
matrices of int64 (MW, MWh) or float64 (probabilities per step, efficiencies). `read.rs`
decodes them with the pure-Rust `hdf5-reader` crate, every read checked for shape and type
and bounded by the file's size; `convert.rs` maps them to scenario keys (`docs/pras.md`);
`export.rs` maps a model back and `write.rs` encodes it with `hdf5-writer`.
Every error is a [`PrasError`] naming the file and the dataset.
*/

mod convert;
mod error;
mod export;
mod read;
mod system;
mod write;

pub use convert::{convert, Files, Omit};
pub use error::{Kind, PrasError};
pub use export::{from_model, WRITTEN_VERSION};
pub use read::{from_bytes, read, MAX_EXPANSION, MAX_STEPS};
pub use system::{
    DemandResponses, GeneratorStorages, Generators, Interfaces, Lines, Matrix, Regions, Storages,
    System, Version, UNLIMITED_MW,
};
pub use write::encode;

use gridrisk_core::scenario::{self, Scenario, ScenarioError, Setting, Source};
use std::io;
use std::path::{Path, PathBuf};

/// Why a `.pras` file could not be loaded as a scenario: the file itself, or the scenario
/// converted from it (whose files are named `FILE.converted/NAME.toml` and so on, as
/// `gridrisk convert` would write them).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The `.pras` file.
    #[error(transparent)]
    Pras(#[from] PrasError),
    /// The converted scenario.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

/// Whether `path` names a PRAS system file (by its `.pras` ending).
pub fn is_pras(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pras"))
}

/// The scenario name of a converted file: the file's stem (`rts` for `rts.pras`).
pub fn scenario_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pras".into())
}

/// Read and convert the `.pras` file at `path`.
pub fn convert_file(path: &Path, omit: Omit) -> Result<(System, Files), PrasError> {
    let system = read(path)?;
    let files = convert(
        &system,
        &path.display().to_string(),
        &scenario_name(path),
        omit,
    )?;
    Ok((system, files))
}

/// Load the `.pras` file at `path` as the scenario [`convert()`] makes of it.
pub fn load(path: &Path, omit: Omit) -> Result<Scenario, LoadError> {
    load_set(path, omit, &[])
}

/// [`load`] with `settings` set in the converted scenario's tree
/// ([`scenario::load_set`]).
pub fn load_set(path: &Path, omit: Omit, settings: &[Setting]) -> Result<Scenario, LoadError> {
    Ok(load_system(path, omit, settings)?.1)
}

/// [`load_set`], returning the system as read from the file too.
pub fn load_system(
    path: &Path,
    omit: Omit,
    settings: &[Setting],
) -> Result<(System, Scenario), LoadError> {
    let (system, files) = convert_file(path, omit)?;
    let dir = PathBuf::from(format!("{}.converted", path.display()));
    let toml = dir.join(files.toml_name());
    let scenario = scenario::load_set(&toml, &InMemory(files), settings)?;
    Ok((system, scenario))
}

/// A converted scenario's files, found by file name (they are all in one directory).
struct InMemory(Files);

impl Source for InMemory {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let name = path.file_name().and_then(|n| n.to_str());
        self.0
            .files
            .iter()
            .find(|(n, _)| Some(n.as_str()) == name)
            .map(|(_, text)| text.as_bytes().to_vec())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "no such file in the scenario converted from the .pras file",
                )
            })
    }
}
