//! Study files: a base scenario and variants to compare on the same random streams.

use super::error::{Problems, ScenarioError};
use super::keys;
use super::manifest::{element_label, table_array, Fields};
use super::source::{normalize, resolve, Reader, Source};
use super::tree;
use std::path::{Path, PathBuf};

/// Samples of a study without `samples`.
pub const DEFAULT_SAMPLES: u64 = 2000;
/// Seed of a study without `seed`.
pub const DEFAULT_SEED: u64 = 1;

/// A study: a base scenario and variants, with the sample count and seed to run them with.
///
/// ```toml
/// name = "kazakhstan-2021-22"
/// description = "..."            # optional
/// base = "winter-2021-22.toml"   # relative to the study file
/// samples = 2000                 # optional, default 2000, >= 1
/// seed = 1                       # optional, default 1, >= 0
/// [[variants]]
/// file = "interruptible.toml"
/// label = "registered mining interruptible"   # optional, default the scenario's name
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Study {
    /// The study's `name`.
    pub name: String,
    /// The study's `description`, empty if none.
    pub description: String,
    /// The base scenario, resolved relative to the study file (`.` and `..` resolved
    /// lexically).
    pub base: PathBuf,
    /// The variants, in order.
    pub variants: Vec<StudyVariant>,
    /// Monte Carlo samples per scenario, >= 1.
    pub samples: u64,
    /// Seed of the random streams (shared by the base and every variant).
    pub seed: u64,
}

/// One variant of a [`Study`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyVariant {
    /// The variant's scenario file, resolved relative to the study file.
    pub file: PathBuf,
    /// A label for reports; `None`: use the scenario's name.
    pub label: Option<String>,
}

/// Read the study file at `path` from `source`. The scenarios it names are not read.
pub(crate) fn load(path: &Path, source: &dyn Source) -> Result<Study, ScenarioError> {
    let path = normalize(path);
    let mut reader = Reader::new(source);
    let mut p = Problems::default();
    let bytes = match reader.read(&path, &crate::files::TOML) {
        Ok(b) => b,
        Err(e) => {
            p.push(&path, None, None, format!("cannot read study file: {e}"));
            return Err(p.into_error(reader.files()));
        }
    };
    let Some(root) = tree::parse(&bytes, &path, &mut p) else {
        return Err(p.into_error(reader.files()));
    };
    let study =
        Fields::new(&root, "", keys::STUDY_FILE, &mut p).and_then(|f| study(&f, &path, &mut p));
    match study {
        Some(s) if p.is_empty() => Ok(s),
        _ => Err(p.into_error(reader.files())),
    }
}

fn study(f: &Fields<'_>, path: &Path, p: &mut Problems) -> Option<Study> {
    let name = f.string("name", true, p);
    let description = f.string("description", false, p).unwrap_or_default();
    let base = file(f, "base", path, p);
    let samples = match f.integer("samples", false, p) {
        Some(n) if n >= 1 => Some(n as u64),
        Some(n) => {
            f.bad("samples", format!("must be an integer >= 1, got {n}"), p);
            None
        }
        None if f.has("samples") => None,
        None => Some(DEFAULT_SAMPLES),
    };
    let seed = match f.integer("seed", false, p) {
        Some(n) if n >= 0 => Some(n as u64),
        Some(n) => {
            f.bad("seed", format!("must be an integer >= 0, got {n}"), p);
            None
        }
        None if f.has("seed") => None,
        None => Some(DEFAULT_SEED),
    };
    let mut variants = Vec::new();
    for (i, n) in table_array(f, "variants", p).into_iter().enumerate() {
        let label = element_label("variants", i, n);
        let Some(vf) = Fields::new(n, &label, keys::VARIANT, p) else {
            continue;
        };
        let file = file(&vf, "file", path, p);
        let label = vf.string("label", false, p);
        if let Some(file) = file {
            variants.push(StudyVariant { file, label });
        }
    }
    Some(Study {
        name: name?,
        description,
        base: base?,
        variants,
        samples: samples?,
        seed: seed?,
    })
}

/// The path at `key` (required), relative to the study file.
fn file(f: &Fields<'_>, key: &str, path: &Path, p: &mut Problems) -> Option<PathBuf> {
    let rel = f.string(key, true, p)?;
    if rel.is_empty() {
        f.bad(key, "must not be empty".into(), p);
        return None;
    }
    Some(resolve(path, &rel))
}
