//! Study files: a base scenario and variants to compare on the same random streams.

use super::error::{Problems, ScenarioError};
use super::keypath::KeyPath;
use super::keys;
use super::manifest::{element_label, short_number, table_array, Fields};
use super::source::{normalize, resolve, Reader, Source};
use super::tree::{self, Setting, Value};
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
///
/// [[uncertain]]                  # optional: unknown constants of the winter (see below)
/// name = "illegal-mining"
/// keys = ["mining.illegal.mode_mw"]
/// law = "triangular"
/// low = 340
/// mode = 700
/// high = 1200
/// source = "[S] S6, S7"
/// [design]                       # optional with [[uncertain]]: the outer design
/// method = "sobol"
/// points = 64
/// ```
///
/// With `[[uncertain]]` parameters the study is an uncertain-parameter study: an outer
/// design of [`Design::points`] points over the parameters, and at each point the base and
/// every variant run with the parameters' values set ([`Uncertain::settings`]) on the same
/// inner random numbers.
#[derive(Clone, Debug, PartialEq)]
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
    /// Uncertain parameters, in order; empty for a plain study.
    pub uncertain: Vec<Uncertain>,
    /// The outer design over [`Study::uncertain`] (`Some` exactly when there are any).
    pub design: Option<Design>,
}

/// An unknown constant of the system, kept apart from chance: its value is set at each
/// point of an outer design, the same in every inner sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    /// A short name for reports.
    pub name: String,
    /// The key paths it sets, all to the same value (`min_mw`, `mode_mw` and `max_mw` of a
    /// per-sample law, to fix it).
    pub keys: Vec<KeyPath>,
    /// Key paths set to 0 at every point: the per-sample spread this parameter replaces
    /// (`weather.load_forecast_sd` for a fixed `weather.load_forecast_error`).
    pub replaces: Vec<KeyPath>,
    /// Its law over the design.
    pub law: Law,
    /// Set as an integer (rounded to the nearest), for keys that take integers.
    pub integer: bool,
    /// Where the value comes from (`[S] S6` or `[A]`).
    pub source: String,
    /// What it is, empty if not given.
    pub description: String,
    /// The study file.
    pub file: PathBuf,
    /// The line of its `keys` (named by any problem with a value it sets).
    pub line: usize,
}

impl Uncertain {
    /// The settings that give it `value` in a scenario (and 0 to what it replaces).
    pub fn settings(&self, value: f64) -> Vec<Setting> {
        let set = |key: &KeyPath, value: f64, integer: bool| Setting {
            key: key.clone(),
            value,
            integer,
            file: self.file.clone(),
            line: self.line,
        };
        let keys = self.keys.iter().map(|k| set(k, value, self.integer));
        keys.chain(self.replaces.iter().map(|k| set(k, 0.0, false)))
            .collect()
    }
}

/// The law of an uncertain parameter over the outer design: its quantile function maps the
/// design's uniform coordinates to values (`gridrisk_montecarlo::design`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Law {
    /// Uniform on `[low, high]`; central value the midpoint.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Triangular on `[low, high]` with mode `mode`; central value the mode.
    Triangular {
        /// Lower end.
        low: f64,
        /// Mode.
        mode: f64,
        /// Upper end.
        high: f64,
    },
    /// Normal with `mean` and `sd`, truncated to `[low, high]`; central value the mean.
    Normal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Its standard deviation, > 0.
        sd: f64,
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
}

impl Law {
    /// The central value: the midpoint, the mode or the mean.
    pub fn central(&self) -> f64 {
        match *self {
            Law::Uniform { low, high } => low + 0.5 * (high - low),
            Law::Triangular { mode, .. } => mode,
            Law::Normal { mean, .. } => mean,
        }
    }

    /// The range `[low, high]`.
    pub fn range(&self) -> (f64, f64) {
        match *self {
            Law::Uniform { low, high }
            | Law::Triangular { low, high, .. }
            | Law::Normal { low, high, .. } => (low, high),
        }
    }

    /// Its name in a study file.
    pub fn name(&self) -> &'static str {
        match self {
            Law::Uniform { .. } => "uniform",
            Law::Triangular { .. } => "triangular",
            Law::Normal { .. } => "normal",
        }
    }
}

/// How the outer design's points are placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DesignMethod {
    /// An Owen-scrambled Sobol sequence (`points` a power of two).
    Sobol,
    /// A Latin hypercube: each of `points` equal strata of each parameter holds one point.
    LatinHypercube,
}

