//! `docs/scenario-format.md`, `docs/scenario.schema.json` and the readers agree: the same
//! tables and keys in all three (both ways), the schema accepts every shipped scenario and
//! rejects bad ones, and the walkthrough shows what the commands print now. The rules by
//! which the page is read are in its last section, "How this page is checked".

use crate::util::gridrisk;
use gridrisk_core::scenario::keys;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const DOC: &str = "docs/scenario-format.md";
const SCHEMA: &str = "docs/scenario.schema.json";
const EXAMPLE: &str = "docs/examples/two-region/two-region.toml";
const VARIANT: &str = "docs/examples/two-region/south-gas-5.toml";

/// Keys by table path (`""` is the top level).
type Tables = BTreeMap<String, BTreeSet<String>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Scenario,
    Study,
    Sweep,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The key tables of the reference, by file kind.
fn doc_tables(doc: &str) -> BTreeMap<Kind, Tables> {
    let mut out: BTreeMap<Kind, Tables> = BTreeMap::new();
    let (mut kind, mut path, mut fence, mut in_table) = (Kind::Scenario, None, false, false);
    for (i, line) in doc.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            kind = if h.starts_with("Study files") {
                Kind::Study
            } else if h.starts_with("Sweep files") {
                Kind::Sweep
            } else {
                Kind::Scenario
            };
            path = None;
        }
        if line.starts_with('#') {
            path = line.split('`').nth(1).map(|span| match span {
                "(top level)" => String::new(),
                s => s.trim_matches(|c| c == '[' || c == ']').to_string(),
            });
        }
        if line.starts_with("| Key |") {
            in_table = true;
            let p = path
                .clone()
                .unwrap_or_else(|| panic!("{DOC}:{}: a key table under no table", i + 1));
            let fresh = out
                .entry(kind)
                .or_default()
                .insert(p.clone(), BTreeSet::new());
            assert!(fresh.is_none(), "{DOC}:{}: table `{p}` twice", i + 1);
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
        }
        if let (true, Some(row)) = (in_table, line.strip_prefix("| `")) {
            let key = row.split('`').next().unwrap_or_default().to_string();
            let p = path.clone().unwrap_or_default();
            let new = out
                .get_mut(&kind)
                .unwrap()
                .get_mut(&p)
                .unwrap()
                .insert(key.clone());
            assert!(new, "{DOC}:{}: key `{key}` twice in `{p}`", i + 1);
        }
    }
    out
}

fn reader_tables(list: &[(&str, &[&str])]) -> Tables {
    list.iter()
        .map(|(p, ks)| (p.to_string(), ks.iter().map(|k| k.to_string()).collect()))
        .collect()
}

