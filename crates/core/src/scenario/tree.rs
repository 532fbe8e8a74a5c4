//! The TOML layer: parse each file into an owned tree of [`Node`]s that remember their file
//! and line, follow `extends` chains, and merge a variant over its base.

use super::error::Problems;
use super::keypath::KeyPath;
use super::source::{resolve, Reader};
use crate::files;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A TOML value with the file and line it was written at.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) file: Rc<Path>,
    /// 1-based line of the value's first character (of a table's header).
    pub(crate) line: usize,
}

/// An owned TOML value.
#[derive(Clone, Debug)]
pub(crate) enum Value {
    Str(String),
    /// An integer, `None` if it does not fit an `i64`; with its text.
    Int(Option<i64>, String),
    /// A float, `None` if its text does not parse; with its text.
    Float(Option<f64>, String),
    Bool(bool),
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    /// Entries in key order.
    Table(Vec<(String, Node)>),
}

impl Value {
    /// What kind of value this is, with an article, for messages ("a string").
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(..) => "an integer",
            Value::Float(..) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date/time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }

    /// The kind and, for short scalars, the value: `a string ("12")`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::Str(s) if s.chars().count() <= 40 => format!("a string ({s:?})"),
            Value::Int(_, t) | Value::Float(_, t) => format!("{} ({t})", self.kind()),
            Value::Bool(b) => format!("a boolean ({b})"),
            Value::Datetime(d) => format!("a date/time ({d})"),
            _ => self.kind().to_string(),
        }
    }
}