/// The outer design of an uncertain-parameter study (`[design]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// How the points are placed.
    pub method: DesignMethod,
    /// Number of outer points.
    pub points: u32,
    /// Seed of the scrambling or the permutations (independent of the inner seed).
    pub seed: u32,
    /// A policy "beats" the base at a point when it lowers system LOLE by more than this, h.
    pub beat_by_lole_h: f64,
    /// ... or system EUE by more than this, MWh.
    pub beat_by_eue_mwh: f64,
}

/// Outer points of a design without `points`.
pub const DEFAULT_POINTS: u32 = 64;
/// Most outer points: the scrambled Sobol sequence's length limit, 2^16.
pub const MAX_POINTS: u32 = 1 << 16;

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
    let uncertain = uncertain(f, path, p);
    let design = match (f.get("design"), uncertain.is_empty()) {
        (Some(_), true) if !f.has("uncertain") => {
            f.bad(
                "design",
                "a design needs at least one `[[uncertain]]` parameter to vary".into(),
                p,
            );
            None
        }
        (Some(n), _) => design(n, p),
        (None, _) => Some(Design {
            method: DesignMethod::Sobol,
            points: DEFAULT_POINTS,
            seed: 1,
            beat_by_lole_h: 0.0,
            beat_by_eue_mwh: 0.0,
        }),
    };
    Some(Study {
        name: name?,
        description,
        base: base?,
        variants,
        samples: samples?,
        seed: seed?,
        design: if uncertain.is_empty() { None } else { design },
        uncertain,
    })
}

/// `[[uncertain]]`: each parameter checked; a key path set by two parameters is a problem.
fn uncertain(f: &Fields<'_>, path: &Path, p: &mut Problems) -> Vec<Uncertain> {
    let mut out: Vec<Uncertain> = Vec::new();
    for (i, n) in table_array(f, "uncertain", p).into_iter().enumerate() {
        let label = element_label("uncertain", i, n);
        let Some(uf) = Fields::new(n, &label, keys::UNCERTAIN, p) else {
            continue;
        };
        let name = uf.string("name", true, p);
        if let Some(name) = &name {
            if out.iter().any(|u| u.name == *name) {
                uf.bad("name", format!("a second parameter named \"{name}\""), p);
            }
        }
        let keys = key_paths(&uf, "keys", true, p);
        let replaces = key_paths(&uf, "replaces", false, p);
        let mine: Vec<&KeyPath> = keys.iter().chain(&replaces).flatten().collect();
        for (i, k) in mine.iter().enumerate() {
            let other = out
                .iter()
                .find(|u| u.keys.contains(k) || u.replaces.contains(k))
                .map(|u| format!("parameter \"{}\"", u.name))
                .or_else(|| mine[..i].contains(k).then(|| "this parameter".to_string()));
            if let Some(other) = other {
                uf.bad("keys", format!("`{}` is already set by {other}", k.text), p);
            }
        }
        let law = law(&uf, p);
        let integer = uf.boolean("integer", p).unwrap_or(false);
        let source = uf.string("source", true, p);
        let description = uf.string("description", false, p).unwrap_or_default();
        let line = uf.get("keys").map_or(n.line, |k| k.line);
        if let (Some(name), Some(keys), Some(replaces), Some(law), Some(source)) =
            (name, keys, replaces, law, source)
        {
            out.push(Uncertain {
                name,
                keys,
                replaces,
                law,
                integer,
                source,
                description,
                file: path.to_path_buf(),
                line,
            });
        }
    }
    out
}

/// An array of key paths at `key` (`keys`: required and non-empty; `replaces`: optional).
fn key_paths(f: &Fields<'_>, key: &str, required: bool, p: &mut Problems) -> Option<Vec<KeyPath>> {
    const WHAT: &str =
        "an array of key paths into the scenario, such as [\"mining.illegal.mode_mw\"]";
    let Some(n) = f.get(key) else {
        if required {
            f.missing(key, WHAT, p);
            return None;
        }
        return Some(Vec::new());
    };
    let Value::Array(items) = &n.value else {
        f.bad(
            key,
            format!("expected {WHAT}, got {}", n.value.describe()),
            p,
        );
        return None;
    };
    if items.is_empty() && required {
        f.bad(key, format!("must not be empty: expected {WHAT}"), p);
        return None;
    }
    let mut out = Vec::new();
    for item in items {
        let Value::Str(text) = &item.value else {
            f.bad(
                key,
                format!(
                    "expected {WHAT}, got an element that is {}",
                    item.value.describe()
                ),
                p,
            );
            return None;
        };
        match KeyPath::parse(text) {
            Ok(k) if out.contains(&k) => {
                f.bad(key, format!("`{text}` twice"), p);
                return None;
            }
            Ok(k) => out.push(k),
            Err(m) => {
                f.bad(key, m, p);
                return None;
            }
        }
    }
    Some(out)
}

