//! The sweep file (TOML: top-level `key = value` lines and `[[axes]]` / `[[points]]` arrays
//! of tables; values are strings, integers, floats, booleans, local dates and arrays of
//! these), read with the `toml` crate and checked into a [`Sweep`].

use std::fmt::Write as _;
use std::path::Path;

/// A literal value of the sweep file, as it will be written into a cell's scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float, with its text (underscores removed).
    Float(f64, String),
    /// A boolean.
    Bool(bool),
    /// A TOML local date (or date-time), verbatim.
    Date(String),
    /// An array.
    Array(Vec<Lit>),
}

impl Lit {
    /// The value as TOML source text.
    pub fn toml(&self) -> String {
        match self {
            Lit::Str(s) => serde_json::Value::String(s.clone()).to_string(),
            Lit::Int(i) => i.to_string(),
            Lit::Float(_, t) => t.clone(),
            Lit::Bool(b) => b.to_string(),
            Lit::Date(d) => d.clone(),
            Lit::Array(v) => {
                let items: Vec<String> = v.iter().map(Lit::toml).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }

    /// The value for a CSV cell or a message: TOML text, except that strings are bare.
    pub fn text(&self) -> String {
        match self {
            Lit::Str(s) => s.clone(),
            other => other.toml(),
        }
    }

    /// The value as JSON.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Lit::Str(s) | Lit::Date(s) => Value::String(s.clone()),
            Lit::Int(i) => Value::from(*i),
            Lit::Float(f, t) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(t.clone())),
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Array(v) => Value::Array(v.iter().map(Lit::json).collect()),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Lit::Str(_) => "a string",
            Lit::Int(_) => "an integer",
            Lit::Float(..) => "a float",
            Lit::Bool(_) => "a boolean",
            Lit::Date(_) => "a date",
            Lit::Array(_) => "an array",
        }
    }
}

/// `key = value` with the line it was written on.
type Entry = (String, Lit, usize);

/// The parsed file: top-level entries and the `[[name]]` tables in order.
struct Doc {
    root: Vec<Entry>,
    tables: Vec<(String, usize, Vec<Entry>)>,
}

/// Parse `text` with the `toml` crate into entries with their lines.
fn parse(text: &str) -> Result<Doc, (usize, String)> {
    use toml::de::{DeTable, DeValue};
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let root = DeTable::parse(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(s.start));
        (line, e.message().trim().to_string())
    })?;
    let entries = |table: &DeTable| -> Result<Vec<Entry>, (usize, String)> {
        table
            .iter()
            .map(|(k, v)| {
                let line = line_of(k.span().start);
                Ok((k.get_ref().to_string(), lit(v.get_ref(), line)?, line))
            })
            .collect()
    };
    let mut doc = Doc {
        root: Vec::new(),
        tables: Vec::new(),
    };
    for (key, value) in root.get_ref() {
        let line = line_of(key.span().start);
        let name = key.get_ref().to_string();
        let tables = match value.get_ref() {
            DeValue::Array(items) if items.iter().all(|v| v.get_ref().is_table()) => {
                (!items.is_empty()).then_some(items)
            }
            _ => None,
        };
        match (tables, value.get_ref()) {
            (Some(items), _) => {
                for item in items.iter() {
                    if let DeValue::Table(t) = item.get_ref() {
                        let at = line_of(item.span().start);
                        doc.tables.push((name.clone(), at, entries(t)?));
                    }
                }
            }
            (None, DeValue::Table(_)) => {
                return Err((
                    line,
                    "only the arrays of tables [[axes]] and [[points]] may appear in a sweep file"
                        .into(),
                ))
            }
            (None, v) => doc.root.push((name, lit(v, line)?, line)),
        }
    }
    doc.tables.sort_by_key(|t| t.1);
    Ok(doc)
}

/// A TOML value as a literal of the sweep file.
fn lit(value: &toml::de::DeValue, line: usize) -> Result<Lit, (usize, String)> {
    use toml::de::DeValue;
    Ok(match value {
        DeValue::String(s) => Lit::Str(s.to_string()),
        DeValue::Integer(i) => Lit::Int(
            i64::from_str_radix(i.as_str(), i.radix())
                .map_err(|_| (line, format!("integer {} out of range", i.as_str())))?,
        ),
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let x = text
                .parse()
                .map_err(|_| (line, format!("not a number: {text}")))?;
            Lit::Float(x, text)
        }
        DeValue::Boolean(b) => Lit::Bool(*b),
        DeValue::Datetime(d) => Lit::Date(d.to_string()),
        DeValue::Array(items) => Lit::Array(
            items
                .iter()
                .map(|v| lit(v.get_ref(), line))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(_) => {
            return Err((line, "inline tables cannot appear in a sweep file".into()))
        }
    })
}
pub use gridrisk_core::scenario::KeyPath;