impl Node {
    /// The entries if this is a table.
    pub(crate) fn table(&self) -> Option<&[(String, Node)]> {
        match &self.value {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The value of `key` if this is a table holding it.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.table()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The string value of `key`, if this is a table and that value is a string.
    pub(crate) fn get_str(&self, key: &str) -> Option<&str> {
        match &self.get(key)?.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Byte offsets of line starts, for turning spans into 1-based line numbers.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub(crate) fn new(bytes: &[u8]) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines(starts)
    }

    /// 1-based line of byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).max(1)
    }

    /// 1-based byte column of byte `offset` in its line.
    pub(crate) fn column(&self, offset: usize) -> usize {
        offset - self.0[self.line(offset) - 1] + 1
    }
}

fn convert(v: &Spanned<DeValue<'_>>, file: &Rc<Path>, lines: &Lines) -> Node {
    let value = match v.get_ref() {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => Value::Int(
            i64::from_str_radix(i.as_str(), i.radix()).ok(),
            i.to_string(),
        ),
        DeValue::Float(f) => Value::Float(f.as_str().parse().ok(), f.as_str().to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(*d),
        DeValue::Array(a) => Value::Array(a.iter().map(|e| convert(e, file, lines)).collect()),
        DeValue::Table(t) => Value::Table(convert_table(t, file, lines)),
    };
    Node {
        value,
        file: file.clone(),
        line: lines.line(v.span().start),
    }
}

fn convert_table(t: &DeTable<'_>, file: &Rc<Path>, lines: &Lines) -> Vec<(String, Node)> {
    t.iter()
        .map(|(k, v)| (k.get_ref().to_string(), convert(v, file, lines)))
        .collect()
}

/// Parse one TOML document. Problems: not UTF-8, syntax errors.
pub(crate) fn parse(bytes: &[u8], file: &Path, problems: &mut Problems) -> Option<Node> {
    let lines = Lines::new(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            problems.push(
                file,
                Some(lines.line(e.valid_up_to())),
                None,
                format!(
                    "the file is not valid UTF-8 (bad byte at column {}); save it as UTF-8",
                    lines.column(e.valid_up_to())
                ),
            );
            return None;
        }
    };
    match DeTable::parse(text) {
        Ok(t) => {
            let file: Rc<Path> = Rc::from(file);
            Some(Node {
                value: Value::Table(convert_table(t.get_ref(), &file, &lines)),
                file,
                line: 1,
            })
        }
        Err(e) => {
            let line = e.span().map(|s| lines.line(s.start));
            let msg = e.message().trim().replace('\n', "; ");
            problems.push(file, line, None, format!("TOML syntax error: {msg}"));
            None
        }
    }
}

/// Most bases a scenario may have in its `extends` chain. Real chains are two or three
/// files deep; the limit keeps a generated or runaway chain from reading thousands of
/// files.
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Read `path` and every file it `extends`, and merge them (variant over base). The
/// `extends` key is consumed. Returns `None` when a file could not be read or parsed, the
/// chain has a cycle or more than [`MAX_EXTENDS_DEPTH`] bases.
pub(crate) fn load(reader: &mut Reader<'_>, path: &Path, problems: &mut Problems) -> Option<Node> {
    // The chain is walked with a loop, not recursion, so its length cannot overflow the
    // stack: `chain` holds the scenario, its base, the base's base, ...
    let mut chain: Vec<(PathBuf, Node)> = Vec::new();
    let mut next = path.to_path_buf();
    let mut via: Option<Node> = None;
    loop {
        let (root, extends) = read_one(reader, &next, via.as_ref(), problems)?;
        chain.push((next, root));
        let Some(ext) = extends else { break };
        let file = &chain[chain.len() - 1].0;
        let Value::Str(rel) = &ext.value else {
            problems.push(
                file,
                Some(ext.line),
                Some("extends"),
                format!(
                    "expected a string (path of the base scenario, relative to this file), got {}",
                    ext.value.describe()
                ),
            );
            return None;
        };
        let base_path = resolve(file, rel);
        if let Some(i) = chain.iter().position(|(p, _)| *p == base_path) {
            let mut names: Vec<String> = chain[i..]
                .iter()
                .map(|(p, _)| p.display().to_string())
                .collect();
            names.push(base_path.display().to_string());
            problems.push(
                file,
                Some(ext.line),
                Some("extends"),
                format!("cycle of `extends`: {}", names.join(" -> ")),
            );
            return None;
        }
        if chain.len() > MAX_EXTENDS_DEPTH {
            problems.push(
                file,
                Some(ext.line),
                Some("extends"),
                format!(
                    "too many levels of `extends`: the base named here would be base \
                     number {} of `{}`; at most {MAX_EXTENDS_DEPTH} are allowed",
                    chain.len(),
                    path.display()
                ),
            );
            return None;
        }
        next = base_path;
        via = Some(ext);
    }
    let (_, mut root) = chain.pop()?;
    while let Some((_, over)) = chain.pop() {
        root = merge(root, over);
    }
    // Problems with the scenario as a whole (a missing `[study]`, no region) belong to the
    // file loaded, not to the base whose root table the merge kept.
    root.file = Rc::from(path);
    Some(root)
}

/// Read and parse one file of an `extends` chain (`via`: the `extends` naming it, if any);
/// returns its tree, without its `extends` key, and that key's value.
fn read_one(
    reader: &mut Reader<'_>,
    path: &Path,
    via: Option<&Node>,
    problems: &mut Problems,
) -> Option<(Node, Option<Node>)> {
    let bytes = match reader.read(path, &files::TOML) {
        Ok(b) => b,
        Err(e) => {
            match via {
                Some(n) => problems.push(
                    &n.file,
                    Some(n.line),
                    Some("extends"),
                    format!("cannot read base scenario `{}`: {e}", path.display()),
                ),
                None => problems.push(path, None, None, format!("cannot read scenario file: {e}")),
            }
            return None;
        }
    };
    let mut root = parse(&bytes, path, problems)?;
    if root.get("name").is_none() {
        problems.push(
            path,
            None,
            Some("name"),
            "missing required field: every scenario file (a base too) needs `name = \"...\"`"
                .into(),
        );
    }
    let extends = match &mut root.value {
        Value::Table(entries) => entries
            .iter()
            .position(|(k, _)| k == "extends")
            .map(|i| entries.remove(i).1),
        _ => None,
    };
    Some((root, extends))
}

/// Arrays of tables whose elements are merged by `name` under `extends` (dotted key paths,
/// array indices left out); any other array is replaced as a whole by a variant's.
pub(crate) const NAMED_ARRAYS: [&str; 12] = [
    "regions",
    "units",
    "lines",
    "corridors",
    "imports",
    "imports.links",
    "renewables",
    "exchanges",
    "disturbances",
    "weather.zones",
    "mining.enforcement",
    "ladder",
];

/// Merge `over` (a variant) into `base`: tables merge key by key, the arrays of tables in
/// [`NAMED_ARRAYS`] merge element by element by `name` (a new name is appended), anything
/// else (other arrays too) is replaced. The merged table keeps the base's location;
/// replaced values keep the variant's.
pub(crate) fn merge(base: Node, over: Node) -> Node {
    merge_at(base, over, "")
}

/// [`merge`] of the values at the dotted key path `path` (`""` for the root).
fn merge_at(base: Node, over: Node, path: &str) -> Node {
    match (base.value, over.value) {
        (Value::Table(mut b), Value::Table(o)) => {
            for (k, v) in o {
                match b.iter().position(|(bk, _)| *bk == k) {
                    Some(i) => {
                        let child = if path.is_empty() {
                            k.clone()
                        } else {
                            format!("{path}.{k}")
                        };
                        let old = std::mem::replace(&mut b[i].1, placeholder(&v));
                        b[i].1 = merge_at(old, v, &child);
                    }
                    None => b.push((k, v)),
                }
            }
            Node {
                value: Value::Table(b),
                file: base.file,
                line: base.line,
            }
        }
        (Value::Array(mut b), Value::Array(o))
            if NAMED_ARRAYS.contains(&path) && mergeable(&b) && mergeable(&o) =>
        {
            let mut seen: Vec<String> = Vec::new();
            for v in o {
                let name = v.get_str("name").map(str::to_string);
                // A name repeated within the variant is appended, so that it is reported
                // as a duplicate rather than silently merged.
                let target = match &name {
                    Some(n) if !seen.contains(n) => {
                        b.iter().position(|e| e.get_str("name") == Some(n.as_str()))
                    }
                    _ => None,
                };
                if let Some(n) = name {
                    seen.push(n);
                }
                match target {
                    Some(i) => {
                        let old = std::mem::replace(&mut b[i], placeholder(&v));
                        b[i] = merge_at(old, v, path);
                    }
                    None => b.push(v),
                }
            }
            Node {
                value: Value::Array(b),
                file: base.file,
                line: base.line,
            }
        }
        (_, value) => Node {
            value,
            file: over.file,
            line: over.line,
        },
    }
}

/// A value set in a scenario's tree after its `extends` chain is merged and before it is
/// read, as if written there by hand: by a study's uncertain parameter. It is checked like a
/// written value, and a problem with it names `file` and `line` (where the study declares
/// it) and the scenario's field.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// Where in the scenario.
    pub key: KeyPath,
    /// The value.
    pub value: f64,
    /// Written as an integer (rounded to the nearest), for keys that take integers.
    pub integer: bool,
    /// The file that sets it.
    pub file: PathBuf,
    /// The line there, 1-based.
    pub line: usize,
}