/// The law of a parameter: `law` and the keys it takes, checked.
fn law(f: &Fields<'_>, p: &mut Problems) -> Option<Law> {
    let name = f.string("law", true, p)?;
    let takes: &[&str] = match name.as_str() {
        "uniform" => &["low", "high"],
        "triangular" => &["low", "mode", "high"],
        "normal" => &["mean", "sd", "low", "high"],
        other => {
            f.bad(
                "law",
                format!(
                    "unknown law \"{other}\"; expected \"uniform\", \"triangular\" or \"normal\""
                ),
                p,
            );
            return None;
        }
    };
    for k in ["low", "high", "mode", "mean", "sd"] {
        if f.has(k) && !takes.contains(&k) {
            f.bad(
                k,
                format!(
                    "the {name} law does not take `{k}` (it takes {})",
                    takes.join(", ")
                ),
                p,
            );
        }
    }
    let num = |k: &str, p: &mut Problems| f.number(k, "a value of the parameter", true, p);
    let (low, high) = (num("low", p), num("high", p));
    let (low, high) = (low?, high?);
    if low >= high {
        f.bad(
            "high",
            format!(
                "empty range: `high` must be above `low`, got low = {} and high = {}",
                short_number(low),
                short_number(high)
            ),
            p,
        );
        return None;
    }
    let inside = |k: &str, x: f64, p: &mut Problems| {
        let ok = (low..=high).contains(&x);
        if !ok {
            f.bad(
                k,
                format!(
                    "must be within [low, high] = [{}, {}], got {}",
                    short_number(low),
                    short_number(high),
                    short_number(x)
                ),
                p,
            );
        }
        ok
    };
    match name.as_str() {
        "uniform" => Some(Law::Uniform { low, high }),
        "triangular" => {
            let mode = num("mode", p)?;
            inside("mode", mode, p).then_some(Law::Triangular { low, mode, high })
        }
        _ => {
            let (mean, sd) = (num("mean", p), num("sd", p));
            let (mean, sd) = (mean?, sd?);
            if sd <= 0.0 {
                f.bad("sd", format!("must be > 0, got {}", short_number(sd)), p);
                return None;
            }
            inside("mean", mean, p).then_some(Law::Normal {
                mean,
                sd,
                low,
                high,
            })
        }
    }
}

/// `[design]`.
fn design(n: &tree::Node, p: &mut Problems) -> Option<Design> {
    let f = Fields::new(n, "design", keys::DESIGN, p)?;
    let method = match f.string("method", false, p).as_deref() {
        None | Some("sobol") => DesignMethod::Sobol,
        Some("latin-hypercube") => DesignMethod::LatinHypercube,
        Some(other) => {
            f.bad(
                "method",
                format!("unknown design \"{other}\"; expected \"sobol\" or \"latin-hypercube\""),
                p,
            );
            return None;
        }
    };
    let points = match f.integer("points", false, p) {
        None if f.has("points") => return None,
        None => DEFAULT_POINTS,
        Some(k) if !(2..=i64::from(MAX_POINTS)).contains(&k) => {
            f.bad(
                "points",
                format!("must be from 2 to {MAX_POINTS}, got {k}"),
                p,
            );
            return None;
        }
        Some(k) => k as u32,
    };
    if method == DesignMethod::Sobol && !points.is_power_of_two() {
        f.bad(
            "points",
            format!(
                "a scrambled Sobol design needs a power of two (its strata are balanced only \
                 then), got {points}; use {} or {}, or method = \"latin-hypercube\"",
                points.next_power_of_two() / 2,
                points.next_power_of_two()
            ),
            p,
        );
        return None;
    }
    let seed = match f.integer("seed", false, p) {
        None if f.has("seed") => return None,
        None => 1,
        Some(k) if !(0..=i64::from(u32::MAX)).contains(&k) => {
            f.bad(
                "seed",
                format!("must be from 0 to {}, got {k}", u32::MAX),
                p,
            );
            return None;
        }
        Some(k) => k as u32,
    };
    let threshold = |k: &str, p: &mut Problems| match f.number(k, "a threshold", false, p) {
        Some(x) if x < 0.0 => {
            f.bad(k, format!("must be >= 0, got {}", short_number(x)), p);
            None
        }
        Some(x) => Some(x),
        None if f.has(k) => None,
        None => Some(0.0),
    };
    let (lole, eue) = (
        threshold("beat_by_lole_h", p),
        threshold("beat_by_eue_mwh", p),
    );
    Some(Design {
        method,
        points,
        seed,
        beat_by_lole_h: lole?,
        beat_by_eue_mwh: eue?,
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