/// The keys the sweep reader accepts, from its unknown-key messages: the names before the
/// first item that is not a key (`[[axes]]`, a description).
fn sweep_tables() -> Tables {
    let dir = tempfile::tempdir().unwrap();
    let expected = |text: &str| -> BTreeSet<String> {
        let file = dir.path().join("s.toml");
        std::fs::write(&file, text).unwrap();
        let out = gridrisk()
            .args(["sweep", file.to_str().unwrap(), "--out"])
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        let list = err
            .split("unknown key")
            .nth(1)
            .and_then(|s| s.split("(expected ").nth(1))
            .and_then(|s| s.split(')').next())
            .unwrap_or_else(|| panic!("no unknown-key list in {err}"));
        list.split(", ")
            .take_while(|k| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .map(str::to_string)
            .collect()
    };
    let top = "base = \"b.toml\"\nsamples = 1\n";
    BTreeMap::from([
        (String::new(), expected("zzz = 1\n")),
        (
            "axes".into(),
            expected(&format!("{top}[[axes]]\nzzz = 1\n")),
        ),
        (
            "points".into(),
            expected(&format!("{top}[[points]]\nzzz = 1\n")),
        ),
    ])
}

/// Differences between `want` (the reader's) and `got` (documented or in the schema).
fn differences(what: &str, want: &Tables, got: &Tables) -> Vec<String> {
    let mut out = Vec::new();
    let paths: BTreeSet<&String> = want.keys().chain(got.keys()).collect();
    let empty = BTreeSet::new();
    for p in paths {
        let (w, g) = (want.get(p).unwrap_or(&empty), got.get(p).unwrap_or(&empty));
        let shown = if p.is_empty() { "(top level)" } else { p };
        for k in w.difference(g) {
            out.push(format!("{what}: `{shown}`.`{k}` is accepted but missing"));
        }
        for k in g.difference(w) {
            out.push(format!("{what}: `{shown}`.`{k}` is there but not accepted"));
        }
        if w.is_empty() && g.is_empty() {
            out.push(format!("{what}: table `{shown}` has no keys"));
        }
    }
    out
}

#[test]
fn the_reference_lists_exactly_the_keys_the_readers_accept() {
    let doc = doc_tables(&read(DOC));
    let empty = Tables::new();
    let mut problems = differences(
        "scenario files in the reference",
        &reader_tables(keys::SCENARIO),
        doc.get(&Kind::Scenario).unwrap_or(&empty),
    );
    problems.extend(differences(
        "study files in the reference",
        &reader_tables(keys::STUDY),
        doc.get(&Kind::Study).unwrap_or(&empty),
    ));
    problems.extend(differences(
        "sweep files in the reference",
        &sweep_tables(),
        doc.get(&Kind::Sweep).unwrap_or(&empty),
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `node` with a `$ref` to `#/definitions/NAME` followed.
fn resolve<'a>(schema: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r
                .strip_prefix("#/definitions/")
                .unwrap_or_else(|| panic!("{SCHEMA}: unexpected $ref {r}"));
            resolve(schema, &schema["definitions"][name])
        }
        None => node,
    }
}

/// The tables of the schema (objects with `properties`, also as one of a key's `oneOf`
/// forms), reached from `node` at `path`.
fn schema_tables(schema: &Value, node: &Value, path: &str, out: &mut Tables) {
    let node = resolve(schema, node);
    // A key of several forms (`schedule_mw`: a number or a table): its table forms.
    if let Some(forms) = node.get("oneOf").and_then(Value::as_array) {
        for form in forms {
            schema_tables(schema, form, path, out);
        }
        return;
    }
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    assert_eq!(
        node.get("additionalProperties"),
        Some(&Value::Bool(false)),
        "{SCHEMA}: table `{path}` must refuse unknown keys"
    );
    out.insert(path.to_string(), props.keys().cloned().collect());
    for (k, v) in props {
        let v = resolve(schema, v);
        let child = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        let inner = match v.get("items") {
            Some(items) => items,
            None => v,
        };
        schema_tables(schema, inner, &child, out);
    }
}

fn schema() -> Value {
    serde_json::from_str(&read(SCHEMA)).expect("the schema is JSON")
}

#[test]
fn the_schema_has_exactly_the_keys_the_reader_accepts() {
    let schema = schema();
    let mut tables = Tables::new();
    schema_tables(&schema, &schema, "", &mut tables);
    let problems = differences("the schema", &reader_tables(keys::SCENARIO), &tables);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A TOML document as JSON, dates as strings (as taplo sees it).
fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// The schema, compiled, with `format` (dates) asserted.
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        let url = "file:///scenario.schema.json";
        compiler.add_resource(url, schema()).unwrap();
        let index = compiler
            .compile(url, &mut schemas)
            .unwrap_or_else(|e| panic!("{SCHEMA} does not compile: {e}"));
        Validator { schemas, index }
    }

    /// `Err` with the schema's messages if the TOML `text` does not satisfy the schema.
    fn check(&self, text: &str) -> Result<(), String> {
        let doc: toml::Value = toml::from_str(text).map_err(|e| e.to_string())?;
        self.schemas
            .validate(&toml_to_json(&doc), self.index)
            .map_err(|e| format!("{e:#}"))
    }
}

/// Every `.toml` file under `dir`, recursively.
fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Whether `gridrisk validate` accepts the scenario at `path`.
fn valid(path: &Path) -> bool {
    let out = gridrisk()
        .args(["validate", path.to_str().unwrap()])
        .output()
        .unwrap();
    out.status.success()
}