impl Setting {
    /// `key = value`, as it would be written in TOML: for messages and the content hash.
    pub fn text(&self) -> String {
        format!("{} = {}", self.key.text, self.value_text())
    }

    fn value_text(&self) -> String {
        if self.integer {
            format!("{}", self.value.round())
        } else {
            // Shortest text that reads back as the same f64, always with `.` or `e`.
            format!("{:?}", self.value)
        }
    }
}

/// Set `s` in the merged tree `root`: every table and named element on its key path must
/// exist (an element is found by `name`, as `extends` merges it); the last key is replaced
/// or added, and then checked by the reader like any key.
pub(crate) fn set(root: &mut Node, s: &Setting, problems: &mut Problems) {
    let file: Rc<Path> = Rc::from(s.file.as_path());
    let segs = &s.key.segments;
    let mut node = root;
    let mut within = String::new();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        let here = if within.is_empty() {
            seg.key.clone()
        } else {
            format!("{within}.{}", seg.key)
        };
        let Value::Table(entries) = &mut node.value else {
            problems.push(
                &file,
                Some(s.line),
                Some(&s.key.text),
                format!("unknown key path: `{within}` is not a table in the scenario"),
            );
            return;
        };
        let at = entries.iter().position(|(k, _)| *k == seg.key);
        if last {
            let value = if s.integer {
                Value::Int(Some(s.value.round() as i64), s.value_text())
            } else {
                Value::Float(Some(s.value), s.value_text())
            };
            let new = Node {
                value,
                file: file.clone(),
                line: s.line,
            };
            match at {
                Some(i) => entries[i].1 = new,
                None => entries.push((seg.key.clone(), new)),
            }
            return;
        }
        let Some(at) = at else {
            problems.push(
                &file,
                Some(s.line),
                Some(&s.key.text),
                format!("unknown key path: the scenario has no `{here}`"),
            );
            return;
        };
        node = &mut entries[at].1;
        within = here;
        if let Some(name) = &seg.element {
            let Value::Array(elements) = &mut node.value else {
                problems.push(
                    &file,
                    Some(s.line),
                    Some(&s.key.text),
                    format!("unknown key path: `{within}` is not an array of tables"),
                );
                return;
            };
            let Some(e) = elements
                .iter_mut()
                .find(|e| e.get_str("name") == Some(name.as_str()))
            else {
                problems.push(
                    &file,
                    Some(s.line),
                    Some(&s.key.text),
                    format!("unknown key path: the scenario has no element named \"{name}\" in `{within}`"),
                );
                return;
            };
            node = e;
            within = format!("{within}[{name}]");
        }
    }
}

fn mergeable(a: &[Node]) -> bool {
    !a.is_empty() && a.iter().all(|e| e.table().is_some())
}