/// One axis: a key path and its values.
#[derive(Clone, Debug)]
pub struct Axis {
    /// The key path.
    pub key: KeyPath,
    /// The values, at least one.
    pub values: Vec<Lit>,
}

/// A checked sweep file.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// `name`, default the file's stem.
    pub name: String,
    /// `base` as written (relative to the sweep file).
    pub base: String,
    /// Samples per cell.
    pub samples: u64,
    /// The seed of every cell.
    pub seed: u64,
    /// Samples per block.
    pub block_size: u64,
    /// The axes.
    pub axes: Vec<Axis>,
    /// The listed points (`grid = false`), or none: the cells are the grid of the axes.
    pub points: Vec<Vec<Lit>>,
    /// The regions the summary shows beside the system (`regions`), in order.
    pub regions: Vec<String>,
    /// Where `regions` was given (`FILE:LINE`), for messages.
    pub regions_from: String,
}

/// Most cells a sweep may have (each is a scenario load and a run).
pub const MAX_CELLS: u64 = 1_000_000;

impl Sweep {
    /// Number of cells.
    pub fn cells(&self) -> u64 {
        if self.points.is_empty() {
            self.axes.iter().map(|a| a.values.len() as u64).product()
        } else {
            self.points.len() as u64
        }
    }

    /// The values of cell `i` (grid order: the first axis varies slowest), made on demand so
    /// that a large grid is never held in memory.
    pub fn cell(&self, i: u64) -> Vec<Lit> {
        if !self.points.is_empty() {
            return self.points[i as usize].clone();
        }
        let mut rest = i;
        let mut values: Vec<Lit> = (self.axes.iter().rev())
            .map(|a| {
                let n = a.values.len() as u64;
                let v = a.values[(rest % n) as usize].clone();
                rest /= n;
                v
            })
            .collect();
        values.reverse();
        values
    }
}

fn uint(key: &str, v: &Lit, min: i64) -> Result<u64, String> {
    match v {
        Lit::Int(i) if *i >= min => Ok(*i as u64),
        Lit::Int(i) => Err(format!("{key}: must be at least {min}, got {i}")),
        other => Err(format!(
            "{key}: expected an integer, got {} ({})",
            other.kind(),
            other.toml()
        )),
    }
}

/// A list of distinct, non-empty names (`regions = ["SOUTH", "WEST"]`), or a region list
/// given on the command line.
pub fn names(key: &str, v: &Lit) -> Result<Vec<String>, String> {
    let Lit::Array(items) = v else {
        return Err(format!(
            "{key}: expected an array of names, got {} ({})",
            v.kind(),
            v.toml()
        ));
    };
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Lit::Str(s) if s.is_empty() => return Err(format!("{key}: an empty name")),
            Lit::Str(s) if out.contains(s) => {
                return Err(format!("{key}: \"{s}\" is listed twice"))
            }
            Lit::Str(s) => out.push(s.clone()),
            other => {
                return Err(format!(
                    "{key}: expected names (strings), got {} ({})",
                    other.kind(),
                    other.toml()
                ))
            }
        }
    }
    Ok(out)
}

/// The top-level keys of a sweep file besides its `[[axes]]` and `[[points]]` (listed in
/// the unknown-key message, which `tests/format_doc.rs` checks against
/// `docs/scenario-format.md`).
const TOP_KEYS: [&str; 7] = [
    "name",
    "base",
    "samples",
    "seed",
    "block_size",
    "grid",
    "regions",
];
/// The keys of an `[[axes]]` table.
const AXIS_KEYS: [&str; 2] = ["key", "values"];
/// The keys of a `[[points]]` table.
const POINT_KEYS: [&str; 1] = ["values"];