/// Every scenario shipped that the reader accepts satisfies the schema (the walkthrough's
/// `typo.toml`, which both refuse, shows an error).
#[test]
fn every_shipped_scenario_satisfies_the_schema() {
    let v = Validator::new();
    let mut files = Vec::new();
    toml_files(&root().join("scenarios"), &mut files);
    toml_files(&root().join("docs/examples"), &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        // Study and sweep files (which name a `base`) are not scenarios.
        let doc: toml::Table = toml::from_str(&text).unwrap();
        if doc.contains_key("base") {
            continue;
        }
        match (v.check(&text), valid(f)) {
            (Ok(()), true) => checked += 1,
            (Err(e), true) => failures.push(format!("{}: {e}", f.display())),
            (Ok(()), false) => failures.push(format!(
                "{}: refused by the reader, but not by the schema; if it is meant to be \
                 refused, give it a key the schema refuses too",
                f.display()
            )),
            (Err(_), false) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // scenarios/ holds 28 valid scenarios, docs/examples one: the walk found them.
    assert!(checked >= 29, "only {checked} scenarios found");
}

/// The schema and the reader agree on edits of the walkthrough's scenario: bad keys, types
/// and values are refused by both, and values at the edges of the documented ranges are
/// accepted or refused by both.
#[test]
fn the_schema_and_the_reader_agree_on_bad_files_and_edges() {
    let v = Validator::new();
    let good = read(EXAMPLE);
    v.check(&good)
        .expect("the walkthrough's scenario satisfies the schema");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("docs/examples/two-region/demand.csv"),
        dir.path().join("demand.csv"),
    )
    .unwrap();
    // (what, text replaced, replacement, accepted)
    let cases = [
        (
            "an unknown top-level key",
            "name = ",
            "colour = 1\nname = ",
            false,
        ),
        (
            "an empty scenario name",
            "name = \"two-region\"",
            "name = \"\"",
            false,
        ),
        (
            "an unknown key of a unit",
            "mttr_h = 50",
            "mtr_h = 50",
            false,
        ),
        ("`for` in a line", "mttf_h = 2000\n", "for = 0.01\n", false),
        (
            "a power given as a string",
            "mw = 300",
            "mw = \"300\"",
            false,
        ),
        (
            "an unknown sharing rule",
            "name = ",
            "sharing = \"Local\"\nname = ",
            false,
        ),
        (
            "a link without a name",
            "name = \"Neighbour-South\"\n",
            "",
            false,
        ),
        (
            "a forced outage rate of 1",
            "for = 0.04",
            "for = 1.0",
            false,
        ),
        ("a forced outage rate of 0", "for = 0.04", "for = 0", true),
        (
            "a negative line limit",
            "forward_mw = 300",
            "forward_mw = -1",
            false,
        ),
        (
            "a line limit of 1e8 MW",
            "forward_mw = 300",
            "forward_mw = 1e8",
            true,
        ),
        (
            "a line limit above 1e8 MW",
            "forward_mw = 300",
            "forward_mw = 100000000.1",
            false,
        ),
        ("a count of 0", "count = 4", "count = 0", false),
        ("a count of 100,000", "count = 4", "count = 100000", true),
        ("a count of 100,001", "count = 4", "count = 100001", false),
        ("an MTTF of 1 h", "mttf_h = 1150", "mttf_h = 1", true),
        ("an MTTF below 1 h", "mttf_h = 1150", "mttf_h = 0.99", false),
        (
            "a derating just below 1",
            "mw = 300",
            "mw = 300\nderate = 0.999",
            true,
        ),
        ("a derating of 1", "mw = 300", "mw = 300\nderate = 1", false),
        (
            "the easternmost UTC offset",
            "end = 2022-01-16",
            "end = 2022-01-16\nutc_offset = \"+14:00\"",
            true,
        ),
        (
            "a badly formed UTC offset",
            "end = 2022-01-16",
            "end = 2022-01-16\nutc_offset = \"6:00\"",
            false,
        ),
        (
            "a scale of 0",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nscale = 0",
            true,
        ),
        (
            "a negative scale",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nscale = -0.1",
            false,
        ),
        (
            "a month factor of 0",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nmonth_factor = { 1 = 0 }",
            false,
        ),
        (
            "a month 13",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nmonth_factor = { 13 = 1 }",
            false,
        ),
        (
            "a month factor for January",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nmonth_factor = { 1 = 1.05 }",
            true,
        ),
        (
            "day factors for the weekend and holidays",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nday_factor = { Sat = 0.97, sunday = 0.95, holiday = 0.93 }",
            true,
        ),
        (
            "a day factor of 0",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nday_factor = { Sun = 0 }",
            false,
        ),
        (
            "a day factor for a day that is not one",
            "column = \"south_mw\"",
            "column = \"south_mw\"\nday_factor = { Sab = 0.9 }",
            false,
        ),
    ];
    let policy = |kind: &str, key: &str| {
        format!("cap_mw = 100\n\n[[mining.policies]]\nkind = \"{kind}\"\n{key}\n")
    };
    let (curtail, interruptible) = (
        policy("curtail", "hours_of_day = [18]"),
        policy("interruptible", "hours_of_day = [18]"),
    );
    let policies = [
        ("a curtailment in some hours", curtail.as_str(), true),
        (
            "hours of day in an interruptible policy",
            interruptible.as_str(),
            false,
        ),
    ];
    let cases = cases.into_iter().chain(
        policies
            .into_iter()
            .map(|(what, to, accepted)| (what, "cap_mw = 100\n", to, accepted)),
    );
    let mut problems = Vec::new();
    for (what, from, to, accepted) in cases {
        assert!(good.contains(from), "{what}: {from:?} not in {EXAMPLE}");
        let text = good.replacen(from, to, 1);
        let verdict = |ok: bool| if ok { "accepts" } else { "refuses" };
        let schema_ok = v.check(&text).is_ok();
        if schema_ok != accepted {
            problems.push(format!("the schema {} {what}", verdict(schema_ok)));
        }
        let file = dir.path().join("edit.toml");
        std::fs::write(&file, &text).unwrap();
        if valid(&file) != accepted {
            problems.push(format!("the reader {} {what}", verdict(!accepted)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A fenced block of the reference: its info string and text (each line with its newline).
struct Block {
    info: String,
    text: String,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for line in doc.split_inclusive('\n') {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_string(),
                    text: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(b), None) => b.text.push_str(line),
            (None, None) => {}
        }
    }
    out
}

/// What `$ gridrisk ARGS` prints (standard output, then standard error).
fn console(command: &str) -> String {
    let args: Vec<&str> = command
        .strip_prefix("$ gridrisk ")
        .unwrap_or_else(|| panic!("{DOC}: a console block starts with `$ gridrisk `: {command}"))
        .split_whitespace()
        .collect();
    let out = gridrisk().args(&args).output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The walkthrough's commands print what the reference shows. With `GRIDRISK_BLESS=1` the
/// reference's `console` blocks are rewritten with the current output instead.
#[test]
fn the_walkthrough_shows_what_the_commands_print() {
    let doc = read(DOC);
    let all = blocks(&doc);
    for file in [EXAMPLE, VARIANT] {
        let text = read(file);
        assert!(
            all.iter().any(|b| b.info == "toml" && b.text == text),
            "{DOC} must show {file} as it is"
        );
    }
    let csv = read("docs/examples/two-region/demand.csv");
    let head = all.iter().find(|b| b.info == "csv").expect("a csv block");
    assert!(
        csv.starts_with(&head.text),
        "{DOC}: the csv block is not the file's head"
    );

    let mut fresh = doc.clone();
    let mut stale = Vec::new();
    let consoles: Vec<&Block> = all.iter().filter(|b| b.info == "console").collect();
    assert!(consoles.len() >= 4, "validate, an error, run and compare");
    for b in consoles {
        let (command, shown) = b.text.split_once('\n').unwrap_or((&b.text, ""));
        let now = console(command);
        if now != shown {
            stale.push(format!(
                "{command}\n--- shown:\n{shown}--- prints now:\n{now}"
            ));
            fresh = fresh.replacen(&b.text, &format!("{command}\n{now}"), 1);
        }
    }
    if std::env::var_os("GRIDRISK_BLESS").is_some() {
        std::fs::write(root().join(DOC), fresh).unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "{DOC} is stale (GRIDRISK_BLESS=1 rewrites it):\n{}",
        stale.join("\n")
    );
}

/// taplo (the engine of Even Better TOML), if installed (`taplo` on the path, or its path in
/// `GRIDRISK_TAPLO`), applies the schema through the repository's `.taplo.toml` and the
/// walkthrough's `#:schema` line: it passes every shipped scenario and flags the typo.
#[test]
fn taplo_applies_the_schema_if_installed() {
    let taplo = std::env::var("GRIDRISK_TAPLO").unwrap_or_else(|_| "taplo".into());
    let run = |args: &[&str]| {
        std::process::Command::new(&taplo)
            .arg("check")
            .args(args)
            .current_dir(root())
            .output()
    };
    let Ok(ok) = run(&["scenarios/**/*.toml", EXAMPLE]) else {
        eprintln!("skipped: no `{taplo}` (npm install @taplo/cli, or set GRIDRISK_TAPLO)");
        return;
    };
    assert!(
        ok.status.success(),
        "taplo refuses a shipped scenario:\n{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let typo = run(&["docs/examples/two-region/typo.toml"]).unwrap();
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(!typo.status.success() && err.contains("mtr_h"), "{err}");
}