fn placeholder(n: &Node) -> Node {
    Node {
        value: Value::Bool(false),
        file: n.file.clone(),
        line: n.line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(file: &str, text: &str) -> Node {
        let mut p = Problems::default();
        let n = parse(text.as_bytes(), Path::new(file), &mut p).expect("parses");
        assert!(p.is_empty());
        n
    }

    #[test]
    fn lines_are_one_based() {
        let l = Lines::new(b"a\nbc\n\nd");
        assert_eq!(l.line(0), 1);
        assert_eq!(l.line(1), 1);
        assert_eq!(l.line(2), 2);
        assert_eq!(l.line(5), 3);
        assert_eq!(l.line(6), 4);
        assert_eq!(l.line(100), 4);
        assert_eq!(l.column(0), 1);
        assert_eq!(l.column(3), 2);
        assert_eq!(l.column(6), 1);
    }

    #[test]
    fn nodes_know_file_and_line() {
        let n = doc(
            "a.toml",
            "name = \"x\"\n\n[[units]]\nname = \"U\"\nmw = 12\n",
        );
        let u = &n.get("units").unwrap();
        let Value::Array(a) = &u.value else { panic!() };
        assert_eq!(a[0].line, 3);
        assert_eq!(a[0].get("mw").unwrap().line, 5);
        assert_eq!(&*a[0].get("mw").unwrap().file, Path::new("a.toml"));
    }

    #[test]
    fn merge_tables_by_key_and_named_arrays_by_name() {
        let base = doc(
            "base.toml",
            "name = \"b\"\n[study]\nhours = 10\nfirst_weekday = \"monday\"\n\
             [[units]]\nname = \"A\"\nmw = 1\nmttr_h = 5\n[[units]]\nname = \"B\"\nmw = 2\n",
        );
        let over = doc(
            "v.toml",
            "name = \"v\"\n[study]\nhours = 20\n[[units]]\nname = \"A\"\nmttr_h = 7\n\
             [[units]]\nname = \"C\"\nmw = 3\n",
        );
        let m = merge(base, over);
        assert_eq!(m.get_str("name"), Some("v"));
        let study = m.get("study").unwrap();
        assert!(matches!(
            study.get("hours").unwrap().value,
            Value::Int(Some(20), _)
        ));
        assert_eq!(study.get_str("first_weekday"), Some("monday"));
        let Value::Array(units) = &m.get("units").unwrap().value else {
            panic!()
        };
        let names: Vec<_> = units.iter().map(|u| u.get_str("name").unwrap()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        let a_mttr = units[0].get("mttr_h").unwrap();
        assert!(matches!(a_mttr.value, Value::Int(Some(7), _)));
        assert_eq!(&*a_mttr.file, Path::new("v.toml"));
        assert_eq!(&*units[0].get("mw").unwrap().file, Path::new("base.toml"));
    }

    #[test]
    fn repeated_name_in_a_variant_is_kept_as_a_duplicate() {
        let base = doc("b.toml", "[[units]]\nname = \"A\"\n");
        let over = doc(
            "v.toml",
            "[[units]]\nname = \"A\"\n[[units]]\nname = \"A\"\n",
        );
        let Value::Array(units) = merge(base, over).get("units").unwrap().value.clone() else {
            panic!()
        };
        assert_eq!(units.len(), 2);
    }

    #[test]
    fn arrays_without_names_are_replaced() {
        let base = doc(
            "b.toml",
            "[[mining.registered]]\nregion = \"A\"\n[[mining.registered]]\nregion = \"B\"\n\
             [[units]]\nname = \"U\"\n[[units.dated_outages]]\ncount = 1\n\
             [[units.dated_outages]]\ncount = 2\n\
             [[mining.enforcement]]\nname = \"E\"\nhazard_per_day = 1\n",
        );
        let over = doc(
            "v.toml",
            "[[mining.registered]]\nregion = \"C\"\n\
             [[units]]\nname = \"U\"\n[[units.dated_outages]]\ncount = 3\n\
             [[mining.enforcement]]\nname = \"E\"\nhazard_per_day = 2\n",
        );
        let m = merge(base, over);
        let len = |n: &Node| match &n.value {
            Value::Array(a) => a.len(),
            _ => 0,
        };
        let mining = m.get("mining").unwrap();
        assert_eq!(len(mining.get("registered").unwrap()), 1);
        assert_eq!(len(mining.get("enforcement").unwrap()), 1);
        let Value::Array(units) = &m.get("units").unwrap().value else {
            panic!()
        };
        assert_eq!(len(units[0].get("dated_outages").unwrap()), 1);
    }

    #[test]
    fn bad_input_is_a_problem_not_a_panic() {
        let mut p = Problems::default();
        assert!(parse(b"a = 1\nb = \xff\n", Path::new("x.toml"), &mut p).is_none());
        assert!(parse(b"a = 1\nb = = 2\n", Path::new("x.toml"), &mut p).is_none());
        let e = p.into_error(&[]);
        assert_eq!(e.problems[0].line, Some(2));
        assert_eq!(e.problems[1].line, Some(2));
    }
}