/// Read and check the sweep file text `text` of `path`.
pub fn read(path: &Path, text: &str) -> Result<Sweep, String> {
    let at = |line: usize, msg: String| format!("{}:{line}: {msg}", path.display());
    let doc = parse(text).map_err(|(line, msg)| at(line, msg))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut sweep = Sweep {
        name: stem,
        base: String::new(),
        samples: 0,
        seed: gridrisk_core::scenario::DEFAULT_SEED,
        block_size: gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE,
        axes: Vec::new(),
        points: Vec::new(),
        regions: Vec::new(),
        regions_from: String::new(),
    };
    let mut grid = true;
    let mut have_samples = false;
    for (key, v, line) in &doc.root {
        let line = *line;
        match (key.as_str(), v) {
            ("name", Lit::Str(s)) => sweep.name = s.clone(),
            ("base", Lit::Str(s)) => sweep.base = s.clone(),
            ("grid", Lit::Bool(b)) => grid = *b,
            ("samples", _) => {
                sweep.samples = uint(key, v, 1).map_err(|m| at(line, m))?;
                have_samples = true;
            }
            ("seed", _) => sweep.seed = uint(key, v, 0).map_err(|m| at(line, m))?,
            ("block_size", _) => sweep.block_size = uint(key, v, 1).map_err(|m| at(line, m))?,
            ("regions", _) => {
                sweep.regions = names("regions", v).map_err(|m| at(line, m))?;
                sweep.regions_from = format!("{}:{line}: regions", path.display());
            }
            ("name" | "base", other) => {
                return Err(at(
                    line,
                    format!("{key}: expected a string, got {}", other.kind()),
                ))
            }
            ("grid", other) => {
                return Err(at(
                    line,
                    format!("grid: expected a boolean, got {}", other.kind()),
                ))
            }
            _ => {
                return Err(at(
                    line,
                    format!(
                        "{key}: unknown key (expected {}, [[axes]], [[points]])",
                        TOP_KEYS.join(", ")
                    ),
                ))
            }
        }
    }
    let file = || path.display().to_string();
    if sweep.base.is_empty() {
        return Err(format!(
            "{}: base: missing (the scenario the sweep varies, relative to the sweep file)",
            file()
        ));
    }
    if !have_samples {
        return Err(format!("{}: samples: missing (samples per cell)", file()));
    }
    let mut points = Vec::new();
    for (table, line, entries) in &doc.tables {
        let line = *line;
        match table.as_str() {
            "axes" => {
                let mut key = None;
                let mut values = None;
                for (k, v, l) in entries {
                    match (k.as_str(), v) {
                        ("key", Lit::Str(s)) => {
                            key = Some(KeyPath::parse(s).map_err(|m| at(*l, format!("key: {m}")))?)
                        }
                        ("values", Lit::Array(a)) => values = Some(a.clone()),
                        ("key", o) | ("values", o) => {
                            return Err(at(
                                *l,
                                format!(
                                    "{k}: expected {}, got {}",
                                    if k == "key" { "a string" } else { "an array" },
                                    o.kind()
                                ),
                            ))
                        }
                        _ => {
                            return Err(at(
                                *l,
                                format!(
                                    "axes.{k}: unknown key (expected {})",
                                    AXIS_KEYS.join(", ")
                                ),
                            ))
                        }
                    }
                }
                let Some(key) = key else {
                    return Err(at(line, "axes: key: missing".into()));
                };
                let Some(values) = values else {
                    return Err(at(line, format!("axes ({}): values: missing", key.text)));
                };
                if values.is_empty() {
                    return Err(at(
                        line,
                        format!("axes ({}): values: must list at least one value", key.text),
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    if values[..i].contains(v) {
                        return Err(at(
                            line,
                            format!("axes ({}): values: {} is listed twice", key.text, v.toml()),
                        ));
                    }
                }
                if sweep.axes.iter().any(|a: &Axis| a.key == key) {
                    return Err(at(line, format!("axes: key {} is listed twice", key.text)));
                }
                sweep.axes.push(Axis { key, values });
            }
            "points" => {
                let mut values = None;
                for (k, v, l) in entries {
                    match (k.as_str(), v) {
                        ("values", Lit::Array(a)) => values = Some(a.clone()),
                        _ => {
                            return Err(at(
                                *l,
                                format!(
                                    "points.{k}: unknown key or not an array (expected {}, an \
                                     array of one value per axis)",
                                    POINT_KEYS.join(", ")
                                ),
                            ))
                        }
                    }
                }
                match values {
                    Some(v) => points.push((line, v)),
                    None => return Err(at(line, "points: values: missing".into())),
                }
            }
            other => {
                return Err(at(
                    line,
                    format!("[[{other}]]: unknown table (expected [[axes]] or [[points]])"),
                ))
            }
        }
    }
    if sweep.axes.is_empty() {
        return Err(format!(
            "{}: no [[axes]]: a sweep needs at least one",
            file()
        ));
    }
    for (a, b) in sweep
        .axes
        .iter()
        .flat_map(|a| sweep.axes.iter().map(move |b| (a, b)))
    {
        let (sa, sb) = (&a.key.segments, &b.key.segments);
        if sa.len() < sb.len() && sb[..sa.len() - 1] == sa[..sa.len() - 1] && {
            let (x, y) = (&sa[sa.len() - 1], &sb[sa.len() - 1]);
            x.key == y.key
        } {
            return Err(format!(
                "{}: axes: key {} contains key {}: one of them must go",
                file(),
                a.key.text,
                b.key.text
            ));
        }
    }
    if grid {
        if let Some((line, _)) = points.first() {
            return Err(at(
                *line,
                "[[points]] need `grid = false` (with grid = true, the default, the cells are every combination of the axes' values)".into(),
            ));
        }
        let sizes: Vec<String> = sweep
            .axes
            .iter()
            .map(|a| a.values.len().to_string())
            .collect();
        let cells = (sweep.axes.iter())
            .try_fold(1u64, |n, a| n.checked_mul(a.values.len() as u64))
            .filter(|&n| n <= MAX_CELLS);
        if cells.is_none() {
            return Err(format!(
                "{}: the grid has {} cells, more than {MAX_CELLS}: use fewer values, or grid = false with [[points]]",
                file(),
                sizes.join(" x ")
            ));
        }
    } else {
        if points.is_empty() {
            return Err(format!(
                "{}: grid = false needs [[points]], each with values = [one per axis]",
                file()
            ));
        }
        if points.len() as u64 > MAX_CELLS {
            return Err(format!(
                "{}: {} [[points]], more than {MAX_CELLS}",
                file(),
                points.len()
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (line, values) in points {
            if values.len() != sweep.axes.len() {
                return Err(at(
                    line,
                    format!(
                        "points: values: {} values for {} axes",
                        values.len(),
                        sweep.axes.len()
                    ),
                ));
            }
            let mut s = String::new();
            for v in &values {
                let _ = write!(s, "{} ", v.toml());
            }
            if !seen.insert(s.clone()) {
                return Err(at(
                    line,
                    format!("points: [{}] is listed twice", s.trim_end()),
                ));
            }
            sweep.points.push(values);
        }
    }
    Ok(sweep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_grid() {
        let text = r#"
name = "x"   # comment
base = "b.toml"
samples = 1_000
[[axes]]
key = "units[U400].mttr_h"
values = [100, 150.5,
  2e2, ]
[[axes]]
key = 'imports[R].links[L].cap_mw'
values = ["a\"b", 2022-01-05, true, [1, 2]]
"#;
        let s = read(Path::new("s.toml"), text).unwrap();
        assert_eq!(s.samples, 1000);
        assert_eq!(s.cells(), 12);
        assert_eq!(s.axes[1].key.segments.len(), 3);
        assert_eq!(s.cell(1)[1].toml(), "2022-01-05");
        assert_eq!(s.cell(4)[0].toml(), "150.5");
        assert_eq!(s.cell(0)[1].toml(), "\"a\\\"b\"");
        assert_eq!(s.cell(3)[1].toml(), "[1, 2]");
    }

    #[test]
    fn rejects_bad_files() {
        for (text, want) in [
            ("base = \"b\"\nsamples = 1\n[[axes]]\nkey = \"a.b\"\nvalues = []\n", ":3: axes (a.b): values: must list"),
            ("base = \"b\"\nsamples = 1\nfoo = 2\n", ":3: foo: unknown key"),
            ("base = \"b\"\nsamples = 0\n", ":2: samples: must be at least 1"),
            ("base = \"b\"\nsamples = 1\n[[axes]]\nkey = \"a[x]\"\nvalues = [1]\n", "must end with a key"),
            ("base = \"b\"\nsamples = 1\n", "no [[axes]]"),
            ("base = \"b\"\nsamples = 1\ngrid = false\n[[axes]]\nkey = \"a\"\nvalues = [1]\n[[points]]\nvalues = [1, 2]\n", "2 values for 1 axes"),
            ("base = \"b\nsamples = 1\n", "s.toml:1: invalid basic string"),
        ] {
            let e = read(Path::new("s.toml"), text).unwrap_err();
            assert!(e.contains(want), "{e} lacks {want}");
        }
    }

    #[test]
    fn cells_are_made_on_demand_and_bounded() {
        let axis = |k: &str, n: usize| {
            let values: Vec<String> = (1..=n).map(|v| v.to_string()).collect();
            format!(
                "[[axes]]\nkey = \"{k}\"\nvalues = [{}]\n",
                values.join(", ")
            )
        };
        let head = "base = \"b\"\nsamples = 1\n";
        let s = read(
            Path::new("s.toml"),
            &(head.to_string() + &axis("a", 1000) + &axis("b", 1000)),
        )
        .unwrap();
        assert_eq!(s.cells(), 1_000_000);
        assert_eq!(s.cell(999_999), [Lit::Int(1000), Lit::Int(1000)]);
        assert_eq!(s.cell(1_234), [Lit::Int(2), Lit::Int(235)]);
        let e = read(
            Path::new("s.toml"),
            &(head.to_string() + &axis("a", 1000) + &axis("b", 1001)),
        )
        .unwrap_err();
        assert!(
            e.contains("the grid has 1000 x 1001 cells, more than 1000000"),
            "{e}"
        );
    }
}
